//! The hosted-checkout simulator: the subset of Stripe's Checkout Sessions API the backend uses
//! (create in `payment` or `setup` mode, retrieve with `expand[]`, expire), in Stripe's wire
//! format, plus the hosted page with Stripe's test cards (paying, or saving a card), signed
//! `checkout.session.*` and `payment_intent.*` webhooks with retries, and Customers, their saved
//! PaymentMethods and off-session PaymentIntents ([`saved_cards`]).
//!
//! Mounted under `/sim` of the sandbox server by default, so the backend's Stripe adapter points
//! at `http://HOST/sim` instead of `https://api.stripe.com`. Sessions live in memory: a restart
//! of the sandbox forgets checkouts in progress, as a real provider outage would look.

mod saved_cards;

use crate::clock::Clock;
use crate::payments::escape;
use crate::secrets::random_id;
use crate::stripe::{STRIPE_API_VERSION, sign};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The secret key it accepts (`Authorization: Bearer`).
    pub secret_key: String,
    /// Where it sends webhooks.
    pub webhook_url: String,
    /// The secret it signs them with.
    pub webhook_secret: String,
    /// Its own public base URL (for the hosted page links), e.g. `http://127.0.0.1:8787/sim`.
    pub public_base: String,
    /// The merchant name on the hosted page.
    pub merchant_name: String,
    /// Hold webhooks until [`Simulator::release_webhooks`] (tests of ordering).
    pub hold_webhooks: bool,
}

#[derive(Debug, Clone)]
struct LineItem {
    name: String,
    unit_amount: i64,
    quantity: i64,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    /// `payment` (pay now) or `setup` (save a card for later, off-session payments).
    mode: &'static str,
    /// The provider's customer a setup session saves the card for.
    customer: Option<String>,
    /// The setup session's SetupIntent.
    setup_intent: String,
    /// The card a completed setup session saved.
    payment_method: Option<String>,
    status: &'static str,
    payment_status: &'static str,
    currency: String,
    line_items: Vec<LineItem>,
    success_url: String,
    cancel_url: String,
    client_reference_id: Option<String>,
    metadata: HashMap<String, String>,
    expires_at: i64,
    created: i64,
    payment_intent: String,
    charge: Option<(String, String, String)>,
    /// The last decline: (Stripe's message, decline code).
    last_error: Option<(String, &'static str)>,
    /// The hosted page's language (Stripe's `locale`; `auto` when not given).
    locale: String,
}

impl Session {
    fn amount_total(&self) -> i64 {
        self.line_items
            .iter()
            .map(|item| item.unit_amount.saturating_mul(item.quantity))
            .fold(0, i64::saturating_add)
    }
}

/// The simulator's state.
pub struct Simulator {
    config: SimulatorConfig,
    clock: Arc<Clock>,
    sessions: Mutex<HashMap<String, Session>>,
    cards: saved_cards::SavedCards,
    /// Idempotency key → (session id, digest of the parameters it was first used with).
    idempotency: Mutex<HashMap<String, (String, String)>>,
    held: Mutex<Vec<Vec<u8>>>,
    delivered: AtomicU64,
    http: reqwest::Client,
}

impl Simulator {
    /// A simulator with no sessions.
    pub fn new(config: SimulatorConfig, clock: Arc<Clock>) -> Result<Arc<Self>, String> {
        let http = crate::stripe::http_client(Duration::from_secs(10))?;
        Ok(Arc::new(Self {
            config,
            clock,
            sessions: Mutex::default(),
            cards: saved_cards::SavedCards::default(),
            idempotency: Mutex::default(),
            held: Mutex::default(),
            delivered: AtomicU64::new(0),
            http,
        }))
    }

    /// How many webhooks the backend has acknowledged (tests wait for this, never a fixed time).
    pub fn webhooks_delivered(&self) -> u64 {
        self.delivered.load(Ordering::SeqCst)
    }

    /// Its routes, to be nested under `/sim`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(retrieve_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/customers", post(saved_cards::create_customer))
            .route(
                "/v1/payment_methods/{id}",
                get(saved_cards::retrieve_payment_method),
            )
            .route(
                "/v1/payment_methods/{id}/detach",
                post(saved_cards::detach_payment_method),
            )
            .route(
                "/v1/payment_intents",
                post(saved_cards::create_payment_intent),
            )
            .route("/checkout/{id}", get(hosted_page).post(pay))
            .with_state(self.clone())
    }

    /// Sends the webhooks held so far (with `hold_webhooks`), in order.
    pub async fn release_webhooks(self: &Arc<Self>) {
        let held: Vec<Vec<u8>> = std::mem::take(&mut *locked(&self.held));
        for payload in held {
            self.deliver(payload).await;
        }
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        locked(&self.sessions)
    }

    /// Expires every open session whose time is up, each with its `checkout.session.expired`
    /// webhook, as Stripe does on its own (the sweeper calls this on its timer).
    pub fn expire_due(self: &Arc<Self>) {
        let expired: Vec<Session> = self
            .sessions()
            .values_mut()
            .filter_map(|session| self.expire_if_due(session).then(|| session.clone()))
            .collect();
        for session in expired {
            self.send_event("checkout.session.expired", &session);
        }
    }

    /// Expires a session whose time is up, as Stripe does; returns whether it just expired.
    fn expire_if_due(&self, session: &mut Session) -> bool {
        if session.status == "open" && session.expires_at <= self.clock.now() {
            session.status = "expired";
            return true;
        }
        false
    }

    /// A session as Stripe shows it: a payment session with its PaymentIntent, a setup session
    /// with its SetupIntent (either expanded when `expand`).
    fn session_json(&self, session: &Session, expand: bool) -> Value {
        let setup = session.mode == "setup";
        let amount = if setup {
            Value::Null
        } else {
            json!(session.amount_total())
        };
        json!({
            "id": session.id,
            "object": "checkout.session",
            "livemode": false,
            "mode": session.mode,
            "ui_mode": "hosted",
            "payment_method_types": ["card"],
            "status": session.status,
            "payment_status": session.payment_status,
            "amount_subtotal": amount,
            "amount_total": amount,
            "customer": session.customer,
            "customer_email": null,
            "locale": session.locale,
            "submit_type": null,
            "currency": session.currency,
            "client_reference_id": session.client_reference_id,
            "metadata": session.metadata,
            "success_url": session.success_url,
            "cancel_url": session.cancel_url,
            "expires_at": session.expires_at,
            "created": session.created,
            "url": if session.status == "open" { json!(format!("{}/checkout/{}", self.config.public_base, session.id)) } else { Value::Null },
            "payment_intent": if setup { Value::Null } else { Self::payment_intent_json(session, expand) },
            "setup_intent": if setup { self.setup_intent_json(session, expand) } else { Value::Null },
        })
    }

    /// A payment session's PaymentIntent, once there is one (paid, or a declined attempt).
    fn payment_intent_json(session: &Session, expand: bool) -> Value {
        if session.payment_status != "paid" && session.last_error.is_none() {
            return Value::Null;
        }
        if !expand {
            return json!(session.payment_intent);
        }
        let latest_charge = session.charge.as_ref().map(|(charge, brand, last4)| {
            json!({"id": charge, "object": "charge", "payment_method_details":
                {"type": "card", "card": {"brand": brand, "last4": last4}}})
        });
        json!({"id": session.payment_intent, "object": "payment_intent",
               "amount": session.amount_total(), "currency": session.currency,
               "status": if session.payment_status == "paid" { "succeeded" } else { "requires_payment_method" },
               "latest_charge": latest_charge,
               "last_payment_error": session.last_error.as_ref().map(|(message, decline_code)|
                   json!({"type": "card_error", "code": "card_declined",
                          "decline_code": decline_code, "message": message}))})
    }

    /// A setup session's SetupIntent, with the saved card once there is one.
    fn setup_intent_json(&self, session: &Session, expand: bool) -> Value {
        if !expand {
            return json!(session.setup_intent);
        }
        let method = session
            .payment_method
            .as_deref()
            .and_then(|id| self.cards.method_json(id));
        json!({"id": session.setup_intent, "object": "setup_intent", "usage": "off_session",
               "status": if method.is_some() { "succeeded" } else { "requires_payment_method" },
               "customer": session.customer, "payment_method": method})
    }
    /// Queues or sends a signed event about `session`.
    fn send_event(self: &Arc<Self>, kind: &str, session: &Session) {
        self.send_object_event(kind, self.session_json(session, false));
    }

    /// Queues or sends a signed event of `kind` about `object`.
    fn send_object_event(self: &Arc<Self>, kind: &str, object: Value) {
        let event = json!({
            "id": random_id("evt"),
            "object": "event",
            "api_version": STRIPE_API_VERSION,
            "livemode": false,
            "pending_webhooks": 1,
            "request": {"id": null, "idempotency_key": null},
            "type": kind,
            "created": self.clock.now(),
            "data": {"object": object},
        });
        let payload = event.to_string().into_bytes();
        if self.config.hold_webhooks {
            locked(&self.held).push(payload);
            return;
        }
        let simulator = self.clone();
        tokio::spawn(async move { simulator.deliver(payload).await });
    }

    /// Delivers one event, retrying with backoff until the backend answers 2xx (6 tries).
    async fn deliver(&self, payload: Vec<u8>) {
        let mut delay = Duration::from_millis(250);
        for attempt in 1..=6 {
            let signature = sign(&payload, &self.config.webhook_secret, self.clock.now());
            let sent = self
                .http
                .post(&self.config.webhook_url)
                .header("Stripe-Signature", signature)
                .header(header::CONTENT_TYPE, "application/json")
                .body(payload.clone())
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    self.delivered.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                Ok(response) => {
                    tracing::warn!("webhook attempt {attempt} answered {}", response.status())
                }
                Err(error) => tracing::warn!("webhook attempt {attempt} failed: {error}"),
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        tracing::error!("webhook given up after 6 attempts");
    }
}

fn stripe_error(status: StatusCode, message: &str) -> Response {
    stripe_error_of(status, "invalid_request_error", None, None, message)
}

/// Stripe's error object: `{"error": {"type", "code", "param", "message"}}`.
fn stripe_error_of(
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    param: Option<&str>,
    message: &str,
) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "code": code, "param": param, "message": message}})),
    )
        .into_response()
}

/// Why a request to the simulator's API is refused, if it is: a wrong key (401), or a
/// `Stripe-Version` other than the one the adapter pins (400) — so every test that goes through
/// the simulator proves the adapter sends it.
fn refused(simulator: &Simulator, headers: &HeaderMap) -> Option<Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if key != Some(simulator.config.secret_key.as_str()) {
        return Some(stripe_error(
            StatusCode::UNAUTHORIZED,
            "Invalid API Key provided.",
        ));
    }
    let version = headers
        .get("Stripe-Version")
        .and_then(|value| value.to_str().ok());
    if version != Some(STRIPE_API_VERSION) {
        return Some(stripe_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "This simulator speaks Stripe API version {STRIPE_API_VERSION}: send it as Stripe-Version."
            ),
        ));
    }
    None
}

/// Stripe's answer for an unknown session id.
fn no_such_session(id: &str) -> Response {
    stripe_error_of(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        Some("session"),
        &format!("No such checkout.session: '{id}'"),
    )
}

/// The request's `Idempotency-Key`, if it has one.
fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("Idempotency-Key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The simulator's state behind `mutex`, also after a panic elsewhere (its maps stay usable).
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stripe's refusal of an idempotency key sent again with other parameters.
fn key_reused(key: &str) -> Response {
    stripe_error_of(
        StatusCode::BAD_REQUEST,
        "idempotency_error",
        None,
        None,
        &format!(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
        ),
    )
}

/// A digest of a request's parameters, in any order (an idempotent replay must match it).
fn parameters_digest(form: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = form.iter().collect();
    sorted.sort();
    let joined: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    crate::secrets::hash_secret(&joined.join("&"))
}

/// `POST /v1/checkout/sessions` (form-encoded, as Stripe).
async fn create_session(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let key = idempotency_key(&headers);
    let parameters = parameters_digest(&form);
    if let Some(key) = &key {
        let existing = locked(&simulator.idempotency).get(key).cloned();
        if let Some((id, first_parameters)) = existing {
            if first_parameters != parameters {
                return key_reused(key);
            }
            if let Some(session) = simulator.sessions().get(&id).cloned() {
                return Json(simulator.session_json(&session, false)).into_response();
            }
        }
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mode = match field("mode").as_deref() {
        Some("payment") => "payment",
        Some("setup") => "setup",
        _ => return stripe_error(StatusCode::BAD_REQUEST, "mode must be payment or setup."),
    };
    let customer = field("customer");
    if mode == "setup"
        && !customer
            .as_deref()
            .is_some_and(|id| simulator.cards.has_customer(id))
    {
        return stripe_error_of(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("resource_missing"),
            Some("customer"),
            "A setup session needs an existing customer.",
        );
    }
    let (Some(success_url), Some(cancel_url)) = (field("success_url"), field("cancel_url")) else {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "success_url and cancel_url are required.",
        );
    };
    let mut items = Vec::new();
    let mut currency = None;
    for index in 0.. {
        let get = |suffix: &str| field(&format!("line_items[{index}]{suffix}"));
        let Some(amount) = get("[price_data][unit_amount]") else {
            break;
        };
        let (Ok(unit_amount), Some(name), Some(item_currency)) = (
            amount.parse::<i64>(),
            get("[price_data][product_data][name]"),
            get("[price_data][currency]"),
        ) else {
            return stripe_error(StatusCode::BAD_REQUEST, "Invalid line item.");
        };
        let quantity = get("[quantity]").and_then(|q| q.parse().ok()).unwrap_or(1);
        if unit_amount <= 0
            || quantity <= 0
            || currency.as_ref().is_some_and(|c| *c != item_currency)
        {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                "Invalid line item amount or currency.",
            );
        }
        currency = Some(item_currency);
        items.push(LineItem {
            name,
            unit_amount,
            quantity,
        });
    }
    let currency = match (mode, currency) {
        ("setup", None) => field("currency").unwrap_or_else(|| "usd".to_owned()),
        ("setup", Some(_)) => {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                "A setup session takes no line_items.",
            );
        }
        (_, Some(currency)) => currency,
        (_, None) => return stripe_error(StatusCode::BAD_REQUEST, "line_items are required."),
    };
    let total = items
        .iter()
        .map(|item| item.unit_amount.saturating_mul(item.quantity))
        .fold(0, i64::saturating_add);
    if mode == "payment" && portal_api::currency::check_chargeable(total, &currency).is_err() {
        return stripe_error_of(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("amount_too_small"),
            Some("line_items"),
            "The Checkout Session's total amount is below the minimum amount that can be charged.",
        );
    }
    let now = simulator.clock.now();
    let expires_at = field("expires_at")
        .and_then(|v| v.parse().ok())
        .unwrap_or(now + 24 * 3600);
    if expires_at < now + 30 * 60 - 5 || expires_at > now + 24 * 3600 {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "expires_at must be 30 minutes to 24 hours from now.",
        );
    }
    let locale = field("locale").unwrap_or_else(|| "auto".to_owned());
    if !valid_locale(&locale) {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid locale: {locale}. It must be auto or a language such as en or es."),
        );
    }
    let metadata = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("metadata[")?
                .strip_suffix(']')
                .map(|k| (k.to_owned(), v.clone()))
        })
        .collect();
    let session = Session {
        id: format!("cs_test_{}", random_id("s").trim_start_matches("s_")),
        mode,
        customer,
        setup_intent: random_id("seti"),
        payment_method: None,
        status: "open",
        payment_status: if mode == "setup" {
            "no_payment_required"
        } else {
            "unpaid"
        },
        currency,
        line_items: items,
        success_url,
        cancel_url,
        client_reference_id: field("client_reference_id"),
        metadata,
        expires_at,
        created: now,
        payment_intent: random_id("pi"),
        charge: None,
        last_error: None,
        locale,
    };
    let answer = simulator.session_json(&session, false);
    if let Some(key) = key {
        locked(&simulator.idempotency).insert(key, (session.id.clone(), parameters));
    }
    simulator.sessions().insert(session.id.clone(), session);
    Json(answer).into_response()
}

/// `GET /v1/checkout/sessions/{id}` (`expand[]=payment_intent…` expands the intent).
async fn retrieve_session(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let query = query.unwrap_or_default();
    let expand = query.contains("payment_intent") || query.contains("setup_intent");
    let (answer, expired) = {
        let mut sessions = simulator.sessions();
        let Some(session) = sessions.get_mut(&id) else {
            return no_such_session(&id);
        };
        let expired = simulator.expire_if_due(session).then(|| session.clone());
        (simulator.session_json(session, expand), expired)
    };
    if let Some(session) = expired {
        simulator.send_event("checkout.session.expired", &session);
    }
    Json(answer).into_response()
}

/// `POST /v1/checkout/sessions/{id}/expire`
async fn expire_session(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let (answer, just_expired) = {
        let mut sessions = simulator.sessions();
        let Some(session) = sessions.get_mut(&id) else {
            return no_such_session(&id);
        };
        simulator.expire_if_due(session);
        if session.status != "open" {
            return stripe_error_of(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("checkout_session_not_open"),
                None,
                "Only Checkout Sessions with a status of open can be expired.",
            );
        }
        session.status = "expired";
        (
            simulator.session_json(session, false),
            Some(session.clone()),
        )
    };
    if let Some(session) = just_expired {
        simulator.send_event("checkout.session.expired", &session);
    }
    Json(answer).into_response()
}

/// The outcome of a card on the hosted page.
#[derive(Debug, PartialEq, Eq)]
enum CardOutcome {
    Approved {
        brand: &'static str,
        last4: String,
        /// What charging it later, off-session, does.
        later: saved_cards::Later,
    },
    /// Declined: Stripe's message and decline code.
    Declined(&'static str, &'static str),
    Invalid(&'static str),
}

/// Stripe's test cards: 4242… pays; 4000 0000 0000 0002 (generic), …9995 (insufficient
/// funds), …0069 (expired) and …0127 (security code) are declined; malformed input refused.
/// Saved for later: 4000 0000 0000 0341 saves but every charge of it is declined; 4000 0027
/// 6000 3184 saves (authenticated on the page) but needs the customer to authenticate each
/// off-session charge.
fn judge_card(
    number: &str,
    expiry: &str,
    cvc: &str,
    name: &str,
    now_year: i32,
    now_month: u8,
) -> CardOutcome {
    let digits: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(12..=19).contains(&digits.len())
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !luhn(&digits)
    {
        return CardOutcome::Invalid("Your card number is invalid.");
    }
    let Some((month, year)) = expiry.split_once('/') else {
        return CardOutcome::Invalid("Your card's expiration date is incomplete (use MM / YY).");
    };
    let (Ok(month), Ok(year)) = (month.trim().parse::<u8>(), year.trim().parse::<i32>()) else {
        return CardOutcome::Invalid("Your card's expiration date is incomplete (use MM / YY).");
    };
    let year = if year < 100 { 2000 + year } else { year };
    if !(1..=12).contains(&month) {
        return CardOutcome::Invalid("Your card's expiration month is invalid.");
    }
    if (year, month) < (now_year, now_month) {
        return CardOutcome::Invalid("Your card's expiration date is in the past.");
    }
    if !(3..=4).contains(&cvc.trim().len()) || !cvc.trim().bytes().all(|b| b.is_ascii_digit()) {
        return CardOutcome::Invalid("Your card's security code is invalid.");
    }
    if name.trim().is_empty() {
        return CardOutcome::Invalid("Enter the name on the card.");
    }
    let last4 = digits[digits.len() - 4..].to_owned();
    let approved = |brand, later| CardOutcome::Approved {
        brand,
        last4: last4.clone(),
        later,
    };
    match digits.as_str() {
        "4242424242424242" => approved("visa", saved_cards::Later::Pays),
        "5555555555554444" => approved("mastercard", saved_cards::Later::Pays),
        "4000000000000341" => approved("visa", saved_cards::Later::Declined),
        "4000002760003184" => approved("visa", saved_cards::Later::NeedsAuthentication),
        // Stripe's test cards for declines, with their decline codes.
        "4000000000000002" => CardOutcome::Declined("Your card was declined.", "generic_decline"),
        "4000000000009995" => {
            CardOutcome::Declined("Your card has insufficient funds.", "insufficient_funds")
        }
        "4000000000000069" => CardOutcome::Declined("Your card has expired.", "expired_card"),
        "4000000000000127" => {
            CardOutcome::Declined("Your card's security code is incorrect.", "incorrect_cvc")
        }
        _ => CardOutcome::Declined(
            "Your card was declined. This is the sandbox: use a test card such as 4242 4242 4242 4242.",
            "generic_decline",
        ),
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The hosted page's answer to a checkout id it does not know.
fn checkout_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "en",
            "Checkout not found",
            "<p>This checkout link is not valid.</p>",
        )),
    )
        .into_response()
}

/// `GET /checkout/{id}`: the hosted payment page.
async fn hosted_page(State(simulator): State<Arc<Simulator>>, Path(id): Path<String>) -> Response {
    let session = {
        let mut sessions = simulator.sessions();
        let Some(session) = sessions.get_mut(&id) else {
            return checkout_not_found();
        };
        simulator.expire_if_due(session);
        session.clone()
    };
    Html(render_checkout(
        &simulator.config.merchant_name,
        &session,
        None,
    ))
    .into_response()
}

/// `POST /checkout/{id}`: the card form.
async fn pay(
    State(simulator): State<Arc<Simulator>>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let now = simulator.clock.now();
    let today =
        time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let outcome = judge_card(
        field("card_number"),
        field("expiry"),
        field("cvc"),
        field("name"),
        today.year(),
        u8::from(today.month()),
    );
    let (session, completed) = {
        let mut sessions = simulator.sessions();
        let Some(session) = sessions.get_mut(&id) else {
            return checkout_not_found();
        };
        simulator.expire_if_due(session);
        if session.status != "open" {
            let merchant = &simulator.config.merchant_name;
            return (
                StatusCode::CONFLICT,
                Html(render_checkout(merchant, session, None)),
            )
                .into_response();
        }
        match &outcome {
            CardOutcome::Approved {
                brand,
                last4,
                later,
            } if session.mode == "setup" => {
                let method = simulator.cards.save(
                    session.customer.as_deref().unwrap_or_default(),
                    brand,
                    last4,
                    field("expiry"),
                    *later,
                );
                session.status = "complete";
                session.payment_method = Some(method);
                (session.clone(), true)
            }
            // A card whose every charge is declined is declined when paying now too.
            CardOutcome::Approved {
                later: saved_cards::Later::Declined,
                ..
            } => {
                session.last_error =
                    Some(("Your card was declined.".to_owned(), "generic_decline"));
                (session.clone(), false)
            }
            CardOutcome::Approved { brand, last4, .. } => {
                session.status = "complete";
                session.payment_status = "paid";
                session.last_error = None;
                session.charge = Some((random_id("ch"), (*brand).to_owned(), last4.clone()));
                (session.clone(), true)
            }
            CardOutcome::Declined(message, decline_code) => {
                session.last_error = Some(((*message).to_owned(), decline_code));
                (session.clone(), false)
            }
            CardOutcome::Invalid(_) => (session.clone(), false),
        }
    };
    if completed {
        simulator.send_event("checkout.session.completed", &session);
        let target = session
            .success_url
            .replace("{CHECKOUT_SESSION_ID}", &session.id);
        return Redirect::to(&target).into_response();
    }
    let message = match outcome {
        CardOutcome::Declined(message, _) | CardOutcome::Invalid(message) => message,
        CardOutcome::Approved { .. } => "Your card was declined.",
    };
    (
        StatusCode::PAYMENT_REQUIRED,
        Html(render_checkout(
            &simulator.config.merchant_name,
            &session,
            Some(message),
        )),
    )
        .into_response()
}

/// What the hosted page did with a card, seen from the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostedOutcome {
    /// Paid: the page redirected here (the backend's return page).
    Redirected(String),
    /// Refused: the page shows this HTTP status and body.
    Refused(u16, String),
}

/// Fills the hosted checkout page as a person would — opens it, types the card, submits — over
/// plain HTTP. For tests and for support staff scripting the sandbox.
pub async fn fill_hosted_checkout(
    checkout_url: &str,
    card_number: &str,
) -> Result<HostedOutcome, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let page = http
        .get(checkout_url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let html = page.text().await.map_err(|e| e.to_string())?;
    if !html.contains("pay-form") {
        return Ok(HostedOutcome::Refused(409, html));
    }
    let response = http
        .post(checkout_url)
        .form(&[
            ("card_number", card_number),
            ("expiry", "12 / 34"),
            ("cvc", "123"),
            ("name", "Jane Doe"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    match response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
    {
        Some(location) if (300..400).contains(&status) => {
            Ok(HostedOutcome::Redirected(location.to_owned()))
        }
        _ => Ok(HostedOutcome::Refused(
            status,
            response.text().await.unwrap_or_default(),
        )),
    }
}

/// An amount as the hosted page shows it (Stripe's currency is lower case).
fn money(amount: i64, currency: &str) -> String {
    portal_api::v1::Money {
        amount_minor: amount,
        currency: currency.to_uppercase(),
    }
    .display()
}

/// Stripe's `locale`: `auto`, a language (`es`) or a language with its region (`es-419`,
/// `fr-CA`).
fn valid_locale(locale: &str) -> bool {
    let mut parts = locale.splitn(2, '-');
    let language = parts.next().unwrap_or_default();
    let region_ok = parts.next().is_none_or(|region| {
        (2..=3).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    locale == "auto"
        || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()) && region_ok)
}

/// The hosted page's words in English or, for a Spanish `locale`, in Spanish.
struct PageWords {
    lang: &'static str,
    card_number: &'static str,
    expiry: &'static str,
    name_on_card: &'static str,
    pay: &'static str,
    cancel: &'static str,
    hint: &'static str,
    total: &'static str,
    paid: &'static str,
    expired: &'static str,
    save: &'static str,
    save_for: &'static str,
    save_why: &'static str,
    saved: &'static str,
}

fn words(locale: &str) -> PageWords {
    if locale.starts_with("es") {
        PageWords {
            lang: "es",
            card_number: "Número de tarjeta",
            expiry: "Vencimiento (MM / AA)",
            name_on_card: "Nombre en la tarjeta",
            pay: "Pagar",
            cancel: "Cancelar y volver a",
            hint: "Pruebas: 4242 4242 4242 4242 paga; 4000 0000 0000 0002 se rechaza.",
            total: "Total",
            paid: "Este pago ya se realizó. Puede cerrar esta página.",
            expired: "Este pago venció. Vuelva a la aplicación de Enerpro para empezar de nuevo.",
            save: "Guardar tarjeta",
            save_for: "Guardar una tarjeta para",
            save_why: "Se cobrará en esta tarjeta cada factura que usted elija pagar automáticamente.",
            saved: "La tarjeta está guardada. Puede cerrar esta página.",
        }
    } else {
        PageWords {
            lang: "en",
            card_number: "Card number",
            expiry: "Expiry (MM / YY)",
            name_on_card: "Name on card",
            pay: "Pay",
            cancel: "Cancel and return to",
            hint: "Sandbox: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.",
            total: "Total",
            paid: "This checkout is already paid. You can close this page.",
            expired: "This checkout has expired. Return to the Enerpro app to start again.",
            save: "Save card",
            save_for: "Save a card for",
            save_why: "The bills you choose to pay automatically will be charged to this card.",
            saved: "The card is saved. You can close this page.",
        }
    }
}

fn render_checkout(merchant: &str, session: &Session, error: Option<&str>) -> String {
    let words = words(&session.locale);
    let items: String = session
        .line_items
        .iter()
        .map(|item| {
            format!(
                "<tr><td>{}</td><td class=\"amount\">{}</td></tr>",
                escape(&item.name),
                money(item.unit_amount * item.quantity, &session.currency)
            )
        })
        .collect();
    let total = money(session.amount_total(), &session.currency);
    let setup = session.mode == "setup";
    let body = match session.status {
        "complete" if setup => format!("<p id=\"state\">{}</p>", words.saved),
        "complete" => format!("<p id=\"state\">{}</p>", words.paid),
        "expired" => format!("<p id=\"state\">{}</p>", words.expired),
        _ => format!(
            r#"{error}<form method="post" id="pay-form">
<label>{card_number} <input name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
<label>{expiry} <input name="expiry" autocomplete="cc-exp" placeholder="12 / 34" required></label>
<label>CVC <input name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123" required></label>
<label>{name_on_card} <input name="name" autocomplete="cc-name" required></label>
<button type="submit" id="pay">{pay}</button>
</form>
<p><a id="cancel" href="{cancel_url}">{cancel} {merchant}</a></p>
<p class="hint">{hint}</p>"#,
            card_number = words.card_number,
            expiry = words.expiry,
            name_on_card = words.name_on_card,
            pay = if setup {
                words.save.to_owned()
            } else {
                format!("{} {total}", words.pay)
            },
            cancel = words.cancel,
            hint = words.hint,
            error = error
                .map(|message| format!(
                    "<p id=\"error\" role=\"alert\" class=\"error\">{}</p>",
                    escape(message)
                ))
                .unwrap_or_default(),
            cancel_url = escape(&session.cancel_url),
            merchant = escape(merchant),
        ),
    };
    if setup {
        return page(
            words.lang,
            &format!("{} {}", words.save_for, escape(merchant)),
            &format!(
                "<h1>{} {}</h1><p>{}</p>{body}",
                words.save_for,
                escape(merchant),
                words.save_why
            ),
        );
    }
    page(
        words.lang,
        &format!("{} {}", words.pay, escape(merchant)),
        &format!(
            "<h1>{}</h1><table>{items}<tr class=\"total\"><td>{}</td><td class=\"amount\" id=\"total\">{total}</td></tr></table>{body}",
            escape(merchant),
            words.total
        ),
    )
}

fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}}
table{{width:100%;border-collapse:collapse;margin:1rem 0}}td{{padding:.4rem 0;border-bottom:1px solid #e3e8ee}}.amount{{text-align:right}}
.total td{{font-weight:700}}label{{display:block;margin:.6rem 0}}input{{display:block;width:100%;padding:.5rem;font:inherit}}
button{{margin-top:1rem;width:100%;padding:.7rem;background:#635bff;color:#fff;border:0;border-radius:6px;font:inherit}}
.error{{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:6px}}.hint{{color:#5b6478;font-size:.9rem}}</style></head>
<body>{body}</body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_pay_decline_or_are_refused() {
        let judge = |number: &str, expiry: &str, cvc: &str| {
            judge_card(number, expiry, cvc, "Jane Doe", 2026, 11)
        };
        assert_eq!(
            judge("4242 4242 4242 4242", "12/34", "123"),
            CardOutcome::Approved {
                brand: "visa",
                last4: "4242".into(),
                later: saved_cards::Later::Pays,
            }
        );
        assert_eq!(
            judge("4000 0000 0000 0002", "12/34", "123"),
            CardOutcome::Declined("Your card was declined.", "generic_decline")
        );
        assert!(
            matches!(judge("4242 4242 4242 4241", "12/34", "123"), CardOutcome::Invalid(m) if m.contains("number"))
        );
        assert!(matches!(
            judge("abcd", "12/34", "123"),
            CardOutcome::Invalid(_)
        ));
        assert!(
            matches!(judge("4242424242424242", "13/34", "123"), CardOutcome::Invalid(m) if m.contains("month"))
        );
        assert!(
            matches!(judge("4242424242424242", "10/26", "123"), CardOutcome::Invalid(m) if m.contains("past"))
        );
        assert!(matches!(
            judge("4242424242424242", "1234", "123"),
            CardOutcome::Invalid(_)
        ));
        assert!(
            matches!(judge("4242424242424242", "12/34", "12"), CardOutcome::Invalid(m) if m.contains("security"))
        );
        assert!(
            matches!(judge_card("4242424242424242", "12/34", "123", " ", 2026, 11), CardOutcome::Invalid(m) if m.contains("name"))
        );
    }
}
