//! The backend's Stripe adapter: the subset of Stripe's API the backend uses — Checkout Sessions
//! (create in `payment` or `setup` mode, retrieve, expire), Customers, saved PaymentMethods
//! (retrieve through their setup session, detach) and off-session PaymentIntents (autopay) — and
//! webhook signature verification.
//!
//! It is the same code against Stripe (`https://api.stripe.com`) and against the sandbox's
//! simulator: only the base URL and keys differ. Requests are form-encoded as Stripe documents
//! (`line_items[0][price_data][currency]=usd`); every POST carries an `Idempotency-Key`.
//!
//! Failures follow Stripe's advice: a request that got no answer, or a 409 (a concurrent request
//! with the same key), 429 (rate limited) or 5xx, is sent again with the same idempotency key,
//! with exponential backoff, until the configured time budget is spent; a `Stripe-Should-Retry`
//! header overrides that judgement. Other 4xx are final. Stripe's error object (`type`, `code`,
//! `decline_code`, `param`, `message`) is kept whole for the log; customers never see it.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use std::collections::HashMap;
use std::time::Duration;

/// The Stripe API version the adapter is written for, sent as `Stripe-Version` on every request
/// so that an account's default version can never change the answers it reads.
pub const STRIPE_API_VERSION: &str = "2024-06-20";

/// Where and how to reach the provider.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// API base URL without a trailing slash, e.g. `https://api.stripe.com`.
    pub api_base: String,
    /// Secret API key (`sk_test_…`).
    pub secret_key: String,
    /// Webhook signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// How long the provider may take to answer, retries included (see
    /// [`portal_api::v1::PROVIDER_BUDGET_SECS`]).
    pub timeout: Duration,
}

/// Errors of the adapter.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// No answer (connection, timeout).
    #[error("no answer from the payment provider: {0}")]
    Transport(String),
    /// The provider refused the request.
    #[error("the payment provider refused the request ({status}): {error}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Stripe's error object.
        error: Box<ApiError>,
    },
    /// The answer is not what the API documents.
    #[error("unexpected answer from the payment provider: {0}")]
    Decode(String),
}

/// A line item of a new checkout.
#[derive(Debug, Clone)]
pub struct LineItem {
    /// What is paid, shown on the hosted page.
    pub name: String,
    /// Amount in minor units.
    pub unit_amount: i64,
}

/// The parameters of a new Checkout Session.
#[derive(Debug, Clone)]
pub struct NewCheckout {
    /// ISO currency, lower case as Stripe wants.
    pub currency: String,
    /// One per bill.
    pub line_items: Vec<LineItem>,
    /// Our payment id.
    pub client_reference_id: String,
    /// Where the provider sends the customer after paying (with `{CHECKOUT_SESSION_ID}`).
    pub success_url: String,
    /// Where the provider sends the customer who gives up.
    pub cancel_url: String,
    /// Unix seconds when the session expires (Stripe: 30 minutes to 24 hours ahead).
    pub expires_at: i64,
    /// The language of the hosted page (Stripe's `locale`, e.g. `en`, `es`).
    pub locale: &'static str,
}

/// A request without parameters.
const NO_PARAMETERS: [(&str, &str); 0] = [];

/// The parameters of a new setup-mode Checkout Session: the customer saves a card on the hosted
/// page for later, off-session payments.
#[derive(Debug, Clone)]
pub struct NewSetup {
    /// The provider's customer the card is saved for (`cus_…`).
    pub customer: String,
    /// Our reference (the account's setup attempt).
    pub client_reference_id: String,
    /// Where the provider sends the customer after saving (with `{CHECKOUT_SESSION_ID}`).
    pub success_url: String,
    /// Where the provider sends the customer who gives up.
    pub cancel_url: String,
    /// The language of the hosted page.
    pub locale: &'static str,
    /// The currency the card will be charged in (lower case).
    pub currency: String,
}

/// An off-session charge of a saved card.
#[derive(Debug, Clone)]
pub struct OffSessionCharge {
    /// Amount in minor units.
    pub amount: i64,
    /// Lower-case ISO currency.
    pub currency: String,
    /// The provider's customer (`cus_…`).
    pub customer: String,
    /// The saved card (`pm_…`).
    pub payment_method: String,
    /// Our payment id (metadata, so a webhook names it).
    pub payment_id: String,
}

/// A field that is an id, or the object when expanded.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Just the id.
    Id(String),
    /// The expanded object.
    Object(Box<T>),
}

/// A Checkout Session, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    /// `cs_…`.
    pub id: String,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    /// The hosted page (while open).
    pub url: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
    /// Total in minor units.
    pub amount_total: Option<i64>,
    /// Lower-case ISO currency.
    pub currency: Option<String>,
    /// Our payment id.
    pub client_reference_id: Option<String>,
    /// Our metadata (nullable in Stripe's documentation).
    #[serde(default)]
    pub metadata: Option<HashMap<String, String>>,
    /// The payment intent, expanded when retrieved by [`StripeClient::retrieve`].
    pub payment_intent: Option<Expandable<PaymentIntent>>,
}

/// A setup-mode Checkout Session, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct SetupSession {
    /// `cs_…`.
    pub id: String,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// The hosted page (while open).
    pub url: Option<String>,
    /// The SetupIntent, expanded with its card by [`StripeClient::retrieve_setup`].
    pub setup_intent: Option<Expandable<SetupIntent>>,
}

/// A SetupIntent, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct SetupIntent {
    /// `seti_…`.
    pub id: String,
    /// `succeeded` once the card is saved.
    pub status: Option<String>,
    /// The saved card.
    pub payment_method: Option<Expandable<PaymentMethod>>,
}

/// A saved card (a PaymentMethod of type `card`).
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethod {
    /// `pm_…`.
    pub id: String,
    /// The customer it is attached to (`None` once detached).
    pub customer: Option<String>,
    /// The card.
    pub card: Option<SavedCard>,
}

/// A saved card's details (Stripe documents them as nullable).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SavedCard {
    /// e.g. `visa`.
    pub brand: Option<String>,
    /// Last four digits.
    pub last4: Option<String>,
    /// Expiry month, 1–12.
    pub exp_month: Option<u32>,
    /// Expiry year, four digits.
    pub exp_year: Option<i32>,
}

/// A Customer of the provider, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderCustomer {
    /// `cus_…`.
    pub id: String,
}

/// A PaymentIntent, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`: the transaction id on receipts.
    pub id: String,
    /// `processing`, `succeeded`, `requires_payment_method`, `canceled`, …
    pub status: Option<String>,
    /// The successful (or last) charge.
    pub latest_charge: Option<Expandable<Charge>>,
    /// Why the last attempt failed.
    pub last_payment_error: Option<PaymentError>,
}

/// A failed attempt (Stripe's error object on the payment intent).
pub type PaymentError = ApiError;

/// A Charge, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    /// How it was paid.
    pub payment_method_details: Option<PaymentMethodDetails>,
}

/// How a charge was paid.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethodDetails {
    /// Card details, for card payments.
    pub card: Option<CardDetails>,
}

/// The card of a charge (Stripe documents both fields as nullable).
#[derive(Debug, Clone, Deserialize)]
pub struct CardDetails {
    /// e.g. `visa`.
    pub brand: Option<String>,
    /// Last four digits.
    pub last4: Option<String>,
}

/// A webhook event, as far as the backend reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `evt_…`.
    pub id: String,
    /// e.g. `checkout.session.completed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The object.
    pub data: EventData,
}

/// The object of an event.
#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    /// The session (for the checkout events the backend handles).
    pub object: serde_json::Value,
}

/// Stripe's error object (`{"error": {…}}`); every field may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// e.g. `card_declined`, `resource_missing`.
    pub code: Option<String>,
    /// For card errors: e.g. `insufficient_funds`.
    pub decline_code: Option<String>,
    /// The parameter the error is about.
    pub param: Option<String>,
    /// Stripe's human text (for the log only).
    pub message: Option<String>,
    /// For a failed charge: its PaymentIntent.
    pub payment_intent: Option<IntentId>,
}

/// A PaymentIntent named in an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct IntentId {
    /// `pi_…`.
    pub id: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [
            ("type", &self.kind),
            ("code", &self.code),
            ("decline_code", &self.decline_code),
            ("param", &self.param),
            ("message", &self.message),
        ];
        let mut first = true;
        for (name, value) in parts {
            if let Some(value) = value {
                write!(f, "{}{name}={value}", if first { "" } else { ", " })?;
                first = false;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiError,
}

/// The first wait before sending a request again; doubled each time.
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(500);

/// A client of the provider's API.
#[derive(Debug, Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    config: StripeConfig,
}

impl StripeClient {
    /// A client with timeouts suited to a payment API.
    pub fn new(config: StripeConfig) -> Result<Self, StripeError> {
        let http = http_client(config.timeout).map_err(StripeError::Transport)?;
        Ok(Self { http, config })
    }

    /// The webhook signing secret.
    pub fn webhook_secret(&self) -> &str {
        &self.config.webhook_secret
    }

    /// A request with the secret key and the pinned API version.
    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .bearer_auth(&self.config.secret_key)
            .header("Stripe-Version", STRIPE_API_VERSION)
    }

    /// `POST /v1/checkout/sessions` with an idempotency key.
    pub async fn create(
        &self,
        checkout: &NewCheckout,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let mut form: Vec<(String, String)> = vec![
            ("mode".into(), "payment".into()),
            ("payment_method_types[0]".into(), "card".into()),
            (
                "client_reference_id".into(),
                checkout.client_reference_id.clone(),
            ),
            (
                "metadata[payment_id]".into(),
                checkout.client_reference_id.clone(),
            ),
            ("success_url".into(), checkout.success_url.clone()),
            ("cancel_url".into(), checkout.cancel_url.clone()),
            ("expires_at".into(), checkout.expires_at.to_string()),
            ("locale".into(), checkout.locale.to_owned()),
        ];
        for (index, item) in checkout.line_items.iter().enumerate() {
            let key = |field: &str| format!("line_items[{index}]{field}");
            form.push((key("[price_data][currency]"), checkout.currency.clone()));
            form.push((key("[price_data][product_data][name]"), item.name.clone()));
            form.push((
                key("[price_data][unit_amount]"),
                item.unit_amount.to_string(),
            ));
            form.push((key("[quantity]"), "1".into()));
        }
        self.post("/v1/checkout/sessions", idempotency_key, &form)
            .await
    }

    /// `GET /v1/checkout/sessions/{id}` with the payment intent and its charge expanded.
    pub async fn retrieve(&self, session_id: &str) -> Result<CheckoutSession, StripeError> {
        let path = format!("/v1/checkout/sessions/{session_id}");
        self.get(&path, "payment_intent.latest_charge").await
    }

    /// `POST /v1/checkout/sessions/{id}/expire`.
    pub async fn expire(&self, session_id: &str) -> Result<CheckoutSession, StripeError> {
        let path = format!("/v1/checkout/sessions/{session_id}/expire");
        self.post(&path, &format!("expire-{session_id}"), &NO_PARAMETERS)
            .await
    }

    /// `POST /v1/customers`: the provider's customer whose cards are saved for an account.
    pub async fn create_customer(
        &self,
        email: &str,
        account_number: &str,
        idempotency_key: &str,
    ) -> Result<ProviderCustomer, StripeError> {
        let form = [
            ("email", email),
            ("metadata[account_number]", account_number),
        ];
        self.post("/v1/customers", idempotency_key, &form).await
    }

    /// `POST /v1/checkout/sessions` in `setup` mode: a hosted page where the customer saves a
    /// card for off-session payments.
    pub async fn create_setup(
        &self,
        setup: &NewSetup,
        idempotency_key: &str,
    ) -> Result<SetupSession, StripeError> {
        let form: Vec<(&str, &str)> = vec![
            ("mode", "setup"),
            ("payment_method_types[0]", "card"),
            ("customer", &setup.customer),
            ("currency", &setup.currency),
            ("client_reference_id", &setup.client_reference_id),
            ("setup_intent_data[usage]", "off_session"),
            ("success_url", &setup.success_url),
            ("cancel_url", &setup.cancel_url),
            ("locale", setup.locale),
        ];
        self.post("/v1/checkout/sessions", idempotency_key, &form)
            .await
    }

    /// `GET /v1/checkout/sessions/{id}` of a setup session, with its SetupIntent and saved card
    /// expanded.
    pub async fn retrieve_setup(&self, session_id: &str) -> Result<SetupSession, StripeError> {
        let path = format!("/v1/checkout/sessions/{session_id}");
        self.get(&path, "setup_intent.payment_method").await
    }

    /// `POST /v1/payment_methods/{id}/detach`: the saved card can no longer be charged.
    pub async fn detach(&self, payment_method: &str) -> Result<PaymentMethod, StripeError> {
        let path = format!("/v1/payment_methods/{payment_method}/detach");
        self.post(&path, &format!("detach-{payment_method}"), &NO_PARAMETERS)
            .await
    }

    /// `POST /v1/payment_intents` with `confirm=true` and `off_session=true`: charges a saved
    /// card now, without the customer. The idempotency key makes a repeat (after a crash, or by
    /// a second scheduler) the same charge, never a second one. A declined or
    /// authentication-needing card is [`StripeError::Refused`] with its `code` and the intent.
    pub async fn charge_off_session(
        &self,
        charge: &OffSessionCharge,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let amount = charge.amount.to_string();
        let form: Vec<(&str, &str)> = vec![
            ("amount", &amount),
            ("currency", &charge.currency),
            ("customer", &charge.customer),
            ("payment_method", &charge.payment_method),
            ("off_session", "true"),
            ("confirm", "true"),
            ("metadata[payment_id]", &charge.payment_id),
            ("expand[]", "latest_charge"),
        ];
        self.post("/v1/payment_intents", idempotency_key, &form)
            .await
    }

    /// `POST {path}` with `form` and an idempotency key.
    async fn post<T: DeserializeOwned, F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &F,
    ) -> Result<T, StripeError> {
        let url = format!("{}{path}", self.config.api_base);
        self.send(|| {
            self.authorized(self.http.post(&url))
                .header("Idempotency-Key", idempotency_key)
                .form(form)
        })
        .await
    }

    /// `GET {path}` with `expand` expanded.
    async fn get<T: DeserializeOwned>(&self, path: &str, expand: &str) -> Result<T, StripeError> {
        let url = format!("{}{path}", self.config.api_base);
        self.send(|| {
            self.authorized(self.http.get(&url))
                .query(&[("expand[]", expand)])
        })
        .await
    }

    /// Sends the request `build` makes, again (same key) after an unanswered attempt or a
    /// retryable status, with backoff, within the time budget.
    async fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<T, StripeError> {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let mut delay = FIRST_RETRY_DELAY;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let outcome = read(build().timeout(remaining)).await;
            let again = match &outcome {
                Ok(_) => false,
                Err(Attempt::Final(_)) => false,
                Err(Attempt::Retryable(_)) => true,
            };
            let now = tokio::time::Instant::now();
            if !again || now + delay >= deadline {
                return outcome.map_err(Attempt::into_error);
            }
            tracing::warn!(
                "the payment provider will be asked again: {:?}",
                outcome.err()
            );
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
}

/// The outcome of one failed attempt: worth sending again, or final.
#[derive(Debug)]
enum Attempt {
    Retryable(StripeError),
    Final(StripeError),
}

impl Attempt {
    fn into_error(self) -> StripeError {
        match self {
            Self::Retryable(error) | Self::Final(error) => error,
        }
    }
}

/// Whether Stripe advises sending a request again after `status` (its `Stripe-Should-Retry`
/// header decides when present).
fn should_retry(status: reqwest::StatusCode, header: Option<&str>) -> bool {
    match header {
        Some("true") => true,
        Some("false") => false,
        _ => {
            status == reqwest::StatusCode::CONFLICT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                || status.is_server_error()
        }
    }
}

/// An HTTP client with rustls (ring) and the given overall timeout.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    // Installing fails only when a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

async fn read<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, Attempt> {
    let no_answer =
        |error: reqwest::Error| Attempt::Retryable(StripeError::Transport(error.to_string()));
    let response = request.send().await.map_err(no_answer)?;
    let status = response.status();
    let retry_header = response
        .headers()
        .get("Stripe-Should-Retry")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.bytes().await.map_err(no_answer)?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|e| Attempt::Final(StripeError::Decode(e.to_string())));
    }
    let error = serde_json::from_slice::<ErrorEnvelope>(&body)
        .map(|envelope| envelope.error)
        .unwrap_or_else(|_| ApiError {
            message: Some(String::from_utf8_lossy(&body).chars().take(200).collect()),
            ..ApiError::default()
        });
    let refused = StripeError::Refused {
        status: status.as_u16(),
        error: Box::new(error),
    };
    Err(if should_retry(status, retry_header.as_deref()) {
        Attempt::Retryable(refused)
    } else {
        Attempt::Final(refused)
    })
}

/// How far a webhook's timestamp may be from now (Stripe's default tolerance).
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// Why a webhook signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The header is missing or unreadable.
    Malformed,
    /// The timestamp is older than the tolerance.
    Stale,
    /// No `v1` signature matches.
    Mismatch,
}

/// Verifies `Stripe-Signature: t=…,v1=…` over `timestamp.payload` with HMAC-SHA256.
pub fn verify_signature(
    header: &str,
    payload: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // Only events older than the tolerance are replays; a sender clock a little ahead is not
    // (Stripe's libraries check the same way). Any i64 can arrive (`t=-9223372036854775808`
    // too): the subtraction saturates instead of overflowing.
    if now.saturating_sub(timestamp) > SIGNATURE_TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    for signature in signatures {
        let Ok(expected) = hex::decode(&signature) else {
            continue;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return Err(SignatureError::Malformed);
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// Signs a payload as Stripe does: the `Stripe-Signature` header value.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let signature = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map(|mut mac| {
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            hex::encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    format!("t={timestamp},v1={signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_tampering_fails() {
        let payload = br#"{"id":"evt_1"}"#;
        let header = sign(payload, "whsec_test", 1_000_000);
        assert_eq!(
            verify_signature(&header, payload, "whsec_test", 1_000_010),
            Ok(())
        );
        assert_eq!(
            verify_signature(&header, br#"{"id":"evt_2"}"#, "whsec_test", 1_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, payload, "whsec_other", 1_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, payload, "whsec_test", 1_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature("nonsense", payload, "whsec_test", 0),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature("t=1", payload, "whsec_test", 1),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn only_old_timestamps_are_stale_a_sender_clock_ahead_is_not() {
        let payload = br#"{"id":"evt_1"}"#;
        let ahead = sign(payload, "whsec_test", 1_000_600);
        assert_eq!(
            verify_signature(&ahead, payload, "whsec_test", 1_000_000),
            Ok(())
        );
        let old = sign(payload, "whsec_test", 1_000_000);
        assert_eq!(
            verify_signature(
                &old,
                payload,
                "whsec_test",
                1_000_000 + SIGNATURE_TOLERANCE_SECONDS
            ),
            Ok(())
        );
        assert_eq!(
            verify_signature(
                &old,
                payload,
                "whsec_test",
                1_000_001 + SIGNATURE_TOLERANCE_SECONDS
            ),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn timestamps_at_the_ends_of_the_range_are_stale_not_a_crash() {
        let payload = br#"{"id":"evt_1"}"#;
        for t in [i64::MIN, i64::MAX] {
            let header = format!("t={t},v1=00");
            for now in [0, 1_000_000, i64::MIN, i64::MAX] {
                let outcome = verify_signature(&header, payload, "whsec_test", now);
                assert!(
                    matches!(
                        outcome,
                        Err(SignatureError::Stale | SignatureError::Mismatch)
                    ),
                    "t={t}, now={now}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn a_session_with_an_expanded_intent_decodes() {
        let json = serde_json::json!({
            "id": "cs_test_1", "object": "checkout.session", "status": "complete",
            "payment_status": "paid", "url": null, "expires_at": 1, "amount_total": 100,
            "currency": "usd", "client_reference_id": "pay_1", "metadata": {"payment_id": "pay_1"},
            "payment_intent": {"id": "pi_1", "object": "payment_intent", "last_payment_error": null,
                "latest_charge": {"id": "ch_1", "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}}}}
        });
        let session: CheckoutSession = serde_json::from_value(json).unwrap();
        let Some(Expandable::Object(intent)) = session.payment_intent else {
            panic!("not expanded")
        };
        assert_eq!(intent.id, "pi_1");
        let session: CheckoutSession = serde_json::from_value(serde_json::json!({
            "id": "cs_test_2", "status": "open", "payment_status": "unpaid", "expires_at": 1,
            "payment_intent": "pi_2"
        }))
        .unwrap();
        assert!(matches!(session.payment_intent, Some(Expandable::Id(_))));
    }

    #[test]
    fn fields_stripe_documents_as_nullable_may_be_null() {
        let session: CheckoutSession = serde_json::from_value(serde_json::json!({
            "id": "cs_test_3", "status": null, "payment_status": "paid", "expires_at": 1,
            "amount_total": null, "currency": null, "metadata": null, "client_reference_id": null,
            "payment_intent": {"id": "pi_3", "status": null, "last_payment_error": null,
                "latest_charge": {"id": "ch_3", "payment_method_details":
                    {"type": "card", "card": {"brand": null, "last4": null}}}}
        }))
        .unwrap();
        assert!(session.metadata.is_none());
        assert!(session.amount_total.is_none());
    }

    #[test]
    fn the_error_object_is_read_whole() {
        let envelope: ErrorEnvelope = serde_json::from_value(serde_json::json!({"error": {
            "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
            "param": "payment_method", "message": "Your card has insufficient funds.",
            "doc_url": "https://stripe.com/docs/error-codes/card-declined"}}))
        .unwrap();
        assert_eq!(envelope.error.kind.as_deref(), Some("card_error"));
        assert_eq!(
            envelope.error.decline_code.as_deref(),
            Some("insufficient_funds")
        );
        assert_eq!(envelope.error.param.as_deref(), Some("payment_method"));
        assert!(
            envelope
                .error
                .to_string()
                .contains("decline_code=insufficient_funds")
        );
        let bare: ErrorEnvelope = serde_json::from_value(serde_json::json!({"error": {}})).unwrap();
        assert_eq!(bare.error, ApiError::default());
    }

    #[test]
    fn only_conflicts_rate_limits_and_server_errors_are_sent_again_unless_stripe_says() {
        use reqwest::StatusCode as S;
        for status in [
            S::CONFLICT,
            S::TOO_MANY_REQUESTS,
            S::INTERNAL_SERVER_ERROR,
            S::BAD_GATEWAY,
        ] {
            assert!(should_retry(status, None), "{status}");
            assert!(!should_retry(status, Some("false")), "{status}");
        }
        for status in [
            S::BAD_REQUEST,
            S::UNAUTHORIZED,
            S::PAYMENT_REQUIRED,
            S::NOT_FOUND,
        ] {
            assert!(!should_retry(status, None), "{status}");
        }
        assert!(should_retry(S::BAD_REQUEST, Some("true")));
    }
}
