//! A bill's detail, its PDF, and the usage charts: each read from the cache at once, refreshed
//! from the backend on request; a failed refresh answers the cache with the problem.

use super::Portal;
use crate::CoreError;
use crate::usage::{Calendar, parse_day};
use portal_api::ipc::{BillDetailView, UsageArgs, UsageView};
use portal_api::v1::{BillDetail, ReadingsView};
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
        let bill = match (&detail, cache.bill_account(bill_id)?) {
            (Some(detail), _) => Some(detail.bill.clone()),
            (None, Some(account)) => cache
                .unpaid_bills(&account)?
                .and_then(|bills| bills.data.into_iter().find(|bill| bill.id == bill_id)),
            (None, None) => None,
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
        let fetched: Result<(String, BillDetail), CoreError> = self
            .in_accounts_of_bill(bill_id, |api, token| async move {
                api.bill_detail(&token, bill_id).await
            })
            .await;
        refreshed(
            fetched,
            |(account, detail)| self.cache().store_bill_detail(&account, &detail),
            || self.bill_detail(bill_id),
        )
    }

    /// The bill's PDF and the name to save it under (`enerpro-bill-2026-10.pdf`), fetched from
    /// the backend: it is not cached, the customer keeps it where they choose.
    pub async fn bill_pdf(&self, bill_id: &str) -> Result<(String, Vec<u8>), CoreError> {
        let (_, bytes) = self
            .in_accounts_of_bill(bill_id, |api, token| async move {
                api.bill_pdf(&token, bill_id).await
            })
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
        let accounts = self.shown_accounts()?;
        let cache = self.cache();
        let as_of = cache.readings_as_of(&accounts)?;
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
        let Some(range) = cache.hours_range(&accounts)? else {
            return Ok(empty);
        };
        let Some((from, to)) = calendar.span(args.scale, date, range.1) else {
            return Ok(empty);
        };
        let hours = cache.hours(&accounts, from, to)?;
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
        let mut accounts = self.shown_accounts()?;
        if accounts.is_empty() {
            accounts = self.account_numbers().await?;
        }
        let fetched = self.readings_of(&accounts, from).await;
        refreshed(
            fetched,
            |fetched| {
                let mut cache = self.cache();
                for (account, readings) in fetched {
                    cache.store_readings(&account, &readings.meters)?;
                }
                Ok(())
            },
            || self.usage(args),
        )
    }

    /// Every cached reading as CSV (the backend's import format), for the customer to save.
    pub fn usage_csv(&self) -> Result<String, CoreError> {
        let accounts = self.shown_accounts()?;
        self.cache().readings_csv(&accounts)
    }
}

/// A view that can say what went wrong fetching it.
impl Portal {
    /// Every hour since `from` of each of `accounts`.
    async fn readings_of(
        &self,
        accounts: &[String],
        from: i64,
    ) -> Result<Vec<(String, ReadingsView)>, CoreError> {
        let mut fetched = Vec::with_capacity(accounts.len());
        for account in accounts {
            let api = self.api.in_account(Some(account));
            let api = &api;
            let readings = self
                .fetch(|token| async move { api.readings(&token, from).await })
                .await?;
            fetched.push((account.clone(), readings));
        }
        Ok(fetched)
    }

    /// Runs `request` for a bill in the account the cache says it belongs to; a bill the cache
    /// does not know (a notification's new bill) is asked of each account in turn until one has
    /// it; none having it is `bill_unavailable`. Answers the account with the result.
    async fn in_accounts_of_bill<T, F, Fut>(
        &self,
        bill_id: &str,
        request: F,
    ) -> Result<(String, T), CoreError>
    where
        F: Fn(crate::ApiClient, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, CoreError>>,
    {
        let known = self.cache().bill_account(bill_id)?;
        let accounts = match known {
            Some(account) => vec![account],
            None => self.account_numbers().await?,
        };
        for account in accounts {
            let api = self.api.in_account(Some(&account));
            let request = &request;
            let api = &api;
            let answer = self
                .fetch(|token| async move { request(api.clone(), token).await })
                .await
                .map(|found| (account, found));
            match &answer {
                Err(error) if error.code() == ErrorCode::NotFound => continue,
                _ => return answer,
            }
        }
        // No account of the customer's has it (any more).
        Err(CoreError::coded(ErrorCode::BillUnavailable))
    }
}

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
