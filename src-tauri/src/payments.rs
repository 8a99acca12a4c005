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

/// Opens the flow's checkout (if it is waiting for the customer) and starts watching it.
pub fn open_and_watch<R: Runtime>(
    app: &AppHandle<R>,
    flow: &PaymentFlow,
) -> Result<PaymentFlow, CoreError> {
    if flow.state.is_open()
        && flow.state != FlowState::Created
        && let Some(url) = &flow.checkout_url
    {
        let core = app.state::<Core>();
        let url = core.checkout_policy.check(url)?;
        app.opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|error| CoreError::Api(portal_api::ErrorBody::new(
                "browser_unavailable",
                format!("The payment page could not be opened in your browser ({error}). Use \"Open checkout again\"."),
            )))?;
        log::info!(
            "checkout opened in the system browser for flow {}",
            flow.flow_id
        );
    }
    watch(app, flow.flow_id);
    Ok(flow.clone())
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
        if let Ok(portal) = core.portal() {
            let emitter = app.clone();
            let outcome = portal
                .watch_payment(
                    flow_id,
                    WATCH_LIMIT,
                    portal_core::portal::POLL_FIRST,
                    |flow| {
                        if let Err(error) = emitter.emit(EVENT_PAYMENT_CHANGED, flow) {
                            log::warn!("could not tell the UI about a payment: {error}");
                        }
                    },
                )
                .await;
            if let Err(error) = outcome {
                log::warn!("watching payment flow {flow_id} stopped: {}", error.code());
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
        let Ok(portal) = core.portal() else { return };
        match portal.payment_returned(&payment_id).await {
            Ok(flow) => {
                let _ = app.emit(EVENT_PAYMENT_CHANGED, &flow);
            }
            Err(error) => log::warn!("confirming a returned payment failed: {}", error.code()),
        }
    });
}

/// At start: resume every open payment and watch it.
pub fn resume<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let core = app.state::<Core>();
        let Ok(portal) = core.portal() else { return };
        match portal.resume_payments().await {
            Ok(flows) => {
                for flow in flows {
                    let _ = app.emit(EVENT_PAYMENT_CHANGED, &flow);
                    if flow.state.is_open() {
                        watch(&app, flow.flow_id);
                    }
                }
            }
            Err(error) => log::warn!("resuming payments failed: {}", error.code()),
        }
    });
}
