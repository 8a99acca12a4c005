//! Properties of the server's parsers of outside input: webhook signature headers, Stripe's
//! JSON, and every JSON body and query string of the API, over real HTTP. Whatever arrives,
//! the answer is a typed outcome — a 4xx in the API's error shape, never a 5xx or a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use portal_server::payments::outcome_of;
use portal_server::stripe::{CheckoutSession, Event, SignatureError, sign, verify_signature};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const SECRET: &str = "whsec_properties";
const NOW: i64 = 1_790_000_000;

/// Arbitrary JSON, up to a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::hash_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("status".to_owned()),
                    Just("payment_status".to_owned()),
                    Just("payment_intent".to_owned()),
                    Just("expires_at".to_owned()),
                    Just("amount_total".to_owned()),
                    Just("type".to_owned()),
                    Just("data".to_owned()),
                    Just("object".to_owned()),
                    "[a-z_]{1,12}"
                ],
                inner,
                0..8
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn any_signature_header_is_checked_without_panicking(header in "\\PC{0,200}", payload in ".{0,200}") {
        let _ = verify_signature(&header, payload.as_bytes(), SECRET, NOW);
    }

    #[test]
    fn a_signed_payload_verifies_and_any_change_does_not(
        payload in proptest::collection::vec(any::<u8>(), 1..300),
        at in 0usize..300,
        age in 0i64..300,
    ) {
        let header = sign(&payload, SECRET, NOW - age);
        prop_assert_eq!(verify_signature(&header, &payload, SECRET, NOW), Ok(()));
        let mut changed = payload.clone();
        let at = at % changed.len();
        changed[at] ^= 0x01;
        prop_assert_eq!(verify_signature(&header, &changed, SECRET, NOW), Err(SignatureError::Mismatch));
        prop_assert!(verify_signature(&header, &payload, "whsec_other", NOW).is_err());
    }

    #[test]
    fn any_json_from_the_provider_decodes_or_is_refused_without_panicking(value in json()) {
        if let Ok(session) = serde_json::from_value::<CheckoutSession>(value.clone()) {
            let _ = outcome_of(&session);
        }
        let _ = serde_json::from_value::<Event>(value);
    }

    #[test]
    fn arbitrary_bytes_from_the_provider_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<CheckoutSession>(&bytes);
        let _ = serde_json::from_slice::<Event>(&bytes);
    }
}

/// Every JSON body the API takes, with arbitrary bytes, over HTTP.
#[test]
fn every_api_body_and_query_answers_in_the_error_shape_never_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let api = runtime.block_on(common::Api::start());
    let token = runtime.block_on(api.sign_in(common::JANE)).access_token;
    let endpoints = [
        "/v1/invitations/preview",
        "/v1/invitations/redeem",
        "/v1/auth/signin",
        "/v1/auth/exchange",
        "/v1/auth/refresh",
        "/v1/auth/signout",
        "/v1/payments",
        "/v1/admin/invitations",
        "/v1/admin/clock",
        "/v1/webhooks/stripe",
    ];
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        json().prop_map(|value| value.to_string().into_bytes()),
    ];
    runner
        .run(&(0..endpoints.len(), body), |(endpoint, body)| {
            let path = endpoints[endpoint];
            let (status, answer) = runtime.block_on(async {
                let response = api
                    .http
                    .post(api.url(path))
                    .bearer_auth(if path.starts_with("/v1/admin") {
                        api.server.admin_key()
                    } else {
                        &token
                    })
                    .header("content-type", "application/json")
                    .header("Idempotency-Key", "properties")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.bytes().await.unwrap())
            });
            prop_assert!(status.as_u16() < 500, "{path} answered {status}");
            if !status.is_success() {
                let error: Result<portal_api::ErrorBody, _> = serde_json::from_slice(&answer);
                prop_assert!(
                    error.is_ok(),
                    "{path} answered {status} without the error shape"
                );
            }
            Ok(())
        })
        .unwrap();
    runner
        .run(&"\\PC{0,40}", |filter| {
            let (status, answer) = runtime.block_on(async {
                let response = api
                    .http
                    .get(api.url("/v1/bills"))
                    .query(&[("status", &filter)])
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.bytes().await.unwrap())
            });
            match filter.as_str() {
                "outstanding" | "all" => prop_assert_eq!(status.as_u16(), 200),
                _ => {
                    prop_assert_eq!(status.as_u16(), 400, "{:?}", filter);
                    prop_assert!(serde_json::from_slice::<portal_api::ErrorBody>(&answer).is_ok());
                }
            }
            Ok(())
        })
        .unwrap();
}
