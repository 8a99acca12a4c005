//! The state every handler shares, and the request extractors built on it: JSON bodies with
//! clear errors, the signed-in customer, the admin.

use crate::clock::Clock;
use crate::error::{ApiResult, ServerError};
use crate::limits::RateLimiter;
use crate::secrets::hash_secret;
use crate::store::{AccessTokenState, Store};
use crate::stripe::StripeClient;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use portal_api::ErrorCode;
use portal_api::v1::ACCOUNT_HEADER;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Settings that do not change while the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's public base URL (return pages are under it), no trailing slash.
    pub public_url: String,
    /// The host of the claimed `https://HOST/app/…` links.
    pub portal_host: String,
    /// SHA-256 of the admin key.
    pub admin_key_hash: String,
    /// The reverse proxy whose `X-Forwarded-For` names the client (see [`ClientAddress`]).
    pub trusted_proxy: Option<IpAddr>,
    /// How many days before an automatic payment the customer is told it is coming.
    pub autopay_notice_days: u32,
}

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    /// The clock (adjustable in tests).
    pub clock: Arc<Clock>,
    /// The payment provider.
    pub stripe: StripeClient,
    /// Failed-attempt and request limits.
    pub limiter: Arc<RateLimiter>,
    /// Fixed settings.
    pub settings: Arc<Settings>,
}

impl AppState {
    /// Creates the state.
    pub fn new(store: Store, clock: Arc<Clock>, stripe: StripeClient, settings: Settings) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            clock,
            stripe,
            limiter: Arc::new(RateLimiter::default()),
            settings: Arc::new(settings),
        }
    }

    /// Runs `work` on the database, on tokio's blocking pool.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(|error| ServerError::DatabaseOpen {
            path: "(in use)".into(),
            reason: error.to_string(),
        })?
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// A JSON body whose problems (malformed, wrong types, too large, not JSON) are answered as
/// [`ServerError`]s with the API's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ServerError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ServerError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(_) => Self::bad_request(
                ErrorCode::MalformedJson,
                "The request body is not valid JSON.",
            ),
            JsonRejection::JsonDataError(error) => Self::bad_request(
                ErrorCode::InvalidBody,
                format!(
                    "The request body has the wrong shape: {}",
                    error.body_text()
                ),
            ),
            JsonRejection::MissingJsonContentType(_) => Self::bad_request(
                ErrorCode::ExpectedJson,
                "Send the request body as JSON (Content-Type: application/json).",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            other => Self::bad_request(ErrorCode::InvalidBody, other.body_text()),
        }
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// The account a signed-in request is about (from `Authorization: Bearer <access token>`, and
/// `X-Account: <account number>` among the person's accounts; the session's own account
/// without it). Every read and payment is scoped by it, so a person reaches only what they hold.
pub struct SignedIn(pub i64);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        Person::from_request_parts(parts, state)
            .await
            .map(|person| SignedIn(person.account))
    }
}

/// The signed-in person: their email and the account the request is about (see [`SignedIn`]).
pub struct Person {
    /// The person.
    pub email: String,
    /// The account in scope.
    pub account: i64,
}

impl FromRequestParts<AppState> for Person {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Some(token) = bearer(&parts.headers).map(str::to_owned) else {
            return Err(ServerError::Unauthorized {
                code: ErrorCode::MissingToken,
                message: "Sign in to continue.",
            });
        };
        let chosen = parts
            .headers
            .get(ACCOUNT_HEADER)
            .map(|value| value.to_str().map(|text| text.trim().to_owned()));
        let now = state.now();
        state
            .db(move |store| {
                let (session_account, email) = match store.access_token_state(&token, now)? {
                    AccessTokenState::Valid { account, email } => (account, email),
                    AccessTokenState::Expired => {
                        return Err(ServerError::Unauthorized {
                            code: ErrorCode::TokenExpired,
                            message: "Your session needs renewing. The app does this by itself.",
                        });
                    }
                    AccessTokenState::Revoked => {
                        return Err(ServerError::Unauthorized {
                            code: ErrorCode::SessionEnded,
                            message: "Your session has ended. Sign in again.",
                        });
                    }
                    AccessTokenState::Unknown => {
                        return Err(ServerError::Unauthorized {
                            code: ErrorCode::InvalidToken,
                            message: "Your session is not valid. Sign in again.",
                        });
                    }
                };
                let not_held = || ServerError::NotFound {
                    what: "The account",
                };
                let account = match chosen {
                    Some(Ok(number)) => {
                        let record = store.customer_by_account(&number)?.ok_or_else(not_held)?;
                        if !store.holds(&email, record.id)? {
                            return Err(not_held());
                        }
                        record.id
                    }
                    Some(Err(_)) => return Err(not_held()),
                    None if store.holds(&email, session_account)? => session_account,
                    // The session's account was taken away: another of theirs, if any.
                    None => match store.held_accounts(&email)?.first() {
                        Some(record) => record.id,
                        None => {
                            return Err(ServerError::Unauthorized {
                                code: ErrorCode::SessionEnded,
                                message: "You no longer hold an account here. Sign in again.",
                            });
                        }
                    },
                };
                Ok(Person { email, account })
            })
            .await
    }
}

/// Support staff (from `Authorization: Bearer <admin key>`).
pub struct Admin;

impl<S: Send + Sync> FromRequestParts<S> for Admin
where
    AppState: FromRef<S>,
{
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let state = AppState::from_ref(state);
        match bearer(&parts.headers) {
            Some(key) if hash_secret(key) == state.settings.admin_key_hash => Ok(Admin),
            _ => Err(ServerError::Unauthorized {
                code: ErrorCode::InvalidAdminKey,
                message: "This needs the sandbox's admin key.",
            }),
        }
    }
}

/// The client's address, for rate limits: the connection's peer, or — only when the peer is the
/// configured trusted proxy — the last address that proxy appended to `X-Forwarded-For`. From
/// any other peer the header is ignored, so a client cannot pick its own address.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip())
            .ok_or_else(|| {
                ServerError::bad_request(ErrorCode::InvalidBody, "No client address is known.")
            })?;
        if state.settings.trusted_proxy != Some(peer) {
            return Ok(Self(peer));
        }
        Ok(Self(forwarded_client(&parts.headers).unwrap_or(peer)))
    }
}

/// The language the app speaks, from its `Accept-Language` (the first language the portal
/// speaks among those listed); none when it lists none.
pub struct AppLanguage(pub Option<portal_api::Language>);

impl<S: Send + Sync> FromRequestParts<S> for AppLanguage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let listed = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Ok(Self(listed.split(',').find_map(|entry| {
            let tag = entry.split(';').next().unwrap_or_default().trim();
            portal_api::Language::from_locale(tag)
        })))
    }
}

/// The address the nearest proxy appended: the last valid entry of the last `X-Forwarded-For`.
fn forwarded_client(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn the_proxy_appended_address_is_the_last_one() {
        let mut headers = HeaderMap::new();
        assert_eq!(forwarded_client(&headers), None);
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 10.0.0.7"),
        );
        assert_eq!(forwarded_client(&headers), "10.0.0.7".parse().ok());
        headers.append("x-forwarded-for", HeaderValue::from_static("2001:db8::1"));
        assert_eq!(forwarded_client(&headers), "2001:db8::1".parse().ok());
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(forwarded_client(&headers), None);
    }
}
