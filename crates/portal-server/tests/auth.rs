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

/// The newest sign-in code in the outbox, waiting for it (bounded): the link is sent after the
/// answer to the sign-in request.
async fn signin_code_eventually(api: &Api) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(code) = signin_code(&api.outbox().await) {
            return code;
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in mail");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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
    signin_code_eventually(&api).await;
    let mail = api.outbox().await;
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
    let code = signin_code_eventually(&api).await;

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
    let code = signin_code_eventually(&api).await;
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

/// The body of an error answer.
async fn error_body(response: reqwest::Response) -> (StatusCode, portal_api::ErrorBody) {
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn five_wrong_postcodes_in_total_spend_an_invitation_and_each_answer_says_how_many_are_left()
{
    let api = Api::start().await;
    let code = api.invite(JANE).await;
    for left in (1..=4).rev() {
        // Spread over days: the limit is per invitation, not per window.
        api.server.advance_clock(24 * 3600);
        let (status, error) = error_body(api.redeem(&code, "00000").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error.code, portal_api::ErrorCode::WrongPostcode);
        assert_eq!(error.attempts_left, Some(left));
        let said = if left == 1 {
            "You have 1 attempt left.".to_owned()
        } else {
            format!("You have {left} attempts left.")
        };
        assert!(error.message.ends_with(&said), "{}", error.message);
    }
    let (status, error) = error_body(api.redeem(&code, "99999").await).await;
    assert_eq!(
        (status, error.code),
        (StatusCode::GONE, portal_api::ErrorCode::InvitationLocked)
    );
    assert!(
        error.message.contains("new invitation"),
        "{}",
        error.message
    );
    // Spent: even the right postcode, and the preview, say so.
    let (status, error) = error_body(api.redeem(&code, JANE.2).await).await;
    assert_eq!(
        (status, error.code),
        (StatusCode::GONE, portal_api::ErrorCode::InvitationLocked)
    );
    let (status, error) = error_body(api.preview(&code).await).await;
    assert_eq!(
        (status, error.code),
        (StatusCode::GONE, portal_api::ErrorCode::InvitationLocked)
    );
    // Nothing else is lost: a new invitation works.
    let fresh = api.invite(JANE).await;
    assert_eq!(api.redeem(&fresh, " 62701 ").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_right_postcode_after_wrong_ones_still_works_and_bursts_wait_with_retry_after() {
    let api = Api::start().await;
    let code = api.invite(JANE).await;
    for _ in 0..4 {
        let (status, error) = error_code(api.redeem(&code, "00000").await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, "wrong_postcode")
        );
    }
    // Guessing on other invitations of the same account from other addresses waits too.
    let other = api.invite(JANE).await;
    let limited = api.redeem(&other, "11111").await;
    assert_eq!(limited.status(), StatusCode::BAD_REQUEST);
    let limited = api.redeem(&other, "11112").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after));
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

async fn refresh(api: &Api, refresh_token: &str) -> reqwest::Response {
    api.post(
        "/v1/auth/refresh",
        None,
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

/// Rotates a refresh token that must be accepted.
async fn rotate(api: &Api, refresh_token: &str) -> SessionTokens {
    let response = refresh(api, refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_refresh_whose_answer_was_lost_can_be_replayed_within_the_grace_and_the_lost_pair_is_withdrawn()
 {
    let api = Api::start().await;
    let first = api.sign_in(JANE).await;
    // The server rotated, but its answer never reached the app.
    let lost = rotate(&api, &first.refresh_token).await;
    api.server
        .advance_clock(portal_server::store::REFRESH_GRACE - 1);
    let again = refresh(&api, &first.refresh_token).await;
    assert_eq!(again.status(), StatusCode::OK, "the replay in good faith");
    let again: SessionTokens = again.json().await.unwrap();
    assert_ne!(again.refresh_token, lost.refresh_token);

    let (status, code) = error_code(refresh(&api, &lost.refresh_token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token"),
        "the lost refresh token was withdrawn"
    );
    let (status, code) = error_code(api.get("/v1/me", Some(&lost.access_token)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_token"),
        "and its access token"
    );
    assert_eq!(
        api.get("/v1/me", Some(&again.access_token)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        refresh(&api, &again.refresh_token).await.status(),
        StatusCode::OK,
        "the session goes on"
    );
}

#[tokio::test]
async fn a_replay_after_the_grace_or_after_the_successor_was_used_still_revokes_the_family() {
    // After the grace window.
    let api = Api::start().await;
    let first = api.sign_in(JANE).await;
    let successor = rotate(&api, &first.refresh_token).await;
    api.server
        .advance_clock(portal_server::store::REFRESH_GRACE + 1);
    let (status, code) = error_code(refresh(&api, &first.refresh_token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "refresh_token_reused")
    );
    assert_eq!(
        refresh(&api, &successor.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the whole family"
    );

    // Within the grace, but the successor was already rotated in turn.
    let first = api.sign_in(JANE).await;
    let successor = rotate(&api, &first.refresh_token).await;
    assert_eq!(
        refresh(&api, &successor.refresh_token).await.status(),
        StatusCode::OK
    );
    let (status, code) = error_code(refresh(&api, &first.refresh_token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "refresh_token_reused")
    );
}

/// Redeems an unknown invitation code from `forwarded_for` (as a proxy would say it).
async fn guess_from(api: &Api, forwarded_for: &str) -> StatusCode {
    api.http
        .post(api.url("/v1/invitations/redeem"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"code": "Zk3q9X_v-2mNpL8sQw4RtAZk3q9X_v-2mNpL8sQw4Rt", "postcode": "62701"}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_each_forwarded_client_and_elsewhere_the_header_is_ignored()
 {
    use portal_server::limits::FAILURES_PER_ADDRESS;
    // No trusted proxy: a client cannot dodge the limit by naming other addresses.
    let direct = Api::start().await;
    for i in 0..FAILURES_PER_ADDRESS {
        assert_eq!(
            guess_from(&direct, &format!("10.0.0.{i}")).await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        guess_from(&direct, "10.9.9.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Loopback is the trusted proxy: each forwarded client has its own count.
    let (proxied, _dir) = Api::start_with(|options| {
        options.trusted_proxy = Some(std::net::Ipv4Addr::LOCALHOST.into());
    })
    .await;
    for i in 0..500 {
        let client = format!("203.0.113.7, 10.1.{}.{}", i / 250, i % 250);
        assert_eq!(
            guess_from(&proxied, &client).await,
            StatusCode::BAD_REQUEST,
            "{client}"
        );
    }
    for _ in 0..FAILURES_PER_ADDRESS {
        assert_eq!(
            guess_from(&proxied, "10.2.0.1").await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        guess_from(&proxied, "10.2.0.1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "one forwarded client over its limit"
    );
    assert_eq!(
        guess_from(&proxied, "10.2.0.2").await,
        StatusCode::BAD_REQUEST,
        "its neighbour is not"
    );
}
