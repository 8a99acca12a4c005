//! The Enerpro portal's UI: renders state and calls the shell's commands, nothing more.

mod bridge;

use dioxus::prelude::*;
use futures_util::StreamExt;
use portal_api::ErrorBody;
use portal_api::ipc::{
    CMD_BACKEND_STATUS, CMD_TAKE_LINKS, DeepLink, EVENT_LINKS_WAITING, LinkReceived,
};
use portal_api::v1::HealthResponse;

fn main() {
    dioxus::launch(App);
}

/// Which screen is showing.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    /// The connection to the backend.
    Status,
    /// An invitation link arrived.
    Invitation { code: String },
    /// A sign-in link arrived.
    SignIn,
    /// The browser came back from checkout.
    PaymentReturn { payment: String },
}

#[component]
fn App() -> Element {
    let mut screen = use_signal(|| Screen::Status);
    let mut notice = use_signal(|| None::<String>);

    // Deep links: the shell queues them and nudges us; we take them (also once at start).
    let links = use_coroutine(move |mut nudges: UnboundedReceiver<()>| async move {
        loop {
            match bridge::invoke::<_, Vec<LinkReceived>>(CMD_TAKE_LINKS, &bridge::NoArgs {}).await {
                Ok(received) => {
                    for link in received {
                        match link {
                            LinkReceived::Accepted { link } => {
                                notice.set(None);
                                screen.set(match link {
                                    DeepLink::Invite { code } => Screen::Invitation { code },
                                    DeepLink::SignIn { .. } => Screen::SignIn,
                                    DeepLink::PaymentReturn { payment } => {
                                        Screen::PaymentReturn { payment }
                                    }
                                });
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
            if let Err(error) = bridge::listen(EVENT_LINKS_WAITING, move || {
                let _ = nudge.unbounded_send(());
            })
            .await
            {
                notice.set(Some(error.message));
            }
        });
    });

    rsx! {
        header { class: "app-bar", "Enerpro Portal" }
        main {
            if let Some(message) = notice() {
                div { id: "notice", class: "notice", role: "alert",
                    span { "{message}" }
                    button { class: "secondary", onclick: move |_| notice.set(None), "Dismiss" }
                }
            }
            match screen() {
                Screen::Status => rsx! { BackendStatus {} },
                Screen::Invitation { code } => rsx! {
                    section { id: "invitation", class: "card",
                        h1 { "You have been invited" }
                        p { "Invitation code recognised: " code { id: "invitation-code", "{code}" } }
                        p { class: "muted", "Accepting invitations arrives in the next version of the app." }
                        button { class: "secondary", onclick: move |_| screen.set(Screen::Status), "Back" }
                    }
                },
                Screen::SignIn => rsx! {
                    section { id: "signin", class: "card",
                        h1 { "Sign-in link received" }
                        p { class: "muted", "Signing in with a link arrives in the next version of the app." }
                        button { class: "secondary", onclick: move |_| screen.set(Screen::Status), "Back" }
                    }
                },
                Screen::PaymentReturn { payment } => rsx! {
                    section { id: "payment-return", class: "card",
                        h1 { "Back from checkout" }
                        p { "Payment " code { "{payment}" } }
                        button { class: "secondary", onclick: move |_| screen.set(Screen::Status), "Back" }
                    }
                },
            }
        }
    }
}

/// "Connected to <server> <version>", or a clear error with Retry.
#[component]
fn BackendStatus() -> Element {
    let mut status = use_resource(|| async {
        bridge::invoke::<_, HealthResponse>(CMD_BACKEND_STATUS, &bridge::NoArgs {}).await
    });
    let current: Option<Result<HealthResponse, ErrorBody>> = status.read().clone();
    rsx! {
        section { class: "card", aria_live: "polite",
            match current {
                None => rsx! { p { id: "status", class: "muted", "Connecting to the server…" } },
                Some(Ok(health)) => rsx! {
                    p { id: "status", class: "ok", "Connected to {health.name} {health.version}" }
                    p {
                        button { id: "retry", class: "secondary", onclick: move |_| status.restart(), "Check again" }
                    }
                },
                Some(Err(error)) => rsx! {
                    div { id: "status-error", class: "error", role: "alert",
                        p { "{error.message}" }
                    }
                    p {
                        button { id: "retry", onclick: move |_| status.restart(), "Retry" }
                    }
                },
            }
        }
    }
}
