//! The states every screen shares: loading, and an error with the one thing to do next. The
//! next step comes with the error's code from the catalog (`portal_api::NextStep`), so no screen
//! keeps a list of codes.

use crate::Route;
use crate::i18n::{Say, use_locale};
use dioxus::prelude::*;
use portal_api::{ErrorBody, NextStep, Text};

/// Something is on its way: `text` from the catalog.
#[component]
pub fn Loading(text: Text) -> Element {
    let text = use_locale().t(text);
    rsx! { p { class: "muted", role: "status", aria_busy: "true", "{text}" } }
}

/// An error as the customer reads it, with the action that helps. `retry` repeats what failed;
/// `signed_in` turns "sign in" into "back to your bills" for a customer who already is.
#[component]
pub fn ErrorState(
    error: ErrorBody,
    retry: Option<EventHandler<()>>,
    #[props(default)] signed_in: bool,
    #[props(default = "error".to_owned())] id: String,
) -> Element {
    let locale = use_locale();
    let step = error.code.next_step();
    rsx! {
        div { id: "{id}", class: "error", role: "alert",
            p { {locale.error(&error)} }
            match (step, retry) {
                (NextStep::Retry, Some(retry)) => rsx! {
                    button { class: "secondary retry", onclick: move |_| retry.call(()), {locale.t(Text::TryAgain)} }
                },
                (NextStep::SignIn, _) if signed_in => rsx! {
                    Link { to: Route::Home {}, class: "next-step", {locale.t(Text::BackToBills)} }
                },
                (NextStep::SignIn, _) => rsx! {
                    Link { to: Route::SignIn {}, class: "next-step", {locale.t(Text::SignInWithYourEmail)} }
                },
                (NextStep::GoBack, _) => rsx! {
                    Link { to: Route::Home {}, class: "next-step", {locale.t(Text::BackToBills)} }
                },
                (NextStep::ContactSupport, _) => rsx! {
                    p { class: "muted", {locale.t(Text::SupportContact)} }
                },
                _ => rsx! {},
            }
        }
    }
}
