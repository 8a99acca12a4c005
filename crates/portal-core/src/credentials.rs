//! The refresh token's home: the OS credential store, through `keyring-core` and one store crate
//! per platform — Secret Service over D-Bus (zbus, pure Rust) on Linux, Keychain on macOS/iOS,
//! Credential Manager on Windows, the Android Keystore-backed store on Android.
//!
//! Why not the `keyring` crate itself: keyring 4 is a thin layer over these crates whose docs
//! advise apps to depend on them directly, and keyring 3 without features silently falls back to
//! an in-memory mock that loses the session. Here there is no fallback: a missing or locked
//! store is a typed error ([`CoreError::CredentialStoreMissing`],
//! [`CoreError::CredentialStoreLocked`]) that the app shows.
//!
//! All calls block (D-Bus round trips), so async callers go through `spawn_blocking`. The store
//! is connected on first use, not when the core opens: showing a signed-in customer's cached
//! bills needs no secret, so the connection stays out of the app's start.

use crate::CoreError;
use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use std::sync::{Arc, OnceLock};

/// The names of the secrets the app keeps.
pub mod names {
    /// The rotating refresh token of the session.
    pub const REFRESH_TOKEN: &str = "refresh-token";
    /// The PKCE verifier of a sign-in link that has not come back yet.
    pub const PKCE_VERIFIER: &str = "pkce-verifier";
    /// Written and deleted again to learn whether the store takes writes.
    pub const WRITE_CHECK: &str = "write-check";
}

/// The app's secrets in the OS credential store, under one service name (the app identifier).
///
/// A device without a usable store still gets a `Credentials`: every call then answers why
/// there is none, so the app can show its cached data and say what is missing.
#[derive(Clone)]
pub struct Credentials {
    store: Arc<OnceLock<Result<Arc<CredentialStore>, CoreError>>>,
    service: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Connects to this platform's credential store; `service` separates apps (and dev builds).
    /// Blocks (a D-Bus connection on Linux): call it off the UI thread.
    pub fn platform(service: &str) -> Self {
        Self {
            store: Arc::new(OnceLock::new()),
            service: service.to_owned(),
        }
    }

    /// The app's secrets in a given store (another platform store, or a wrapper around one).
    pub fn with_store(service: &str, store: Arc<CredentialStore>) -> Self {
        Self {
            store: Arc::new(OnceLock::from(Ok(store))),
            service: service.to_owned(),
        }
    }

    /// The store, connected on first use (a blocking D-Bus connection on Linux).
    fn store(&self) -> Result<&Arc<CredentialStore>, CoreError> {
        self.store
            .get_or_init(|| {
                let connected = platform_store();
                if let Err(error) = &connected {
                    tracing::warn!("no usable credential store: {error}");
                }
                connected
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Writes a throwaway secret and deletes it: whether a session could be kept here now.
    /// Blocks; checked before a one-time code is spent.
    pub fn check_writable(&self) -> Result<(), CoreError> {
        self.set(names::WRITE_CHECK, "writable")?;
        self.delete(names::WRITE_CHECK)
    }

    fn entry(&self, name: &str) -> Result<Entry, CoreError> {
        self.store()?
            .build(&self.service, name, None)
            .map_err(map_error)
    }

    /// Reads a secret; `None` when there is none.
    pub fn get(&self, name: &str) -> Result<Option<String>, CoreError> {
        match self.entry(name)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(error) => Err(map_error(error)),
        }
    }

    /// Writes (or replaces) a secret.
    pub fn set(&self, name: &str, secret: &str) -> Result<(), CoreError> {
        self.entry(name)?.set_password(secret).map_err(map_error)
    }

    /// Deletes a secret; deleting one that is absent is fine.
    pub fn delete(&self, name: &str) -> Result<(), CoreError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(map_error(error)),
        }
    }
}

fn map_error(error: KeyringError) -> CoreError {
    match error {
        KeyringError::NoStorageAccess(_) => CoreError::CredentialStoreLocked,
        KeyringError::NoDefaultStore => CoreError::CredentialStoreMissing {
            detail: "no store configured".into(),
        },
        other => CoreError::CredentialStore {
            detail: other.to_string(),
        },
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, CoreError> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|error| {
        CoreError::CredentialStoreMissing {
            detail: format!("Secret Service: {error}"),
        }
    })?;
    Ok(store)
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn platform_store() -> Result<Arc<CredentialStore>, CoreError> {
    apple_native_keyring_store::keychain::Store::new().map_err(|error| {
        CoreError::CredentialStoreMissing {
            detail: format!("Keychain: {error}"),
        }
    })
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, CoreError> {
    windows_native_keyring_store::Store::new().map_err(|error| CoreError::CredentialStoreMissing {
        detail: format!("Credential Manager: {error}"),
    })
}

#[cfg(target_os = "android")]
fn platform_store() -> Result<Arc<CredentialStore>, CoreError> {
    let store = android_native_keyring_store::Store::new().map_err(|error| {
        CoreError::CredentialStoreMissing {
            detail: format!("Android Keystore: {error}"),
        }
    })?;
    Ok(store)
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows",
    target_os = "android"
)))]
fn platform_store() -> Result<Arc<CredentialStore>, CoreError> {
    Err(CoreError::CredentialStoreMissing {
        detail: "this platform's store is not wired in yet".into(),
    })
}
