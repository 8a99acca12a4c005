//! The HTTP client for the backend's `/v1` API.
//!
//! One reqwest client (rustls) with connect and overall timeouts. Requests that are safe to
//! repeat — reads, and payment creation, which carries its idempotency key — are retried on
//! transport errors and 5xx with jittered exponential backoff; nothing else is. Every failure is
//! a [`CoreError`] that says whether it was the network, the server, the session or the input.

use crate::{BackendUrl, CoreError};
use portal_api::ErrorBody;
use portal_api::v1::{
    ACCOUNT_HEADER, AccountList, AutopaySettings, BillDetail, BillList, CardSetup, ChooseAutopay,
    CreatePaymentRequest, ExchangeRequest, HEALTH_PATH, HealthResponse, IDEMPOTENCY_HEADER,
    InvitationPreview, NotificationList, NotificationPreferences, Payment, PaymentList,
    PreviewInvitationRequest, ReadingsView, ReceiptList, RedeemInvitationRequest, RefreshRequest,
    SessionTokens, SignInAccepted, SignInRequest, SignOutRequest,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Timeouts of the client.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connecting (TCP and TLS).
    pub connect: Duration,
    /// A whole request.
    pub request: Duration,
    /// Creating a payment: the backend may spend its whole provider budget on it.
    pub create_payment: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
            create_payment: Duration::from_secs(portal_api::v1::CREATE_PAYMENT_TIMEOUT_SECS),
        }
    }
}

/// How many times a repeatable request is retried after the first attempt.
const RETRIES: u32 = 2;
/// The first backoff; doubled each retry, plus up to 50% jitter.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// A client for one backend. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    backend: BackendUrl,
    create_payment_timeout: Duration,
    /// The language the app speaks, sent as `Accept-Language` (the backend's mails and the
    /// checkout follow it); shared by the clones of this client.
    language: std::sync::Arc<std::sync::Mutex<portal_api::Language>>,
    /// The account the requests are about (`X-Account`); `None`: the session's own.
    account: Option<String>,
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Safe,
    Never,
}

impl ApiClient {
    /// Creates a client for `backend` with the default timeouts.
    pub fn new(backend: BackendUrl) -> Result<Self, CoreError> {
        Self::with_timeouts(backend, Timeouts::default())
    }

    /// Creates a client for `backend` with rustls (ring) for TLS and the given timeouts.
    pub fn with_timeouts(backend: BackendUrl, timeouts: Timeouts) -> Result<Self, CoreError> {
        // Installing fails only when a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("enerpro-portal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| CoreError::InvalidBackendUrl {
                reason: format!("the HTTP client could not start: {error}"),
            })?;
        Ok(Self {
            http,
            backend,
            create_payment_timeout: timeouts.create_payment,
            language: Default::default(),
            account: None,
        })
    }

    /// This client for requests about `account` (one of the signed-in person's), sharing the
    /// connection pool and the language.
    pub fn in_account(&self, account: Option<&str>) -> Self {
        Self {
            account: account.map(str::to_owned),
            ..self.clone()
        }
    }

    /// Speaks `language` to the backend from now on.
    pub fn set_language(&self, language: portal_api::Language) {
        *self
            .language
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = language;
    }

    /// The backend this client talks to.
    pub fn backend(&self) -> &BackendUrl {
        &self.backend
    }

    /// `GET /v1/health`
    pub async fn health(&self) -> Result<HealthResponse, CoreError> {
        self.get(HEALTH_PATH, None).await
    }

    /// `GET /v1/invitations/{code}`
    pub async fn preview_invitation(&self, code: &str) -> Result<InvitationPreview, CoreError> {
        let request = PreviewInvitationRequest {
            code: code.to_owned(),
        };
        self.post(
            "/v1/invitations/preview",
            None,
            Some(&request),
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/invitations/redeem`
    ///
    /// With the access token of someone signed in (`token`), the invitation's account joins
    /// that person's sign-in; the answer is a new session of theirs.
    pub async fn redeem_invitation(
        &self,
        token: Option<&str>,
        request: &RedeemInvitationRequest,
    ) -> Result<SessionTokens, CoreError> {
        self.post(
            "/v1/invitations/redeem",
            token,
            Some(request),
            Repeat::Never,
        )
        .await
    }

    /// `POST /v1/auth/signin`
    pub async fn request_signin(
        &self,
        request: &SignInRequest,
    ) -> Result<SignInAccepted, CoreError> {
        self.post("/v1/auth/signin", None, Some(request), Repeat::Never)
            .await
    }

    /// `POST /v1/auth/exchange`
    pub async fn exchange_signin(
        &self,
        request: &ExchangeRequest,
    ) -> Result<SessionTokens, CoreError> {
        self.post("/v1/auth/exchange", None, Some(request), Repeat::Never)
            .await
    }

    /// `POST /v1/auth/refresh`
    pub async fn refresh(&self, refresh_token: &str) -> Result<SessionTokens, CoreError> {
        let request = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        self.post("/v1/auth/refresh", None, Some(&request), Repeat::Never)
            .await
    }

    /// `POST /v1/auth/signout`
    pub async fn sign_out(&self, refresh_token: &str) -> Result<(), CoreError> {
        let request = SignOutRequest {
            refresh_token: refresh_token.to_owned(),
        };
        self.send_empty(Method::POST, "/v1/auth/signout", None, Some(&request))
            .await
    }

    /// `GET /v1/accounts`: every account the signed-in person holds, oldest first.
    pub async fn accounts(&self, token: &str) -> Result<AccountList, CoreError> {
        self.get("/v1/accounts", Some(token)).await
    }

    /// `GET /v1/bills?status=outstanding`
    pub async fn outstanding_bills(&self, token: &str) -> Result<BillList, CoreError> {
        self.get("/v1/bills?status=outstanding", Some(token)).await
    }

    /// `POST /v1/payments` with an idempotency key (so it is safe to retry).
    pub async fn create_payment(
        &self,
        token: &str,
        key: &str,
        bill_ids: &[String],
    ) -> Result<Payment, CoreError> {
        let request = CreatePaymentRequest {
            bill_ids: bill_ids.to_vec(),
        };
        self.send(
            Method::POST,
            "/v1/payments",
            Some(token),
            Some(&request),
            Some(key),
            Repeat::Safe,
        )
        .await
    }

    /// `GET /v1/payments`
    pub async fn payments(&self, token: &str) -> Result<PaymentList, CoreError> {
        self.get("/v1/payments", Some(token)).await
    }

    /// `POST /v1/payments/{id}/confirm` (idempotent on the server).
    pub async fn confirm_payment(
        &self,
        token: &str,
        payment_id: &str,
    ) -> Result<Payment, CoreError> {
        let path = format!("/v1/payments/{payment_id}/confirm");
        self.post(&path, Some(token), None::<&()>, Repeat::Safe)
            .await
    }

    /// `POST /v1/payments/{id}/cancel`
    pub async fn cancel_payment(
        &self,
        token: &str,
        payment_id: &str,
    ) -> Result<Payment, CoreError> {
        let path = format!("/v1/payments/{payment_id}/cancel");
        self.post(&path, Some(token), None::<&()>, Repeat::Never)
            .await
    }

    /// `GET /v1/receipts`
    pub async fn receipts(&self, token: &str) -> Result<ReceiptList, CoreError> {
        self.get("/v1/receipts", Some(token)).await
    }

    /// `GET /v1/notifications?after=…`: the customer's notifications for the app after `after`.
    pub async fn notifications(
        &self,
        token: &str,
        after: i64,
    ) -> Result<NotificationList, CoreError> {
        self.get(&format!("/v1/notifications?after={after}"), Some(token))
            .await
    }

    /// `GET /v1/notification-preferences`
    pub async fn notification_preferences(
        &self,
        token: &str,
    ) -> Result<NotificationPreferences, CoreError> {
        self.get("/v1/notification-preferences", Some(token)).await
    }

    /// `PUT /v1/notification-preferences` (the same choice again changes nothing).
    pub async fn choose_notifications(
        &self,
        token: &str,
        chosen: &NotificationPreferences,
    ) -> Result<NotificationPreferences, CoreError> {
        self.send(
            Method::PUT,
            "/v1/notification-preferences",
            Some(token),
            Some(chosen),
            None,
            Repeat::Safe,
        )
        .await
    }

    /// `GET /v1/bills/{id}`: a bill with its lines and reads.
    pub async fn bill_detail(&self, token: &str, bill_id: &str) -> Result<BillDetail, CoreError> {
        self.get(
            &format!("/v1/bills/{}", path_segment(bill_id)?),
            Some(token),
        )
        .await
    }

    /// `GET /v1/bills/{id}/pdf`: the bill as a PDF document.
    pub async fn bill_pdf(&self, token: &str, bill_id: &str) -> Result<Vec<u8>, CoreError> {
        let path = format!("/v1/bills/{}/pdf", path_segment(bill_id)?);
        let response = self
            .request(Method::GET, &path, Some(token), None::<&()>, None)
            .send()
            .await
            .map_err(|error| CoreError::from_transport(&error))?;
        if !response.status().is_success() {
            return read_json::<serde::de::IgnoredAny>(response)
                .await
                .and(Err(CoreError::InvalidResponse));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|error| CoreError::from_transport(&error))?;
        // Whatever answered, it is a PDF or nothing the app saves.
        if !bytes.starts_with(b"%PDF-") {
            return Err(CoreError::InvalidResponse);
        }
        Ok(bytes.to_vec())
    }

    /// `GET /v1/autopay`: the account's saved card, its choice of autopay and what comes next.
    pub async fn autopay(&self, token: &str) -> Result<AutopaySettings, CoreError> {
        self.get("/v1/autopay", Some(token)).await
    }

    /// `PUT /v1/autopay` (the same choice again changes nothing).
    pub async fn choose_autopay(
        &self,
        token: &str,
        choice: &ChooseAutopay,
    ) -> Result<AutopaySettings, CoreError> {
        self.send(
            Method::PUT,
            "/v1/autopay",
            Some(token),
            Some(choice),
            None,
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/autopay/card`: the provider's page where the customer saves a card.
    pub async fn start_card_setup(&self, token: &str) -> Result<CardSetup, CoreError> {
        self.post("/v1/autopay/card", Some(token), None::<&()>, Repeat::Never)
            .await
    }

    /// `DELETE /v1/autopay/card`
    pub async fn remove_card(&self, token: &str) -> Result<(), CoreError> {
        self.send_empty(Method::DELETE, "/v1/autopay/card", Some(token), None::<&()>)
            .await
    }

    /// `GET /v1/readings?from=…`: every meter's hourly readings since `from` (Unix seconds).
    pub async fn readings(&self, token: &str, from: i64) -> Result<ReadingsView, CoreError> {
        self.get(&format!("/v1/readings?from={from}"), Some(token))
            .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<T, CoreError> {
        self.send(Method::GET, path, token, None::<&()>, None, Repeat::Safe)
            .await
    }

    async fn post<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        repeat: Repeat,
    ) -> Result<T, CoreError> {
        self.send(Method::POST, path, token, body, None, repeat)
            .await
    }

    fn request<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        key: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let language = *self
            .language
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut request = self
            .http
            .request(method, self.backend.endpoint(path))
            .header(reqwest::header::ACCEPT_LANGUAGE, language.tag());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(account) = &self.account {
            request = request.header(ACCOUNT_HEADER, account);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            // Only payment creation carries a key; it may take the backend's provider budget.
            request = request
                .header(IDEMPOTENCY_HEADER, key)
                .timeout(self.create_payment_timeout);
        }
        request
    }

    async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        key: Option<&str>,
        repeat: Repeat,
    ) -> Result<T, CoreError> {
        let mut attempt = 0;
        loop {
            let sent = self
                .request(method.clone(), path, token, body, key)
                .send()
                .await;
            let outcome = match sent {
                Ok(response) => read_json(response).await,
                Err(error) => Err(CoreError::from_transport(&error)),
            };
            match outcome {
                Err(error)
                    if repeat == Repeat::Safe && attempt < RETRIES && error.is_connectivity() =>
                {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_empty<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<(), CoreError> {
        let response = self
            .request(method, path, token, body, None)
            .send()
            .await
            .map_err(|error| CoreError::from_transport(&error))?;
        if response.status().is_success() {
            return Ok(());
        }
        read_json::<serde::de::IgnoredAny>(response)
            .await
            .map(|_| ())
    }
}

/// An id as one path segment: ids the backend gives are letters, digits, `_` and `-`; anything
/// else never names a bill.
fn path_segment(id: &str) -> Result<&str, CoreError> {
    let shaped = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if shaped {
        Ok(id)
    } else {
        Err(CoreError::coded(portal_api::ErrorCode::NotFound))
    }
}

/// The delay before retry `attempt` (0-based): 200 ms, 400 ms, … plus up to 50% jitter.
fn backoff(attempt: u32) -> Duration {
    let base = FIRST_BACKOFF * 2u32.saturating_pow(attempt);
    let jitter = rand::random_range(0..=base.as_millis().try_into().unwrap_or(u64::MAX) / 2);
    base + Duration::from_millis(jitter)
}

/// Turns a response into `T`, or into the error the backend described.
async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, CoreError> {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let bytes = response
        .bytes()
        .await
        .map_err(|error| CoreError::from_transport(&error))?;
    decode_answer(status, retry_after.as_deref(), &bytes)
}

/// How the core reads a backend answer: a 2xx body as `T`; a 5xx as a server failure; anything
/// else as the backend's [`ErrorBody`] (a 401 ends the session unless the access token only
/// expired; a 429 waits `Retry-After`). Bytes that are not what the API documents are an
/// invalid answer, never a panic. Public for property tests and fuzzing.
pub fn decode_answer<T: DeserializeOwned>(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
) -> Result<T, CoreError> {
    let Ok(status) = StatusCode::from_u16(status) else {
        return Err(CoreError::InvalidResponse);
    };
    if status.is_success() {
        return serde_json::from_slice(body).map_err(|_| CoreError::InvalidResponse);
    }
    if status.is_server_error() {
        return Err(CoreError::Server {
            status: status.as_u16(),
        });
    }
    let Ok(body) = serde_json::from_slice::<ErrorBody>(body) else {
        return Err(CoreError::InvalidResponse);
    };
    Err(match status {
        StatusCode::UNAUTHORIZED if body.code == portal_api::ErrorCode::TokenExpired => {
            CoreError::Api(body)
        }
        StatusCode::UNAUTHORIZED => CoreError::Unauthorized {
            message: body.message,
        },
        StatusCode::TOO_MANY_REQUESTS => CoreError::RateLimited {
            retry_after: retry_after
                .and_then(|value| value.trim().parse::<u64>().ok())
                .unwrap_or(60),
            message: body.message,
        },
        _ => CoreError::Api(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        for attempt in 0..3 {
            let base = FIRST_BACKOFF * 2u32.pow(attempt);
            let delay = backoff(attempt);
            assert!(
                delay >= base && delay <= base + base / 2,
                "{delay:?} for attempt {attempt}"
            );
        }
    }
}
