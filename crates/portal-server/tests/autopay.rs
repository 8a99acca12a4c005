//! Autopay against the sandbox, over HTTP: a card saved on the provider's hosted setup page,
//! autopay chosen with its bad inputs, and the scheduler with the sandbox's controllable clock —
//! a due bill paid once with a receipt; two server instances on one database racing, one charge;
//! a scheduler stopped between charge and record, recovered to one charge by the idempotency key;
//! each failing card ending as documented; a removed card stopping the schedule.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, GOOD_CARD, JANE, error_code};
use portal_api::v1::{AutopaySettings, Bill, CardSetup, Receipt, ReceiptList};
use portal_server::simulator::{HostedOutcome, fill_hosted_checkout};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DECLINED_LATER: &str = "4000 0000 0000 0341";
const NEEDS_AUTHENTICATION: &str = "4000 0027 6000 3184";
const DAY: i64 = 24 * 3600;

async fn send(
    api: &Api,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = api.http.request(method, api.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A fresh access token of Jane's (the tests move the clock by days).
async fn jane_token(api: &Api) -> String {
    api.sign_in(JANE).await.access_token
}

async fn settings(api: &Api, token: &str) -> AutopaySettings {
    let response = send(api, reqwest::Method::GET, "/v1/autopay", token, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Saves `card` on the provider's hosted setup page, as the customer does in the browser.
async fn save_card(api: &Api, token: &str, card: &str) -> AutopaySettings {
    let response = send(api, reqwest::Method::POST, "/v1/autopay/card", token, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let setup: CardSetup = response.json().await.unwrap();
    let outcome = fill_hosted_checkout(&setup.setup_url, card).await.unwrap();
    let HostedOutcome::Redirected(back) = outcome else {
        panic!("the card was not saved: {outcome:?}");
    };
    assert!(
        back.contains(&format!("/autopay/return?account={}&session_id=", JANE.0)),
        "{back}"
    );
    let page = api.page(&back).await;
    assert!(page.contains("Your card is saved"), "{page}");
    let handover = format!("com.enerpro.portal://autopay/return?account={}", JANE.0);
    assert!(
        page.contains(&handover),
        "the page hands over to the app: {page}"
    );
    settings(api, token).await
}

async fn choose(
    api: &Api,
    token: &str,
    enabled: bool,
    days_before: u32,
    max: i64,
) -> reqwest::Response {
    let body = json!({"enabled": enabled, "days_before": days_before, "max_amount_minor": max});
    send(api, reqwest::Method::PUT, "/v1/autopay", token, Some(body)).await
}

/// Support staff issue Jane's next bill of `amount_minor`, due in `due_in_days`.
async fn issue_bill(api: &Api, amount_minor: i64, due_in_days: i64) -> Bill {
    let response = api
        .http
        .post(api.url(&format!("/v1/admin/accounts/{}/bills", JANE.0)))
        .bearer_auth(api.server.admin_key())
        .json(&json!({"amount_minor": amount_minor, "due_in_days": due_in_days}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn receipts(api: &Api) -> Vec<Receipt> {
    let token = &jane_token(api).await;
    let list: ReceiptList = api
        .get("/v1/receipts", Some(token))
        .await
        .json()
        .await
        .unwrap();
    list.receipts
}

async fn bill_status(api: &Api, bill_id: &str) -> portal_api::v1::BillStatus {
    let token = &jane_token(api).await;
    api.bills(token, "all")
        .await
        .into_iter()
        .find(|bill| bill.id == bill_id)
        .unwrap()
        .status
}

/// Jane with a card saved, autopay on (paying 2 days before the due date, up to 300.00),
/// and a new bill of 120.00 due in 10 days.
async fn enrolled(api: &Api, card: &str) -> Bill {
    let jane = jane_token(api).await;
    let saved = save_card(api, &jane, card).await;
    assert!(saved.card.is_some());
    assert_eq!(
        choose(api, &jane, true, 2, 30_000).await.status(),
        StatusCode::OK
    );
    issue_bill(api, 12_000, 10).await
}

#[tokio::test]
async fn a_saved_card_and_the_choice_of_autopay_with_their_bad_inputs() {
    let api = Api::start().await;
    let jane = jane_token(&api).await;
    let before = settings(&api, &jane).await;
    assert!(before.card.is_none() && !before.enabled && before.next.is_none());

    // Enrolling without a saved card; a maximum of 0, below 0, above the limit; too many days.
    let (status, code) = error_code(choose(&api, &jane, true, 0, 30_000).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "autopay_needs_card")
    );
    for max in [0, -100, 1_000_001] {
        let (status, code) = error_code(choose(&api, &jane, false, 0, max).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "autopay_maximum_invalid"),
            "{max}"
        );
    }
    let (status, _) = error_code(choose(&api, &jane, false, 11, 30_000).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, code) = error_code(
        send(
            &api,
            reqwest::Method::DELETE,
            "/v1/autopay/card",
            &jane,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "no_saved_card")
    );

    let saved = save_card(&api, &jane, GOOD_CARD).await;
    let card = saved.card.unwrap();
    assert_eq!(
        (
            card.brand.as_str(),
            card.last4.as_str(),
            card.exp_month,
            card.exp_year
        ),
        ("visa", "4242", 12, 2034)
    );
    let on: AutopaySettings = choose(&api, &jane, true, 3, 20_000)
        .await
        .json()
        .await
        .unwrap();
    assert!(on.enabled);
    assert_eq!((on.days_before, on.max_amount.amount_minor), (3, 20_000));
    assert!(
        on.next.is_none(),
        "the bills already overdue are not paid automatically"
    );

    let bill = issue_bill(&api, 25_000, 10).await;
    let next = settings(&api, &jane).await.next.unwrap();
    assert_eq!(next.bill_id, bill.id);
    assert!(next.above_maximum, "250.00 is above the 200.00 maximum");
    let due = time::Date::parse(
        &bill.due_date,
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    assert_eq!(next.on, (due - time::Duration::days(3)).to_string());

    // Another account's autopay is not this one's.
    let omar = api.sign_in(common::OMAR).await.access_token;
    assert!(settings(&api, &omar).await.card.is_none());
}

#[tokio::test]
async fn the_scheduler_pays_a_due_bill_once_with_a_receipt() {
    let api = Api::start().await;
    let bill = enrolled(&api, GOOD_CARD).await;
    api.server.sweep_now().await.unwrap();
    assert_eq!(
        api.server.off_session_charges(),
        0,
        "not yet: due in 10 days, paid 2 before"
    );

    api.server.advance_clock(8 * DAY);
    let swept = api.server.sweep_now().await.unwrap();
    assert_eq!(swept.autopaid, 1);
    assert_eq!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Paid
    );
    let kept = receipts(&api).await;
    let receipt = kept
        .iter()
        .find(|r| r.lines.iter().any(|l| l.bill_id == bill.id))
        .unwrap();
    assert_eq!(receipt.total.amount_minor, 12_000);
    assert!(receipt.transaction_id.starts_with("pi_"));
    assert_eq!(receipt.card_last4, "4242");

    // Later runs, and the rest of the month: nothing more.
    for _ in 0..3 {
        api.server.advance_clock(DAY);
        api.server.sweep_now().await.unwrap();
    }
    assert_eq!(api.server.off_session_charges(), 1);
    let outbox = api.outbox().await;
    assert!(
        outbox.messages.iter().any(|m| m.kind == "receipt"),
        "the receipt is mailed"
    );
}

#[tokio::test]
async fn two_server_instances_racing_charge_a_bill_once() {
    let (api, dir) =
        Api::start_with(|options| options.sweep_every = std::time::Duration::from_secs(3600)).await;
    let bill = enrolled(&api, GOOD_CARD).await;
    // A second instance on the same database, charging through the first one's provider.
    let mut options = portal_server::ServerOptions::new(dir.path().join("db.sqlite3"));
    options.provider = portal_server::Provider::External(api.server.provider_config().clone());
    options.sweep_every = std::time::Duration::from_secs(3600);
    let second = portal_server::spawn_with("127.0.0.1:0", options)
        .await
        .unwrap();

    api.server.advance_clock(8 * DAY);
    second.advance_clock(8 * DAY);
    let (one, two) = tokio::join!(api.server.sweep_now(), second.sweep_now());
    // A server also sweeps once as it starts; on a loaded machine that first sweep can run only
    // now and be the racer that wins (its charge maybe still under way), so the two sweeps here
    // may report none: what must hold is one charge among all of them.
    assert!(one.unwrap().autopaid + two.unwrap().autopaid <= 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while bill_status(&api, &bill.id).await != portal_api::v1::BillStatus::Paid
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Paid
    );
    assert_eq!(api.server.off_session_charges(), 1);
    let kept = receipts(&api).await;
    assert_eq!(
        kept.iter()
            .filter(|r| r.lines.iter().any(|l| l.bill_id == bill.id))
            .count(),
        1
    );
}

/// A provider in front of the simulator that forwards every request but never answers a charge
/// (as when the server stops after asking): the charge is made, its answer lost.
async fn answer_losing_proxy(simulator: String) -> (String, tokio::task::JoinHandle<()>) {
    use axum::body::Bytes;
    use axum::extract::{OriginalUri, State};
    use axum::http::{HeaderMap, Method};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let forward = |State(upstream): State<String>,
                   method: Method,
                   OriginalUri(uri): OriginalUri,
                   headers: HeaderMap,
                   body: Bytes| async move {
        let client = reqwest::Client::new();
        let mut request = client.request(
            method,
            format!(
                "{upstream}{}",
                uri.path_and_query().map(|p| p.as_str()).unwrap_or_default()
            ),
        );
        for name in [
            "authorization",
            "stripe-version",
            "idempotency-key",
            "content-type",
        ] {
            if let Some(value) = headers.get(name) {
                request = request.header(name, value);
            }
        }
        let answer = request.body(body).send().await.unwrap();
        if uri.path().ends_with("/v1/payment_intents") {
            std::future::pending::<()>().await;
        }
        let status = answer.status().as_u16();
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            answer.bytes().await.unwrap(),
        )
    };
    let router = axum::Router::new().fallback(forward).with_state(simulator);
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (format!("http://{address}"), task)
}

#[tokio::test]
async fn a_scheduler_stopped_between_charge_and_record_recovers_to_one_charge() {
    let (api, dir) =
        Api::start_with(|options| options.sweep_every = std::time::Duration::from_secs(3600)).await;
    let bill = enrolled(&api, GOOD_CARD).await;
    let mut provider = api.server.provider_config().clone();
    let (proxy, proxy_task) = answer_losing_proxy(provider.api_base.clone()).await;
    provider.api_base = proxy;
    let mut options = portal_server::ServerOptions::new(dir.path().join("db.sqlite3"));
    options.provider = portal_server::Provider::External(provider);
    options.sweep_every = std::time::Duration::from_secs(3600);
    let doomed = portal_server::spawn_with("127.0.0.1:0", options)
        .await
        .unwrap();
    doomed.advance_clock(8 * DAY);
    // The instance stays up until it is stopped below: whichever of this sweep and its own
    // first one claims the bill makes the charge (dropping the instance with a finished sweep
    // would stop the other one before it charges).
    let doomed = std::sync::Arc::new(doomed);
    let sweeping = doomed.clone();
    let run = tokio::spawn(async move { sweeping.sweep_now().await.map(|_| ()) });
    // The charge reaches the provider; then the instance stops before it hears back.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while api.server.off_session_charges() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the charge never reached the provider"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    run.abort();
    let _ = run.await;
    drop(doomed);
    proxy_task.abort();
    assert_ne!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Paid,
        "charged, not recorded"
    );

    // Another run, once the attempt's lease is over: the same idempotency key, no second charge.
    api.server
        .advance_clock(8 * DAY + portal_server::autopay::CHARGING_LEASE + 1);
    let swept = api.server.sweep_now().await.unwrap();
    assert_eq!(swept.autopaid, 1);
    assert_eq!(
        api.server.off_session_charges(),
        1,
        "one charge, whatever was repeated"
    );
    assert_eq!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Paid
    );
    assert_eq!(
        receipts(&api)
            .await
            .iter()
            .filter(|r| r.lines.iter().any(|l| l.bill_id == bill.id))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_declined_card_is_tried_again_as_documented_then_left_to_the_customer() {
    let api = Api::start().await;
    let bill = enrolled(&api, DECLINED_LATER).await;
    api.server.advance_clock(8 * DAY);
    // Attempt 1 now, 2 a day later, 3 three days after that; never a 4th.
    for (wait, retry) in [(0, true), (DAY, true), (3 * DAY, false), (30 * DAY, false)] {
        if wait > 0 {
            api.server.advance_clock(wait);
        }
        let swept = api.server.sweep_now().await.unwrap();
        assert_eq!(swept.autopaid, 0);
        // What the app's banner shows: the bill, and whether it will be tried again.
        let failed = settings(&api, &jane_token(&api).await)
            .await
            .failed
            .unwrap();
        assert_eq!(failed.bill_id, bill.id);
        assert_eq!(failed.amount.amount_minor, 12_000);
        assert_eq!(failed.retry_on.is_some(), retry, "after a wait of {wait} s");
    }
    let failures = told(&api, portal_api::v1::NotificationKind::PaymentFailed)
        .await
        .len();
    assert_eq!(failures, 3, "three attempts, each told");
    assert_eq!(api.server.off_session_charges(), 0);
    assert_eq!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Outstanding,
        "payable by hand"
    );
    let by_hand = api
        .new_payment(&jane_token(&api).await, "by-hand-1", &[&bill.id])
        .await;
    assert!(!by_hand.checkout_url.is_empty());
}

#[tokio::test]
async fn a_card_needing_authentication_is_not_tried_again_and_a_removed_card_stops_the_schedule() {
    let api = Api::start().await;
    let bill = enrolled(&api, NEEDS_AUTHENTICATION).await;
    api.server.advance_clock(8 * DAY);
    api.server.sweep_now().await.unwrap();
    api.server.advance_clock(5 * DAY);
    api.server.sweep_now().await.unwrap();
    let told = told(&api, portal_api::v1::NotificationKind::PaymentFailed)
        .await
        .len();
    assert_eq!(
        told, 1,
        "one attempt: the customer must authenticate, so pays by hand"
    );
    assert_eq!(
        bill_status(&api, &bill.id).await,
        portal_api::v1::BillStatus::Outstanding
    );

    // A good card saved instead, then removed before the next bill's day: nothing is charged.
    let jane = jane_token(&api).await;
    save_card(&api, &jane, GOOD_CARD).await;
    let next = issue_bill(&api, 9_000, 10).await;
    let removed = send(
        &api,
        reqwest::Method::DELETE,
        "/v1/autopay/card",
        &jane,
        None,
    )
    .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let after = settings(&api, &jane).await;
    assert!(after.card.is_none() && !after.enabled && after.next.is_none());
    api.server.advance_clock(10 * DAY);
    api.server.sweep_now().await.unwrap();
    assert_eq!(api.server.off_session_charges(), 0);
    assert_eq!(
        bill_status(&api, &next.id).await,
        portal_api::v1::BillStatus::Outstanding
    );
}

/// Jane's notifications of `kind`, as (bill, date) pairs.
async fn told(api: &Api, kind: portal_api::v1::NotificationKind) -> Vec<(String, String)> {
    api.get("/v1/notifications?after=0", Some(&jane_token(api).await))
        .await
        .json::<portal_api::v1::NotificationList>()
        .await
        .unwrap()
        .notifications
        .into_iter()
        .filter(|n| n.kind == kind)
        .map(|n| {
            (
                n.bill_id.unwrap_or_default(),
                n.due_date.unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_customer_is_told_before_a_payment_and_of_a_bill_above_the_maximum() {
    use portal_api::v1::NotificationKind::{AutopayScheduled, AutopaySkipped};
    // Told 4 days ahead (the server's --autopay-notice-days; 3 by default).
    let (api, _dir) = Api::start_with(|options| options.autopay_notice_days = 4).await;
    // Due in 10 days, paid 2 before (day 8), told 4 days before that (day 4).
    let bill = enrolled(&api, GOOD_CARD).await;
    let above = issue_bill(&api, 45_000, 10).await;
    let pay_day = {
        let due = time::Date::parse(
            &bill.due_date,
            &time::format_description::well_known::Iso8601::DATE,
        )
        .unwrap();
        (due - time::Duration::days(2)).to_string()
    };
    api.server.advance_clock(3 * DAY);
    api.server.sweep_now().await.unwrap();
    assert!(told(&api, AutopayScheduled).await.is_empty(), "too early");
    api.server.advance_clock(DAY);
    api.server.sweep_now().await.unwrap();
    api.server.sweep_now().await.unwrap();
    assert_eq!(
        told(&api, AutopayScheduled).await,
        [(bill.id.clone(), pay_day.clone())],
        "once, with the day it will be paid"
    );
    assert!(
        told(&api, AutopaySkipped).await.is_empty(),
        "not before its day"
    );

    api.server.advance_clock(4 * DAY);
    let swept = api.server.sweep_now().await.unwrap();
    assert_eq!(swept.autopaid, 1, "the bill within the maximum");
    assert_eq!(
        told(&api, AutopaySkipped).await,
        [(above.id.clone(), above.due_date.clone())],
        "the bill above it, with its due date to pay by"
    );
    assert_eq!(
        bill_status(&api, &above.id).await,
        portal_api::v1::BillStatus::Outstanding
    );
    let mails = api.outbox().await;
    assert!(
        mails
            .messages
            .iter()
            .any(|m| m.subject.contains("Pay this bill yourself")),
        "by email too"
    );
}
