//! A bill's detail, its PDF, and the usage charts: each read from the cache at once, refreshed
//! from the backend on request; a failed refresh answers the cache with the problem.

use super::Portal;
use crate::CoreError;
use crate::usage::{Calendar, parse_day};
use portal_api::ipc::{BillDetailView, UsageArgs, UsageView};
use portal_api::v1::BillDetail;
use portal_api::{ErrorBody, ErrorCode};

impl Portal {
    /// A bill's detail from the cache: its kept detail, else the bill alone (from the unpaid
    /// bills), with the change from the same days a year before.
    pub fn bill_detail(&self, bill_id: &str) -> Result<BillDetailView, CoreError> {
        let cache = self.cache();
        let (detail, as_of) = match cache.bill_detail(bill_id)? {
            Some(cached) => (Some(cached.data), Some(cached.as_of)),
            None => (None, None),
        };
        let bill = match &detail {
            Some(detail) => Some(detail.bill.clone()),
            None => cache
                .unpaid_bills()?
                .and_then(|bills| bills.data.into_iter().find(|bill| bill.id == bill_id)),
        };
        let (lines, reads, last_year_kwh) = detail
            .map(|detail| (detail.lines, detail.reads, detail.last_year_kwh))
            .unwrap_or_default();
        let kwh = if reads.is_empty() {
            let counted: Vec<i64> = lines
                .iter()
                .filter(|line| line.unit.as_deref() == Some("kWh"))
                .filter_map(|line| line.quantity.as_deref()?.split('.').next()?.parse().ok())
                .collect();
            (!counted.is_empty()).then(|| counted.iter().sum())
        } else {
            Some(reads.iter().map(|read| read.current - read.previous).sum())
        };
        let change_percent = match (kwh, last_year_kwh) {
            (Some(now), Some(before)) if before > 0 => {
                Some(((now - before) as f64 * 100.0 / before as f64).round() as i64)
            }
            _ => None,
        };
        Ok(BillDetailView {
            bill,
            lines,
            reads,
            kwh,
            last_year_kwh,
            change_percent,
            as_of,
            offline: false,
            problem: None,
        })
    }

    /// Fetches a bill's detail and keeps it; a failure answers the cached detail with the
    /// problem (a bill the backend does not know stays an error).
    pub async fn refresh_bill_detail(&self, bill_id: &str) -> Result<BillDetailView, CoreError> {
        let fetched: Result<BillDetail, CoreError> = self
            .fetch(|token| async move { self.api.bill_detail(&token, bill_id).await })
            .await;
        refreshed(
            fetched,
            |detail| self.cache().store_bill_detail(&detail),
            || self.bill_detail(bill_id),
        )
    }

    /// The bill's PDF and the name to save it under (`enerpro-bill-2026-10.pdf`), fetched from
    /// the backend: it is not cached, the customer keeps it where they choose.
    pub async fn bill_pdf(&self, bill_id: &str) -> Result<(String, Vec<u8>), CoreError> {
        let bytes = self
            .fetch(|token| async move { self.api.bill_pdf(&token, bill_id).await })
            .await?;
        let month = self
            .bill_detail(bill_id)?
            .bill
            .and_then(|bill| bill.period.start.get(0..7).map(str::to_owned));
        let name = match month {
            Some(month) => format!("enerpro-bill-{month}.pdf"),
            None => "enerpro-bill.pdf".to_owned(),
        };
        Ok((name, bytes))
    }

    /// A usage chart from the cached readings.
    pub fn usage(&self, args: &UsageArgs) -> Result<UsageView, CoreError> {
        let date = match args.date.as_deref() {
            Some(text) => {
                Some(parse_day(text).ok_or_else(|| CoreError::coded(ErrorCode::InvalidDate))?)
            }
            None => None,
        };
        let cache = self.cache();
        let as_of = cache.readings_as_of()?;
        let calendar = Calendar::device();
        let empty = UsageView {
            scale: args.scale,
            date: None,
            bars: Vec::new(),
            last_year: Vec::new(),
            total_wh: 0,
            last_year_total_wh: None,
            earlier: None,
            later: None,
            range: None,
            as_of: as_of.clone(),
            offline: false,
            problem: None,
        };
        let Some(range) = cache.hours_range()? else {
            return Ok(empty);
        };
        let Some((from, to)) = calendar.span(args.scale, date, range.1) else {
            return Ok(empty);
        };
        let hours = cache.hours(from, to)?;
        let Some(chart) = calendar.chart(&hours, args.scale, date, range) else {
            return Ok(empty);
        };
        let total = |bars: &[portal_api::ipc::UsageBar]| bars.iter().map(|bar| bar.wh).sum::<i64>();
        let show = |day: Option<jiff::civil::Date>| day.map(|day| day.to_string());
        Ok(UsageView {
            total_wh: total(&chart.bars),
            last_year_total_wh: (!chart.last_year.is_empty()).then(|| total(&chart.last_year)),
            date: show(chart.date),
            earlier: show(chart.earlier),
            later: show(chart.later),
            range: calendar
                .day_of(range.0)
                .zip(calendar.day_of(range.1))
                .map(|(first, last)| (first.to_string(), last.to_string())),
            bars: chart.bars,
            last_year: chart.last_year,
            ..empty
        })
    }

    /// Fetches the readings of this month and the 24 before it, replaces the cached ones, and
    /// answers the chart; a failure answers the cached chart with the problem.
    pub async fn refresh_usage(&self, args: &UsageArgs) -> Result<UsageView, CoreError> {
        let from = crate::usage::months_back(24);
        let fetched = self
            .fetch(|token| async move { self.api.readings(&token, from).await })
            .await;
        refreshed(
            fetched,
            |readings| self.cache().store_readings(&readings.meters),
            || self.usage(args),
        )
    }

    /// Every cached reading as CSV (the backend's import format), for the customer to save.
    pub fn usage_csv(&self) -> Result<String, CoreError> {
        self.cache().readings_csv()
    }
}

/// A view that can say what went wrong fetching it.
trait Marked {
    /// Marks the view with a failed fetch's problem and whether it was the network's fault.
    fn mark(&mut self, problem: ErrorBody, offline: bool);
}

impl Marked for BillDetailView {
    fn mark(&mut self, problem: ErrorBody, offline: bool) {
        self.problem = Some(problem);
        self.offline = offline;
    }
}

impl Marked for UsageView {
    fn mark(&mut self, problem: ErrorBody, offline: bool) {
        self.problem = Some(problem);
        self.offline = offline;
    }
}

/// What a refresh answers: after a good fetch, what `keep` kept, read back by `read`; after a
/// failed one, the cached view marked with the problem. A failing cache stays an error, and so
/// does a backend that does not know what was asked for.
fn refreshed<T, V: Marked>(
    fetched: Result<T, CoreError>,
    keep: impl FnOnce(T) -> Result<(), CoreError>,
    read: impl FnOnce() -> Result<V, CoreError>,
) -> Result<V, CoreError> {
    match fetched {
        Ok(data) => {
            keep(data)?;
            read()
        }
        Err(error @ (CoreError::Cache { .. } | CoreError::Api(_))) => Err(error),
        Err(error) => {
            tracing::warn!("refreshing failed: {error}");
            let mut view = read()?;
            view.mark(error.to_body(), error.is_connectivity());
            Ok(view)
        }
    }
}
