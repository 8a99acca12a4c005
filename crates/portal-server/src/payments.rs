//! Payments through the provider's hosted checkout, confirmation, cancellation, the provider's
//! webhook, receipts, and the return pages that hand the browser back to the app.
//!
//! The backend, never the app, computes what is charged: from the bills, in the database, in the
//! same transaction that reserves them. Paid status always comes from the provider (a session
//! retrieve, or a signed webhook followed by a retrieve), and settling is idempotent, so a
//! confirm and a webhook in any order make one receipt.

use crate::error::{ApiResult, ServerError};
use crate::state::{Admin, ApiJson, AppLanguage, AppState, SignedIn};
use crate::store::{CheckoutOutcome, CreateOutcome};
use crate::stripe::{
    CheckoutSession, Expandable, LineItem, NewCheckout, StripeError, verify_signature,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Html;
use portal_api::links::DeepLink;
use portal_api::v1::{
    CreatePaymentRequest, ErrorBody, IDEMPOTENCY_HEADER, Outbox, Payment, PaymentList,
    PaymentStatus, Receipt, ReceiptList,
};
use portal_api::{ErrorCode, Language};
use serde::Deserialize;

/// How long a hosted checkout stays open (seconds). Stripe allows 30 minutes to 24 hours.
pub const CHECKOUT_TTL: i64 = 60 * 60;
/// The most bills one payment may cover.
pub const MAX_BILLS_PER_PAYMENT: usize = 50;

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ServerError::bad_request(
            ErrorCode::MissingIdempotencyKey,
            "Creating a payment needs an Idempotency-Key header (1 to 255 visible characters).",
        ));
    }
    Ok(key.to_owned())
}

fn check_bill_ids(bill_ids: &[String]) -> ApiResult<()> {
    if bill_ids.is_empty() {
        return Err(ServerError::bad_request(
            ErrorCode::NoBills,
            "Choose at least one bill to pay.",
        ));
    }
    if bill_ids.len() > MAX_BILLS_PER_PAYMENT {
        return Err(ServerError::bad_request(
            ErrorCode::TooManyBills,
            format!("Pay at most {MAX_BILLS_PER_PAYMENT} bills at once."),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for id in bill_ids {
        if id.is_empty() || id.len() > 64 {
            return Err(ServerError::bad_request(
                ErrorCode::UnknownBill,
                "A bill id is not valid.",
            ));
        }
        if !seen.insert(id) {
            return Err(ServerError::bad_request(
                ErrorCode::DuplicateBills,
                format!("Bill {id} is listed twice."),
            ));
        }
    }
    Ok(())
}

/// `POST /v1/payments`: reserve the bills, create the hosted checkout, answer its URL.
#[utoipa::path(post, path = "/v1/payments", tag = "payments",
    request_body = CreatePaymentRequest,
    params(("Idempotency-Key" = String, Header, description = "Same key and bills return the same payment"),
           ("Accept-Language" = Option<String>, Header, description = "The app's language (en, es): kept as the customer's, for their mails and the checkout")),
    responses((status = 201, body = Payment), (status = 200, body = Payment, description = "Replay of the same request"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn create_payment(
    person: crate::state::Person,
    State(state): State<AppState>,
    AppLanguage(app_language): AppLanguage,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CreatePaymentRequest>,
) -> ApiResult<(StatusCode, Json<Payment>)> {
    let key = idempotency_key(&headers)?;
    check_bill_ids(&request.bill_ids)?;
    let customer_id = person.account;
    let now = state.now();
    let bill_ids = request.bill_ids.clone();
    let (outcome, language) = state
        .db(move |store| {
            // The checkout speaks the app's language (kept for the receipt mail), else the
            // customer's.
            let language = match app_language {
                Some(language) => {
                    store.set_customer_language(customer_id, language)?;
                    language
                }
                None => store
                    .customer(customer_id)?
                    .map(|customer| customer.language)
                    .unwrap_or_default(),
            };
            // One checkout may pay bills of every account the person holds.
            let payable: Vec<i64> = store
                .held_accounts(&person.email)?
                .iter()
                .map(|record| record.id)
                .collect();
            Ok((
                store.reserve_payment(customer_id, &payable, &key, &bill_ids, now)?,
                language,
            ))
        })
        .await?;
    let reserved = match outcome {
        CreateOutcome::Existing(payment) => return Ok((StatusCode::OK, Json(*payment))),
        CreateOutcome::Reserved(reserved) => reserved,
    };
    let public = &state.settings.public_url;
    let checkout = NewCheckout {
        currency: reserved.amount.currency.to_lowercase(),
        line_items: reserved
            .lines
            .iter()
            .map(|(_, period, amount)| LineItem {
                name: match language {
                    Language::English => {
                        format!("Electricity bill {} to {}", period.start, period.end)
                    }
                    Language::Spanish => format!(
                        "Factura de electricidad del {} al {}",
                        period.start, period.end
                    ),
                },
                unit_amount: *amount,
            })
            .collect(),
        locale: language.tag(),
        client_reference_id: reserved.id.clone(),
        success_url: format!("{public}/checkout/return?session_id={{CHECKOUT_SESSION_ID}}"),
        cancel_url: format!("{public}/checkout/cancel?payment={}", reserved.id),
        expires_at: now + CHECKOUT_TTL,
    };
    let payment_id = reserved.id.clone();
    let session = match state.stripe.create(&checkout, &payment_id).await {
        Ok(session) => session,
        Err(error) => {
            let id = payment_id.clone();
            state
                .db(move |store| store.abandon_reservation(&id))
                .await?;
            return Err(ServerError::Provider(error.to_string()));
        }
    };
    let Some(url) = session.url.clone() else {
        let id = payment_id.clone();
        state
            .db(move |store| store.abandon_reservation(&id))
            .await?;
        return Err(ServerError::Provider("the checkout has no URL".into()));
    };
    let payment = state
        .db(move |store| {
            store.attach_checkout(&payment_id, &session.id, &url, session.expires_at)?;
            store
                .payment(customer_id, &payment_id)?
                .ok_or(ServerError::NotFound {
                    what: "The payment",
                })
        })
        .await?;
    tracing::info!(payment = %payment.id, amount = payment.amount.amount_minor, "payment created");
    Ok((StatusCode::CREATED, Json(payment)))
}

/// `GET /v1/payments`
#[utoipa::path(get, path = "/v1/payments", tag = "payments",
    responses((status = 200, body = PaymentList), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn list_payments(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<PaymentList>> {
    state
        .db(move |store| {
            Ok(Json(PaymentList {
                payments: store.payments(customer_id)?,
            }))
        })
        .await
}

/// `GET /v1/payments/{id}`
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses((status = 200, body = Payment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn get_payment(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> ApiResult<Json<Payment>> {
    load(&state, customer_id, payment_id).await.map(Json)
}

async fn load(state: &AppState, customer_id: i64, payment_id: String) -> ApiResult<Payment> {
    state
        .db(move |store| {
            store
                .payment(customer_id, &payment_id)?
                .ok_or(ServerError::NotFound {
                    what: "The payment",
                })
        })
        .await
}

/// The brand and last four digits of the card a payment intent charged, as a receipt shows
/// them (`card`, `????` when the provider does not say).
pub fn card_of(intent: Option<&crate::stripe::PaymentIntent>) -> (String, String) {
    let card = intent
        .and_then(|intent| intent.latest_charge.as_ref())
        .and_then(|charge| match charge {
            Expandable::Object(charge) => charge.payment_method_details.as_ref(),
            Expandable::Id(_) => None,
        })
        .and_then(|details| details.card.as_ref());
    (
        card.and_then(|c| c.brand.clone())
            .unwrap_or_else(|| "card".into()),
        card.and_then(|c| c.last4.clone())
            .unwrap_or_else(|| "????".into()),
    )
}

/// What a retrieved session means for the payment.
pub fn outcome_of(session: &CheckoutSession) -> CheckoutOutcome {
    let intent = match &session.payment_intent {
        Some(Expandable::Object(intent)) => Some(intent.as_ref()),
        _ => None,
    };
    if session.payment_status == "paid" {
        let transaction_id = match &session.payment_intent {
            Some(Expandable::Id(id)) => id.clone(),
            Some(Expandable::Object(intent)) => intent.id.clone(),
            None => session.id.clone(),
        };
        let (card_brand, card_last4) = card_of(intent);
        return CheckoutOutcome::Paid {
            transaction_id,
            card_brand,
            card_last4,
            amount_total: session.amount_total,
            currency: session.currency.clone(),
        };
    }
    if session.status.as_deref() == Some("expired") {
        return CheckoutOutcome::Expired;
    }
    let intent_failed = intent.is_some_and(|intent| {
        matches!(
            intent.status.as_deref(),
            Some("requires_payment_method" | "canceled")
        )
    });
    if session.status.as_deref() == Some("complete") && intent_failed {
        // Completed but unpaid, and its payment intent gave up: a delayed payment method (a
        // bank debit) failed (`checkout.session.async_payment_failed`). While the intent is
        // still `processing` the payment waits for `…async_payment_succeeded`.
        return CheckoutOutcome::Failed {
            decline_code: intent
                .and_then(|intent| intent.last_payment_error.as_ref())
                .and_then(|error| error.decline_code.clone().or(error.code.clone()))
                .unwrap_or_else(|| "payment_failed".to_owned()),
        };
    }
    let failure = intent.and_then(|intent| intent.last_payment_error.as_ref());
    CheckoutOutcome::Open {
        last_error: failure.map(ToString::to_string),
        decline_code: failure.and_then(|error| error.decline_code.clone().or(error.code.clone())),
    }
}

/// Asks the provider about the payment's checkout and settles it. Returns the payment.
async fn settle_from_provider(
    state: &AppState,
    customer_id: i64,
    payment_id: String,
) -> ApiResult<Payment> {
    let id = payment_id.clone();
    let checkout = state
        .db(move |store| store.checkout_of(customer_id, &id))
        .await?
        .ok_or(ServerError::NotFound {
            what: "The payment",
        })?;
    if let (Some(session_id), PaymentStatus::Processing) = checkout {
        let session = state
            .stripe
            .retrieve(&session_id)
            .await
            .map_err(|error| ServerError::Provider(error.to_string()))?;
        settle_with(state, &payment_id, &session).await?;
    }
    load(state, customer_id, payment_id).await
}

/// Records what `session` says about the payment.
pub(crate) async fn settle_with(
    state: &AppState,
    payment_id: &str,
    session: &CheckoutSession,
) -> ApiResult<()> {
    let outcome = outcome_of(session);
    let now = state.now();
    let id = payment_id.to_owned();
    state
        .db(move |store| store.settle(&id, &outcome, now))
        .await?;
    Ok(())
}

/// `POST /v1/payments/{id}/confirm`: ask the provider and record the outcome. Idempotent.
#[utoipa::path(post, path = "/v1/payments/{id}/confirm", tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses((status = 200, body = Payment), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn confirm_payment(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> ApiResult<Json<Payment>> {
    settle_from_provider(&state, customer_id, payment_id)
        .await
        .map(Json)
}

/// `POST /v1/payments/{id}/cancel`: expire the checkout at the provider and free the bills. If
/// the customer paid in the meantime, the payment is recorded as paid instead.
#[utoipa::path(post, path = "/v1/payments/{id}/cancel", tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses((status = 200, body = Payment), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn cancel_payment(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> ApiResult<Json<Payment>> {
    let id = payment_id.clone();
    let (session_id, status) = state
        .db(move |store| store.checkout_of(customer_id, &id))
        .await?
        .ok_or(ServerError::NotFound {
            what: "The payment",
        })?;
    let cancelable = matches!(status, PaymentStatus::Processing | PaymentStatus::Expired);
    let Some(session_id) = session_id.filter(|_| cancelable) else {
        return load(&state, customer_id, payment_id).await.map(Json);
    };
    // Recorded first: an expiry webhook racing this cancel then ends as canceled too.
    let id = payment_id.clone();
    state.db(move |store| store.request_cancel(&id)).await?;
    if status == PaymentStatus::Expired {
        let id = payment_id.clone();
        state.db(move |store| store.cancel(&id)).await?;
        return load(&state, customer_id, payment_id).await.map(Json);
    }
    match state.stripe.expire(&session_id).await {
        Ok(session)
            if session.status.as_deref() == Some("expired") && session.payment_status != "paid" =>
        {
            let id = payment_id.clone();
            state.db(move |store| store.cancel(&id)).await?;
            load(&state, customer_id, payment_id).await.map(Json)
        }
        // Not expirable (paid meanwhile) or an unclear answer: the provider's state decides.
        Ok(_) | Err(StripeError::Refused { .. }) => {
            settle_from_provider(&state, customer_id, payment_id)
                .await
                .map(Json)
        }
        Err(error) => Err(ServerError::Provider(error.to_string())),
    }
}

/// `GET /v1/receipts`
#[utoipa::path(get, path = "/v1/receipts", tag = "payments",
    responses((status = 200, body = ReceiptList), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn list_receipts(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<ReceiptList>> {
    state
        .db(move |store| {
            Ok(Json(ReceiptList {
                receipts: store.receipts(customer_id)?,
            }))
        })
        .await
}

/// `GET /v1/receipts/{id}`
#[utoipa::path(get, path = "/v1/receipts/{id}", tag = "payments",
    params(("id" = String, Path, description = "Receipt id")),
    responses((status = 200, body = Receipt), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn get_receipt(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(receipt_id): Path<String>,
) -> ApiResult<Json<Receipt>> {
    state
        .db(move |store| {
            store
                .receipt(customer_id, &receipt_id)?
                .map(Json)
                .ok_or(ServerError::NotFound {
                    what: "The receipt",
                })
        })
        .await
}

/// `GET /v1/admin/outbox` (admin): the sandbox's sent mail.
#[utoipa::path(get, path = "/v1/admin/outbox", tag = "admin",
    responses((status = 200, body = Outbox), (status = 401, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_outbox(_admin: Admin, State(state): State<AppState>) -> ApiResult<Json<Outbox>> {
    state
        .db(|store| {
            Ok(Json(Outbox {
                messages: store.outbox()?,
            }))
        })
        .await
}

/// `POST /v1/webhooks/stripe`: signed provider events; settles payments no app confirms.
#[utoipa::path(post, path = "/v1/webhooks/stripe", tag = "provider",
    request_body(content = String, description = "A Stripe event, signed in the Stripe-Signature header"),
    responses((status = 200), (status = 400, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let signature = headers
        .get("Stripe-Signature")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if let Err(reason) =
        verify_signature(signature, &body, state.stripe.webhook_secret(), state.now())
    {
        tracing::warn!("webhook refused: {reason:?}");
        return Err(ServerError::bad_request(
            ErrorCode::InvalidSignature,
            "The webhook signature is not valid.",
        ));
    }
    let event: crate::stripe::Event = serde_json::from_slice(&body).map_err(|_| {
        ServerError::bad_request(ErrorCode::MalformedJson, "The event is not valid JSON.")
    })?;
    let event_id = event.id.clone();
    if state.db(move |store| store.event_seen(&event_id)).await? {
        return Ok(StatusCode::OK);
    }
    let handled = matches!(
        event.kind.as_str(),
        "checkout.session.completed"
            | "checkout.session.expired"
            | "checkout.session.async_payment_succeeded"
            | "checkout.session.async_payment_failed"
    );
    let session_id = event
        .data
        .object
        .get("id")
        .and_then(|id| id.as_str())
        .map(str::to_owned);
    if let (true, Some(session_id)) = (handled, session_id) {
        let lookup = session_id.clone();
        if let Some(payment_id) = state
            .db(move |store| store.payment_by_session(&lookup))
            .await?
        {
            // The event says what happened; the provider's current state says what is true.
            let session = state
                .stripe
                .retrieve(&session_id)
                .await
                .map_err(|error| ServerError::Provider(error.to_string()))?;
            let outcome = outcome_of(&session);
            let now = state.now();
            state
                .db(move |store| store.settle(&payment_id, &outcome, now))
                .await?;
        }
    }
    let now = state.now();
    state
        .db(move |store| store.record_event(&event.id, &event.kind, now))
        .await?;
    Ok(StatusCode::OK)
}

/// The query of the return page.
#[derive(Debug, Deserialize)]
pub struct ReturnQuery {
    session_id: Option<String>,
}

/// The query of the cancel page.
#[derive(Debug, Deserialize)]
pub struct CancelQuery {
    payment: Option<String>,
}

/// `GET /checkout/return?session_id=…`: the provider's success redirect; hands over to the app.
pub async fn return_page(
    State(state): State<AppState>,
    AppLanguage(browser): AppLanguage,
    Query(query): Query<ReturnQuery>,
) -> (StatusCode, Html<String>) {
    let session_id = query.session_id.unwrap_or_default();
    let found = state
        .db(move |store| {
            let Some(payment_id) = store.payment_by_session(&session_id)? else {
                return Ok(None);
            };
            let language = store.payment_language(&payment_id)?.unwrap_or_default();
            Ok(Some((payment_id, language)))
        })
        .await;
    match found {
        Ok(Some((payment_id, language))) => (
            StatusCode::OK,
            Html(handover_page(language, Handover::Paid, &payment_id)),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            Html(not_found_page(browser.unwrap_or_default())),
        ),
    }
}

/// `GET /checkout/cancel?payment=…`: the provider's cancel link; hands over to the app.
pub async fn cancel_page(
    State(state): State<AppState>,
    AppLanguage(browser): AppLanguage,
    Query(query): Query<CancelQuery>,
) -> (StatusCode, Html<String>) {
    let payment_id = query.payment.unwrap_or_default();
    let lookup = payment_id.clone();
    let known = state
        .db(move |store| store.payment_language(&lookup))
        .await
        .ok()
        .flatten();
    match known {
        Some(language) => (
            StatusCode::OK,
            Html(handover_page(language, Handover::Closed, &payment_id)),
        ),
        None => (
            StatusCode::NOT_FOUND,
            Html(not_found_page(browser.unwrap_or_default())),
        ),
    }
}

/// How a checkout ended, for the page that hands the customer back to the app.
#[derive(Clone, Copy)]
enum Handover {
    Paid,
    Closed,
}

fn handover_page(language: Language, handover: Handover, payment_id: &str) -> String {
    let (title, text) = match (language, handover) {
        (Language::English, Handover::Paid) => (
            "Payment received",
            "Returning you to the Enerpro app to confirm your payment.",
        ),
        (Language::English, Handover::Closed) => (
            "Checkout closed",
            "Nothing was charged. Returning you to the Enerpro app.",
        ),
        (Language::Spanish, Handover::Paid) => (
            "Pago recibido",
            "Le llevamos de vuelta a la aplicación de Enerpro para confirmar su pago.",
        ),
        (Language::Spanish, Handover::Closed) => (
            "Pago cerrado",
            "No se cobró nada. Le llevamos de vuelta a la aplicación de Enerpro.",
        ),
    };
    let (if_not, open_app) = match language {
        Language::English => ("If the app does not open,", "open the Enerpro app"),
        Language::Spanish => (
            "Si la aplicación no se abre,",
            "abra la aplicación de Enerpro",
        ),
    };
    let lang = language.tag();
    let link = escape(
        &DeepLink::PaymentReturn {
            payment: payment_id.to_owned(),
        }
        .app_url(),
    );
    let open = format!(r#"{if_not} <a id="open-app" href="{link}">{open_app}</a>."#);
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0;url={link}"><title>{title} · Enerpro</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1c2421}}a{{color:#0b5d4b;font-weight:600}}</style></head>
<body><h1>{title}</h1><p>{text}</p><p>{open}</p></body></html>"#
    )
}

fn not_found_page(language: Language) -> String {
    let (title, text) = match language {
        Language::English => (
            "We could not find this payment",
            "Open the Enerpro app to see the state of your payments.",
        ),
        Language::Spanish => (
            "No encontramos este pago",
            "Abra la aplicación de Enerpro para ver el estado de sus pagos.",
        ),
    };
    format!(
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{title} · Enerpro</title></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"#,
        language.tag()
    )
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(status: &str, payment_status: &str, intent: serde_json::Value) -> CheckoutSession {
        serde_json::from_value(serde_json::json!({
            "id": "cs_test_async", "status": status, "payment_status": payment_status,
            "expires_at": 1, "amount_total": 5000, "currency": "usd", "payment_intent": intent
        }))
        .unwrap()
    }

    #[test]
    fn a_delayed_payment_waits_while_processing_and_ends_when_it_failed() {
        let pending = session(
            "complete",
            "unpaid",
            serde_json::json!({"id": "pi_1", "status": "processing"}),
        );
        assert!(matches!(
            outcome_of(&pending),
            CheckoutOutcome::Open {
                decline_code: None,
                ..
            }
        ));
        let failed = session(
            "complete",
            "unpaid",
            serde_json::json!({"id": "pi_1", "status": "requires_payment_method",
                "last_payment_error": {"type": "card_error", "code": "payment_intent_payment_attempt_failed",
                                       "decline_code": "insufficient_funds"}}),
        );
        assert_eq!(
            outcome_of(&failed),
            CheckoutOutcome::Failed {
                decline_code: "insufficient_funds".into()
            }
        );
        let succeeded = session(
            "complete",
            "paid",
            serde_json::json!({"id": "pi_1", "status": "succeeded"}),
        );
        assert!(matches!(
            outcome_of(&succeeded),
            CheckoutOutcome::Paid { .. }
        ));
    }

    #[test]
    fn a_decline_keeps_its_code_and_the_provider_text_only_for_the_log() {
        let declined = session(
            "open",
            "unpaid",
            serde_json::json!({"id": "pi_1", "status": "requires_payment_method",
                "last_payment_error": {"type": "card_error", "code": "card_declined",
                    "decline_code": "expired_card", "message": "Your card has expired."}}),
        );
        let CheckoutOutcome::Open {
            last_error,
            decline_code,
        } = outcome_of(&declined)
        else {
            panic!("still open");
        };
        assert_eq!(decline_code.as_deref(), Some("expired_card"));
        assert!(last_error.is_some_and(|log| log.contains("Your card has expired.")));
    }
}
