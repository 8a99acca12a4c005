//! Bad input over real HTTP: each answers a clear error, and nothing changes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, GOOD_CARD, JANE, OMAR, error_code};
use portal_api::v1::{BillStatus, Payment};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_wrong_typed_oversized_and_non_json_bodies_are_refused() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let post_raw = |body: String, content_type: &'static str| {
        api.http
            .post(api.url("/v1/payments"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "k")
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        (
            post_raw("{\"bill_ids\": [".into(), "application/json")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            post_raw("{\"bill_ids\": 42}".into(), "application/json")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            post_raw("{}".into(), "application/json").await.unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            post_raw(
                format!("{{\"bill_ids\": [\"{}\"]}}", "x".repeat(20_000)),
                "application/json",
            )
            .await
            .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            post_raw("bill_ids=1".into(), "application/x-www-form-urlencoded")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "expected_json",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(error_code(response).await, (status, code.to_owned()));
    }
    let (status, code) = error_code(
        api.post(
            "/v1/invitations/redeem",
            None,
            &json!({"code": 7, "postcode": []}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(
        api.bills(&token, "outstanding")
            .await
            .iter()
            .all(|b| b.status == BillStatus::Outstanding)
    );
    assert_eq!(
        api.get("/v1/payments", Some(&token))
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["payments"],
        json!([])
    );
}

#[tokio::test]
async fn missing_invalid_and_expired_tokens_are_refused() {
    let api = Api::start().await;
    let tokens = api.sign_in(JANE).await;
    assert_eq!(
        error_code(api.get("/v1/me", None).await).await,
        (StatusCode::UNAUTHORIZED, "missing_token".into())
    );
    assert_eq!(
        error_code(api.get("/v1/me", Some("forged")).await).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".into())
    );
    api.server.advance_clock(16 * 60);
    assert_eq!(
        error_code(api.get("/v1/me", Some(&tokens.access_token)).await).await,
        (StatusCode::UNAUTHORIZED, "token_expired".into())
    );
    let (status, code) = error_code(
        api.post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": "made-up"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token")
    );
}

#[tokio::test]
async fn admin_endpoints_need_the_admin_key() {
    let api = Api::start().await;
    let body = json!({"account_number": JANE.0, "email": JANE.1});
    assert_eq!(
        error_code(api.post("/v1/admin/invitations", None, &body).await)
            .await
            .1,
        "invalid_admin_key"
    );
    assert_eq!(
        error_code(
            api.post("/v1/admin/invitations", Some("wrong"), &body)
                .await
        )
        .await
        .1,
        "invalid_admin_key"
    );
    assert_eq!(
        error_code(api.get("/v1/admin/outbox", Some("wrong")).await)
            .await
            .1,
        "invalid_admin_key"
    );
    let key = api.server.admin_key().to_owned();
    let wrong_email = json!({"account_number": JANE.0, "email": OMAR.1});
    assert_eq!(
        error_code(
            api.post("/v1/admin/invitations", Some(&key), &wrong_email)
                .await
        )
        .await,
        (StatusCode::BAD_REQUEST, "email_not_on_file".into())
    );
    let unknown = json!({"account_number": "999-999-999", "email": JANE.1});
    assert_eq!(
        error_code(
            api.post("/v1/admin/invitations", Some(&key), &unknown)
                .await
        )
        .await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn another_customers_bills_payments_and_receipts_are_out_of_reach() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await.access_token;
    let omar = api.sign_in(OMAR).await.access_token;
    let omars_bill = api.bills(&omar, "outstanding").await[0].id.clone();
    let (status, code) = error_code(api.create_payment(&jane, "k", &[&omars_bill]).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "unknown_bill")
    );

    let payment: Payment = api.new_payment(&omar, "k", &[&omars_bill]).await;
    api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    let paid = api.payment_action(&omar, &payment.id, "confirm").await;
    let receipt_id = paid.receipt.unwrap().id;
    for path in [
        format!("/v1/payments/{}", payment.id),
        format!("/v1/receipts/{receipt_id}"),
    ] {
        assert_eq!(
            error_code(api.get(&path, Some(&jane)).await).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{path}"
        );
    }
    for action in ["confirm", "cancel"] {
        let response = api
            .post(
                &format!("/v1/payments/{}/{action}", payment.id),
                Some(&jane),
                &json!(null),
            )
            .await;
        assert_eq!(
            error_code(response).await,
            (StatusCode::NOT_FOUND, "not_found".into())
        );
    }
}

#[tokio::test]
async fn paid_empty_duplicated_and_unkeyed_payments_are_refused() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let all = api.bills(&token, "all").await;
    let paid_bill = all
        .iter()
        .find(|b| b.status == BillStatus::Paid)
        .unwrap()
        .id
        .clone();
    let due = all
        .iter()
        .find(|b| b.status == BillStatus::Outstanding)
        .unwrap()
        .id
        .clone();
    let cases = [
        (
            api.create_payment(&token, "a", &[&paid_bill]).await,
            StatusCode::CONFLICT,
            "bill_already_paid",
        ),
        (
            api.create_payment(&token, "b", &[]).await,
            StatusCode::BAD_REQUEST,
            "no_bills",
        ),
        (
            api.create_payment(&token, "c", &[&due, &due]).await,
            StatusCode::BAD_REQUEST,
            "duplicate_bills",
        ),
        (
            api.create_payment(&token, "d", &["bill_nope"]).await,
            StatusCode::BAD_REQUEST,
            "unknown_bill",
        ),
        (
            api.create_payment(&token, "e", &[&due, "bill_nope"]).await,
            StatusCode::BAD_REQUEST,
            "unknown_bill",
        ),
        (
            api.post("/v1/payments", Some(&token), &json!({"bill_ids": [due]}))
                .await,
            StatusCode::BAD_REQUEST,
            "missing_idempotency_key",
        ),
        (
            api.get("/v1/bills?status=weird", Some(&token)).await,
            StatusCode::BAD_REQUEST,
            "invalid_filter",
        ),
        (
            api.get("/v1/nope", Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(error_code(response).await, (status, code.to_owned()));
    }
    // Nothing was reserved by the refused requests.
    assert!(
        api.bills(&token, "outstanding")
            .await
            .iter()
            .all(|b| b.status == BillStatus::Outstanding)
    );
    assert_eq!(
        api.create_payment(&token, "f", &[&due]).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_return_and_cancel_pages_answer_unknown_payments_with_a_page() {
    let api = Api::start().await;
    for path in [
        "/checkout/return?session_id=cs_test_nope",
        "/checkout/return",
        "/checkout/cancel?payment=<script>",
    ] {
        let response = api.get(path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("could not find this payment") && !page.contains("<script>"));
    }
}

#[tokio::test]
async fn a_total_below_the_smallest_card_payment_gets_a_clear_message_and_locks_nothing() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    // A small final bill (after a credit), below Stripe's USD 0.50 minimum.
    let db = rusqlite::Connection::open(api.server.db_path()).unwrap();
    db.execute(
        "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date, amount_minor, currency)
         SELECT 'bill_small', id, '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-21', 25, 'USD'
         FROM customers WHERE email = ?1",
        [JANE.1],
    )
    .unwrap();
    let response = api.create_payment(&token, "small", &["bill_small"]).await;
    let status = response.status();
    let body: portal_api::ErrorBody = response.json().await.unwrap();
    assert_eq!(
        (status, body.code),
        (
            StatusCode::BAD_REQUEST,
            portal_api::ErrorCode::AmountTooSmall
        )
    );
    assert!(body.message.contains("USD 0.50"), "{}", body.message);
    let small = api
        .bills(&token, "outstanding")
        .await
        .into_iter()
        .find(|bill| bill.id == "bill_small")
        .unwrap();
    assert_eq!(small.status, portal_api::v1::BillStatus::Outstanding);
    // With another bill the total is payable.
    let other = api.bills(&token, "outstanding").await[0].id.clone();
    let together = api
        .create_payment(&token, "together", &["bill_small", &other])
        .await;
    assert_eq!(together.status(), StatusCode::CREATED);
}
