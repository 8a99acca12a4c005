//! With no Secret Service reachable, the core says so with a typed error; it never falls back to
//! keeping the session in memory.

#[test]
fn no_credential_store_is_a_typed_error() {
    // SAFETY: this test binary has this one test, and it sets the variable before any other
    // thread exists.
    unsafe {
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/enerpro-no-bus",
        );
    }
    let outcome = portal_core::credentials::Credentials::platform("com.enerpro.portal.test.nobus")
        .and_then(|credentials| {
            credentials.set(portal_core::credentials::names::REFRESH_TOKEN, "secret")
        });
    let error = outcome.expect_err("no store, no silent fallback");
    assert!(
        matches!(
            error.code(),
            "credential_store_missing" | "credential_store_failed"
        ),
        "{}: {error}",
        error.code()
    );
    assert!(error.to_string().contains("credential store"), "{error}");
}
