//! The Enerpro portal's UI: renders state and calls the shell's commands, nothing more.
//!
//! Screens are routes; the layout around them shows the header, notices (e.g. a rejected deep
//! link) and turns deep links and payment events from the shell into navigation.

mod account;
mod bridge;
mod format;
mod home;
mod payment;
mod updates;

use account::{Invitation, Settings, SignIn, SignInComplete, Status};
use dioxus::prelude::*;
use futures_util::StreamExt;
use home::{Home, Pay};
use payment::{History, Processing, ReceiptView};
use portal_api::ipc::{
    CMD_OFFERED_UPDATE, CMD_PAYMENT_FLOWS, CMD_TAKE_LINKS, DeepLink, EVENT_LINKS_WAITING,
    EVENT_PAYMENT_CHANGED, EVENT_UPDATE_AVAILABLE, LinkReceived, PaymentFlow, UpdateOffer,
};

fn main() {
    bridge::mark("wasm_started");
    dioxus::launch(App);
}

/// The screens.
#[derive(Debug, Clone, PartialEq, Routable)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Layout)]
        #[route("/")]
        Home {},
        #[route("/pay")]
        Pay {},
        #[route("/invite/:code")]
        Invitation { code: String },
        #[route("/signin")]
        SignIn {},
        #[route("/signin/:code")]
        SignInComplete { code: String },
        #[route("/payment/:flow_id")]
        Processing { flow_id: i64 },
        #[route("/receipt/:receipt_id")]
        ReceiptView { receipt_id: String },
        #[route("/history")]
        History {},
        #[route("/settings")]
        Settings {},
        #[route("/status")]
        Status {},
}

/// App-wide signals: a message to show above the screen, and a counter bumped whenever the
/// shell says a payment changed (screens that show payments re-read when it moves).
#[derive(Clone, Copy)]
pub struct AppSignals {
    /// A notice (rejected deep link, background error).
    pub notice: Signal<Option<String>>,
    /// Bumped on every payment change.
    pub payments_changed: Signal<u64>,
}

#[component]
fn App() -> Element {
    use_context_provider(|| AppSignals {
        notice: Signal::new(None),
        payments_changed: Signal::new(0),
    });
    rsx! { Router::<Route> {} }
}

/// The frame of every screen.
#[component]
fn Layout() -> Element {
    let signals = use_context::<AppSignals>();
    let mut notice = signals.notice;
    let mut payments_changed = signals.payments_changed;
    let mut update_banner = use_signal(|| None::<String>);
    let show_update_banner = move || {
        spawn(async move {
            if let Ok(Some(offer)) = bridge::call::<Option<UpdateOffer>>(CMD_OFFERED_UPDATE).await {
                update_banner.set(Some(offer.version));
            }
        });
    };
    let navigator = use_navigator();

    // Deep links: the shell queues them and nudges us; we take them (also once at start).
    let links = use_coroutine(move |mut nudges: UnboundedReceiver<()>| async move {
        loop {
            match bridge::call::<Vec<LinkReceived>>(CMD_TAKE_LINKS).await {
                Ok(received) => {
                    for link in received {
                        match link {
                            LinkReceived::Accepted { link } => {
                                notice.set(None);
                                follow(navigator, link).await;
                            }
                            LinkReceived::Rejected { message, .. } => notice.set(Some(message)),
                        }
                    }
                }
                Err(error) => notice.set(Some(error.message)),
            }
            if nudges.next().await.is_none() {
                break;
            }
        }
    });
    use_hook(move || {
        let nudge = links.tx();
        spawn(async move {
            let listening = bridge::listen(EVENT_LINKS_WAITING, move || {
                let _ = nudge.unbounded_send(());
            })
            .await
            .and(
                bridge::listen(EVENT_PAYMENT_CHANGED, move || {
                    payments_changed += 1;
                })
                .await,
            )
            .and(bridge::listen(EVENT_UPDATE_AVAILABLE, show_update_banner).await);
            // The check at start may have finished before we listened.
            show_update_banner();
            if let Err(error) = listening {
                notice.set(Some(error.message));
            }
        });
    });

    rsx! {
        header { class: "app-bar",
            Link { to: Route::Home {}, class: "brand", "Enerpro" }
            nav { aria_label: "Main",
                Link { to: Route::Home {}, "Bills" }
                Link { to: Route::History {}, "Payments" }
                Link { to: Route::Settings {}, "Settings" }
            }
        }
        main {
            if let Some(message) = notice() {
                div { id: "notice", class: "notice", role: "alert",
                    span { "{message}" }
                    button { class: "secondary", onclick: move |_| notice.set(None), "Dismiss" }
                }
            }
            if let Some(version) = update_banner() {
                div { id: "update-banner", class: "notice", role: "status",
                    span { "Version {version} of the app is available. "
                        Link { to: Route::Settings {}, onclick: move |_| update_banner.set(None), "Update in Settings" }
                    }
                    button { class: "secondary", onclick: move |_| update_banner.set(None), "Dismiss" }
                }
            }
            Outlet::<Route> {}
        }
    }
}

/// Navigates to where a deep link points.
async fn follow(navigator: dioxus::router::Navigator, link: DeepLink) {
    match link {
        DeepLink::Invite { code } => {
            navigator.push(Route::Invitation { code });
        }
        DeepLink::SignIn { code } => {
            navigator.push(Route::SignInComplete { code });
        }
        DeepLink::PaymentReturn { payment } => {
            let flows = bridge::call::<Vec<PaymentFlow>>(CMD_PAYMENT_FLOWS)
                .await
                .unwrap_or_default();
            if let Some(flow) = flows
                .iter()
                .find(|f| f.payment_id.as_deref() == Some(payment.as_str()))
            {
                navigator.push(Route::Processing {
                    flow_id: flow.flow_id,
                });
            }
        }
    }
}
