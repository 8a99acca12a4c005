//! When things go wrong: the server down, broken or slow; an expired or replayed session; a
//! corrupt cache. Each gives a typed error and keeps what the customer already had.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{World, assert_nothing_left};
use portal_api::ErrorCode;
use portal_core::credentials::names;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A fake backend on loopback that answers every request with `response` (or never, if `None`).
async fn fake_backend(response: Option<&'static str>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 8192];
                let _ = socket.read(&mut request).await;
                match response {
                    Some(text) => {
                        let _ = socket.write_all(text.as_bytes()).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn with_the_server_down_at_start_the_cache_is_shown_with_its_age() {
    let world = World::start().await;
    let before = world.signed_in().await.home().await.unwrap();
    // The app starts again while its backend is down (nothing listens on the discard port).
    let down = world.config_for("http://127.0.0.1:9");
    let portal = portal_core::Portal::open(&down).unwrap();
    let cached = portal.home().await.unwrap();
    assert_eq!(cached.customer, before.customer);
    assert_eq!(cached.bills.len(), 3);
    assert!(!cached.as_of.unwrap().fetched_at.is_empty());
    let offline = portal.refresh().await.unwrap();
    assert!(offline.offline, "marked offline");
    let problem = offline.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::Offline);
    assert!(problem.message.contains("Cannot reach"));
    assert_eq!(offline.bills.len(), 3, "cache intact");
    assert_eq!(
        offline.pay_blocked,
        Some(portal_api::ipc::PayBlock::Offline),
        "no paying offline"
    );
}

#[tokio::test]
async fn a_broken_or_slow_backend_gives_typed_errors_and_the_cache_stays() {
    let world = World::start().await;
    world.signed_in().await;
    let cases = [
        (
            Some(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            ),
            "server_error",
        ),
        (
            Some(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\n{\"name\":1",
            ),
            "invalid_response",
        ),
        (
            Some(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 6\r\nconnection: close\r\n\r\n<html>",
            ),
            "invalid_response",
        ),
        (None, "timeout"),
    ];
    for (answer, code) in cases {
        let backend = fake_backend(answer).await;
        let portal = portal_core::Portal::open(&world.config_for(&backend)).unwrap();
        let view = portal.refresh().await.unwrap();
        assert_eq!(view.problem.unwrap().code.as_str(), code, "{answer:?}");
        assert_eq!(view.bills.len(), 3, "cache intact after {code}");
        assert!(
            portal.is_signed_in().await.unwrap(),
            "still signed in after {code}"
        );
    }
}

#[tokio::test]
async fn twenty_concurrent_calls_with_an_expired_token_cause_one_refresh() {
    let world = World::start().await;
    let portal = Arc::new(world.signed_in().await);
    let before = portal.session().refresh_count();
    world.server.advance_clock(16 * 60);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let portal = portal.clone();
        calls.spawn(async move { portal.refresh().await });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().expect("every call succeeds");
    }
    assert_eq!(
        portal.session().refresh_count() - before,
        1,
        "exactly one refresh"
    );
}

#[tokio::test]
async fn a_replayed_refresh_token_signs_out_cleanly_with_a_message() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    // Someone copied the refresh token and used it first.
    let stolen = world
        .credentials()
        .get(names::REFRESH_TOKEN)
        .unwrap()
        .unwrap();
    let thief = reqwest::Client::new()
        .post(format!("{}/v1/auth/refresh", world.server.base_url()))
        .json(&serde_json::json!({"refresh_token": stolen}))
        .send()
        .await
        .unwrap();
    assert_eq!(thief.status(), 200);
    world.server.advance_clock(16 * 60);

    let view = portal.refresh().await.unwrap();
    let problem = view.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::Unauthorized);
    assert!(problem.message.contains("Sign in again"), "{problem:?}");
    assert!(!view.signed_in);
    assert_nothing_left(&world, &portal).await;
    assert!(!portal.is_signed_in().await.unwrap());
}

#[tokio::test]
async fn a_corrupt_cache_file_is_replaced_and_deleted() {
    let world = World::start().await;
    let path = world.config().cache_path;
    std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
    let portal = world.portal();
    assert!(portal.home().await.unwrap().customer.is_none());
    let code = world.invite().await;
    portal.accept_invitation(&code, "62701").await.unwrap();
    assert!(
        portal.home().await.unwrap().customer.is_some(),
        "the rebuilt cache works"
    );
    let aside: Vec<_> = std::fs::read_dir(world.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().contains("corrupt-"))
        .collect();
    assert!(aside.is_empty(), "the broken copy is deleted: {aside:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "owner-only");
    }
}

#[tokio::test]
async fn one_customers_data_is_never_shown_to_another() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    assert_eq!(
        portal.home().await.unwrap().customer.unwrap().name,
        "Jane Doe"
    );
    // Omar signs in on the same device (without Jane signing out first).
    let code = world
        .invite_customer("100-200-301", "omar.haddad@example.com")
        .await;
    let home = portal.accept_invitation(&code, "97201").await.unwrap();
    assert_eq!(home.customer.unwrap().name, "Omar Haddad");
    let bills = home.bills;
    assert!(
        bills.iter().all(|b| b.id.contains("100200301")),
        "only Omar's bills: {bills:?}"
    );
}

#[tokio::test]
async fn wrong_input_comes_back_as_the_backends_message() {
    let world = World::start().await;
    let portal = world.portal();
    let code = world.invite().await;
    let error = portal.accept_invitation(&code, "00000").await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::WrongPostcode);
    assert!(error.to_string().contains("postcode does not match"));
    assert!(!portal.is_signed_in().await.unwrap());
    for _ in 0..4 {
        let _ = portal.accept_invitation(&code, "00000").await;
    }
    let limited = portal.accept_invitation(&code, "62701").await.unwrap_err();
    assert!(
        matches!(limited, portal_core::CoreError::RateLimited { retry_after, .. } if retry_after > 0)
    );
}

#[tokio::test]
async fn a_session_the_backend_revoked_ends_here_with_a_message_and_no_retries() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    portal.refresh().await.unwrap();
    // Revoked on the server (e.g. signed out on another device or by support).
    let refresh_token = world
        .credentials()
        .get(portal_core::credentials::names::REFRESH_TOKEN)
        .unwrap()
        .unwrap();
    let revoked = reqwest::Client::new()
        .post(format!("{}/v1/auth/signout", world.server.base_url()))
        .json(&serde_json::json!({"refresh_token": refresh_token}))
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());

    let view = portal.refresh().await.unwrap();
    assert_eq!(view.problem.unwrap().code, ErrorCode::Unauthorized);
    assert!(!view.signed_in && view.customer.is_none());
    assert_nothing_left(&world, &portal).await;
    // Nothing is retried with the dead session: the next refresh just finds nobody signed in.
    let again = portal.refresh().await.unwrap();
    assert!(again.problem.is_none() && !again.signed_in);
}
