//! Opening the hosted checkout in the system browser — only pages the backend named, on hosts
//! the build allows — and watching a payment until it settles, telling the UI as it changes.

use crate::Core;
use portal_api::ipc::{EVENT_PAYMENT_CHANGED, FlowState, PaymentFlow};
use portal_core::CoreError;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;

/// How long the app polls a processing payment before leaving it to the next start.
const WATCH_LIMIT: Duration = Duration::from_secs(30 * 60);

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
        let opened = app.opener().open_url(url.as_str(), None::<&str>);
        match &opened {
            Ok(()) => tracing::info!("checkout opened in the browser for flow {}", flow.flow_id),
            Err(error) => tracing::warn!(
                "no browser could open the checkout of flow {}: {error}",
                flow.flow_id
            ),
        }
        flow = core
            .portal()
            .await?
            .record_browser(flow.flow_id, opened.is_ok())?;
    }
    watch(app, flow.flow_id);
    Ok(flow)
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
            let emitter = app.clone();
            let outcome = portal
                .watch_payment(
                    flow_id,
                    WATCH_LIMIT,
                    portal_core::portal::POLL_FIRST,
                    |flow| {
                        if let Err(error) = emitter.emit(EVENT_PAYMENT_CHANGED, flow) {
                            tracing::warn!("could not tell the UI about a payment: {error}");
                        }
                    },
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
            Ok(flow) => {
                if let Err(error) = app.emit(EVENT_PAYMENT_CHANGED, &flow) {
                    tracing::warn!("could not tell the UI about a payment: {error}");
                }
            }
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
                    if let Err(error) = app.emit(EVENT_PAYMENT_CHANGED, &flow) {
                        tracing::warn!("could not tell the UI about a payment: {error}");
                    }
                    if flow.state.is_open() {
                        watch(&app, flow.flow_id);
                    }
                }
            }
            Err(error) => tracing::warn!("resuming payments failed: {error}"),
        }
    });
}
