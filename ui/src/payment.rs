//! A payment in progress, its receipt, and the payment history.

use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{AppState, Route, bridge, format};
use dioxus::prelude::*;
use portal_api::ipc::{
    self, EndedOutcome, FlowArgs, FlowState, HistoryView, PaymentFlow, ReceiptArgs, UiLocale,
};
use portal_api::v1::Receipt;
use portal_api::{ErrorBody, ErrorCode, Text};

/// What the customer reads about a payment in each state: a title and what happens next.
fn explain(flow: &PaymentFlow, locale: &UiLocale) -> (&'static str, &'static str) {
    if flow.unknown_to_backend && flow.state.is_open() {
        return (
            locale.t(Text::PaymentNotFound),
            locale.message(ErrorCode::PaymentNotOnRecord),
        );
    }
    let (title, body) = match flow.state {
        FlowState::Created => (Text::ContactingEnerpro, Some(Text::PaymentSettingUp)),
        FlowState::CheckoutOpened if flow.browser_failed => {
            (Text::OpenPaymentPage, Some(Text::BrowserFailed))
        }
        FlowState::CheckoutOpened => (Text::FinishInBrowser, Some(Text::CheckoutOpen)),
        FlowState::Confirming => (Text::PaymentProcessing, Some(Text::Confirming)),
        // What to do is in the declined message below (from the catalog).
        FlowState::Declined => (Text::CardNotAccepted, None),
        FlowState::Paid => (Text::PaymentReceived, Some(Text::ThankYouReceipt)),
        FlowState::Expired => (Text::CheckoutExpired, Some(Text::ExpiredNothingCharged)),
        FlowState::Canceled => (Text::PaymentCanceled, Some(Text::CanceledNothingCharged)),
    };
    (locale.t(title), body.map_or("", |body| locale.t(body)))
}

/// What the customer can ask of a payment under way.
#[derive(Clone, Copy)]
enum Action {
    OpenCheckout,
    Check,
    Cancel,
    Dismiss,
}

/// One payment: what is happening, and what the customer can do about it.
#[component]
pub fn Processing(flow_id: i64) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let mut flow = use_resource(move || async move {
        let _ = (state.payments_changed)();
        bridge::invoke::<ipc::PaymentFlowOf>(&FlowArgs { flow_id }).await
    });
    let current: Option<Result<PaymentFlow, ErrorBody>> = flow.read().clone();
    let loaded = current
        .as_ref()
        .and_then(|result| result.as_ref().ok())
        .cloned();
    let title = loaded
        .as_ref()
        .map_or(locale.t(Text::Payment), |flow| explain(flow, &locale).0);
    let data_state = loaded.as_ref().map(|flow| format!("{:?}", flow.state));
    // One heading for every state, so the focus put on it when the screen opens stays there.
    rsx! {
        section { id: "payment", class: "card", "data-state": data_state, aria_live: "polite",
            h1 { id: "payment-title", "{title}" }
            match current {
                None => rsx! { Loading { text: Text::LoadingPayment } },
                Some(Err(failure)) => rsx! { ErrorState { error: failure, retry: move |_| flow.restart() } },
                Some(Ok(shown)) => rsx! { PaymentDetails { flow: shown, on_change: move |_| flow.restart() } },
            }
        }
        if let Some(loaded) = loaded {
            if let Some(receipt) = loaded.receipt.clone() {
                ReceiptCard { receipt }
            }
            if !loaded.state.is_open() {
                Link { to: Route::Home {}, id: "back-home", {locale.t(Text::BackToBillsShort)} }
            }
        }
    }
}

/// What a payment's state means, the link to copy when no browser opened, and the actions.
#[component]
fn PaymentDetails(flow: PaymentFlow, on_change: EventHandler<()>) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<ErrorBody>);
    let mut copied = use_signal(|| None::<bool>);
    let flow_id = flow.flow_id;
    let act = move |action: Action| {
        spawn(async move {
            busy.set(true);
            let args = FlowArgs { flow_id };
            let outcome = match action {
                Action::OpenCheckout => bridge::invoke::<ipc::OpenCheckout>(&args).await.map(drop),
                Action::Check => bridge::invoke::<ipc::CheckPayment>(&args).await.map(drop),
                Action::Cancel => bridge::invoke::<ipc::CancelPayment>(&args).await.map(drop),
                Action::Dismiss => match bridge::invoke::<ipc::DismissPayment>(&args).await {
                    Ok(true) => {
                        state.reload().await;
                        navigator().replace(Route::Home {});
                        return;
                    }
                    other => other.map(drop),
                },
            };
            match outcome {
                Ok(_) => error.set(None),
                Err(failure) => error.set(Some(failure)),
            }
            busy.set(false);
            on_change.call(());
            state.reload().await;
        });
    };
    let explanation = explain(&flow, &locale).1;
    let amount = flow.amount.as_ref().map(|a| format::money(&locale, a));
    let link = flow
        .checkout_url
        .clone()
        .filter(|_| flow.browser_failed && flow.state.is_open());
    rsx! {
        if !explanation.is_empty() { p { "{explanation}" } }
        if let Some(amount) = amount { p { {locale.t(Text::AmountColon)} strong { "{amount}" } } }
        if let Some(link) = link.clone() {
            label { r#for: "checkout-link", {locale.t(Text::PaymentLink)} }
            input { id: "checkout-link", class: "checkout-link", r#type: "text", readonly: true, value: "{link}" }
            button { id: "copy-link", class: "secondary",
                onclick: move |_| copied.set(Some(copy_to_clipboard(&link))),
                {locale.t(match copied() {
                    Some(true) => Text::Copied,
                    Some(false) => Text::SelectAndCopy,
                    None => Text::CopyPaymentLink,
                })}
            }
        }
        if flow.state == FlowState::Declined {
            ErrorState { error: ErrorBody::of_code(flow.decline.unwrap_or(ErrorCode::CardDeclined)), id: "payment-message" }
        }
        if let Some(failure) = error() {
            ErrorState { error: failure }
        }
        if flow.state.is_open() && flow.unknown_to_backend {
            div { class: "actions",
                button { id: "dismiss-payment", disabled: busy(),
                    onclick: move |_| act(Action::Dismiss),
                    {locale.t(Text::Dismiss)} }
            }
        } else if flow.state.is_open() {
            div { class: "actions",
                button { id: "open-checkout", disabled: busy(),
                    onclick: move |_| act(Action::OpenCheckout),
                    {locale.t(Text::OpenCheckoutAgain)} }
                button { id: "check-now", class: "secondary", disabled: busy(),
                    onclick: move |_| act(Action::Check),
                    {locale.t(Text::CheckNow)} }
                button { id: "cancel-payment", class: "secondary", disabled: busy(),
                    onclick: move |_| act(Action::Cancel),
                    {locale.t(Text::Cancel)} }
            }
        }
    }
}

/// Puts `text` on the clipboard, if this webview offers one (answers whether it did). Looked up
/// first: calling a missing browser API from WebAssembly would abort the UI.
fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null());
    match clipboard {
        Some(clipboard) => {
            let clipboard: web_sys::Clipboard = wasm_bindgen::JsCast::unchecked_into(clipboard);
            let _ = clipboard.write_text(text);
            true
        }
        None => false,
    }
}

/// Every field of a receipt, printable. Bills are named by their period, never by their id.
#[component]
pub fn ReceiptCard(receipt: Receipt) -> Element {
    let locale = use_locale();
    let card = locale.fill(
        Text::CardEnding,
        &[
            ("brand", &format::card_brand(&locale, &receipt.card_brand)),
            ("last4", &receipt.card_last4),
        ],
    );
    // A payment of several accounts' bills names each bill's account.
    let several = receipt
        .lines
        .iter()
        .any(|line| line.account_number != receipt.lines[0].account_number);
    rsx! {
        article { id: "receipt", class: "card receipt", aria_labelledby: "receipt-title",
            h2 { id: "receipt-title", {locale.t(Text::ReceiptNumber)} span { id: "receipt-number", "{receipt.number}" } }
            dl { class: "facts",
                dt { {locale.t(Text::Date)} } dd { time { id: "receipt-date", datetime: "{receipt.issued_at}", {format::moment(&locale, &receipt.issued_at)} } }
                dt { {locale.t(Text::Transaction)} } dd { id: "transaction-id", "{receipt.transaction_id}" }
                dt { {locale.t(Text::Card)} } dd { id: "card", "{card}" }
            }
            table {
                thead { tr {
                    if several { th { scope: "col", {locale.t(Text::ReceiptAccount)} } }
                    th { scope: "col", {locale.t(Text::BillFor)} }
                    th { scope: "col", class: "amount", {locale.t(Text::Amount)} }
                } }
                tbody {
                    for line in receipt.lines.iter() {
                        tr {
                            if several {
                                td { class: "receipt-account", {line.account_number.clone().unwrap_or_default()} }
                            }
                            td { Link { to: Route::BillDetail { bill_id: line.bill_id.clone() }, class: "receipt-bill", {format::period(&locale, &line.period)} } }
                            td { class: "amount", {format::money(&locale, &line.amount)} }
                        }
                    }
                }
                tfoot { tr { th { scope: "row", colspan: if several { "2" } else { "1" }, {locale.t(Text::TotalPaid)} } td { id: "receipt-total", class: "amount", {format::money(&locale, &receipt.total)} } } }
            }
            button {
                id: "print", class: "secondary no-print",
                onclick: move |_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.print();
                    }
                },
                {locale.t(Text::Print)}
            }
        }
    }
}

/// One receipt from the history.
#[component]
pub fn ReceiptView(receipt_id: String) -> Element {
    let locale = use_locale();
    let mut receipt = use_resource(use_reactive!(|receipt_id| async move {
        bridge::invoke::<ipc::ReceiptOf>(&ReceiptArgs { receipt_id }).await
    }));
    let current: Option<Result<Receipt, ErrorBody>> = receipt.read().clone();
    // One heading for every state, so the focus put on it when the screen opens stays there.
    rsx! {
        h1 { class: "visually-hidden", {locale.t(Text::Receipt)} }
        match current {
            None => rsx! { Loading { text: Text::LoadingReceipt } },
            Some(Ok(receipt)) => rsx! { ReceiptCard { receipt } },
            Some(Err(failure)) => rsx! {
                section { class: "card",
                    ErrorState { error: failure, retry: move |_| receipt.restart() }
                }
            },
        }
        Link { to: Route::History {}, {locale.t(Text::AllPayments)} }
    }
}

/// Receipts (fetched from the backend, so a new device has them all) and payments in progress.
#[component]
pub fn History() -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let mut history = use_signal(|| None::<Result<HistoryView, ErrorBody>>);
    let mut refreshing = use_signal(|| true);
    let mut fetch = move || {
        refreshing.set(true);
        spawn(async move {
            history.set(Some(bridge::call::<ipc::RefreshHistory>().await));
            refreshing.set(false);
        });
    };
    use_hook(fetch);
    use_effect(move || {
        if (state.payments_changed)() > 0 {
            spawn(async move { history.set(Some(bridge::call::<ipc::History>().await)) });
        }
    });
    let current = history.read().clone();
    // One heading for every state, so the focus put on it when the screen opens stays there.
    rsx! {
        section { id: "history", class: "card",
            h1 { {locale.t(Text::Payments)} }
            match current {
                None => rsx! { Loading { text: Text::LoadingPayments } },
                Some(Err(failure)) => rsx! { ErrorState { error: failure, retry: move |_| fetch() } },
                Some(Ok(view)) => rsx! { HistoryList { view, refreshing: refreshing() } },
            }
        }
    }
}

/// How an attempt that took no money ended, for the history.
fn ended_label(outcome: EndedOutcome) -> Text {
    match outcome {
        EndedOutcome::Canceled => Text::EndedCanceled,
        EndedOutcome::Expired => Text::EndedExpired,
        EndedOutcome::Declined => Text::EndedDeclined,
    }
}

/// The receipts and the payments under way.
#[component]
fn HistoryList(view: HistoryView, refreshing: bool) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    rsx! {
        if let Some(problem) = view.problem.clone() {
            ErrorState { error: problem, id: "history-problem", signed_in: state.signed_in() }
        }
        if !view.in_progress.is_empty() {
            h2 { {locale.t(Text::InProgress)} }
            ul {
                for payment in view.in_progress.iter().cloned() {
                    li { Link { to: Route::Processing { flow_id: payment.flow_id },
                        {locale.fill(Text::PaymentStarted, &[("time", &format::moment(&locale, &payment.started_at))])}
                        if let Some(amount) = payment.amount.as_ref() { " · {format::money(&locale, amount)}" }
                    } }
                }
            }
        }
        if !view.ended.is_empty() {
            h2 { {locale.t(Text::DidNotGoThrough)} }
            ul { class: "ended",
                for payment in view.ended.iter() {
                    li { "data-outcome": "{payment.outcome:?}",
                        "{format::moment(&locale, &payment.started_at)} · {format::money(&locale, &payment.amount)} · {locale.t(ended_label(payment.outcome))}"
                    }
                }
            }
        }
        h2 { {locale.t(Text::Receipts)} }
        if view.receipts.is_empty() && refreshing {
            Loading { text: Text::LookingForReceipts }
        } else if view.receipts.is_empty() && view.ended.is_empty() {
            p { class: "muted", id: "no-receipts", {locale.t(Text::NoPaymentsYet)} }
        } else if view.receipts.is_empty() {
            p { class: "muted", id: "no-receipts", {locale.t(Text::NoReceiptsYet)} }
        } else {
            ul { class: "receipts",
                for receipt in view.receipts.iter() {
                    li {
                        Link { to: Route::ReceiptView { receipt_id: receipt.id.clone() },
                            "{receipt.number} · {format::moment(&locale, &receipt.issued_at)} · {format::money(&locale, &receipt.total)}"
                        }
                    }
                }
            }
        }
    }
}
