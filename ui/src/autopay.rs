//! Automatic payments of the account shown: the saved card (saved on the provider's page in the
//! system browser, never typed here), on or off, when, the most a bill may be, and the next
//! payment. The backend keeps it all; the screen asks again when the browser comes back.

use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{AppState, bridge, format};
use dioxus::prelude::*;
use portal_api::ipc::{self, AutopayChoice, AutopayView};
use portal_api::v1::AUTOPAY_MAX_DAYS_BEFORE;
use portal_api::{ErrorBody, Text};

/// The Autopay screen.
#[component]
pub fn Autopay() -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let mut view = use_resource(move || async move {
        // Asked again when the browser comes back from the card page (a payment-like change).
        let _ = (state.payments_changed)();
        bridge::call::<ipc::AutopayOf>().await
    });
    let current: Option<Result<AutopayView, ErrorBody>> = view.read().clone();
    rsx! {
        section { id: "autopay", class: "card",
            h1 { {locale.t(Text::AutopayTitle)} }
            match current {
                None => rsx! { Loading { text: Text::LoadingAutopay } },
                Some(Err(error)) => rsx! { ErrorState { error, signed_in: true, retry: move |_| view.restart() } },
                Some(Ok(autopay)) => rsx! { Choices { autopay, on_change: move |fresh| view.set(Some(Ok(fresh))) } },
            }
        }
    }
}

/// The card and the choice, once known.
#[component]
fn Choices(autopay: AutopayView, on_change: EventHandler<AutopayView>) -> Element {
    let locale = use_locale();
    let settings = autopay.settings.clone();
    let mut enabled = use_signal(|| settings.enabled);
    let mut days_before = use_signal(|| settings.days_before);
    let mut maximum = use_signal(|| autopay.maximum.clone());
    let mut error = use_signal(|| None::<ErrorBody>);
    let mut saved = use_signal(|| false);
    let mut waiting_for_browser = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let card_line = settings.card.as_ref().map(|card| {
        locale.fill(
            Text::SavedCardLine,
            &[
                ("brand", &format::card_brand(&locale, &card.brand)),
                ("last4", &card.last4),
                ("month", &card.exp_month.to_string()),
                ("year", &card.exp_year.to_string()),
            ],
        )
    });
    let has_card = settings.card.is_some();
    let next = settings.next.clone().map(|next| {
        let amount = format::money(&locale, &next.amount);
        let date = format::long_time(&locale, &next.on);
        let text = if next.above_maximum {
            Text::NextAboveMaximum
        } else {
            Text::NextAutopay
        };
        locale.fill(text, &[("amount", &amount), ("date", &date)])
    });
    rsx! {
        p { id: "autopay-account", class: "muted",
            {locale.fill(Text::AutopayFor, &[("address", &autopay.account.service_address)])}
        }
        if let Some(failed) = settings.failed.clone() {
            div { id: "autopay-failed", class: "notice", role: "alert",
                p {
                    {
                        let amount = format::money(&locale, &failed.amount);
                        match failed.retry_on {
                            Some(day) => locale.fill(Text::AutopayFailedRetry, &[("amount", &amount), ("date", &format::long_time(&locale, &day))]),
                            None => locale.fill(Text::AutopayFailedFinal, &[("amount", &amount)]),
                        }
                    }
                }
                Link { class: "button", to: crate::Route::Pay {}, {locale.t(Text::PayBills)} }
            }
        }
        if let Some(failure) = error() {
            ErrorState { error: failure, id: "autopay-error" }
        }
        h2 { {locale.t(Text::SavedCardTitle)} }
        if let Some(line) = card_line {
            p { id: "saved-card", "{line}" }
        } else {
            p { id: "no-card", {locale.t(Text::NoSavedCardYet)} }
        }
        if waiting_for_browser() {
            p { id: "finish-in-browser", role: "status", {locale.t(Text::FinishSavingCard)} }
        }
        div { class: "actions",
            button {
                id: "save-card", class: if has_card { "secondary" } else { "" }, disabled: busy(),
                onclick: move |_| {
                    spawn(async move {
                        busy.set(true);
                        error.set(None);
                        match bridge::call::<ipc::SaveCard>().await {
                            Ok(()) => waiting_for_browser.set(true),
                            Err(failure) => error.set(Some(failure)),
                        }
                        busy.set(false);
                    });
                },
                if has_card { {locale.t(Text::UseAnotherCard)} } else { {locale.t(Text::SaveACard)} }
            }
            if has_card {
                button {
                    id: "remove-card", class: "secondary", disabled: busy(),
                    onclick: move |_| {
                        spawn(async move {
                            busy.set(true);
                            match bridge::call::<ipc::RemoveCard>().await {
                                Ok(fresh) => {
                                    enabled.set(false);
                                    on_change.call(fresh);
                                }
                                Err(failure) => error.set(Some(failure)),
                            }
                            busy.set(false);
                        });
                    },
                    {locale.t(Text::RemoveCardButton)}
                }
            }
        }
        form { id: "autopay-form",
            onsubmit: move |event| {
                event.prevent_default();
                let choice = AutopayChoice {
                    enabled: enabled(),
                    days_before: days_before(),
                    maximum: maximum(),
                };
                spawn(async move {
                    busy.set(true);
                    saved.set(false);
                    match bridge::invoke::<ipc::ChooseAutopay>(&choice).await {
                        Ok(fresh) => {
                            error.set(None);
                            saved.set(true);
                            on_change.call(fresh);
                        }
                        Err(failure) => error.set(Some(failure)),
                    }
                    busy.set(false);
                });
            },
            label { class: "choice",
                input { id: "autopay-enabled", r#type: "checkbox", checked: enabled(),
                    onchange: move |event| enabled.set(event.checked()) }
                span { {locale.t(Text::PayAutomatically)} }
            }
            label { r#for: "autopay-when", {locale.t(Text::PayWhen)} }
            select { id: "autopay-when", value: "{days_before}",
                onchange: move |event| days_before.set(event.value().parse().unwrap_or_default()),
                for days in 0..=AUTOPAY_MAX_DAYS_BEFORE {
                    option { value: "{days}", selected: days == days_before(),
                        if days == 0 {
                            {locale.t(Text::OnTheDueDate)}
                        } else {
                            {locale.plural(days.into(), Text::DaysBeforeOne, Text::DaysBefore)}
                        }
                    }
                }
            }
            label { r#for: "autopay-maximum", {locale.t(Text::MaximumLabel)} }
            input { id: "autopay-maximum", r#type: "text", inputmode: "decimal", autocomplete: "off",
                aria_describedby: "autopay-maximum-hint",
                value: "{maximum}", oninput: move |event| maximum.set(event.value()) }
            p { id: "autopay-maximum-hint", class: "muted", {locale.t(Text::MaximumHint)} }
            button { id: "autopay-save", r#type: "submit", disabled: busy(), {locale.t(Text::SaveAutopay)} }
        }
        if saved() {
            p { id: "autopay-saved", role: "status", {locale.t(Text::AutopaySaved)} }
        }
        if settings.enabled {
            if let Some(next) = next {
                p { id: "autopay-next", class: if settings.next.as_ref().is_some_and(|n| n.above_maximum) { "notice" } else { "" }, "{next}" }
            }
        } else {
            p { id: "autopay-off", class: "muted", {locale.t(Text::AutopayIsOff)} }
        }
    }
}
