//! The signed-in customer's account: who they are, and their bills.

use crate::error::{ApiResult, ServerError};
use crate::state::{AppState, SignedIn};
use axum::Json;
use axum::extract::{Path, Query, State};
use portal_api::ErrorCode;
use portal_api::v1::{BillDetail, BillList, Customer, ErrorBody, ReadingsView};
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

/// The longest range `GET /v1/readings` answers: two years and a day, in seconds.
pub const MAX_READINGS_RANGE: i64 = (2 * 365 + 2) * 24 * 3600;

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
            "from and to: from before to, at most two years apart",
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
