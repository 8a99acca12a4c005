//! The provider's webhook: signatures, duplicates, order, and settling payments no app confirms.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, GOOD_CARD, JANE, error_code};
use portal_api::v1::{Payment, PaymentStatus, ReceiptList};
use portal_server::Provider;
use portal_server::stripe::sign;
use reqwest::StatusCode;
use serde_json::json;

async fn holding_webhooks() -> (Api, tempfile::TempDir) {
    Api::start_with(|options| {
        options.provider = Provider::Simulator {
            hold_webhooks: true,
        };
    })
    .await
}

async fn post_event(
    api: &Api,
    event: &serde_json::Value,
    timestamp: i64,
    secret: &str,
) -> reqwest::Response {
    let payload = event.to_string();
    api.http
        .post(api.url("/v1/webhooks/stripe"))
        .header(
            "Stripe-Signature",
            sign(payload.as_bytes(), secret, timestamp),
        )
        .header("content-type", "application/json")
        .body(payload)
        .send()
        .await
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or_default())
        .unwrap_or_default()
}

async fn paid_checkout(api: &Api, token: &str) -> Payment {
    let bills = api.bills(token, "outstanding").await;
    let payment: Payment = api.new_payment(token, "k", &[&bills[0].id]).await;
    let (status, _) = api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    payment
}

async fn receipt_count(api: &Api, token: &str) -> usize {
    api.get("/v1/receipts", Some(token))
        .await
        .json::<ReceiptList>()
        .await
        .unwrap()
        .receipts
        .len()
}

#[tokio::test]
async fn the_webhook_settles_a_payment_no_app_confirms_and_a_later_confirm_finds_the_same_receipt()
{
    let (api, _dir) = holding_webhooks().await;
    let token = api.sign_in(JANE).await.access_token;
    let payment = paid_checkout(&api, &token).await;
    // The browser was closed before the redirect: only the webhook arrives.
    api.server.release_webhooks().await;
    let settled = api.wait_for_status(&token, &payment.id, "paid").await;
    let confirmed = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(confirmed.receipt, settled.receipt);
    assert_eq!(receipt_count(&api, &token).await, 1);
}

#[tokio::test]
async fn a_confirm_before_the_webhook_makes_one_receipt() {
    let (api, _dir) = holding_webhooks().await;
    let token = api.sign_in(JANE).await.access_token;
    let payment = paid_checkout(&api, &token).await;
    let confirmed = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(confirmed.status, PaymentStatus::Paid);
    api.server.release_webhooks().await;
    let after = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(after.receipt, confirmed.receipt);
    assert_eq!(receipt_count(&api, &token).await, 1);
}

#[tokio::test]
async fn forged_stale_duplicate_and_out_of_order_events_change_nothing_wrongly() {
    let (api, _dir) = holding_webhooks().await;
    let token = api.sign_in(JANE).await.access_token;
    let payment = paid_checkout(&api, &token).await;
    let session_id = {
        let page = api.http.get(&payment.checkout_url).send().await.unwrap();
        page.url().path().rsplit('/').next().unwrap().to_owned()
    };
    let secret = api.server.webhook_secret().to_owned();
    let completed = json!({"id": "evt_test_1", "object": "event", "type": "checkout.session.completed",
                           "data": {"object": {"id": session_id, "object": "checkout.session"}}});

    // Forged (wrong secret) and stale (6 minutes old) signatures: refused, nothing settled.
    let (status, code) =
        error_code(post_event(&api, &completed, now(), "whsec_forged").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_signature")
    );
    let (status, code) = error_code(post_event(&api, &completed, now() - 360, &secret).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_signature")
    );
    let unsigned = api
        .http
        .post(api.url("/v1/webhooks/stripe"))
        .body(completed.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);
    let still: Payment = api
        .get(&format!("/v1/payments/{}", payment.id), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.status, PaymentStatus::Processing);

    // An "expired" event arriving first for a session that is in fact paid: the provider's
    // state wins, so the payment becomes paid, not expired.
    let expired = json!({"id": "evt_test_0", "object": "event", "type": "checkout.session.expired",
                         "data": {"object": {"id": session_id, "object": "checkout.session"}}});
    assert_eq!(
        post_event(&api, &expired, now(), &secret).await.status(),
        StatusCode::OK
    );
    let after_expired: Payment = api
        .get(&format!("/v1/payments/{}", payment.id), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after_expired.status, PaymentStatus::Paid);

    // The real event, twice, and the simulator's own delivery: still one receipt.
    for _ in 0..2 {
        assert_eq!(
            post_event(&api, &completed, now(), &secret).await.status(),
            StatusCode::OK
        );
    }
    api.server.release_webhooks().await;
    assert_eq!(receipt_count(&api, &token).await, 1);

    // Events about sessions the backend does not know are acknowledged and ignored.
    let foreign = json!({"id": "evt_test_2", "object": "event", "type": "checkout.session.completed",
                         "data": {"object": {"id": "cs_test_unknown", "object": "checkout.session"}}});
    assert_eq!(
        post_event(&api, &foreign, now(), &secret).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_cancel_raced_by_the_expiry_webhook_ends_canceled() {
    let (api, _dir) = holding_webhooks().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    // The webhook the cancel causes arrives after the cancel's answer.
    let first: Payment = api.new_payment(&token, "k1", &[&bills[0].id]).await;
    let canceled = api.payment_action(&token, &first.id, "cancel").await;
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    api.server.release_webhooks().await;
    assert!(
        api.server
            .wait_for_webhooks(1, std::time::Duration::from_secs(10))
            .await
    );
    let after = api.payment_action(&token, &first.id, "confirm").await;
    assert_eq!(
        after.status,
        PaymentStatus::Canceled,
        "the late expiry changes nothing"
    );

    // The checkout expired on its own and the backend heard it first; the customer then cancels.
    let second: Payment = api.new_payment(&token, "k2", &[&bills[0].id]).await;
    api.server.advance_clock(2 * 3600);
    let token = api.sign_in(JANE).await.access_token;
    let expired = api.payment_action(&token, &second.id, "confirm").await;
    assert_eq!(expired.status, PaymentStatus::Expired);
    let canceled = api.payment_action(&token, &second.id, "cancel").await;
    assert_eq!(
        canceled.status,
        PaymentStatus::Canceled,
        "the customer's cancel wins"
    );
}
