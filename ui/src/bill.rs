//! A bill's detail: its lines (which sum to its amount), its meter reads, how its usage compares
//! with the same days a year before, and its PDF to keep or open. Cached at once, then fetched.

use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{bridge, format};
use dioxus::prelude::*;
use portal_api::ipc::{self, BillArgs, BillDetailView};
use portal_api::v1::BillStatus;
use portal_api::{ErrorBody, ErrorCode, Text};

/// One bill, by its id.
#[component]
pub fn BillDetail(bill_id: String) -> Element {
    let locale = use_locale();
    let mut state = use_context::<crate::AppState>();
    let navigator = use_navigator();
    let mut view = use_signal(|| None::<Result<BillDetailView, ErrorBody>>);
    let mut refreshing = use_signal(|| true);
    let args = BillArgs {
        bill_id: bill_id.clone(),
    };
    use_hook({
        let args = args.clone();
        move || {
            spawn(async move {
                view.set(Some(bridge::invoke::<ipc::BillDetailOf>(&args).await));
                let fresh = bridge::invoke::<ipc::RefreshBillDetail>(&args).await;
                // A bill no account of the customer's holds (a notification's, of an account
                // taken away): Home, with why, refreshed (an account taken away leaves it).
                if let Err(error) = &fresh
                    && error.code == ErrorCode::BillUnavailable
                {
                    state.notice.set(Some(error.clone()));
                    navigator.replace(crate::Route::Home {});
                    // Not this screen's task: it ends with the screen, the refresh must not.
                    dioxus::dioxus_core::spawn_forever(state.refresh());
                    return;
                }
                // A failed fetch keeps what the cache showed, unless it showed nothing.
                if fresh.is_ok() || !matches!(&*view.peek(), Some(Ok(_))) {
                    view.set(Some(fresh));
                }
                refreshing.set(false);
            });
        }
    });
    let current = view();
    let heading = match &current {
        Some(Ok(BillDetailView {
            bill: Some(bill), ..
        })) => locale.fill(
            Text::BillHeading,
            &[("period", &format::period(&locale, &bill.period))],
        ),
        _ => locale.t(Text::BillWindow).to_owned(),
    };
    rsx! {
        section { id: "bill-detail", class: "card",
            h1 { "{heading}" }
            match current {
                None => rsx! { Loading { text: Text::LoadingBill } },
                Some(Err(error)) => rsx! { ErrorState { error, signed_in: true } },
                Some(Ok(detail)) => rsx! { Detail { detail, refreshing: refreshing(), args: args.clone() } },
            }
        }
    }
}

/// The detail once known.
#[component]
fn Detail(detail: BillDetailView, refreshing: bool, args: BillArgs) -> Element {
    let locale = use_locale();
    let Some(bill) = detail.bill.clone() else {
        return rsx! {
            if refreshing {
                Loading { text: Text::LoadingBill }
            } else {
                p { id: "bill-not-here", {locale.t(Text::BillNotHere)} }
            }
        };
    };
    let (due, overdue) = format::due(&locale, &bill.due_date);
    let status = match bill.status {
        BillStatus::Paid => Some(locale.t(Text::PaidStatus)),
        BillStatus::Processing => Some(locale.t(Text::PaymentProcessing)),
        BillStatus::Outstanding if overdue => Some(locale.t(Text::Overdue)),
        BillStatus::Outstanding => None,
    };
    rsx! {
        if let Some(problem) = detail.problem.clone() {
            div { id: "bill-problem", class: "notice", role: "status",
                span {
                    if detail.offline { {locale.t(Text::YouAreOffline)} }
                    {locale.error(&problem)}
                }
            }
        }
        dl { class: "facts",
            dt { {locale.t(Text::Issued)} } dd { {format::long_time(&locale, &bill.issue_date)} }
            dt { {locale.t(Text::DueDate)} } dd { "data-time": "due", "{due}"
                if let Some(status) = status { " " span { class: "badge", "{status}" } }
            }
        }
        if let Some(as_of) = detail.as_of.clone() {
            p { class: "muted", "data-time": "fetched",
                {locale.fill(Text::AsOf, &[("time", &format::moment(&locale, &as_of.fetched_at)), ("age", &format::age(&locale, as_of.age_seconds))])}
            }
        }
        h2 { {locale.t(Text::Charges)} }
        if detail.lines.is_empty() && refreshing {
            Loading { text: Text::LoadingBill }
        } else {
            table { id: "bill-lines", class: "lines",
                tbody {
                    for line in detail.lines.iter() {
                        tr { class: "bill-line",
                            th { scope: "row", "{line.description}" }
                            td { class: "quantity",
                                if let (Some(quantity), Some(unit)) = (&line.quantity, &line.unit) { "{quantity} {unit}" }
                            }
                            td { class: "amount", "data-minor": "{line.amount.amount_minor}", {format::money(&locale, &line.amount)} }
                        }
                    }
                }
                tfoot {
                    tr {
                        th { scope: "row", {locale.t(Text::Total)} }
                        td {}
                        td { id: "bill-total", class: "amount", "data-minor": "{bill.amount.amount_minor}", strong { {format::money(&locale, &bill.amount)} } }
                    }
                }
            }
        }
        if let Some(kwh) = detail.kwh {
            p { id: "bill-kwh", {locale.fill(Text::BillCounts, &[("kwh", &format::whole(&locale, kwh))])}
                " "
                match (detail.last_year_kwh, detail.change_percent) {
                    (Some(before), Some(change)) => rsx! {
                        span { id: "bill-last-year", {locale.fill(Text::SameDaysLastYear, &[("kwh", &format::whole(&locale, before)), ("change", &format::change(&locale, change))])} }
                    },
                    _ => rsx! { span { class: "muted", {locale.t(Text::NoYearBefore)} } },
                }
            }
        }
        if !detail.reads.is_empty() {
            h2 { {locale.t(Text::MeterReads)} }
            ul { id: "bill-reads", class: "plain",
                for read in detail.reads.iter() {
                    li {
                        {locale.fill(Text::ReadLine, &[
                            ("meter", &read.meter_id),
                            ("previous", &format::whole(&locale, read.previous)),
                            ("current", &format::whole(&locale, read.current)),
                            ("used", &format::whole(&locale, read.current - read.previous)),
                            ("kind", locale.t(if read.estimated { Text::EstimatedRead } else { Text::ActualRead })),
                        ])}
                    }
                }
            }
        }
        Document { args }
    }
}

/// "Download PDF" (a save dialog) and "Open PDF" (the system's viewer), with what came of it.
#[component]
fn Document(args: BillArgs) -> Element {
    let locale = use_locale();
    let mut busy = use_signal(|| false);
    let mut outcome = use_signal(|| None::<Result<Option<String>, ErrorBody>>);
    let download = {
        let args = args.clone();
        move |_| {
            let args = args.clone();
            spawn(async move {
                busy.set(true);
                outcome.set(Some(bridge::invoke::<ipc::SaveBillPdf>(&args).await));
                busy.set(false);
            });
        }
    };
    let open = move |_| {
        let args = args.clone();
        spawn(async move {
            busy.set(true);
            let opened = bridge::invoke::<ipc::OpenBillPdf>(&args).await;
            outcome.set(Some(opened.map(|()| None)));
            busy.set(false);
        });
    };
    rsx! {
        div { class: "actions",
            button { id: "download-pdf", disabled: busy(), onclick: download,
                if busy() { {locale.t(Text::Saving)} } else { {locale.t(Text::DownloadPdf)} }
            }
            button { id: "open-pdf", class: "secondary", disabled: busy(), onclick: open, {locale.t(Text::OpenPdf)} }
        }
        match outcome() {
            Some(Ok(Some(path))) => rsx! {
                p { id: "pdf-saved", role: "status", {locale.fill(Text::SavedTo, &[("path", &path)])} }
            },
            Some(Err(error)) => rsx! { ErrorState { error, id: "pdf-error" } },
            _ => rsx! {},
        }
    }
}
