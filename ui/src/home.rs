//! Home (account and what is due, from the cache at once, then refreshed) and Pay (choose bills).

use crate::{AppSignals, Route, bridge, format};
use dioxus::prelude::*;
use portal_api::ErrorBody;
use portal_api::ipc::{
    CMD_HOME, CMD_OPEN_PASTED_LINK, CMD_PAYMENT_FLOWS, CMD_REFRESH, CMD_START_PAYMENT, HomeView,
    PastedLinkArgs, PayArgs, PaymentFlow,
};
use portal_api::v1::{Bill, BillStatus, Money};

/// Whether an error means "no network" (show the cache with an offline banner).
fn is_offline(error: &ErrorBody) -> bool {
    matches!(error.code.as_str(), "offline" | "timeout" | "server_error")
}

fn total(bills: &[&Bill]) -> Option<Money> {
    let currency = bills.first()?.amount.currency.clone();
    Some(Money {
        amount_minor: bills.iter().map(|b| b.amount.amount_minor).sum(),
        currency,
    })
}

/// The home data: cached first, then refreshed. Shared by Home and Pay.
#[derive(Clone, Copy, PartialEq)]
struct HomeData {
    view: Signal<Option<HomeView>>,
    offline: Signal<Option<String>>,
    error: Signal<Option<ErrorBody>>,
    refreshing: Signal<bool>,
}

fn use_home_data() -> HomeData {
    let mut data = HomeData {
        view: use_signal(|| None),
        offline: use_signal(|| None),
        error: use_signal(|| None),
        refreshing: use_signal(|| false),
    };
    use_hook(move || {
        spawn(async move {
            match bridge::call::<HomeView>(CMD_HOME).await {
                Ok(view) => data.view.set(Some(view)),
                Err(error) => data.error.set(Some(error)),
            }
            refresh(data).await;
        });
    });
    data
}

async fn refresh(mut data: HomeData) {
    data.refreshing.set(true);
    match bridge::call::<HomeView>(CMD_REFRESH).await {
        Ok(view) => {
            data.view.set(Some(view));
            data.offline.set(None);
            data.error.set(None);
        }
        Err(error) if is_offline(&error) => data.offline.set(Some(error.message)),
        Err(error) => data.error.set(Some(error)),
    }
    data.refreshing.set(false);
}

#[component]
fn OfflineBanner(data: HomeData) -> Element {
    let view = data.view.read();
    let fetched = view
        .as_ref()
        .and_then(|v| v.bills.as_ref())
        .map(|b| format::moment(&b.fetched_at));
    rsx! {
        if let Some(message) = (data.offline)() {
            div { id: "offline", class: "notice", role: "status",
                span {
                    "You are offline. "
                    if let Some(fetched) = fetched { "Showing what was fetched {fetched}. " }
                    "{message}"
                }
            }
        }
    }
}

/// The account and its bills.
#[component]
pub fn Home() -> Element {
    let data = use_home_data();
    let navigator = use_navigator();
    let mut fresh_seen = use_signal(|| false);
    use_effect(move || {
        let has_customer = (data.view)().is_some_and(|v| v.customer.is_some());
        if has_customer {
            bridge::mark("cached_data_rendered");
            if !(data.refreshing)()
                && (data.offline)().is_none()
                && !fresh_seen()
                && (data.error)().is_none()
            {
                fresh_seen.set(true);
                bridge::mark("fresh_data_rendered");
            }
        }
    });
    let view = (data.view)();
    if let Some(error) = (data.error)()
        && error.code == "not_signed_in"
    {
        return rsx! { Welcome {} };
    }
    let Some(view) = view else {
        return rsx! { p { class: "muted", aria_busy: "true", "Loading your account…" } };
    };
    let Some(customer) = view.customer.clone() else {
        if (data.refreshing)() {
            return rsx! { p { class: "muted", aria_busy: "true", "Loading your account…" } };
        }
        return rsx! { Welcome {} };
    };
    let bills = view.bills.clone().map(|b| b.data).unwrap_or_default();
    let age = view
        .bills
        .as_ref()
        .map(|b| (format::moment(&b.fetched_at), format::age(b.age_seconds)));
    let due: Vec<&Bill> = bills.iter().collect();
    let total_due = total(&due);
    rsx! {
        OfflineBanner { data }
        if let Some(error) = (data.error)() {
            div { class: "error", role: "alert", p { "{error.message}" } }
        }
        section { id: "customer", class: "card", aria_labelledby: "customer-title",
            h1 { id: "customer-title", "{customer.data.name}" }
            dl { class: "facts",
                dt { "Account" } dd { id: "account-number", "{customer.data.account_number}" }
                dt { "Service address" } dd { "{customer.data.service_address}" }
                dt { "Email" } dd { "{customer.data.email}" }
            }
        }
        section { id: "bills", class: "card", aria_labelledby: "bills-title",
            div { class: "row",
                h2 { id: "bills-title", "Outstanding bills" }
                button {
                    id: "refresh", class: "secondary", disabled: (data.refreshing)(),
                    onclick: move |_| { spawn(refresh(data)); },
                    if (data.refreshing)() { "Refreshing…" } else { "Refresh" }
                }
            }
            if let Some((moment, age)) = age {
                p { id: "as-of", class: "muted", "As of {moment} ({age})" }
            }
            if bills.is_empty() {
                p { id: "no-bills", "Nothing is due. Thank you!" }
            } else {
                ul { class: "bills",
                    for bill in bills.iter() {
                        li { class: "bill", "data-bill": "{bill.id}",
                            span { class: "period", "{format::period(&bill.period)}" }
                            span { class: "due", "Due {bill.due_date}" }
                            span { class: "amount", "{bill.amount.display()}" }
                            if bill.status == BillStatus::Processing {
                                span { class: "badge", "Payment processing" }
                            }
                        }
                    }
                }
                if let Some(total_due) = total_due {
                    p { class: "total", "Total due: " strong { id: "total-due", "{total_due.display()}" } }
                }
                button { id: "go-pay", onclick: move |_| { navigator.push(Route::Pay {}); }, "Pay bills" }
            }
        }
    }
}

/// Not signed in and nothing cached.
#[component]
fn Welcome() -> Element {
    let mut pasted = use_signal(String::new);
    rsx! {
        section { id: "welcome", class: "card",
            h1 { "Welcome to Enerpro" }
            p { "To get started, open the invitation link from your email on this device." }
            form { id: "paste-form",
                onsubmit: move |event| {
                    event.prevent_default();
                    let text = pasted();
                    // The outcome arrives like an opened link: the invitation, or a notice.
                    spawn(async move {
                        let _ = bridge::invoke::<_, ()>(CMD_OPEN_PASTED_LINK, &PastedLinkArgs { text }).await;
                    });
                },
                label { r#for: "pasted-link", "Opened the link but nothing happened? Paste the link or the invitation code here:" }
                input { id: "pasted-link", r#type: "text", autocomplete: "off", spellcheck: "false",
                    value: "{pasted}", oninput: move |event| pasted.set(event.value()) }
                button { id: "paste-continue", class: "secondary", r#type: "submit",
                    disabled: pasted().trim().is_empty(), "Continue" }
            }
            p { "Already a customer on another device? Sign in with your email." }
            Link { to: Route::SignIn {}, class: "button", id: "go-signin", "Sign in with email" }
        }
    }
}

/// Choose bills (all selected at first), see the total, pay.
#[component]
pub fn Pay() -> Element {
    let data = use_home_data();
    let navigator = use_navigator();
    let signals = use_context::<AppSignals>();
    let mut selected = use_signal(|| None::<Vec<String>>);
    let mut paying = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let flows = use_resource(move || async move {
        let _ = (signals.payments_changed)();
        bridge::call::<Vec<PaymentFlow>>(CMD_PAYMENT_FLOWS)
            .await
            .unwrap_or_default()
    });
    let bills: Vec<Bill> = (data.view)()
        .and_then(|v| v.bills.map(|b| b.data))
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.status == BillStatus::Outstanding)
        .collect();
    let chosen: Vec<String> =
        selected().unwrap_or_else(|| bills.iter().map(|b| b.id.clone()).collect());
    let chosen_bills: Vec<&Bill> = bills.iter().filter(|b| chosen.contains(&b.id)).collect();
    let open_flow = flows
        .read()
        .as_ref()
        .and_then(|f| f.iter().find(|f| f.state.is_open()).cloned());
    let offline = (data.offline)().is_some();
    let blocked_because = if offline {
        Some("You are offline: paying needs a connection to Enerpro.".to_owned())
    } else if let Some(flow) = &open_flow {
        Some(format!(
            "A payment is still processing (payment {}). Finish or cancel it first.",
            flow.payment_id.clone().unwrap_or_default()
        ))
    } else if chosen_bills.is_empty() {
        Some("Choose at least one bill.".to_owned())
    } else {
        None
    };
    let total_chosen = total(&chosen_bills);
    rsx! {
        OfflineBanner { data }
        section { id: "pay", class: "card",
            h1 { "Pay bills" }
            if bills.is_empty() && open_flow.is_none() {
                p { "Nothing is due." }
            }
            fieldset {
                legend { "Bills to pay" }
                for bill in bills.iter().cloned() {
                    label { class: "choice",
                        input {
                            r#type: "checkbox",
                            "data-bill": "{bill.id}",
                            checked: chosen.contains(&bill.id),
                            onchange: {
                                let all: Vec<String> = bills.iter().map(|b| b.id.clone()).collect();
                                move |_| {
                                    let mut now = selected().unwrap_or_else(|| all.clone());
                                    if let Some(at) = now.iter().position(|id| *id == bill.id) {
                                        now.remove(at);
                                    } else {
                                        now.push(bill.id.clone());
                                    }
                                    selected.set(Some(now));
                                }
                            },
                        }
                        span { "{format::period(&bill.period)} · due {bill.due_date} · {bill.amount.display()}" }
                    }
                }
            }
            if let Some(total_chosen) = total_chosen {
                p { class: "total", "Total: " strong { id: "pay-total", "{total_chosen.display()}" } }
            }
            if let Some(reason) = blocked_because.clone() {
                p { id: "pay-blocked", class: "muted", "{reason}" }
            }
            if let Some(flow) = open_flow.clone() {
                Link { to: Route::Processing { flow_id: flow.flow_id }, "See the payment in progress" }
            }
            if let Some(message) = error() {
                div { class: "error", role: "alert", p { "{message}" } }
            }
            button {
                id: "pay-now",
                disabled: blocked_because.is_some() || paying(),
                onclick: move |_| {
                    let bill_ids = chosen.clone();
                    spawn(async move {
                        paying.set(true);
                        match bridge::invoke::<_, PaymentFlow>(CMD_START_PAYMENT, &PayArgs { bill_ids }).await {
                            Ok(flow) => { navigator.push(Route::Processing { flow_id: flow.flow_id }); }
                            Err(failure) => error.set(Some(failure.message)),
                        }
                        paying.set(false);
                    });
                },
                if paying() { "Opening checkout…" } else { "Pay in browser" }
            }
        }
    }
}
