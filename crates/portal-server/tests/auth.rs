//! Invitations, passwordless sign-in with PKCE, and sessions, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use base64::Engine;
use common::{Api, JANE, error_code};
use portal_api::v1::{Customer, Outbox, SessionTokens};
use reqwest::StatusCode;
use serde_json::json;
use sha2::Digest;

const VERIFIER: &str = "a-verifier-that-never-leaves-the-device-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

async fn outbox(api: &Api) -> Outbox {
    api.http
        .get(api.url("/v1/admin/outbox"))
        .bearer_auth(api.server.admin_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn signin_code(outbox: &Outbox) -> Option<String> {
    outbox
        .messages
        .iter()
        .rev()
        .find(|m| m.kind == "signin")
        .and_then(|m| {
            let start = m.body.find("signin?code=")? + "signin?code=".len();
            Some(
                m.body[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect(),
            )
        })
}

#[tokio::test]
async fn signin_answers_the_same_for_known_and_unknown_emails_and_mails_only_known_ones() {
    let api = Api::start().await;
    let body = |email: &str| json!({"email": email, "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"});
    let known = api.post("/v1/auth/signin", None, &body(JANE.1)).await;
    let unknown = api
        .post("/v1/auth/signin", None, &body("nobody@example.com"))
        .await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    let mail = outbox(&api).await;
    assert_eq!(
        mail.messages.iter().filter(|m| m.kind == "signin").count(),
        1
    );
    assert!(mail.messages.iter().all(|m| m.to != "nobody@example.com"));
}

#[tokio::test]
async fn a_signin_code_is_exchanged_only_with_the_matching_verifier_and_only_once() {
    let api = Api::start().await;
    let request = json!({"email": "JANE.DOE@example.com", "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"});
    assert_eq!(
        api.post("/v1/auth/signin", None, &request).await.status(),
        StatusCode::ACCEPTED
    );
    let code = signin_code(&outbox(&api).await).expect("a sign-in link in the outbox");

    // Opened on another device: it does not have the verifier.
    let other_device =
        json!({"code": code, "code_verifier": "another-device-has-another-verifier-0123456789"});
    let (status, error) =
        error_code(api.post("/v1/auth/exchange", None, &other_device).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_signin_code")
    );

    let exchange = json!({"code": code, "code_verifier": VERIFIER});
    let response = api.post("/v1/auth/exchange", None, &exchange).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: SessionTokens = response.json().await.unwrap();
    let me: Customer = api
        .get("/v1/me", Some(&tokens.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.email, JANE.1);

    let (status, error) = error_code(api.post("/v1/auth/exchange", None, &exchange).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_signin_code"),
        "single use"
    );
}

#[tokio::test]
async fn a_signin_link_expires_after_fifteen_minutes() {
    let api = Api::start().await;
    let request = json!({"email": JANE.1, "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"});
    api.post("/v1/auth/signin", None, &request).await;
    let code = signin_code(&outbox(&api).await).unwrap();
    api.server.advance_clock(16 * 60);
    let (status, error) = error_code(
        api.post(
            "/v1/auth/exchange",
            None,
            &json!({"code": code, "code_verifier": VERIFIER}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_signin_code")
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_the_whole_family() {
    let api = Api::start().await;
    let first = api.sign_in(JANE).await;
    let rotated: SessionTokens = api
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": first.refresh_token}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(rotated.refresh_token, first.refresh_token);
    assert_eq!(
        api.get("/v1/me", Some(&rotated.access_token))
            .await
            .status(),
        StatusCode::OK
    );

    // The old refresh token again: someone copied it. The family is revoked.
    let (status, code) = error_code(
        api.post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": first.refresh_token}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "refresh_token_reused")
    );
    let (status, code) = error_code(
        api.post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": rotated.refresh_token}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token")
    );
    let (status, code) = error_code(api.get("/v1/me", Some(&rotated.access_token)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "session_ended")
    );
}

#[tokio::test]
async fn access_tokens_expire_after_about_fifteen_minutes_and_refresh_renews_them() {
    let api = Api::start().await;
    let tokens = api.sign_in(JANE).await;
    api.server.advance_clock(14 * 60);
    assert_eq!(
        api.get("/v1/me", Some(&tokens.access_token)).await.status(),
        StatusCode::OK
    );
    api.server.advance_clock(2 * 60);
    let (status, code) = error_code(api.get("/v1/me", Some(&tokens.access_token)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "token_expired")
    );
    let renewed: SessionTokens = api
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": tokens.refresh_token}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        api.get("/v1/me", Some(&renewed.access_token))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_out_revokes_the_session() {
    let api = Api::start().await;
    let tokens = api.sign_in(JANE).await;
    let response = api
        .post(
            "/v1/auth/signout",
            None,
            &json!({"refresh_token": tokens.refresh_token}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api.get("/v1/me", Some(&tokens.access_token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = error_code(
        api.post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": tokens.refresh_token}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_invitation_works_once_and_expires_after_seven_days() {
    let api = Api::start().await;
    let code = api.invite(JANE).await;
    assert_eq!(api.redeem(&code, JANE.2).await.status(), StatusCode::OK);
    let (status, error) = error_code(api.redeem(&code, JANE.2).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::GONE, "invitation_used")
    );
    let (status, error) = error_code(api.preview(&code).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::GONE, "invitation_used")
    );

    let late = api.invite(JANE).await;
    api.server.advance_clock(7 * 24 * 3600 + 1);
    let (status, error) = error_code(api.redeem(&late, JANE.2).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::GONE, "invitation_expired")
    );
}

#[tokio::test]
async fn wrong_postcodes_are_rate_limited_and_the_invitation_survives() {
    let api = Api::start().await;
    let code = api.invite(JANE).await;
    for _ in 0..5 {
        let (status, error) = error_code(api.redeem(&code, "00000").await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, "wrong_postcode")
        );
    }
    let limited = api.redeem(&code, JANE.2).await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right postcode waits"
    );
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after));
    // Nothing was lost: after the window the right postcode works.
    api.server.advance_clock(15 * 60 + 1);
    assert_eq!(api.redeem(&code, " 62701 ").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn signin_requests_are_rate_limited_per_email() {
    let api = Api::start().await;
    let body = json!({"email": JANE.1, "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"});
    for _ in 0..3 {
        assert_eq!(
            api.post("/v1/auth/signin", None, &body).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let (status, code) = error_code(api.post("/v1/auth/signin", None, &body).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
}

#[tokio::test]
async fn unknown_invitation_codes_and_bad_signin_requests_get_clear_errors() {
    let api = Api::start().await;
    let (status, code) = error_code(api.redeem("Zk3q9X_v-2mNpL8sQw4RtA", "62701").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invitation_invalid")
    );
    let (status, code) = error_code(api.preview("short").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let bad_email = json!({"email": "not-an-email", "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"});
    let (status, code) = error_code(api.post("/v1/auth/signin", None, &bad_email).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_email")
    );
    let plain =
        json!({"email": JANE.1, "code_challenge": VERIFIER, "code_challenge_method": "plain"});
    let (status, code) = error_code(api.post("/v1/auth/signin", None, &plain).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_code_challenge")
    );
}

#[tokio::test]
async fn an_invitation_code_never_travels_in_a_request_path() {
    let api = Api::start().await;
    let code = api.invite(JANE).await;
    let by_path = api.get(&format!("/v1/invitations/{code}"), None).await;
    assert_eq!(by_path.status(), StatusCode::NOT_FOUND, "no such route");
    let preview = api.preview(&code).await;
    assert_eq!(preview.status(), StatusCode::OK);
}
