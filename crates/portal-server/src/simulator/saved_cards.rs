//! Stripe's Customers, their saved PaymentMethods and off-session PaymentIntents, as the
//! simulator offers them: a card saved in a setup session is charged later without the customer
//! (`off_session=true`, `confirm=true`), answering as Stripe does for its test cards — 4242 pays,
//! 4000 0000 0000 0341 is declined (`card_declined`), 4000 0027 6000 3184 needs the customer to
//! authenticate (`authentication_required`). A PaymentIntent request repeated with its
//! `Idempotency-Key` gets the first answer again and charges nothing more; the same key with other
//! parameters is refused, as Stripe refuses it.

use super::{
    Simulator, idempotency_key, key_reused, locked, parameters_digest, refused, stripe_error_of,
};
use crate::secrets::random_id;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What charging a saved card later, off-session, does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Later {
    /// The charge succeeds.
    Pays,
    /// Every charge is declined (`card_declined`).
    Declined,
    /// Every charge needs the customer to authenticate (`authentication_required`).
    NeedsAuthentication,
}

/// A saved card.
#[derive(Debug, Clone)]
struct Method {
    customer: Option<String>,
    brand: &'static str,
    last4: String,
    exp_month: u32,
    exp_year: i32,
    later: Later,
}

/// A PaymentIntent request's answer, kept under its idempotency key.
#[derive(Debug, Clone)]
struct Answered {
    parameters: String,
    status: StatusCode,
    body: Value,
}

/// The simulator's customers, saved cards and off-session charges (in memory, like its sessions).
#[derive(Default)]
pub(super) struct SavedCards {
    customers: Mutex<HashSet<String>>,
    methods: Mutex<HashMap<String, Method>>,
    intents: Mutex<HashMap<String, Answered>>,
    charges: AtomicU64,
}

impl SavedCards {
    /// Whether `id` is a customer of the simulator.
    pub(super) fn has_customer(&self, id: &str) -> bool {
        locked(&self.customers).contains(id)
    }

    /// Saves a card for `customer` (its expiry as typed, `MM / YY`); answers its id.
    pub(super) fn save(
        &self,
        customer: &str,
        brand: &'static str,
        last4: &str,
        expiry: &str,
        later: Later,
    ) -> String {
        let (month, year) = expiry.split_once('/').unwrap_or_default();
        let year: i32 = year.trim().parse().unwrap_or_default();
        let id = random_id("pm");
        locked(&self.methods).insert(
            id.clone(),
            Method {
                customer: Some(customer.to_owned()),
                brand,
                last4: last4.to_owned(),
                exp_month: month.trim().parse().unwrap_or_default(),
                exp_year: if year < 100 { 2000 + year } else { year },
                later,
            },
        );
        id
    }

    /// A saved card as Stripe shows it.
    pub(super) fn method_json(&self, id: &str) -> Option<Value> {
        locked(&self.methods)
            .get(id)
            .map(|method| method_json(id, method))
    }
}

fn method_json(id: &str, method: &Method) -> Value {
    json!({"id": id, "object": "payment_method", "type": "card", "customer": method.customer,
           "card": {"brand": method.brand, "last4": method.last4,
                    "exp_month": method.exp_month, "exp_year": method.exp_year}})
}

impl Simulator {
    /// How many off-session charges took money (tests prove "charged once" with it).
    pub fn off_session_charges(&self) -> u64 {
        self.cards.charges.load(Ordering::SeqCst)
    }
}

/// `POST /v1/customers`
pub(super) async fn create_customer(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let email = form
        .iter()
        .find(|(key, _)| key == "email")
        .map(|(_, value)| value.clone());
    let id = random_id("cus");
    locked(&simulator.cards.customers).insert(id.clone());
    Json(json!({"id": id, "object": "customer", "email": email, "livemode": false})).into_response()
}

/// Stripe's answer for an unknown PaymentMethod id.
fn no_such_method(id: &str) -> Response {
    stripe_error_of(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        Some("payment_method"),
        &format!("No such PaymentMethod: '{id}'"),
    )
}

/// `GET /v1/payment_methods/{id}`
pub(super) async fn retrieve_payment_method(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    match simulator.cards.method_json(&id) {
        Some(method) => Json(method).into_response(),
        None => no_such_method(&id),
    }
}

/// `POST /v1/payment_methods/{id}/detach`: the card can no longer be charged.
pub(super) async fn detach_payment_method(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let mut methods = locked(&simulator.cards.methods);
    let Some(method) = methods.get_mut(&id) else {
        return no_such_method(&id);
    };
    if method.customer.take().is_none() {
        return stripe_error_of(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("payment_method_unexpected_state"),
            None,
            "The payment method you provided is not attached to a customer so detachment is impossible.",
        );
    }
    Json(method_json(&id, method)).into_response()
}

/// `POST /v1/payment_intents` with `confirm=true` and `off_session=true`: charges a saved card
/// now, without the customer.
pub(super) async fn create_payment_intent(
    State(simulator): State<Arc<Simulator>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = refused(&simulator, &headers) {
        return refusal;
    }
    let parameters = parameters_digest(&form);
    let key = idempotency_key(&headers);
    if let Some(key) = &key {
        let seen = locked(&simulator.cards.intents).get(key).cloned();
        if let Some(answered) = seen {
            if answered.parameters != parameters {
                return key_reused(key);
            }
            return (answered.status, Json(answered.body)).into_response();
        }
    }
    let (status, body, event) = charge(&simulator, &form);
    if let Some(key) = key {
        locked(&simulator.cards.intents).insert(
            key,
            Answered {
                parameters,
                status,
                body: body.clone(),
            },
        );
    }
    if let Some((kind, intent)) = event {
        simulator.send_object_event(kind, intent);
    }
    (status, Json(body)).into_response()
}

/// The answer to a new off-session charge, and the event it sends.
fn charge(
    simulator: &Simulator,
    form: &[(String, String)],
) -> (StatusCode, Value, Option<(&'static str, Value)>) {
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let refuse = |message: &str| {
        let body = json!({"error": {"type": "invalid_request_error", "message": message}});
        (StatusCode::BAD_REQUEST, body, None)
    };
    if field("confirm") != Some("true") || field("off_session") != Some("true") {
        return refuse(
            "This simulator charges saved cards off-session: send confirm=true and off_session=true.",
        );
    }
    let (Some(amount), Some(currency), Some(customer), Some(method_id)) = (
        field("amount").and_then(|amount| amount.parse::<i64>().ok()),
        field("currency"),
        field("customer"),
        field("payment_method"),
    ) else {
        return refuse("amount, currency, customer and payment_method are required.");
    };
    if portal_api::currency::check_chargeable(amount, currency).is_err() {
        let body = json!({"error": {"type": "invalid_request_error", "code": "amount_too_small",
            "param": "amount", "message": "Amount must be at least the currency's minimum."}});
        return (StatusCode::BAD_REQUEST, body, None);
    }
    let Some(method) = locked(&simulator.cards.methods).get(method_id).cloned() else {
        let body = json!({"error": {"type": "invalid_request_error", "code": "resource_missing",
            "param": "payment_method", "message": format!("No such PaymentMethod: '{method_id}'")}});
        return (StatusCode::NOT_FOUND, body, None);
    };
    if method.customer.as_deref() != Some(customer) {
        return refuse(
            "The provided PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.",
        );
    }
    let metadata: HashMap<&str, &str> = form
        .iter()
        .filter_map(|(key, value)| {
            Some((
                key.strip_prefix("metadata[")?.strip_suffix(']')?,
                value.as_str(),
            ))
        })
        .collect();
    let expand_charge = form
        .iter()
        .any(|(key, value)| key == "expand[]" && value == "latest_charge");
    let id = random_id("pi");
    let mut intent = json!({"id": id, "object": "payment_intent", "amount": amount,
        "currency": currency, "customer": customer, "payment_method": method_id,
        "metadata": metadata, "livemode": false});
    let (code, message) = match method.later {
        Later::Pays => {
            simulator.cards.charges.fetch_add(1, Ordering::SeqCst);
            let charge = random_id("ch");
            intent["status"] = json!("succeeded");
            intent["latest_charge"] = if expand_charge {
                json!({"id": charge, "object": "charge", "payment_method_details":
                    {"type": "card", "card": {"brand": method.brand, "last4": method.last4}}})
            } else {
                json!(charge)
            };
            return (
                StatusCode::OK,
                intent.clone(),
                Some(("payment_intent.succeeded", intent)),
            );
        }
        Later::Declined => ("card_declined", "Your card was declined."),
        Later::NeedsAuthentication => (
            "authentication_required",
            "Your card was declined. This transaction requires authentication.",
        ),
    };
    let decline_code = if code == "card_declined" {
        "generic_decline"
    } else {
        code
    };
    let error = json!({"type": "card_error", "code": code, "decline_code": decline_code,
        "message": message, "payment_method": {"id": method_id}});
    intent["status"] = json!("requires_payment_method");
    intent["latest_charge"] = Value::Null;
    intent["last_payment_error"] = error.clone();
    let mut body_error = error;
    body_error["payment_intent"] = intent.clone();
    (
        StatusCode::PAYMENT_REQUIRED,
        json!({ "error": body_error }),
        Some(("payment_intent.payment_failed", intent)),
    )
}
