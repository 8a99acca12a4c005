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
    // Jane's session is gone from this device but her data is still cached (the credential
    // store lost it), and Omar signs in here with his own invitation. (Opened while Jane's
    // session lives, an invitation adds its account to her sign-in: `accounts.rs`.)
    world
        .credentials()
        .delete(portal_core::credentials::names::REFRESH_TOKEN)
        .unwrap();
    drop(portal);
    let portal = world.portal();
    let code = world
        .invite_customer("100-200-301", "omar.haddad@example.com")
        .await;
    let home = portal.accept_invitation(&code, "97201").await.unwrap();
    assert_eq!(home.accounts.len(), 1, "only Omar's account");
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
    for left in (1..=4).rev() {
        let error = portal.accept_invitation(&code, "00000").await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::WrongPostcode);
        assert!(error.to_string().contains("postcode does not match"));
        let said = error.to_body();
        assert_eq!(said.attempts_left, Some(left));
        assert!(said.message.contains("attempt"), "{}", said.message);
        assert!(!portal.is_signed_in().await.unwrap());
    }
    let spent = portal.accept_invitation(&code, "00001").await.unwrap_err();
    assert_eq!(spent.code(), ErrorCode::InvitationLocked);
    let spent = portal.accept_invitation(&code, "62701").await.unwrap_err();
    assert_eq!(spent.code(), ErrorCode::InvitationLocked);
    assert!(spent.to_body().message.contains("new invitation"));
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

/// A credential store that reads and deletes through the real one but refuses every write, as
/// a locked keychain or a full disk would.
mod refusing {
    use keyring_core::api::{CredentialApi, CredentialStoreApi};
    use keyring_core::{Credential, CredentialStore, Entry, Error, Result};
    use std::any::Any;
    use std::collections::HashMap;
    use std::sync::Arc;

    pub struct RefusesWrites(pub Arc<CredentialStore>);
    struct RefusingEntry(Entry);

    impl CredentialStoreApi for RefusesWrites {
        fn vendor(&self) -> String {
            "refuses writes".into()
        }
        fn id(&self) -> String {
            "refuses-writes".into()
        }
        fn build(
            &self,
            service: &str,
            user: &str,
            modifiers: Option<&HashMap<&str, &str>>,
        ) -> Result<Entry> {
            let real = self.0.build(service, user, modifiers)?;
            Ok(Entry::new_with_credential(Arc::new(RefusingEntry(real))))
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    impl CredentialApi for RefusingEntry {
        fn set_secret(&self, _: &[u8]) -> Result<()> {
            Err(Error::NoStorageAccess("the store refuses writes".into()))
        }
        fn get_secret(&self) -> Result<Vec<u8>> {
            self.0.get_secret()
        }
        fn delete_credential(&self) -> Result<()> {
            self.0.delete_credential()
        }
        fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
            Ok(None)
        }
        fn get_specifiers(&self) -> Option<(String, String)> {
            self.0.get_specifiers()
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_credential_store_that_refuses_writes_does_not_spend_the_invitation() {
    let world = World::start().await;
    let real = zbus_secret_service_keyring_store::Store::new().unwrap();
    let refusing = portal_core::credentials::Credentials::with_store(
        &world.service,
        Arc::new(refusing::RefusesWrites(real)),
    );
    let portal = portal_core::Portal::open_with(&world.config(), refusing).unwrap();
    let code = world.invite().await;
    let error = portal
        .accept_invitation(&code, common::JANE.2)
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::CredentialStoreLocked);
    assert!(!portal.is_signed_in().await.unwrap());

    // Once the store takes writes again, the same invitation still works.
    let portal = world.portal();
    let home = portal
        .accept_invitation(&code, common::JANE.2)
        .await
        .unwrap();
    assert!(home.signed_in);
}

/// A proxy in front of the server that, while `drop_answers` is set, passes every request on
/// but closes the connection instead of passing on the answer to a refresh: the server rotated
/// the tokens, the app never hears of it.
async fn lossy_proxy(
    backend: std::net::SocketAddr,
    drop_answers: Arc<std::sync::atomic::AtomicBool>,
) -> String {
    use std::sync::atomic::Ordering::SeqCst;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let drop_answers = drop_answers.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let refresh_asked = std::sync::atomic::AtomicBool::new(false);
                let (mut client_read, mut client_write) = client.split();
                let (mut server_read, mut server_write) = server.split();
                let requests = async {
                    let mut buffer = vec![0u8; 16 * 1024];
                    while let Ok(read @ 1..) = client_read.read(&mut buffer).await {
                        let chunk = &buffer[..read];
                        if chunk.starts_with(b"POST ") || chunk.starts_with(b"GET ") {
                            refresh_asked
                                .store(chunk.starts_with(b"POST /v1/auth/refresh "), SeqCst);
                        }
                        if server_write.write_all(chunk).await.is_err() {
                            break;
                        }
                    }
                };
                let answers = async {
                    let mut buffer = vec![0u8; 16 * 1024];
                    while let Ok(read @ 1..) = server_read.read(&mut buffer).await {
                        if drop_answers.load(SeqCst) && refresh_asked.load(SeqCst) {
                            break;
                        }
                        if client_write.write_all(&buffer[..read]).await.is_err() {
                            break;
                        }
                    }
                };
                tokio::select! {
                    () = requests => {}
                    () = answers => {}
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_lost_refresh_answer_does_not_sign_the_customer_out() {
    let world = World::start().await;
    let drop_answers = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let proxy = lossy_proxy(world.server.address(), drop_answers.clone()).await;
    let portal = portal_core::Portal::open(&world.config_for(&proxy)).unwrap();
    let code = world.invite().await;
    portal
        .accept_invitation(&code, common::JANE.2)
        .await
        .unwrap();
    let refreshes = portal.session().refresh_count();

    // The access token expires; the refresh reaches the server, its answer is lost.
    world.server.advance_clock(16 * 60);
    drop_answers.store(true, std::sync::atomic::Ordering::SeqCst);
    let lost = portal.refresh().await.unwrap();
    assert!(
        lost.offline,
        "the lost answer reads as a connection problem"
    );
    assert!(lost.signed_in);
    assert!(
        portal.session().refresh_count() > refreshes,
        "a refresh was sent"
    );

    // The connection is back: the old refresh token is replayed within the grace, and works.
    drop_answers.store(false, std::sync::atomic::Ordering::SeqCst);
    world.server.advance_clock(5);
    let back = portal.refresh().await.unwrap();
    assert!(back.problem.is_none(), "{:?}", back.problem);
    assert!(back.signed_in && back.customer.is_some());
    assert!(portal.is_signed_in().await.unwrap());
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_new_refresh_token_the_store_could_not_keep_does_not_sign_the_customer_out() {
    let world = World::start().await;
    world.signed_in().await;
    world.server.advance_clock(16 * 60);
    // The app starts again; this time the store refuses to keep the rotated token.
    let real = zbus_secret_service_keyring_store::Store::new().unwrap();
    let refusing = portal_core::credentials::Credentials::with_store(
        &world.service,
        Arc::new(refusing::RefusesWrites(real)),
    );
    let portal = portal_core::Portal::open_with(&world.config(), refusing).unwrap();
    let view = portal.refresh().await.unwrap();
    assert_eq!(
        view.problem.map(|problem| problem.code),
        Some(ErrorCode::CredentialStoreLocked)
    );
    drop(portal);

    // The store works again: the old token is replayed within the grace and the session goes on.
    world.server.advance_clock(5);
    let portal = world.portal();
    let view = portal.refresh().await.unwrap();
    assert!(view.problem.is_none(), "{:?}", view.problem);
    assert!(view.signed_in && view.customer.is_some());
}
