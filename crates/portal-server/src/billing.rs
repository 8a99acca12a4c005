//! A billing system's ways in and out.
//!
//! In: `POST /v1/admin/import` takes bills with their lines and imports them all or none.
//! Everything is checked before anything is written, and a refusal names the place
//! (`bills[3].lines: …`); importing the same bills again changes nothing, and a bill id imported
//! before with other content refuses the whole import (issued bills are not rewritten).
//!
//! Out: `GET /v1/admin/payments?after=…` pages through the settled payments in the order they
//! settled (bills, amount, transaction id, time), so a billing system other than this server
//! can record paid status and transaction ids too. The cursor is the position of the last
//! payment of a page; a payment settled later always comes after it.

use crate::error::{ApiResult, ServerError};
use crate::state::{Admin, ApiJson, AppState};
use axum::Json;
use axum::extract::{Query, State};
use portal_api::ErrorCode;
use portal_api::v1::{
    BillLine, ErrorBody, ImportReport, ImportRequest, ImportedBill, Money, PaymentFeed,
};
use serde::Deserialize;
use std::collections::HashSet;

/// The largest import body (bytes); a larger one is refused as too large.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// The most bills one import may carry.
pub const MAX_IMPORTED_BILLS: usize = 10_000;

/// `POST /v1/admin/import`
#[utoipa::path(post, path = "/v1/admin/import", tag = "admin",
    request_body = ImportRequest,
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_import(
    _admin: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ImportRequest>,
) -> ApiResult<Json<ImportReport>> {
    check_request(&request).map_err(refused)?;
    state
        .db(move |store| {
            let mut customers = Vec::with_capacity(request.bills.len());
            for (index, bill) in request.bills.iter().enumerate() {
                let customer = store
                    .customer_by_account(&bill.account_number)?
                    .ok_or_else(|| {
                        refused(format!(
                            "bills[{index}].account_number: there is no account {}",
                            bill.account_number
                        ))
                    })?;
                customers.push((customer.id, bill));
            }
            match store.import_bills(&customers)? {
                Ok(report) => Ok(Json(report)),
                Err(index) => Err(refused(format!(
                    "bills[{index}].id: {} was imported before with other content",
                    request.bills[index].id
                ))),
            }
        })
        .await
}

/// The feed's page size, when not asked.
pub const FEED_PAGE: i64 = 100;

/// The largest page the feed answers.
pub const FEED_PAGE_MAX: i64 = 500;

/// The feed's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeedQuery {
    /// The `next` cursor of the previous page; from the first settled payment without it.
    pub after: Option<String>,
    /// Payments per page, 1 to 500 (100 without it).
    pub limit: Option<i64>,
}

/// `GET /v1/admin/payments?after=…&limit=…`
#[utoipa::path(get, path = "/v1/admin/payments", tag = "admin", params(FeedQuery),
    responses((status = 200, body = PaymentFeed), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_payment_feed(
    _admin: Admin,
    State(state): State<AppState>,
    Query(query): Query<FeedQuery>,
) -> ApiResult<Json<PaymentFeed>> {
    let after = match query.after.as_deref() {
        None => 0,
        Some(cursor) => cursor
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ServerError::bad_request(
                    ErrorCode::InvalidFilter,
                    "after: not a cursor this feed gave",
                )
            })?,
    };
    let limit = query.limit.unwrap_or(FEED_PAGE);
    if !(1..=FEED_PAGE_MAX).contains(&limit) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidFilter,
            format!("limit: 1 to {FEED_PAGE_MAX}"),
        ));
    }
    state
        .db(move |store| {
            let (payments, last) = store.settled_payments(after, limit)?;
            // A full page may have more after it; a short one is the last.
            let next = last
                .filter(|_| payments.len() as i64 == limit)
                .map(|last| last.to_string());
            Ok(Json(PaymentFeed { payments, next }))
        })
        .await
}

fn refused(place: String) -> ServerError {
    ServerError::bad_request(ErrorCode::ImportRejected, place)
}

/// Every check that needs no database: the first problem, by its place.
fn check_request(request: &ImportRequest) -> Result<(), String> {
    if request.bills.is_empty() {
        return Err("bills: there is no bill to import".to_owned());
    }
    if request.bills.len() > MAX_IMPORTED_BILLS {
        return Err(format!(
            "bills: {} bills, more than the {MAX_IMPORTED_BILLS} one import takes",
            request.bills.len()
        ));
    }
    let mut ids = HashSet::new();
    for (index, bill) in request.bills.iter().enumerate() {
        check_bill(bill).map_err(|problem| format!("bills[{index}].{problem}"))?;
        if !ids.insert(bill.id.as_str()) {
            return Err(format!(
                "bills[{index}].id: {} is in this import twice",
                bill.id
            ));
        }
    }
    Ok(())
}

fn check_bill(bill: &ImportedBill) -> Result<(), String> {
    if bill.account_number.trim().is_empty() {
        return Err("account_number: empty".to_owned());
    }
    let id_ok = (1..=64).contains(&bill.id.len())
        && bill
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !id_ok {
        return Err("id: 1 to 64 letters, digits, '_' or '-'".to_owned());
    }
    for (field, date) in [
        ("period.start", &bill.period.start),
        ("period.end", &bill.period.end),
        ("issue_date", &bill.issue_date),
        ("due_date", &bill.due_date),
    ] {
        if !is_date(date) {
            return Err(format!("{field}: {date:?} is not a date (YYYY-MM-DD)"));
        }
    }
    if bill.period.end < bill.period.start {
        return Err("period: it ends before it starts".to_owned());
    }
    if bill.due_date < bill.issue_date {
        return Err("due_date: before the issue date".to_owned());
    }
    let currency = &bill.amount.currency;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "amount.currency: {currency:?} is not an ISO 4217 code"
        ));
    }
    if bill.amount.amount_minor <= 0 {
        return Err("amount: a bill is for more than nothing".to_owned());
    }
    if bill.lines.is_empty() {
        return Err("lines: a bill has at least one line".to_owned());
    }
    let mut sum: i64 = 0;
    for (index, line) in bill.lines.iter().enumerate() {
        check_line(line, currency).map_err(|problem| format!("lines[{index}].{problem}"))?;
        sum = sum
            .checked_add(line.amount.amount_minor)
            .ok_or_else(|| format!("lines[{index}].amount: the sum overflows"))?;
    }
    if sum != bill.amount.amount_minor {
        let shown = |minor| {
            Money {
                amount_minor: minor,
                currency: currency.clone(),
            }
            .display()
        };
        return Err(format!(
            "lines: they sum to {}, the bill's amount is {}",
            shown(sum),
            shown(bill.amount.amount_minor)
        ));
    }
    Ok(())
}

fn check_line(line: &BillLine, currency: &str) -> Result<(), String> {
    if line.description.trim().is_empty() || line.description.len() > 200 {
        return Err("description: 1 to 200 characters".to_owned());
    }
    if line.amount.currency != currency {
        return Err(format!(
            "amount.currency: {} in a bill in {currency}",
            line.amount.currency
        ));
    }
    if let Some(quantity) = &line.quantity {
        let decimal = !quantity.is_empty()
            && quantity.bytes().filter(|b| *b == b'.').count() <= 1
            && quantity.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && quantity.bytes().any(|b| b.is_ascii_digit());
        if !decimal {
            return Err(format!(
                "quantity: {quantity:?} is not a decimal number of 0 or more"
            ));
        }
    }
    if let Some(unit) = &line.unit
        && (unit.trim().is_empty() || unit.len() > 20)
    {
        return Err("unit: 1 to 20 characters".to_owned());
    }
    Ok(())
}

/// `YYYY-MM-DD`, a real calendar day.
fn is_date(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>())
    else {
        return false;
    };
    time::Month::try_from(month)
        .is_ok_and(|month| time::Date::from_calendar_date(year, month, day).is_ok())
}

#[cfg(test)]
mod tests {
    use super::is_date;

    #[test]
    fn dates_are_real_calendar_days() {
        assert!(is_date("2026-02-28"));
        assert!(is_date("2028-02-29"));
        assert!(!is_date("2026-02-29"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("2026-1-01"));
        assert!(!is_date("26-01-01"));
        assert!(!is_date("2026-01-01-01"));
        assert!(!is_date(""));
    }
}
