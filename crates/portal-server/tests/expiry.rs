//! No bill locked for ever: checkouts left alone expire on time without any app asking, a
//! payment the provider never answered is dropped, and support staff can move the sandbox's
//! clock to see it happen.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, JANE, error_code};
use portal_api::v1::{BillStatus, Payment, PaymentStatus, SandboxClock};
use portal_server::Provider;
use portal_server::payments::CHECKOUT_TTL;
use portal_server::stripe::StripeConfig;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Opens a checkout for the customer's newest bill; returns it and the bill's id.
async fn open_checkout(api: &Api, token: &str) -> (Payment, String) {
    let bill = api.bills(token, "outstanding").await[0].id.clone();
    let payment = api.new_payment(token, "left-alone", &[&bill]).await;
    assert_eq!(payment.status, PaymentStatus::Processing);
    (payment, bill)
}

async fn bill_status(api: &Api, token: &str, bill: &str) -> BillStatus {
    api.bills(token, "all")
        .await
        .into_iter()
        .find(|b| b.id == bill)
        .unwrap()
        .status
}

async fn payment(api: &Api, token: &str, id: &str) -> Payment {
    api.get(&format!("/v1/payments/{id}"), Some(token))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_checkout_left_alone_expires_on_its_timer_without_any_app_asking() {
    let (api, _dir) =
        Api::start_with(|options| options.sweep_every = Duration::from_millis(100)).await;
    let token = api.sign_in(JANE).await.access_token;
    let (open, bill) = open_checkout(&api, &token).await;
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Processing
    );

    api.server.advance_clock(CHECKOUT_TTL + 1);
    // Nobody confirms or cancels: the sweeper's timer and the provider's webhook end it. (An
    // hour later the customer's access token has expired too: a new sign-in looks.)
    let token = api.sign_in(JANE).await.access_token;
    let ended = api.wait_for_status(&token, &open.id, "expired").await;
    assert_eq!(ended.status, PaymentStatus::Expired);
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Outstanding
    );
    assert!(
        api.server
            .wait_for_webhooks(1, Duration::from_secs(10))
            .await,
        "the provider sent checkout.session.expired"
    );
    // The hosted page says so too.
    let page = api.http.get(&open.checkout_url).send().await.unwrap();
    assert!(
        page.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("expired")
    );
}

#[tokio::test]
async fn support_staff_move_the_sandbox_clock_and_what_expired_ends_at_once() {
    let (api, _dir) = Api::start_with(|_| {}).await;
    let token = api.sign_in(JANE).await.access_token;
    let (open, bill) = open_checkout(&api, &token).await;
    let move_clock = |seconds: serde_json::Value, key: &'static str| {
        api.http
            .post(api.url("/v1/admin/clock"))
            .bearer_auth(key)
            .json(&json!({ "advance_seconds": seconds }))
            .send()
    };

    // Bad input: refused with a clear error, the clock unmoved.
    for bad in [
        json!(0),
        json!(-60),
        json!(366 * 24 * 3600 + 1),
        json!("1h"),
    ] {
        let (status, _) = error_code(move_clock(bad.clone(), "adm_test_key").await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, code) = error_code(move_clock(json!(60), "wrong").await.unwrap()).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_admin_key")
    );
    assert_eq!(
        payment(&api, &token, &open.id).await.status,
        PaymentStatus::Processing
    );

    let moved = move_clock(json!(CHECKOUT_TTL + 1), "adm_test_key")
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let clock: SandboxClock = moved.json().await.unwrap();
    assert!(!clock.now.is_empty());
    let token = api.sign_in(JANE).await.access_token;
    // By the answer, the overdue checkout has ended.
    assert_eq!(
        payment(&api, &token, &open.id).await.status,
        PaymentStatus::Expired
    );
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Outstanding
    );
}

/// A provider that accepts connections and never answers.
async fn hanging_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_provider_that_hangs_leaves_no_bill_locked() {
    let provider = hanging_provider().await;
    let (api, _dir) = Api::start_with(|options| {
        options.provider = Provider::External(StripeConfig {
            api_base: provider,
            secret_key: "sk_test_hangs".into(),
            webhook_secret: "whsec_hangs".into(),
            timeout: Duration::from_secs(1),
        });
    })
    .await;
    let token = api.sign_in(JANE).await.access_token;
    let bill = api.bills(&token, "outstanding").await[0].id.clone();
    let (status, code) = error_code(api.create_payment(&token, "hangs", &[&bill]).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_unavailable")
    );
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Outstanding
    );
    // The app retries with the same key: the same answer, nothing locked, nothing charged.
    let (status, _) = error_code(api.create_payment(&token, "hangs", &[&bill]).await).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Outstanding
    );
}

#[tokio::test]
async fn a_payment_recorded_but_never_linked_to_a_checkout_is_expired_by_the_sweeper() {
    // The server stopped between recording the payment and hearing from the provider.
    let (api, dir) = Api::start_with(|_| {}).await;
    let token = api.sign_in(JANE).await.access_token;
    let bill = api.bills(&token, "outstanding").await[0].id.clone();
    let db = dir.path().join("db.sqlite3");
    let mut store = portal_server::store::Store::open(&db).unwrap();
    let customer = store.customer_by_account(JANE.0).unwrap().unwrap().id;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap();
    let reserved = match store
        .reserve_payment(
            customer,
            &[customer],
            "never-linked",
            std::slice::from_ref(&bill),
            now,
        )
        .unwrap()
    {
        portal_server::store::CreateOutcome::Reserved(reserved) => reserved,
        portal_server::store::CreateOutcome::Existing(_) => panic!("a new payment"),
    };
    drop(store);
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Processing
    );

    let swept = api.server.sweep_now().await.unwrap();
    assert_eq!(
        swept.unlinked, 0,
        "not before its time: the provider may still answer"
    );
    api.server
        .advance_clock(portal_server::sweeper::UNLINKED_TTL + 1);
    let swept = api.server.sweep_now().await.unwrap();
    assert_eq!(swept.unlinked, 1);
    assert_eq!(
        bill_status(&api, &token, &bill).await,
        BillStatus::Outstanding
    );
    let mut store = portal_server::store::Store::open(&db).unwrap();
    let ended = store.payment(customer, &reserved.id).unwrap().unwrap();
    assert_eq!(ended.status, PaymentStatus::Expired);
}
