//! Home (account and what is due, from the cache at once, then refreshed) and Pay (choose bills).
//! What is due, its total, whether the data is fresh and whether paying is possible are decided
//! by the core; these screens render them.

use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{AppState, Route, bridge, format};
use dioxus::prelude::*;
use portal_api::Text;
use portal_api::ipc::{
    self, AccountView, HomeView, PastedLinkArgs, PayArgs, PayBlock, PayPlan, PaySelection,
};

/// The account and its bills.
#[component]
pub fn Home() -> Element {
    let state = use_context::<AppState>();
    let navigator = use_navigator();
    let locale = use_locale();
    let mut fresh_seen = use_signal(|| false);
    let mut pictured = use_signal(String::new);
    use_effect(move || {
        if let Some(Ok(view)) = &*state.home.read()
            && !view.accounts.is_empty()
        {
            bridge::mark("cached_data_rendered");
            if !(state.refreshing)() && view.problem.is_none() && !fresh_seen() {
                fresh_seen.set(true);
                bridge::mark("fresh_data_rendered");
            }
            // The cached data on screen, as the next start will find it (at first), or fresh
            // data (after a refresh): its picture is the next start's first paint. The refresh's
            // notices (offline, a problem) are left out of it, so an offline start keeps one too.
            if *pictured.peek() != view.revision {
                pictured.set(view.revision.clone());
                spawn(bridge::save_first_paint(view.revision.clone()));
            }
        }
    });
    let view = match (state.home)() {
        None => {
            return rsx! {
                h1 { class: "visually-hidden", {locale.t(Text::YourBills)} }
                Loading { text: Text::LoadingAccount }
            };
        }
        Some(Err(error)) => {
            return rsx! {
                section { class: "card",
                    h1 { {locale.t(Text::YourBills)} }
                    ErrorState { error, retry: move |_| { spawn(state.refresh()); } }
                }
            };
        }
        Some(Ok(view)) => view,
    };
    if view.accounts.is_empty() {
        if (state.refreshing)() && view.signed_in {
            return rsx! {
                h1 { class: "visually-hidden", {locale.t(Text::YourBills)} }
                Loading { text: Text::LoadingAccount }
            };
        }
        return rsx! { Welcome { view } };
    }
    let several = view.accounts.len() > 1;
    rsx! {
        Problem { view: view.clone() }
        if several {
            AccountSwitcher { view: view.clone() }
        }
        if let Some(customer) = view.customer.clone() {
            section { id: "customer", class: "card", aria_labelledby: "customer-title",
                h1 { id: "customer-title", "{customer.name}" }
                dl { class: "facts",
                    dt { {locale.t(Text::Account)} } dd { id: "account-number", "{customer.account_number}" }
                    dt { {locale.t(Text::ServiceAddress)} } dd { "{customer.service_address}" }
                    dt { {locale.t(Text::Email)} } dd { "{customer.email}" }
                }
            }
        } else {
            AllAccounts { view: view.clone() }
        }
        section { id: "bills", class: "card", aria_labelledby: "bills-title",
            div { class: "row",
                h2 { id: "bills-title", {locale.t(Text::OutstandingBills)} }
                button {
                    id: "refresh", class: "secondary", disabled: (state.refreshing)(),
                    onclick: move |_| { spawn(state.refresh()); },
                    if (state.refreshing)() { {locale.t(Text::Refreshing)} } else { {locale.t(Text::Refresh)} }
                }
            }
            if let Some(as_of) = view.as_of.clone() {
                p { id: "as-of", class: "muted", "data-time": "fetched",
                    {locale.fill(Text::AsOf, &[("time", &format::moment(&locale, &as_of.fetched_at)), ("age", &format::age(&locale, as_of.age_seconds))])}
                }
            }
            if view.bills.is_empty() {
                p { id: "no-bills", {locale.t(Text::NothingDueThanks)} }
            } else {
                ul { class: "bills",
                    for bill in view.bills.iter() {
                        {
                            let (due, overdue) = format::due(&locale, &bill.due_date);
                            rsx! {
                                li { class: "bill", "data-bill": "{bill.id}", "data-overdue": overdue,
                                    {
                                        let period = format::period(&locale, &bill.period);
                                        rsx! {
                                            Link { class: "period", to: Route::BillDetail { bill_id: bill.id.clone() },
                                                aria_label: locale.fill(Text::SeeBill, &[("period", &period)]), "{period}" }
                                        }
                                    }
                                    if view.selected.is_none() {
                                        span { class: "bill-account", {address_of(&view.accounts, &bill.account_number)} }
                                    }
                                    span { class: if overdue { "due overdue" } else { "due" }, "data-time": "due", "{due}" }
                                    span { class: "amount", {format::money(&locale, &bill.amount)} }
                                    if bill.processing {
                                        span { class: "badge", {locale.t(Text::PaymentProcessing)} }
                                    } else if overdue {
                                        span { class: "badge overdue", {locale.t(Text::Overdue)} }
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some(total_due) = view.total_due.clone() {
                    p { class: "total", {locale.t(Text::TotalDue)} strong { id: "total-due", {format::money(&locale, &total_due)} } }
                }
                div { class: "actions",
                    button { id: "go-pay", onclick: move |_| { navigator.push(Route::Pay {}); }, {locale.t(Text::PayBills)} }
                    Link { id: "home-autopay", class: "button secondary", to: Route::Autopay {}, {locale.t(Text::AutopayTitle)} }
                }
            }
        }
    }
}

/// The service address of `account_number` among `accounts` (how a customer tells them apart).
fn address_of(accounts: &[AccountView], account_number: &str) -> String {
    accounts
        .iter()
        .find(|account| account.customer.account_number == account_number)
        .map(|account| account.customer.service_address.clone())
        .unwrap_or_default()
}

/// Which account Home shows: one of the customer's, or all of them together.
#[component]
fn AccountSwitcher(view: HomeView) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let selected = view.selected.clone().unwrap_or_default();
    rsx! {
        div { id: "switcher", class: "switcher",
            label { r#for: "account-switcher", {locale.t(Text::ShowAccount)} }
            select {
                id: "account-switcher",
                value: "{selected}",
                onchange: move |event| {
                    let chosen = event.value();
                    let account = (!chosen.is_empty()).then_some(chosen);
                    spawn(state.choose_account(account));
                },
                option { value: "", selected: selected.is_empty(), {locale.t(Text::AllAccounts)} }
                for account in view.accounts.iter() {
                    option {
                        value: "{account.customer.account_number}",
                        selected: selected == account.customer.account_number,
                        "{account.customer.name}, {account.customer.service_address}"
                    }
                }
            }
        }
    }
}

/// Every account together: each with what it owes and how fresh its data is, and the total.
#[component]
fn AllAccounts(view: HomeView) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    rsx! {
        section { id: "accounts", class: "card", aria_labelledby: "accounts-title",
            h1 { id: "accounts-title", {locale.t(Text::YourAccounts)} }
            ul { class: "accounts",
                for account in view.accounts.iter().cloned() {
                    li { class: "account", "data-account": "{account.customer.account_number}",
                        div { class: "account-who",
                            strong { "{account.customer.service_address}" }
                            span { class: "muted",
                                "{account.customer.name} · "
                                {locale.t(Text::Account)}
                                " {account.customer.account_number}"
                            }
                        }
                        div { class: "account-due",
                            match account.total_due.clone() {
                                Some(due) => rsx! {
                                    span { class: "amount", {format::money(&locale, &due)} }
                                    span { class: "muted",
                                        {locale.plural(account.bills_due.into(), Text::BillsDueOne, Text::BillsDue)}
                                    }
                                },
                                None => rsx! { span { class: "muted", {locale.t(Text::AccountOwesNothing)} } },
                            }
                            if let Some(as_of) = account.as_of.clone() {
                                span { class: "muted as-of", "data-time": "fetched",
                                    {locale.fill(Text::AsOf, &[("time", &format::moment(&locale, &as_of.fetched_at)), ("age", &format::age(&locale, as_of.age_seconds))])}
                                }
                            }
                        }
                        button {
                            class: "secondary see-account",
                            onclick: {
                                let number = account.customer.account_number.clone();
                                move |_| { spawn(state.choose_account(Some(number.clone()))); }
                            },
                            {locale.fill(Text::SeeAccount, &[("address", &account.customer.service_address)])}
                        }
                    }
                }
            }
            if let Some(total) = view.total_due.clone() {
                p { class: "total", {locale.t(Text::TotalAllAccounts)} strong { id: "accounts-total", {format::money(&locale, &total)} } }
            }
        }
    }
}

/// What went wrong in the last refresh: offline (with when the data was fetched), or another
/// problem with what to do about it.
#[component]
fn Problem(view: HomeView) -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let Some(problem) = view.problem.clone() else {
        return rsx! {};
    };
    if view.offline {
        let fetched = view
            .as_of
            .as_ref()
            .map(|as_of| format::moment(&locale, &as_of.fetched_at));
        return rsx! {
            div { id: "offline", class: "notice", role: "status", "data-volatile": "notice",
                span {
                    {locale.t(Text::YouAreOffline)}
                    if let Some(fetched) = fetched { {locale.fill(Text::ShowingFetched, &[("time", &fetched)])} }
                    {locale.error(&problem)}
                }
            }
        };
    }
    rsx! {
        div { "data-volatile": "notice",
            ErrorState { error: problem, id: "home-problem", signed_in: view.signed_in,
                retry: move |_| { spawn(state.refresh()); } }
        }
    }
}

/// Not signed in and nothing cached.
#[component]
fn Welcome(view: HomeView) -> Element {
    let locale = use_locale();
    let mut pasted = use_signal(String::new);
    rsx! {
        Problem { view }
        section { id: "welcome", class: "card",
            h1 { {locale.t(Text::Welcome)} }
            p { {locale.t(Text::WelcomeStart)} }
            form { id: "paste-form",
                onsubmit: move |event| {
                    event.prevent_default();
                    let text = pasted();
                    // The outcome arrives like an opened link: the invitation, or a notice.
                    spawn(async move {
                        let _ = bridge::invoke::<ipc::OpenPastedLink>(&PastedLinkArgs { text }).await;
                    });
                },
                label { r#for: "pasted-link", {locale.t(Text::PasteLabel)} }
                input { id: "pasted-link", r#type: "text", autocomplete: "off", spellcheck: "false",
                    value: "{pasted}", oninput: move |event| pasted.set(event.value()) }
                button { id: "paste-continue", class: "secondary", r#type: "submit",
                    disabled: pasted().trim().is_empty(), {locale.t(Text::Continue)} }
            }
            p { {locale.t(Text::AlreadyCustomer)} }
            Link { to: Route::SignIn {}, class: "button", id: "go-signin", {locale.t(Text::SignInWithEmail)} }
        }
    }
}

/// Why paying cannot start, in words, with the one action that helps.
#[component]
fn Blocked(block: PayBlock) -> Element {
    let locale = use_locale();
    match block {
        PayBlock::Offline => rsx! {
            p { id: "pay-blocked", class: "muted", {locale.t(Text::PayOffline)} }
        },
        PayBlock::NothingDue => {
            rsx! { p { id: "pay-blocked", class: "muted", {locale.t(Text::NothingDue)} } }
        }
        PayBlock::NothingChosen => rsx! {
            p { id: "pay-blocked", class: "muted", {locale.t(Text::ChooseABill)} }
        },
        PayBlock::PaymentInProgress { payment } => {
            let time = format::moment(&locale, &payment.started_at);
            let sentence = match payment.amount.as_ref() {
                Some(amount) => locale.fill(
                    Text::PaymentInProgressAmount,
                    &[("amount", &format::money(&locale, amount)), ("time", &time)],
                ),
                None => locale.fill(Text::PaymentInProgress, &[("time", &time)]),
            };
            rsx! {
                div { id: "pay-blocked", class: "in-progress",
                    p { "{sentence}" }
                    Link { to: Route::Processing { flow_id: payment.flow_id }, class: "button", {locale.t(Text::SeePaymentInProgress)} }
                }
            }
        }
    }
}

/// Choose bills (all selected at first), see the total, pay.
#[component]
pub fn Pay() -> Element {
    let state = use_context::<AppState>();
    let locale = use_locale();
    let navigator = use_navigator();
    let mut chosen = use_signal(|| None::<Vec<String>>);
    let mut paying = use_signal(|| false);
    let mut error = use_signal(|| None::<portal_api::ErrorBody>);
    let mut resource = use_resource(move || async move {
        let _ = (state.payments_changed)();
        let _ = (state.home)();
        bridge::invoke::<ipc::PayView>(&PaySelection { bill_ids: chosen() }).await
    });
    let current: Option<Result<PayPlan, portal_api::ErrorBody>> = resource.read().clone();
    // With several accounts, each bill says whose it is.
    let accounts: Vec<AccountView> = match &*state.home.read() {
        Some(Ok(view)) if view.accounts.len() > 1 => view.accounts.clone(),
        _ => Vec::new(),
    };
    // One heading for every state, so the focus put on it when the screen opens stays there.
    rsx! {
        section { id: "pay", class: "card",
            h1 { {locale.t(Text::PayBills)} }
            match current {
                None => rsx! { Loading { text: Text::LoadingBills } },
                Some(Err(failure)) => rsx! { ErrorState { error: failure, retry: move |_| resource.restart() } },
                Some(Ok(plan)) => rsx! {
                    if !plan.bills.is_empty() {
                        fieldset {
                            legend { {locale.t(Text::BillsToPay)} }
                            for bill in plan.bills.iter().cloned() {
                                label { class: "choice",
                                    input {
                                        r#type: "checkbox",
                                        "data-bill": "{bill.id}",
                                        checked: plan.chosen.contains(&bill.id),
                                        onchange: {
                                            let now = plan.chosen.clone();
                                            move |_| {
                                                let mut now = now.clone();
                                                if let Some(at) = now.iter().position(|id| *id == bill.id) {
                                                    now.remove(at);
                                                } else {
                                                    now.push(bill.id.clone());
                                                }
                                                chosen.set(Some(now));
                                            }
                                        },
                                    }
                                    if !accounts.is_empty() {
                                        span { class: "bill-account", {address_of(&accounts, &bill.account_number)} }
                                    }
                                    span { {locale.fill(Text::BillChoice, &[("period", &format::period(&locale, &bill.period)), ("due", &format::due(&locale, &bill.due_date).0), ("amount", &format::money(&locale, &bill.amount))])} }
                                }
                            }
                        }
                    }
                    if let Some(total) = plan.total.clone() {
                        p { class: "total", {locale.t(Text::Total)} strong { id: "pay-total", {format::money(&locale, &total)} } }
                    }
                    if let Some(block) = plan.blocked.clone() {
                        Blocked { block }
                    }
                    if let Some(failure) = error() {
                        ErrorState { error: failure, id: "pay-error" }
                    }
                    if !matches!(plan.blocked, Some(PayBlock::PaymentInProgress { .. })) {
                        button {
                            id: "pay-now",
                            disabled: plan.blocked.is_some() || paying(),
                            onclick: move |_| {
                                let bill_ids = plan.chosen.clone();
                                spawn(async move {
                                    paying.set(true);
                                    match bridge::invoke::<ipc::StartPayment>(&PayArgs { bill_ids }).await {
                                        Ok(flow) => { navigator.push(Route::Processing { flow_id: flow.flow_id }); }
                                        Err(failure) => error.set(Some(failure)),
                                    }
                                    paying.set(false);
                                });
                            },
                            if paying() { {locale.t(Text::OpeningCheckout)} } else { {locale.t(Text::PayInBrowser)} }
                        }
                    }
                },
            }
        }
    }
}
