//! With no Secret Service reachable, the core says so with a typed error; it never falls back to
//! keeping the session in memory.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_api::ErrorCode;

/// Set in the child process that runs without a session bus.
const CHILD: &str = "ENERPRO_TEST_NO_BUS_CHILD";

/// Runs the check in a child process of this test binary whose session bus does not exist (the
/// environment is the child's own; this process's is never changed).
#[test]
fn no_credential_store_is_a_typed_error() {
    if std::env::var_os(CHILD).is_some() {
        check_without_a_bus();
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_credential_store_is_a_typed_error",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/enerpro-no-bus",
        )
        .status()
        .unwrap();
    assert!(status.success(), "the check without a bus failed");
}

fn check_without_a_bus() {
    let credentials =
        portal_core::credentials::Credentials::platform("com.enerpro.portal.test.nobus");
    let error = credentials
        .set(portal_core::credentials::names::REFRESH_TOKEN, "secret")
        .expect_err("no store, no silent fallback");
    assert!(
        matches!(
            error.code(),
            ErrorCode::CredentialStoreMissing | ErrorCode::CredentialStoreFailed
        ),
        "{error}"
    );
    assert!(
        error.to_body().message.contains("keyring"),
        "the customer is told what is missing: {:?}",
        error.to_body()
    );
}
