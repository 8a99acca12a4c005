//! The Stripe adapter, driven directly: the same suite runs against the sandbox's simulator
//! and — when `STRIPE_SECRET_KEY` holds a test-mode key — against Stripe's test mode, so the
//! simulator is held to Stripe's behaviour where the adapter could notice. Then the adapter's
//! retries, against providers that fail on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_server::stripe::{
    CheckoutSession, LineItem, NewCheckout, StripeClient, StripeConfig, StripeError,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn checkout(reference: &str, amounts: &[i64], currency: &str) -> NewCheckout {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    NewCheckout {
        currency: currency.into(),
        line_items: amounts
            .iter()
            .map(|&unit_amount| LineItem {
                name: "Electricity bill".into(),
                unit_amount,
            })
            .collect(),
        client_reference_id: reference.into(),
        success_url:
            "https://portal.enerpro.example/checkout/return?session_id={CHECKOUT_SESSION_ID}".into(),
        cancel_url: "https://portal.enerpro.example/checkout/cancel".into(),
        expires_at: i64::try_from(now).unwrap() + 3600,
        locale: "en",
    }
}

fn refusal(result: Result<CheckoutSession, StripeError>) -> (u16, portal_server::stripe::ApiError) {
    match result {
        Err(StripeError::Refused { status, error }) => (status, *error),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// What the adapter relies on, against any Stripe-compatible provider.
async fn the_adapter_suite(provider: &StripeClient) {
    let key = format!("suite-{}", std::process::id());
    let first = checkout("pay_suite_1", &[12_345, 6_789], "usd");

    // Create: open, with a hosted page, the total and our reference.
    let created = provider.create(&first, &key).await.unwrap();
    assert_eq!(created.status.as_deref(), Some("open"));
    assert_eq!(created.payment_status, "unpaid");
    assert!(
        created
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with("http"))
    );
    assert_eq!(created.amount_total, Some(19_134));
    assert_eq!(created.currency.as_deref(), Some("usd"));
    assert_eq!(created.client_reference_id.as_deref(), Some("pay_suite_1"));

    // An idempotent replay answers the first session; other parameters under the key are refused.
    let replay = provider.create(&first, &key).await.unwrap();
    assert_eq!(replay.id, created.id);
    let (status, error) = refusal(
        provider
            .create(&checkout("pay_suite_1", &[100], "usd"), &key)
            .await,
    );
    assert_eq!(
        (status, error.kind.as_deref()),
        (400, Some("idempotency_error"))
    );

    // Retrieve with the intent expanded.
    let retrieved = provider.retrieve(&created.id).await.unwrap();
    assert_eq!(retrieved.id, created.id);
    assert_eq!(retrieved.status.as_deref(), Some("open"));

    // Expire, then expiring again is refused as Stripe does.
    let expired = provider.expire(&created.id).await.unwrap();
    assert_eq!(expired.status.as_deref(), Some("expired"));
    assert!(expired.url.is_none());
    let (status, _) = refusal(provider.expire(&created.id).await);
    assert_eq!(status, 400);

    // Amount rules: below the minimum charge is refused.
    let (status, error) = refusal(
        provider
            .create(
                &checkout("pay_suite_2", &[20], "usd"),
                &format!("{key}-small"),
            )
            .await,
    );
    assert_eq!(
        (status, error.kind.as_deref()),
        (400, Some("invalid_request_error"))
    );

    // An unknown session.
    let (status, error) = refusal(provider.retrieve("cs_test_does_not_exist").await);
    assert_eq!(
        (status, error.code.as_deref()),
        (404, Some("resource_missing"))
    );
}

#[tokio::test]
async fn the_adapter_suite_passes_against_the_simulator() {
    let server = portal_server::spawn("127.0.0.1:0").await.unwrap();
    let provider = StripeClient::new(server.provider_config().clone()).unwrap();
    the_adapter_suite(&provider).await;
}

#[tokio::test]
async fn the_adapter_suite_passes_against_stripe_test_mode_when_a_key_is_given() {
    let Ok(secret_key) = std::env::var("STRIPE_SECRET_KEY") else {
        println!(
            "skipped: STRIPE_SECRET_KEY is not set (a test-mode key runs this suite against Stripe)"
        );
        return;
    };
    assert!(
        secret_key.starts_with("sk_test_") || secret_key.starts_with("rk_test_"),
        "only a test-mode key may run the suite"
    );
    let provider = StripeClient::new(StripeConfig {
        api_base: "https://api.stripe.com".into(),
        secret_key,
        webhook_secret: String::new(),
        timeout: Duration::from_secs(portal_api::v1::PROVIDER_BUDGET_SECS),
    })
    .unwrap();
    the_adapter_suite(&provider).await;
}

/// A provider that answers the first `failures` requests with `status` (and the given
/// `Stripe-Should-Retry`), then a session; counts requests and keeps their idempotency keys.
struct FlakyProvider {
    url: String,
    requests: Arc<AtomicUsize>,
    keys: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn flaky_provider(
    failures: usize,
    status: u16,
    should_retry: Option<&'static str>,
) -> FlakyProvider {
    use axum::response::IntoResponse;
    let requests = Arc::new(AtomicUsize::new(0));
    let keys = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counter, seen) = (requests.clone(), keys.clone());
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let (counter, seen) = (counter.clone(), seen.clone());
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if let Some(key) = headers.get("Idempotency-Key").and_then(|v| v.to_str().ok()) {
                seen.lock().unwrap().push(key.to_owned());
            }
            if n < failures {
                let mut response = (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    axum::Json(
                        serde_json::json!({"error": {"type": "api_error", "message": "try later"}}),
                    ),
                )
                    .into_response();
                if let Some(value) = should_retry {
                    response
                        .headers_mut()
                        .insert("Stripe-Should-Retry", value.parse().unwrap());
                }
                return response;
            }
            axum::Json(serde_json::json!({
                "id": "cs_test_flaky", "object": "checkout.session", "status": "open",
                "payment_status": "unpaid", "url": "https://checkout.example/cs_test_flaky",
                "expires_at": 1, "amount_total": 5000, "currency": "usd"
            }))
            .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    FlakyProvider {
        url,
        requests,
        keys,
    }
}

fn client_for(url: &str, budget: Duration) -> StripeClient {
    StripeClient::new(StripeConfig {
        api_base: url.into(),
        secret_key: "sk_test_flaky".into(),
        webhook_secret: String::new(),
        timeout: budget,
    })
    .unwrap()
}

#[tokio::test]
async fn server_errors_rate_limits_and_conflicts_are_sent_again_with_the_same_key() {
    for status in [500, 429, 409] {
        let provider = flaky_provider(2, status, None).await;
        let client = client_for(&provider.url, Duration::from_secs(10));
        let session = client
            .create(&checkout("pay_flaky", &[5000], "usd"), "the-one-key")
            .await
            .unwrap();
        assert_eq!(session.id, "cs_test_flaky");
        assert_eq!(provider.requests.load(Ordering::SeqCst), 3, "{status}");
        let keys = provider.keys.lock().unwrap().clone();
        assert!(keys.iter().all(|key| key == "the-one-key"), "{keys:?}");
    }
}

#[tokio::test]
async fn other_refusals_are_final_and_stripe_should_retry_false_is_respected() {
    let provider = flaky_provider(usize::MAX, 400, None).await;
    let client = client_for(&provider.url, Duration::from_secs(10));
    let (status, _) = refusal(client.create(&checkout("pay_x", &[5000], "usd"), "k").await);
    assert_eq!(status, 400);
    assert_eq!(provider.requests.load(Ordering::SeqCst), 1);

    let provider = flaky_provider(usize::MAX, 503, Some("false")).await;
    let client = client_for(&provider.url, Duration::from_secs(10));
    let (status, _) = refusal(client.retrieve("cs_test_x").await);
    assert_eq!(status, 503);
    assert_eq!(provider.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn retries_stop_within_the_time_budget() {
    let provider = flaky_provider(usize::MAX, 500, None).await;
    let client = client_for(&provider.url, Duration::from_millis(1_500));
    let started = std::time::Instant::now();
    let (status, _) = refusal(client.retrieve("cs_test_x").await);
    assert_eq!(status, 500);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        provider.requests.load(Ordering::SeqCst) >= 2,
        "it did try again"
    );
}
