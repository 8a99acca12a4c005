//! A billing system's ways in and out.
//!
//! In: `POST /v1/admin/import` takes bills with their lines, and meters, all or none;
//! `POST /v1/admin/import/readings` takes hourly readings as CSV, all or none. Everything is
//! checked before anything is written, and a refusal names the place (`bills[3].lines: …`,
//! `line 7: …`); importing the same again changes nothing, and what was imported before with
//! other content refuses the whole import (issued bills and readings are not rewritten).
//!
//! Out: `GET /v1/admin/payments?after=…` pages through the settled payments in the order they
//! settled (bills, amount, transaction id, time), so a billing system other than this server
//! can record paid status and transaction ids too. The cursor is the position of the last
//! payment of a page; a payment settled later always comes after it.

use crate::error::{ApiResult, ServerError};
use crate::state::{Admin, ApiJson, AppState};
use crate::store::{ImportConflict, Reading};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use portal_api::ErrorCode;
use portal_api::v1::{
    BillLine, ErrorBody, ImportReport, ImportRequest, ImportedBill, Money, PaymentFeed,
    ReadingsReport,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

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
    let now = state.now();
    state
        .db(move |store| {
            // Each account is looked up once, however many bills it has.
            let mut found: HashMap<String, i64> = HashMap::new();
            let mut account = |place: &str, index: usize, account: &str| {
                if let Some(id) = found.get(account) {
                    return Ok(*id);
                }
                let id = store
                    .customer_by_account(account)?
                    .map(|customer| customer.id)
                    .ok_or_else(|| {
                        refused(format!(
                            "{place}[{index}].account_number: there is no account {account}"
                        ))
                    })?;
                found.insert(account.to_owned(), id);
                Ok::<_, ServerError>(id)
            };
            let mut meters = Vec::with_capacity(request.meters.len());
            for (index, meter) in request.meters.iter().enumerate() {
                meters.push((account("meters", index, &meter.account_number)?, meter));
            }
            let mut bills = Vec::with_capacity(request.bills.len());
            for (index, bill) in request.bills.iter().enumerate() {
                let customer = account("bills", index, &bill.account_number)?;
                for (read_index, read) in bill.reads.iter().enumerate() {
                    let imported_now = request.meters.iter().any(|meter| {
                        meter.id == read.meter_id && meter.account_number == bill.account_number
                    });
                    if !imported_now && store.meter_customer(&read.meter_id)? != Some(customer) {
                        return Err(refused(format!(
                            "bills[{index}].reads[{read_index}].meter_id: {} is not a meter of account {}",
                            read.meter_id, bill.account_number
                        )));
                    }
                }
                bills.push((customer, bill));
            }
            match store.import(&bills, &meters, Some(now))? {
                Ok(report) => Ok(Json(report)),
                Err(ImportConflict::Bill(index)) => Err(refused(format!(
                    "bills[{index}].id: {} was imported before with other content",
                    request.bills[index].id
                ))),
                Err(ImportConflict::Meter(index)) => Err(refused(format!(
                    "meters[{index}].id: {} measures another account",
                    request.meters[index].id
                ))),
            }
        })
        .await
}

/// The header line of a readings file: the columns, and the unit of the value (kWh).
pub const READINGS_HEADER: &str = "meter,start,end,kwh,quality";

/// The largest readings file (bytes): two years of hourly readings of a few meters.
pub const MAX_READINGS_BYTES: usize = 32 * 1024 * 1024;

/// The readings import's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReadingsTarget {
    /// The meter a Green Button feed is for (a CSV names its meter on every line).
    pub meter: Option<String>,
}

/// `POST /v1/admin/import/readings`: hourly interval readings as CSV, or as a Green Button
/// (ESPI) feed for `?meter=…`, imported all or none.
#[utoipa::path(post, path = "/v1/admin/import/readings", tag = "admin", params(ReadingsTarget),
    request_body(content = String, content_type = "text/csv",
        description = "CSV (`text/csv`): `meter,start,end,kwh,quality`, then one hour per line: the meter's id, the hour's start and end (RFC 3339, UTC, on the hour), its kWh (up to three decimals; empty when missing), and actual, estimated or missing. Or a Green Button ESPI Atom feed (`application/atom+xml` or `application/xml`, with `?meter=`): hourly IntervalReadings in watt-hours (uom 72)"),
    responses((status = 200, body = ReadingsReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_import_readings(
    _admin: Admin,
    State(state): State<AppState>,
    Query(target): Query<ReadingsTarget>,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<ReadingsReport>> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ServerError::TooLarge
        } else {
            refused("the file could not be read".to_owned())
        }
    })?;
    let text =
        std::str::from_utf8(&body).map_err(|_| refused("the file is not UTF-8 text".to_owned()))?;
    let now = state.now();
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let is_feed = content_type.starts_with("application/atom+xml")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("text/xml");
    let (lines, readings) = if is_feed {
        let meter = target.meter.filter(|meter| is_id(meter)).ok_or_else(|| {
            refused("meter: a Green Button feed needs ?meter=<the meter's id>".to_owned())
        })?;
        crate::green_button::parse(text, &meter, now)
    } else {
        parse_readings(text, now)
    }
    .map_err(refused)?;
    state
        .db(move |store| {
            let mut known = HashSet::new();
            for (line, reading) in lines.iter().zip(&readings) {
                if known.insert(reading.meter_id.as_str())
                    && store.meter_customer(&reading.meter_id)?.is_none()
                {
                    return Err(refused(format!(
                        "line {line}: there is no meter {}",
                        reading.meter_id
                    )));
                }
            }
            match store.import_readings(&readings)? {
                Ok(report) => Ok(Json(report)),
                Err(index) => Err(refused(format!(
                    "line {}: that hour of meter {} was imported before with another value",
                    lines[index], readings[index].meter_id
                ))),
            }
        })
        .await
}

/// The readings of a CSV file and the line each stands on, every line checked (`line N: …`,
/// counting the header as 1; blank lines are skipped): known columns in kWh, hours on the hour
/// and not in the future (`now`), no hour twice, values of 0 or more with at most three
/// decimals, present unless missing.
fn parse_readings(text: &str, now: i64) -> Result<(Vec<usize>, Vec<Reading>), String> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().trim();
    if header != READINGS_HEADER {
        return Err(format!(
            "line 1: the columns must be {READINGS_HEADER} (values in kWh), not {header:?}"
        ));
    }
    let mut seen = HashSet::new();
    let mut numbers = Vec::new();
    let mut readings = Vec::new();
    for (index, line) in lines.enumerate() {
        let number = index + 2;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [meter, start, end, kwh, quality] = fields.as_slice() else {
            return Err(format!("line {number}: 5 columns, not {}", fields.len()));
        };
        let start = hour(start).ok_or_else(|| {
            format!("line {number}: start {start:?} is not an hour in UTC (2026-10-01T13:00:00Z)")
        })?;
        let end =
            hour(end).ok_or_else(|| format!("line {number}: end {end:?} is not an hour in UTC"))?;
        if end - start != 3600 {
            return Err(format!("line {number}: a reading covers one hour"));
        }
        if end > now {
            return Err(format!("line {number}: the hour has not ended yet"));
        }
        let quality = match *quality {
            "actual" => "actual",
            "estimated" => "estimated",
            "missing" => "missing",
            other => {
                return Err(format!(
                    "line {number}: quality {other:?} is not actual, estimated or missing"
                ));
            }
        };
        let wh = match (*kwh, quality) {
            ("", "missing") => None,
            (_, "missing") => {
                return Err(format!("line {number}: a missing reading has no kwh"));
            }
            ("", _) => return Err(format!("line {number}: kwh is empty")),
            (value, _) => Some(watt_hours(value).ok_or_else(|| {
                format!(
                    "line {number}: kwh {value:?} is not a number of 0 or more with at most three decimals"
                )
            })?),
        };
        if !is_id(meter) {
            return Err(format!("line {number}: meter {meter:?} is not a meter id"));
        }
        if !seen.insert(((*meter).to_owned(), start)) {
            return Err(format!("line {number}: that hour of meter {meter} again"));
        }
        numbers.push(number);
        readings.push(Reading {
            meter_id: (*meter).to_owned(),
            start,
            wh,
            quality,
        });
    }
    if readings.is_empty() {
        return Err("line 2: there is no reading".to_owned());
    }
    Ok((numbers, readings))
}

/// An RFC 3339 time in UTC on the hour, as Unix seconds.
fn hour(text: &str) -> Option<i64> {
    let time =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    let seconds = time.unix_timestamp();
    (time.offset().is_utc() && seconds % 3600 == 0).then_some(seconds)
}

/// kWh with at most three decimals, as watt-hours.
fn watt_hours(kwh: &str) -> Option<i64> {
    let (whole, fraction) = kwh.split_once('.').unwrap_or((kwh, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(fraction)
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
    if request.bills.is_empty() && request.meters.is_empty() {
        return Err("bills: there is nothing to import".to_owned());
    }
    if request.bills.len() > MAX_IMPORTED_BILLS {
        return Err(format!(
            "bills: {} bills, more than the {MAX_IMPORTED_BILLS} one import takes",
            request.bills.len()
        ));
    }
    let mut meter_ids = HashSet::new();
    for (index, meter) in request.meters.iter().enumerate() {
        if !is_id(&meter.id) {
            return Err(format!(
                "meters[{index}].id: 1 to 64 letters, digits, '_' or '-'"
            ));
        }
        if !meter_ids.insert(meter.id.as_str()) {
            return Err(format!(
                "meters[{index}].id: {} is in this import twice",
                meter.id
            ));
        }
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
    if !is_id(&bill.id) {
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
    for (index, read) in bill.reads.iter().enumerate() {
        if !is_id(&read.meter_id) {
            return Err(format!("reads[{index}].meter_id: not a meter id"));
        }
        if read.previous < 0 || read.current < read.previous {
            return Err(format!(
                "reads[{index}].current: {} is below the previous read {} (or that is negative)",
                read.current, read.previous
            ));
        }
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

/// 1 to 64 letters, digits, `_` or `-`: a bill's or a meter's id.
fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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
    use super::{hour, is_date, watt_hours};

    #[test]
    fn kwh_become_watt_hours_and_bad_numbers_are_refused() {
        assert_eq!(watt_hours("0.412"), Some(412));
        assert_eq!(watt_hours("12"), Some(12_000));
        assert_eq!(watt_hours("1.5"), Some(1500));
        assert_eq!(watt_hours("-1"), None);
        assert_eq!(watt_hours("1.2345"), None);
        assert_eq!(watt_hours(".5"), None);
        assert_eq!(watt_hours("1e3"), None);
        assert_eq!(hour("2026-10-01T13:00:00Z"), Some(1_790_859_600));
        assert_eq!(hour("2026-10-01T13:30:00Z"), None);
        assert_eq!(hour("2026-10-01T13:00:00+02:00"), None);
    }

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
