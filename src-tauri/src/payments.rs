//! Opening the hosted checkout in the system browser — only pages the backend named, on hosts
//! the build allows — and watching a payment until it settles, telling the UI as it changes.

use crate::Core;
use portal_api::ipc::{EVENT_PAYMENT_CHANGED, FlowState, PaymentFlow};
use portal_core::CoreError;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
#[cfg(mobile)]
use tauri_plugin_opener::OpenerExt;

/// How long the app polls a processing payment before leaving it to the next start.
const WATCH_LIMIT: Duration = Duration::from_secs(30 * 60);

/// How long the browser's launcher is awaited before the checkout counts as open in it. The
/// opener plugin waits 250 ms, and on a busy machine `xdg-open` alone takes longer than that to
/// find no browser; a launcher that fails later still turns the flow to the link to copy.
const BROWSER_VERDICT: Duration = Duration::from_millis(500);

/// How long a launcher still running is followed: one failing later than this has handed the
/// page to a browser that then ended (`xdg-open` can wait for the browser it started), which
/// says nothing of whether the customer saw the page.
const BROWSER_VERDICT_LIMIT: Duration = Duration::from_secs(15);

/// Opens the flow's checkout (if it is waiting for the customer) and starts watching it. When
/// no browser can be opened, the flow says so (the customer copies the link instead); that is
/// not an error, since the payment itself is under way.
pub async fn open_and_watch<R: Runtime>(
    app: &AppHandle<R>,
    flow: &PaymentFlow,
) -> Result<PaymentFlow, CoreError> {
    let core = app.state::<Core>();
    let mut flow = flow.clone();
    if flow.state.is_open()
        && flow.state != FlowState::Created
        && let Some(url) = &flow.checkout_url
    {
        let url = core.checkout_policy.check(url)?;
        let page = checkout_page(flow.flow_id);
        let mut launch = launch_browser(app, url.to_string());
        let verdict = first_verdict(&page, &mut launch).await;
        flow = core
            .portal()
            .await?
            .record_browser(flow.flow_id, verdict.unwrap_or(true))?;
        if verdict.is_none() {
            follow_slow_launch(app, flow.flow_id, launch);
        }
    }
    watch(app, flow.flow_id);
    Ok(flow)
}

/// Opens `url`, the page named `page` in the log, in the system browser, and answers whether
/// it opened: a launcher still running after [`BROWSER_VERDICT`] counts as opened (its later
/// failure is not heard).
pub async fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: String, page: &str) -> bool {
    first_verdict(page, &mut launch_browser(app, url))
        .await
        .unwrap_or(true)
}

/// Whether the launcher opened `page`, if it answered within [`BROWSER_VERDICT`]; `None` while
/// it still runs.
async fn first_verdict(page: &str, launch: &mut Launch) -> Option<bool> {
    tokio::time::timeout(BROWSER_VERDICT, launch)
        .await
        .ok()
        .map(|verdict| browser_opened(page, &verdict))
}

/// How a flow's checkout page is named in the log.
fn checkout_page(flow_id: i64) -> String {
    format!("the checkout of flow {flow_id}")
}

/// What a browser's launcher answers: whether it opened the page, or why not.
type Launch = tokio::sync::oneshot::Receiver<Result<(), String>>;

/// Starts opening `url` in the system browser; its launcher's verdict comes through the answer.
/// On a desktop each launcher (`xdg-open`, then `gio`, …) is awaited to its end on a thread of
/// its own; on a phone the system answers at once.
fn launch_browser<R: Runtime>(app: &AppHandle<R>, url: String) -> Launch {
    let (answer, launch) = tokio::sync::oneshot::channel();
    #[cfg(desktop)]
    {
        let _ = app;
        let started = std::thread::Builder::new()
            .name("browser-launcher".into())
            .spawn(move || {
                let _ = answer.send(open::that(&url).map_err(|error| error.to_string()));
            });
        if let Err(error) = started {
            tracing::warn!("no thread to open the browser on: {error}");
        }
    }
    #[cfg(mobile)]
    {
        let opened = app.opener().open_url(url, None::<&str>);
        let _ = answer.send(opened.map_err(|error| error.to_string()));
    }
    launch
}

/// Whether the launcher opened `page`. One that vanished without answering did not: the
/// customer is better served by the link to copy, or the message to try again.
fn browser_opened(
    page: &str,
    verdict: &Result<Result<(), String>, tokio::sync::oneshot::error::RecvError>,
) -> bool {
    match verdict {
        Ok(Ok(())) => {
            tracing::info!("{page} opened in the browser");
            true
        }
        Ok(Err(error)) => {
            tracing::warn!("no browser could open {page}: {error}");
            false
        }
        Err(_) => {
            tracing::warn!("the browser's launcher for {page} never answered");
            false
        }
    }
}

/// Follows a launcher still running when the flow was shown as open in the browser: if it
/// fails after all, the flow says so and the UI shows the link to copy.
fn follow_slow_launch<R: Runtime>(app: &AppHandle<R>, flow_id: i64, launch: Launch) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Ok(verdict) = tokio::time::timeout(BROWSER_VERDICT_LIMIT, launch).await else {
            return;
        };
        if browser_opened(&checkout_page(flow_id), &verdict) {
            return;
        }
        let core = app.state::<Core>();
        match async { core.portal().await?.record_browser(flow_id, false) }.await {
            Ok(flow) => tell_ui(&app, &flow),
            Err(error) => tracing::warn!("recording the browser's failure failed: {error}"),
        }
    });
}

/// Polls a payment in the background until it settles, emitting each change.
pub fn watch<R: Runtime>(app: &AppHandle<R>, flow_id: i64) {
    let core = app.state::<Core>();
    if !core.start_watching(flow_id) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let core = app.state::<Core>();
        if let Ok(portal) = core.portal().await {
            let outcome = portal
                .watch_payment(
                    flow_id,
                    WATCH_LIMIT,
                    portal_core::portal::POLL_FIRST,
                    |flow| tell_ui(&app, flow),
                )
                .await;
            if let Err(error) = outcome {
                tracing::warn!("watching payment flow {flow_id} stopped: {error}");
            }
        }
        core.stop_watching(flow_id);
    });
}

/// The browser came back with a payment id: confirm it and tell the UI.
pub fn returned<R: Runtime>(app: &AppHandle<R>, payment_id: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let core = app.state::<Core>();
        let Ok(portal) = core.portal().await else {
            return;
        };
        match portal.payment_returned(&payment_id).await {
            Ok(flow) => tell_ui(&app, &flow),
            Err(error) => tracing::warn!("confirming a returned payment failed: {error}"),
        }
    });
}

/// At start: resume every open payment and watch it.
pub fn resume<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let core = app.state::<Core>();
        core.after_first_screen().await;
        let Ok(portal) = core.portal().await else {
            return;
        };
        match portal.resume_payments().await {
            Ok(flows) => {
                for flow in flows {
                    tell_ui(&app, &flow);
                    if flow.state.is_open() {
                        watch(&app, flow.flow_id);
                    }
                }
            }
            Err(error) => tracing::warn!("resuming payments failed: {error}"),
        }
    });
}

/// Tells the UI that a payment changed.
fn tell_ui<R: Runtime>(app: &AppHandle<R>, flow: &PaymentFlow) {
    if let Err(error) = app.emit(EVENT_PAYMENT_CHANGED, flow) {
        tracing::warn!("could not tell the UI about a payment: {error}");
    }
}
