//! A bill's detail and the usage charts through the core, against the real sandbox and a real
//! SQLite cache: the bill alone from the cache at once, its lines once fetched (summing to its
//! amount); two years of hourly readings fetched, charted in months, a week and a day, kept for
//! offline and exported as CSV; each bad input refused with its code and the cache unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::World;
use portal_api::ErrorCode;
use portal_api::ipc::{Destination, UsageArgs, UsageScale};
use portal_api::links::DeepLink;
use portal_core::Portal;

const OCTOBER: &str = "bill_100200300_2026_10";

fn chart(scale: UsageScale, date: Option<&str>) -> UsageArgs {
    UsageArgs {
        scale,
        date: date.map(str::to_owned),
    }
}

#[tokio::test]
async fn a_bill_is_explained_from_the_cache_then_fetched() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    portal.refresh().await.unwrap();

    let cached = portal.bill_detail(OCTOBER).unwrap();
    assert_eq!(cached.bill.as_ref().unwrap().amount.amount_minor, 10_150);
    assert!(
        cached.lines.is_empty(),
        "the lines come with the first fetch"
    );
    assert_eq!(cached.as_of, None);

    let fetched = portal.refresh_bill_detail(OCTOBER).await.unwrap();
    let sum: i64 = fetched.lines.iter().map(|l| l.amount.amount_minor).sum();
    assert_eq!(sum, 10_150, "the lines sum to the amount");
    let read = &fetched.reads[0];
    assert_eq!(fetched.kwh, Some(read.current - read.previous));
    let (now, before) = (fetched.kwh.unwrap(), fetched.last_year_kwh.unwrap());
    let expected = ((now - before) as f64 * 100.0 / before as f64).round() as i64;
    assert_eq!(fetched.change_percent, Some(expected));
    assert!(fetched.as_of.is_some() && fetched.problem.is_none());

    // Offline: the kept detail, marked.
    let down = Portal::open(&world.config_for("http://127.0.0.1:9")).unwrap();
    let offline = down.refresh_bill_detail(OCTOBER).await.unwrap();
    assert!(offline.offline);
    assert_eq!(offline.lines, fetched.lines);

    // Bad input: a bill of another customer, one that does not exist, an id no bill has: on
    // none of the customer's accounts.
    for bill_id in ["bill_100200301_2026_10", "bill_nope", "../me", ""] {
        let refused = portal.refresh_bill_detail(bill_id).await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::BillUnavailable, "{bill_id:?}");
        assert_eq!(portal.bill_detail(bill_id).unwrap().bill, None);
    }
    // A notification's links: a bill opens its detail; a payment not started on this device,
    // the history.
    let to_bill = portal
        .destination(DeepLink::Bill { id: OCTOBER.into() })
        .unwrap();
    assert_eq!(
        to_bill,
        Destination::Bill {
            bill_id: OCTOBER.into()
        }
    );
    let to_payment = portal
        .destination(DeepLink::Payment {
            id: "pay_elsewhere".into(),
        })
        .unwrap();
    assert_eq!(to_payment, Destination::History);

    let pdf = portal.bill_pdf(OCTOBER).await.unwrap();
    assert_eq!(pdf.0, "enerpro-bill-2026-10.pdf");
    assert!(pdf.1.starts_with(b"%PDF-"));
    let refused = portal.bill_pdf("bill_100200301_2026_10").await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::BillUnavailable);
}

#[tokio::test]
async fn two_years_of_readings_are_charted_kept_offline_and_exported() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let empty = portal.usage(&chart(UsageScale::Months, None)).unwrap();
    assert!(empty.bars.is_empty() && empty.as_of.is_none());

    let months = portal
        .refresh_usage(&chart(UsageScale::Months, None))
        .await
        .unwrap();
    assert_eq!((months.bars.len(), months.last_year.len()), (12, 12));
    assert_eq!(
        months.bars[11].start, "2026-10",
        "the latest month with readings"
    );
    assert_eq!(
        months.total_wh,
        months.bars.iter().map(|b| b.wh).sum::<i64>()
    );
    assert!(months.last_year_total_wh.unwrap() > 0);
    // The demo's September has estimated and missing hours; its October has neither.
    let september = &months.bars[10];
    assert!(september.estimated && september.missing);
    assert!(!months.bars[11].estimated && !months.bars[11].missing);

    let week = portal
        .usage(&chart(UsageScale::Week, Some("2026-10-14")))
        .unwrap();
    assert_eq!(week.date.as_deref(), Some("2026-10-12"), "its Monday");
    assert_eq!(week.bars.len(), 7);
    assert_eq!(week.earlier.as_deref(), Some("2026-10-05"));
    assert_eq!(week.later.as_deref(), Some("2026-10-19"));
    let day = portal
        .usage(&chart(UsageScale::Day, Some("2026-09-11")))
        .unwrap();
    assert_eq!(day.bars.len(), 24);
    assert_eq!(day.bars.iter().filter(|bar| bar.missing).count(), 3);
    let latest = portal.usage(&chart(UsageScale::Day, None)).unwrap();
    assert_eq!(latest.date.as_deref(), Some("2026-10-31"));
    assert_eq!(latest.later, None);

    // Offline: the same chart from the cache, marked.
    let down = Portal::open(&world.config_for("http://127.0.0.1:9")).unwrap();
    let offline = down
        .refresh_usage(&chart(UsageScale::Months, None))
        .await
        .unwrap();
    assert!(offline.offline && offline.problem.is_some());
    assert_eq!(offline.bars, months.bars);

    // Exported in the backend's import format, every hour of the two years.
    let csv = portal.usage_csv().unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("meter,start,end,kwh,quality"));
    assert_eq!(lines.count(), 17_520);
    assert!(csv.contains("MTR-100200300,2026-09-11T02:00:00Z,2026-09-11T03:00:00Z,,missing"));

    // Bad input: a day that is not one.
    for bad in ["2026-13-01", "yesterday", ""] {
        let refused = portal
            .usage(&chart(UsageScale::Day, Some(bad)))
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidDate, "{bad:?}");
    }

    // Signing out takes the readings with it.
    portal.sign_out().await.unwrap();
    let after = portal.usage(&chart(UsageScale::Months, None)).unwrap();
    assert!(after.bars.is_empty() && after.as_of.is_none());
}
