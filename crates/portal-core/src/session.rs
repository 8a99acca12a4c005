//! The API session: a short-lived access token in memory and a rotating refresh token in the OS
//! credential store.
//!
//! Exactly one refresh runs at a time: the access token sits behind an async mutex, and whoever
//! finds it expired refreshes while holding it; everyone else waits and then uses the new token.
//! A request the backend answers with `token_expired` (its clock is ahead of ours) refreshes the
//! same way, unless another caller already did. A refresh token the backend refuses — reused,
//! revoked, expired — ends the session on this device.

use crate::credentials::{Credentials, names};
use crate::{ApiClient, CoreError};
use portal_api::ErrorCode;
use portal_api::v1::SessionTokens;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Refresh this long before the access token's stated expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// The longest an access token is trusted here, whatever the backend says: a day.
const MAX_ACCESS_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Until when an access token issued at `now` for `expires_in` seconds is used, refreshing a
/// little before it expires. A lifetime the backend overstates (up to `u64::MAX`) is capped,
/// never an overflow.
fn valid_until(now: Instant, expires_in: u64) -> Instant {
    let lifetime = Duration::from_secs(expires_in)
        .min(MAX_ACCESS_LIFETIME)
        .saturating_sub(EXPIRY_MARGIN);
    now.checked_add(lifetime).unwrap_or(now)
}

struct AccessToken {
    token: String,
    valid_until: Instant,
}

/// The signed-in session of this device.
pub struct Session {
    api: ApiClient,
    credentials: Credentials,
    access: Mutex<Option<AccessToken>>,
    refreshes: AtomicU64,
}

/// Runs a blocking credential-store call off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| CoreError::CredentialStore {
            detail: error.to_string(),
        })?
}

impl Session {
    /// A session over `api`, keeping its refresh token in `credentials`.
    pub fn new(api: ApiClient, credentials: Credentials) -> Self {
        Self {
            api,
            credentials,
            access: Mutex::new(None),
            refreshes: AtomicU64::new(0),
        }
    }

    /// How many refreshes this session has made (for tests and logs).
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Whether a refresh token is stored (a restart resumes from it).
    pub async fn has_refresh_token(&self) -> Result<bool, CoreError> {
        let credentials = self.credentials.clone();
        blocking(move || credentials.get(names::REFRESH_TOKEN))
            .await
            .map(|token| token.is_some())
    }

    /// Starts a session from freshly issued tokens.
    pub async fn start(&self, tokens: SessionTokens) -> Result<(), CoreError> {
        let mut access = self.access.lock().await;
        self.keep(&mut access, tokens).await
    }

    /// Replaces the session with new tokens of the same person (an account added to their
    /// sign-in) and revokes the one it replaces (best effort).
    pub async fn replace(&self, tokens: SessionTokens) -> Result<(), CoreError> {
        let mut access = self.access.lock().await;
        let credentials = self.credentials.clone();
        let replaced = blocking(move || credentials.get(names::REFRESH_TOKEN)).await?;
        self.keep(&mut access, tokens).await?;
        if let Some(replaced) = replaced
            && let Err(error) = self.api.sign_out(&replaced).await
        {
            tracing::warn!("could not revoke the replaced session: {}", error.code());
        }
        Ok(())
    }

    async fn keep(
        &self,
        access: &mut Option<AccessToken>,
        tokens: SessionTokens,
    ) -> Result<(), CoreError> {
        let credentials = self.credentials.clone();
        let refresh = tokens.refresh_token.clone();
        blocking(move || credentials.set(names::REFRESH_TOKEN, &refresh)).await?;
        *access = Some(AccessToken {
            valid_until: valid_until(Instant::now(), tokens.expires_in),
            token: tokens.access_token,
        });
        Ok(())
    }

    /// A valid access token, refreshing once if needed. `rejected` is a token the backend just
    /// refused as expired: it is replaced even if it looks valid here.
    async fn token(&self, rejected: Option<&str>) -> Result<String, CoreError> {
        let mut access = self.access.lock().await;
        if let Some(current) = access.as_ref()
            && current.valid_until > Instant::now()
            && Some(current.token.as_str()) != rejected
        {
            return Ok(current.token.clone());
        }
        let credentials = self.credentials.clone();
        let Some(refresh_token) = blocking(move || credentials.get(names::REFRESH_TOKEN)).await?
        else {
            *access = None;
            return Err(CoreError::NotSignedIn);
        };
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        match self.api.refresh(&refresh_token).await {
            Ok(tokens) => {
                let token = tokens.access_token.clone();
                self.keep(&mut access, tokens).await?;
                Ok(token)
            }
            Err(error @ CoreError::Unauthorized { .. }) => {
                tracing::warn!("the backend ended the session; signing out on this device");
                *access = None;
                let credentials = self.credentials.clone();
                blocking(move || credentials.delete(names::REFRESH_TOKEN)).await?;
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    /// Runs an authenticated request; if the backend says the token expired, refreshes (once,
    /// shared with concurrent callers) and runs it again.
    pub async fn call<T, F, Fut>(&self, request: F) -> Result<T, CoreError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CoreError>>,
    {
        let token = self.token(None).await?;
        match request(token.clone()).await {
            Err(CoreError::Api(body)) if body.code == ErrorCode::TokenExpired => {
                let renewed = self.token(Some(&token)).await?;
                request(renewed).await
            }
            other => other,
        }
    }

    /// Forgets a session the backend ended (revoked, signed out elsewhere): the tokens leave this
    /// device, so nothing retries with them.
    pub async fn forget(&self) -> Result<(), CoreError> {
        *self.access.lock().await = None;
        let credentials = self.credentials.clone();
        blocking(move || credentials.delete(names::REFRESH_TOKEN)).await
    }

    /// Ends the session: revokes it on the backend (best effort: offline still signs out here)
    /// and deletes the tokens from this device.
    pub async fn end(&self) -> Result<(), CoreError> {
        let mut access = self.access.lock().await;
        *access = None;
        let credentials = self.credentials.clone();
        let refresh = blocking(move || credentials.get(names::REFRESH_TOKEN)).await?;
        if let Some(refresh) = refresh
            && let Err(error) = self.api.sign_out(&refresh).await
        {
            tracing::warn!(
                "could not revoke the session on the backend: {}",
                error.code()
            );
        }
        let credentials = self.credentials.clone();
        blocking(move || {
            credentials.delete(names::REFRESH_TOKEN)?;
            credentials.delete(names::PKCE_VERIFIER)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_expiry_the_backend_sends_is_a_usable_deadline() {
        let now = Instant::now();
        assert_eq!(valid_until(now, 0), now);
        assert_eq!(
            valid_until(now, 10),
            now,
            "shorter than the margin: refresh at once"
        );
        assert_eq!(valid_until(now, 900), now + Duration::from_secs(870));
        assert_eq!(
            valid_until(now, u64::MAX),
            now + MAX_ACCESS_LIFETIME - EXPIRY_MARGIN
        );
    }
}
