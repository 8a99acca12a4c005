//! Autopay: a card saved through the provider's hosted page pays each bill without the customer,
//! the set number of days before its due date, up to the customer's maximum.
//!
//! The scheduler runs with every sweep ([`crate::sweeper`]). For each bill due for autopay it
//! first **claims** an attempt (see [`crate::store::Claimed`]: one immediate transaction takes the
//! bill into a new payment and records the attempt), then **charges** the saved card off-session
//! with the payment's id as the idempotency key, then **records** the outcome like any payment
//! (paid: transaction id, receipt, mail and notification; failed: the payment ends, the bill is
//! payable by hand again, the customer is told). So:
//!
//! - two schedulers (two server instances) racing for one bill: only one claim succeeds;
//! - a scheduler stopped between charge and record: the attempt stays `charging`; after
//!   [`CHARGING_LEASE`] the next run charges it again with the same key, and the provider answers
//!   with the first charge instead of making a second;
//! - no answer from the provider: the same, at the next run.
//!
//! **Notices**: [`NOTICE_DAYS`] days (or the server's `--autopay-notice-days`) before a bill's payment day the customer is told it will be
//! paid, and when; a bill above their maximum is not paid, and they are told on its payment day
//! (notifications and mail, through their channels, once per bill). The charge takes the bill's
//! amount on its day: a bill that changed after the notice is paid at its new amount when that is
//! within the maximum (the receipt says what was paid), else it is skipped and the customer told.
//!
//! **Retries** ([`RETRY_AFTER`]): a declined card (`card_declined`, `processing_error`) is tried
//! again one day after the first attempt and three days after the second; after the third it is
//! not tried again. A card that needs the customer to authenticate, an expired or removed card,
//! or any other refusal is not retried: the customer pays by hand.

use crate::error::{ApiResult, ServerError};
use crate::state::{AppState, SignedIn};
use crate::store::{CheckoutOutcome, Claimed, StoredCard};
use crate::stripe::{Expandable, NewSetup, OffSessionCharge, StripeError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_api::v1::{AutopaySettings, CardSetup, ChooseAutopay, PROVIDER_BUDGET_SECS, SavedCard};
use portal_api::{ErrorBody, ErrorCode};

/// How long a claimed attempt may stay unanswered before a run charges it again (seconds):
/// longer than the provider's whole time budget, so a charge still under way is not repeated.
pub const CHARGING_LEASE: i64 = 4 * PROVIDER_BUDGET_SECS as i64;

/// When a declined bill is tried again: after its first attempt, after its second (seconds).
pub const RETRY_AFTER: [i64; 2] = [24 * 3600, 3 * 24 * 3600];

/// Provider codes worth another attempt later (the card may work then).
const RETRYABLE: [&str; 2] = ["card_declined", "processing_error"];

/// How many days before an automatic payment the customer is told it is coming, unless the
/// server is told otherwise (`serve --autopay-notice-days`).
pub const NOTICE_DAYS: u32 = 3;

/// Pays what autopay should pay at `now`: first the attempts a stopped scheduler left, then the
/// bills due; then tells customers what is coming and what is above their maximum. Answers how
/// many bills it paid.
pub async fn run(state: &AppState, now: i64) -> Result<usize, ServerError> {
    let today = crate::clock::day(now);
    let unfinished = state
        .db(move |store| store.unfinished_autopay(now - CHARGING_LEASE))
        .await?;
    let due_today = today.clone();
    let due = state
        .db(move |store| store.autopay_due(&due_today, now))
        .await?;
    let mut paid = 0;
    for claimed in unfinished {
        paid += usize::from(charge(state, claimed, now).await?);
    }
    for bill in due {
        let claimed = state
            .db(move |store| store.claim_autopay(&bill, now))
            .await?;
        if let Some(claimed) = claimed {
            paid += usize::from(charge(state, claimed, now).await?);
        }
    }
    let notice_days = state.settings.autopay_notice_days;
    state
        .db(move |store| store.tell_autopay(&today, notice_days, now))
        .await?;
    Ok(paid)
}

/// Charges a claimed attempt and records the outcome; answers whether it paid. No answer from
/// the provider leaves the attempt `charging`, for the next run.
async fn charge(state: &AppState, claimed: Claimed, now: i64) -> Result<bool, ServerError> {
    let request = OffSessionCharge {
        amount: claimed.amount.amount_minor,
        currency: claimed.amount.currency.to_lowercase(),
        customer: claimed.provider_customer.clone(),
        payment_method: claimed.payment_method.clone(),
        payment_id: claimed.payment_id.clone(),
    };
    let payment_id = claimed.payment_id.clone();
    let (outcome, failure) = match state
        .stripe
        .charge_off_session(&request, &claimed.payment_id)
        .await
    {
        Ok(intent) => {
            let (card_brand, card_last4) = crate::payments::card_of(Some(&intent));
            let paid = CheckoutOutcome::Paid {
                transaction_id: intent.id,
                card_brand,
                card_last4,
                amount_total: Some(claimed.amount.amount_minor),
                currency: Some(claimed.amount.currency.clone()),
            };
            (paid, None)
        }
        Err(StripeError::Refused { status, error })
            if status < 500 && status != 409 && status != 429 =>
        {
            let code = error.code.clone().unwrap_or_else(|| "refused".to_owned());
            tracing::warn!(payment = %payment_id, "autopay charge refused: {error}");
            let next_try_at = RETRYABLE
                .contains(&code.as_str())
                .then(|| usize::try_from(claimed.attempt - 1).ok())
                .flatten()
                .and_then(|index| RETRY_AFTER.get(index))
                .map(|delay| now + delay);
            let failed = CheckoutOutcome::Failed {
                decline_code: error.decline_code.clone().unwrap_or_else(|| code.clone()),
            };
            (failed, Some((code, next_try_at)))
        }
        Err(error) => {
            tracing::warn!(payment = %payment_id, "autopay charge unanswered, tried again later: {error}");
            return Ok(false);
        }
    };
    let paid = failure.is_none();
    state
        .db(move |store| {
            store.settle(&payment_id, &outcome, now)?;
            let (code, next_try_at) = failure.unzip();
            store.finish_autopay(&payment_id, code.as_deref(), next_try_at.flatten())
        })
        .await?;
    Ok(paid)
}

/// `GET /v1/autopay`: the account's saved card, its choice of autopay and the next payment. A
/// card saved on the provider's page since the last look is picked up first (when the provider
/// cannot be asked now, the answer is what is kept, and the card is picked up at a later look).
#[utoipa::path(get, path = "/v1/autopay", tag = "customer",
    responses((status = 200, body = AutopaySettings), (status = 401, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn settings(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<AutopaySettings>> {
    pick_up_saved_card(&state, customer_id).await;
    let today = crate::clock::day(state.now());
    state
        .db(move |store| store.autopay_settings(customer_id, &today).map(Json))
        .await
}

/// `PUT /v1/autopay`: on or off, how many days before the due date, the most one bill may be.
#[utoipa::path(put, path = "/v1/autopay", tag = "customer", request_body = ChooseAutopay,
    responses((status = 200, body = AutopaySettings), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn choose(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    crate::state::ApiJson(choice): crate::state::ApiJson<ChooseAutopay>,
) -> ApiResult<Json<AutopaySettings>> {
    pick_up_saved_card(&state, customer_id).await;
    let now = state.now();
    let today = crate::clock::day(now);
    state
        .db(move |store| {
            store.choose_autopay(customer_id, &choice, &today, now)?;
            store.autopay_settings(customer_id, &today).map(Json)
        })
        .await
}

/// `POST /v1/autopay/card`: the provider's hosted page where the customer saves a card (a
/// Checkout Session in setup mode, for off-session payments), opened in the system browser.
#[utoipa::path(post, path = "/v1/autopay/card", tag = "customer",
    responses((status = 200, body = CardSetup), (status = 401, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn start_card_setup(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<CardSetup>> {
    let (known, account, currency) = state
        .db(move |store| {
            let known = store.provider_customer(customer_id)?;
            let account = store.customer(customer_id)?.ok_or(ServerError::NotFound {
                what: "The account",
            })?;
            Ok((known, account, store.account_currency(customer_id)?))
        })
        .await?;
    let provider = |error: StripeError| ServerError::Provider(error.to_string());
    let provider_customer = match known {
        Some(id) => id,
        None => {
            let number = &account.customer.account_number;
            state
                .stripe
                .create_customer(
                    &account.customer.email,
                    number,
                    &format!("customer-{number}"),
                )
                .await
                .map_err(provider)?
                .id
        }
    };
    let now = state.now();
    let base = &state.settings.public_url;
    let setup = NewSetup {
        customer: provider_customer.clone(),
        client_reference_id: format!("autopay-{}", account.customer.account_number),
        success_url: format!(
            "{base}/autopay/return?account={}&session_id={{CHECKOUT_SESSION_ID}}",
            account.customer.account_number
        ),
        cancel_url: format!(
            "{base}/autopay/return?account={}",
            account.customer.account_number
        ),
        locale: account.language.tag(),
        currency: currency.to_lowercase(),
    };
    let key = format!("setup-{customer_id}-{now}");
    let session = state
        .stripe
        .create_setup(&setup, &key)
        .await
        .map_err(provider)?;
    let setup_url = session
        .url
        .clone()
        .ok_or_else(|| ServerError::Provider("the setup session has no page".to_owned()))?;
    state
        .db(move |store| store.start_card_setup(customer_id, &provider_customer, &session.id, now))
        .await?;
    Ok(Json(CardSetup { setup_url }))
}

/// `DELETE /v1/autopay/card`: removes the saved card (detached at the provider, so it can no
/// longer be charged) and turns autopay off.
#[utoipa::path(delete, path = "/v1/autopay/card", tag = "customer",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn remove_card(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    let removed = state
        .db(move |store| store.remove_card(customer_id, now))
        .await?;
    let Some(payment_method) = removed else {
        return Err(ServerError::conflict(
            ErrorCode::NoSavedCard,
            "There is no saved card on this account.",
        ));
    };
    // Kept here as removed whatever the provider says: nothing charges it from now on.
    if let Err(error) = state.stripe.detach(&payment_method).await {
        tracing::warn!("the removed card could not be detached at the provider: {error}");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Keeps the card of a setup session the customer completed since the last look, if any. When
/// the provider cannot be asked now, what is kept stands and the card is picked up at a later
/// look.
async fn pick_up_saved_card(state: &AppState, customer_id: i64) {
    if let Err(error) = keep_card_of_setup(state, customer_id).await {
        tracing::warn!("a card being saved is picked up later: {error}");
    }
}

/// The card of the customer's pending setup session, kept if the session brought one; a
/// session that ended without a card (expired, or left) is forgotten, so the provider is asked
/// about a session only while it may still bring one.
async fn keep_card_of_setup(state: &AppState, customer_id: i64) -> Result<(), ServerError> {
    let pending = state
        .db(move |store| store.pending_card_setup(customer_id))
        .await?;
    let Some(session_id) = pending else {
        return Ok(());
    };
    let session = state
        .stripe
        .retrieve_setup(&session_id)
        .await
        .map_err(|error| ServerError::Provider(error.to_string()))?;
    let method = match session.setup_intent {
        Some(Expandable::Object(intent)) => match intent.payment_method {
            Some(Expandable::Object(method)) => Some(*method),
            _ => None,
        },
        _ => None,
    };
    let Some(method) = method else {
        if session.status.as_deref() != Some("open") {
            state
                .db(move |store| store.forget_card_setup(customer_id))
                .await?;
        }
        return Ok(());
    };
    let card = method.card.unwrap_or_default();
    let saved = StoredCard {
        payment_method: method.id,
        card: SavedCard {
            brand: card.brand.unwrap_or_else(|| "card".to_owned()),
            last4: card.last4.unwrap_or_default(),
            exp_month: card.exp_month.unwrap_or_default(),
            exp_year: card.exp_year.unwrap_or_default(),
        },
    };
    let now = state.now();
    state
        .db(move |store| store.save_card(customer_id, &saved, now))
        .await
}

/// The query of the setup return page.
#[derive(Debug, serde::Deserialize)]
pub struct ReturnQuery {
    account: Option<String>,
    session_id: Option<String>,
}

/// `GET /autopay/return?account=…[&session_id=…]`: where the provider's setup page sends the
/// customer (with the session when a card was saved, without when they gave up); hands over to
/// the app (`…://autopay/return?account=…`), which reads the card from `GET /v1/autopay`.
pub async fn return_page(
    crate::state::AppLanguage(browser): crate::state::AppLanguage,
    axum::extract::Query(query): axum::extract::Query<ReturnQuery>,
) -> axum::response::Html<String> {
    let language = browser.unwrap_or_default();
    let saved = query.session_id.is_some();
    let link = query
        .account
        .filter(|account| portal_api::v1::is_token_shaped(account, &(1..=64)))
        .map(|account| portal_api::links::DeepLink::AutopayReturn { account }.app_url());
    let (title, text) = match (language, saved) {
        (portal_api::Language::English, true) => (
            "Your card is saved",
            "Returning you to the Enerpro app to choose your automatic payments.",
        ),
        (portal_api::Language::English, false) => (
            "No card was saved",
            "Nothing changed. Returning you to the Enerpro app.",
        ),
        (portal_api::Language::Spanish, true) => (
            "Su tarjeta está guardada",
            "Le llevamos de vuelta a la aplicación de Enerpro para elegir sus pagos automáticos.",
        ),
        (portal_api::Language::Spanish, false) => (
            "No se guardó ninguna tarjeta",
            "No cambió nada. Le llevamos de vuelta a la aplicación de Enerpro.",
        ),
    };
    let (refresh, open) = match &link {
        Some(link) => {
            let link = crate::payments::escape(link);
            let words = match language {
                portal_api::Language::English => "Open the Enerpro app",
                portal_api::Language::Spanish => "Abrir la aplicación de Enerpro",
            };
            (
                format!(r#"<meta http-equiv="refresh" content="0;url={link}">"#),
                format!(r#"<p><a id="open-app" href="{link}">{words}</a></p>"#),
            )
        }
        None => (String::new(), String::new()),
    };
    axum::response::Html(format!(
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{refresh}<title>{title} · Enerpro</title></head>
<body><h1>{title}</h1><p>{text}</p>{open}</body></html>"#,
        language.tag()
    ))
}
