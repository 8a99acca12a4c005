//! With no Secret Service reachable, the core says so with a typed error; it never falls back to
//! keeping the session in memory. Linux only: the missing store is made by pointing the child at
//! a session bus that does not exist.
#![cfg(target_os = "linux")]
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
        cached_data_shows_and_the_missing_store_is_explained();
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

/// In the child without a bus: a device whose cache holds a customer opens, shows the cached
/// bills, and says what is missing instead of loading for ever.
fn cached_data_shows_and_the_missing_store_is_explained() {
    let folder = tempfile::tempdir().unwrap();
    let config = portal_core::PortalConfig {
        backend: portal_core::BackendUrl::parse("http://127.0.0.1:9").unwrap(),
        cache_path: folder.path().join("cache.sqlite3"),
        credential_service: "com.enerpro.portal.test.nobus".into(),
        timeouts: portal_core::api::Timeouts::default(),
    };
    {
        let mut cache = portal_core::cache::Cache::open(&config.cache_path).unwrap();
        let jane = portal_api::v1::Customer {
            name: "Jane Doe".into(),
            account_number: "100-200-300".into(),
            service_address: "1 Main St".into(),
            email: "jane.doe@example.com".into(),
        };
        cache.claim(std::slice::from_ref(&jane)).unwrap();
        cache.store_accounts(&[jane]).unwrap();
        cache
            .store_bills(
                "100-200-300",
                &[portal_api::v1::Bill {
                    id: "bill_1".into(),
                    period: portal_api::v1::Period {
                        start: "2026-10-01".into(),
                        end: "2026-10-31".into(),
                    },
                    issue_date: "2026-11-01".into(),
                    due_date: "2026-11-21".into(),
                    amount: portal_api::v1::Money {
                        amount_minor: 9275,
                        currency: "USD".into(),
                    },
                    status: portal_api::v1::BillStatus::Outstanding,
                }],
            )
            .unwrap();
    }
    let portal = portal_core::Portal::open(&config).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let view = runtime.block_on(portal.refresh()).unwrap();
    assert_eq!(view.bills.len(), 1, "the cached bills still show");
    assert_eq!(view.customer.unwrap().name, "Jane Doe");
    let problem = view.problem.expect("the missing store is explained");
    assert!(
        matches!(
            problem.code,
            ErrorCode::CredentialStoreMissing | ErrorCode::CredentialStoreFailed
        ),
        "{problem:?}"
    );
    assert!(!view.offline, "not mistaken for being offline");
}
