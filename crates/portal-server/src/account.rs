//! The signed-in customer's account: who they are, and their bills.

use crate::error::{ApiResult, ServerError};
use crate::state::{AppState, SignedIn};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portal_api::ErrorCode;
use portal_api::v1::{
    AccountList, AddHolderRequest, BillDetail, BillList, Customer, ErrorBody, ReadingsView,
};
use serde::Deserialize;

/// `GET /v1/me`
#[utoipa::path(get, path = "/v1/me", tag = "customer",
    responses((status = 200, body = Customer), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn me(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<Customer>> {
    state
        .db(move |store| {
            store
                .customer(customer_id)?
                .map(|record| Json(record.customer))
                .ok_or(ServerError::NotFound {
                    what: "The account",
                })
        })
        .await
}

/// The `status` filter of the bill list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BillFilter {
    /// `outstanding` (the default: unpaid, including those in a payment under way) or `all`.
    pub status: Option<String>,
}

/// `GET /v1/bills?status=outstanding|all`
#[utoipa::path(get, path = "/v1/bills", tag = "customer", params(BillFilter),
    responses((status = 200, body = BillList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn bills(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Query(filter): Query<BillFilter>,
) -> ApiResult<Json<BillList>> {
    let unpaid_only = match filter.status.as_deref() {
        None | Some("outstanding") => true,
        Some("all") => false,
        Some(_) => {
            return Err(ServerError::bad_request(
                ErrorCode::InvalidFilter,
                "status must be `outstanding` or `all`.",
            ));
        }
    };
    state
        .db(move |store| {
            Ok(Json(BillList {
                bills: store.bills(customer_id, unpaid_only)?,
            }))
        })
        .await
}

/// `GET /v1/bills/{id}`: one of the customer's bills with its lines; another customer's bill is
/// not found.
#[utoipa::path(get, path = "/v1/bills/{id}", tag = "customer",
    params(("id" = String, Path, description = "The bill's id")),
    responses((status = 200, body = BillDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn bill(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<BillDetail>> {
    state
        .db(move |store| {
            store
                .bill_detail(customer_id, &id)?
                .map(Json)
                .ok_or(ServerError::NotFound { what: "The bill" })
        })
        .await
}

/// `GET /v1/bills/{id}/pdf`: the bill as a PDF in the customer's language, with the last 13
/// months' usage; another customer's bill is not found.
#[utoipa::path(get, path = "/v1/bills/{id}/pdf", tag = "customer",
    params(("id" = String, Path, description = "The bill's id")),
    responses((status = 200, description = "The bill, `application/pdf`", content_type = "application/pdf"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn bill_pdf(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let not_found = || ServerError::NotFound { what: "The bill" };
    let (detail, record, months) = state
        .db(move |store| {
            let detail = store.bill_detail(customer_id, &id)?.ok_or_else(not_found)?;
            let record = store.customer(customer_id)?.ok_or_else(not_found)?;
            let (from, to) = thirteen_months(&detail.bill.period.end).ok_or_else(not_found)?;
            let months = store.monthly_usage(customer_id, from, to)?;
            Ok((detail, record, months))
        })
        .await?;
    let started = std::time::Instant::now();
    let document = crate::pdf::bill(&detail, &record.customer, &months, record.language);
    tracing::debug!(bill = %detail.bill.id, elapsed = ?started.elapsed(), "bill PDF rendered");
    Ok(pdf_response(
        document,
        &format!(
            "enerpro-bill-{}.pdf",
            detail.bill.period.start.get(0..7).unwrap_or("bill")
        ),
    ))
}

/// `GET /v1/receipts/{id}/pdf`: a receipt as a PDF in the customer's language; another
/// customer's receipt is not found.
#[utoipa::path(get, path = "/v1/receipts/{id}/pdf", tag = "payments",
    params(("id" = String, Path, description = "Receipt id")),
    responses((status = 200, description = "The receipt, `application/pdf`", content_type = "application/pdf"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn receipt_pdf(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let not_found = || ServerError::NotFound {
        what: "The receipt",
    };
    let (receipt, record) = state
        .db(move |store| {
            let receipt = store.receipt(customer_id, &id)?.ok_or_else(not_found)?;
            let record = store.customer(customer_id)?.ok_or_else(not_found)?;
            Ok((receipt, record))
        })
        .await?;
    let document = crate::pdf::receipt(&receipt, &record.customer, record.language);
    Ok(pdf_response(
        document,
        &format!("enerpro-receipt-{}.pdf", receipt.number),
    ))
}

/// A PDF to save under `file_name`.
fn pdf_response(document: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        document,
    )
        .into_response()
}

/// The 13 months (Unix seconds, UTC) that end with the month of `period_end` (`YYYY-MM-DD`).
fn thirteen_months(period_end: &str) -> Option<(i64, i64)> {
    let year: i32 = period_end.get(0..4)?.parse().ok()?;
    let month: i32 = period_end.get(5..7)?.parse().ok()?;
    let start_of = |months: i32| {
        let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
        let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
        let date = time::Date::from_calendar_date(year, month, 1).ok()?;
        Some(date.midnight().assume_utc().unix_timestamp())
    };
    let index = year * 12 + month - 1;
    Some((start_of(index - 12)?, start_of(index + 1)?))
}

/// The longest range `GET /v1/readings` answers, in seconds: 25 months (24 whole months and the
/// month under way, which is what an app comparing this year's months with last year's asks).
pub const MAX_READINGS_RANGE: i64 = (2 * 366 + 31) * 24 * 3600;

/// The range of `GET /v1/readings`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReadingsRange {
    /// The first hour, Unix seconds (UTC); two years before `to` without it.
    pub from: Option<i64>,
    /// The end (exclusive), Unix seconds; now without it.
    pub to: Option<i64>,
}

/// `GET /v1/readings?from=…&to=…`
#[utoipa::path(get, path = "/v1/readings", tag = "customer", params(ReadingsRange),
    responses((status = 200, body = ReadingsView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn readings(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Query(range): Query<ReadingsRange>,
) -> ApiResult<Json<ReadingsView>> {
    let to = range.to.unwrap_or_else(|| state.now());
    let from = range.from.unwrap_or(to - 2 * 365 * 24 * 3600);
    if from >= to || to - from > MAX_READINGS_RANGE {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidFilter,
            "from and to: from before to, at most 25 months apart",
        ));
    }
    state
        .db(move |store| {
            Ok(Json(ReadingsView {
                meters: store.readings(customer_id, from, to)?,
            }))
        })
        .await
}

/// `GET /v1/accounts`: the accounts the signed-in person holds (the `X-Account` header picks
/// one for the other requests).
#[utoipa::path(get, path = "/v1/accounts", tag = "customer",
    responses((status = 200, body = AccountList), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn accounts(
    person: crate::state::Person,
    State(state): State<AppState>,
) -> ApiResult<Json<AccountList>> {
    state
        .db(move |store| {
            Ok(Json(AccountList {
                accounts: store
                    .held_accounts(&person.email)?
                    .into_iter()
                    .map(|record| record.customer)
                    .collect(),
            }))
        })
        .await
}

/// `POST /v1/admin/accounts/{account}/holders` (support staff): gives a person access to the
/// account; they sign in with their email (or open an invitation to it) and find it among
/// theirs. Giving it again changes nothing.
#[utoipa::path(post, path = "/v1/admin/accounts/{account}/holders", tag = "admin",
    params(("account" = String, Path, description = "The account number")),
    request_body = AddHolderRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_add_holder(
    _admin: crate::state::Admin,
    State(state): State<AppState>,
    Path(account): Path<String>,
    crate::state::ApiJson(request): crate::state::ApiJson<AddHolderRequest>,
) -> ApiResult<axum::http::StatusCode> {
    let email = request.email.trim().to_owned();
    if !crate::auth::valid_email(&email) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidEmail,
            "email: an email address",
        ));
    }
    let now = state.now();
    state
        .db(move |store| {
            let record = store
                .customer_by_account(&account)?
                .ok_or(ServerError::NotFound {
                    what: "The account",
                })?;
            store.add_holder(record.id, &email, now)?;
            Ok(axum::http::StatusCode::NO_CONTENT)
        })
        .await
}

/// `DELETE /v1/admin/accounts/{account}/holders/{email}` (support staff): takes a person's
/// access to the account away; their app drops the account at its next refresh. The email on
/// file keeps its account (404 here).
#[utoipa::path(delete, path = "/v1/admin/accounts/{account}/holders/{email}", tag = "admin",
    params(("account" = String, Path, description = "The account number"),
           ("email" = String, Path, description = "The person's email")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_remove_holder(
    _admin: crate::state::Admin,
    State(state): State<AppState>,
    Path((account, email)): Path<(String, String)>,
) -> ApiResult<axum::http::StatusCode> {
    state
        .db(move |store| {
            let not_found = || ServerError::NotFound {
                what: "That access",
            };
            let record = store.customer_by_account(&account)?.ok_or_else(not_found)?;
            if store.remove_holder(record.id, email.trim())? {
                Ok(axum::http::StatusCode::NO_CONTENT)
            } else {
                Err(not_found())
            }
        })
        .await
}
