//! A payment in progress, its receipt, and the payment history.

use crate::{AppSignals, Route, bridge, format};
use dioxus::prelude::*;
use portal_api::ipc::{
    CMD_CANCEL_PAYMENT, CMD_CHECK_PAYMENT, CMD_OPEN_CHECKOUT, CMD_PAYMENT_FLOWS, CMD_RECEIPTS,
    FlowArgs, FlowState, PaymentFlow,
};
use portal_api::v1::Receipt;

/// One payment: what is happening, and what the customer can do about it.
#[component]
pub fn Processing(flow_id: i64) -> Element {
    let signals = use_context::<AppSignals>();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut flows = use_resource(move || async move {
        let _ = (signals.payments_changed)();
        bridge::call::<Vec<PaymentFlow>>(CMD_PAYMENT_FLOWS).await
    });
    let act = move |command: &'static str| {
        spawn(async move {
            busy.set(true);
            match bridge::invoke::<_, PaymentFlow>(command, &FlowArgs { flow_id }).await {
                Ok(_) => error.set(None),
                Err(failure) => error.set(Some(failure.message)),
            }
            busy.set(false);
            flows.restart();
        });
    };
    let flow = match &*flows.read() {
        None => return rsx! { p { class: "muted", "Loading the payment…" } },
        Some(Err(failure)) => {
            return rsx! { div { class: "error", role: "alert", p { "{failure.message}" } } };
        }
        Some(Ok(all)) => all.iter().find(|f| f.flow_id == flow_id).cloned(),
    };
    let Some(flow) = flow else {
        return rsx! { p { "This payment is not on this device." } Link { to: Route::Home {}, "Back to bills" } };
    };
    let amount = flow
        .amount
        .as_ref()
        .map(|a| a.display())
        .unwrap_or_default();
    let (title, explanation) = match flow.state {
        FlowState::Created => (
            "Contacting Enerpro…",
            "The payment is being set up. This page updates by itself.",
        ),
        FlowState::CheckoutOpened => (
            "Finish paying in your browser",
            "The secure checkout page is open in your browser. When you have paid, you come back here.",
        ),
        FlowState::Confirming => (
            "Payment processing",
            "We are confirming the payment with Enerpro. This page updates by itself.",
        ),
        FlowState::Declined => (
            "Your card was not accepted",
            "Nothing was charged. Open the checkout again to try another card, or cancel.",
        ),
        FlowState::Paid => ("Payment received", "Thank you. Your receipt is below."),
        FlowState::Expired => (
            "The checkout expired",
            "Nothing was charged. Your bills are due again; you can start a new payment.",
        ),
        FlowState::Canceled => (
            "Payment canceled",
            "Nothing was charged. Your bills are due again.",
        ),
    };
    rsx! {
        section { id: "payment", class: "card", "data-state": "{flow.state:?}", aria_live: "polite",
            h1 { id: "payment-title", "{title}" }
            p { "{explanation}" }
            if !amount.is_empty() { p { "Amount: " strong { "{amount}" } } }
            if let Some(message) = flow.message.clone() {
                div { id: "payment-message", class: "error", role: "alert", p { "{message}" } }
            }
            if let Some(message) = error() {
                div { class: "error", role: "alert", p { "{message}" } }
            }
            if flow.state.is_open() {
                div { class: "actions",
                    button { id: "open-checkout", disabled: busy(), onclick: move |_| act(CMD_OPEN_CHECKOUT), "Open checkout again" }
                    button { id: "check-now", class: "secondary", disabled: busy(), onclick: move |_| act(CMD_CHECK_PAYMENT), "Check now" }
                    button { id: "cancel-payment", class: "secondary", disabled: busy(), onclick: move |_| act(CMD_CANCEL_PAYMENT), "Cancel" }
                }
            }
        }
        if let Some(receipt) = flow.receipt.clone() {
            ReceiptCard { receipt }
        }
        if !flow.state.is_open() {
            Link { to: Route::Home {}, id: "back-home", "Back to bills" }
        }
    }
}

/// Every field of a receipt, printable.
#[component]
pub fn ReceiptCard(receipt: Receipt) -> Element {
    rsx! {
        article { id: "receipt", class: "card receipt", aria_labelledby: "receipt-title",
            h2 { id: "receipt-title", "Receipt " span { id: "receipt-number", "{receipt.number}" } }
            dl { class: "facts",
                dt { "Date" } dd { "{format::moment(&receipt.issued_at)}" }
                dt { "Transaction" } dd { id: "transaction-id", "{receipt.transaction_id}" }
                dt { "Card" } dd { id: "card", "{receipt.card_brand} ending {receipt.card_last4}" }
            }
            table {
                thead { tr { th { scope: "col", "Bill" } th { scope: "col", "Period" } th { scope: "col", class: "amount", "Amount" } } }
                tbody {
                    for line in receipt.lines.iter() {
                        tr { td { "{line.bill_id}" } td { "{format::period(&line.period)}" } td { class: "amount", "{line.amount.display()}" } }
                    }
                }
                tfoot { tr { th { scope: "row", colspan: "2", "Total paid" } td { id: "receipt-total", class: "amount", "{receipt.total.display()}" } } }
            }
            button {
                id: "print", class: "secondary no-print",
                onclick: move |_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.print();
                    }
                },
                "Print"
            }
        }
    }
}

/// One receipt from the history.
#[component]
pub fn ReceiptView(receipt_id: String) -> Element {
    let receipts = use_resource(|| bridge::call::<Vec<Receipt>>(CMD_RECEIPTS));
    let found = match &*receipts.read() {
        Some(Ok(all)) => all.iter().find(|r| r.id == receipt_id).cloned(),
        _ => None,
    };
    rsx! {
        if let Some(receipt) = found { ReceiptCard { receipt } } else { p { "Loading the receipt…" } }
        Link { to: Route::History {}, "All payments" }
    }
}

/// Receipts and payments in progress.
#[component]
pub fn History() -> Element {
    let signals = use_context::<AppSignals>();
    let data = use_resource(move || async move {
        let _ = (signals.payments_changed)();
        let receipts = bridge::call::<Vec<Receipt>>(CMD_RECEIPTS)
            .await
            .unwrap_or_default();
        let flows = bridge::call::<Vec<PaymentFlow>>(CMD_PAYMENT_FLOWS)
            .await
            .unwrap_or_default();
        (receipts, flows)
    });
    let (receipts, flows) = data.read().clone().unwrap_or_default();
    let open: Vec<PaymentFlow> = flows.into_iter().filter(|f| f.state.is_open()).collect();
    rsx! {
        section { id: "history", class: "card",
            h1 { "Payments" }
            if !open.is_empty() {
                h2 { "In progress" }
                ul {
                    for flow in open {
                        li { Link { to: Route::Processing { flow_id: flow.flow_id }, "Payment processing" } }
                    }
                }
            }
            h2 { "Receipts" }
            if receipts.is_empty() {
                p { class: "muted", "No payments yet." }
            } else {
                ul { class: "receipts",
                    for receipt in receipts {
                        li {
                            Link { to: Route::ReceiptView { receipt_id: receipt.id.clone() },
                                "{receipt.number} · {format::moment(&receipt.issued_at)} · {receipt.total.display()}"
                            }
                        }
                    }
                }
            }
        }
    }
}
