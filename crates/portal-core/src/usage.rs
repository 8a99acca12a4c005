//! Usage charts from hourly readings, in the device's calendar.
//!
//! The backend answers hours in UTC; months, days and hours on the customer's chart are the
//! device's own (its time zone, daylight saving included: a day may have 23 or 25 hours). Each
//! bar is a range of hours `[start, end)`: what the cached hours in it sum to, whether any of
//! them is estimated, and whether any hour of the range has no reading at all.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use portal_api::ipc::{UsageBar, UsageScale};

/// One cached hour, every meter summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hour {
    /// Its start, Unix seconds.
    pub start: i64,
    /// Watt-hours read (missing readings count nothing).
    pub wh: i64,
    /// Whether a reading of it is estimated.
    pub estimated: bool,
    /// Whether a meter has no reading for it.
    pub missing: bool,
}

/// One chart: its bars (and, for months, the same months a year before), the day or week it
/// shows, and the neighbours there are readings for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The bars, oldest first.
    pub bars: Vec<UsageBar>,
    /// Months only: the same months a year before.
    pub last_year: Vec<UsageBar>,
    /// The day, or the week's Monday; `None` for months.
    pub date: Option<Date>,
    /// The day or week before, if it has readings.
    pub earlier: Option<Date>,
    /// The day or week after, if it has readings.
    pub later: Option<Date>,
}

/// The calendar the charts are drawn in.
pub struct Calendar {
    zone: TimeZone,
}

impl Calendar {
    /// The device's time zone.
    pub fn device() -> Self {
        Self {
            zone: TimeZone::system(),
        }
    }

    /// A named time zone (`America/Chicago`), for tests; UTC if unknown.
    pub fn named(name: &str) -> Self {
        Self {
            zone: TimeZone::get(name).unwrap_or(TimeZone::UTC),
        }
    }

    /// The local day of a Unix time.
    pub fn day_of(&self, unix: i64) -> Option<Date> {
        let moment = Timestamp::from_second(unix).ok()?;
        Some(moment.to_zoned_datetime(self.zone.clone()).date())
    }

    /// The Unix time a local day starts.
    pub fn start_of(&self, day: Date) -> Option<i64> {
        Some(
            day.to_zoned_datetime(self.zone.clone())
                .ok()?
                .timestamp()
                .as_second(),
        )
    }

    /// The hours `[from, to)` a chart of `scale` around `date` needs (`latest`: the last cached
    /// hour, for the default day and the months' end).
    pub fn span(&self, scale: UsageScale, date: Option<Date>, latest: i64) -> Option<(i64, i64)> {
        let day = date.or_else(|| self.day_of(latest))?;
        let (first, last) = match scale {
            UsageScale::Months => {
                let end = day.first_of_month().checked_add(1.month()).ok()?;
                (end.checked_sub(24.months()).ok()?, end)
            }
            UsageScale::Week => {
                let monday = monday_of(day)?;
                (monday, monday.checked_add(7.days()).ok()?)
            }
            UsageScale::Day => (day, day.tomorrow().ok()?),
        };
        Some((self.start_of(first)?, self.start_of(last)?))
    }

    /// The chart of `scale` around `date` (the latest day when `None`) from `hours` (sorted,
    /// covering at least [`Calendar::span`]), with `range` the first and last cached hour.
    pub fn chart(
        &self,
        hours: &[Hour],
        scale: UsageScale,
        date: Option<Date>,
        range: (i64, i64),
    ) -> Option<Chart> {
        let day = date.or_else(|| self.day_of(range.1))?;
        let has_readings = |first: Date, last: Date| {
            let (from, to) = (self.start_of(first), self.start_of(last));
            matches!((from, to), (Some(from), Some(to)) if from <= range.1 && to > range.0)
        };
        match scale {
            UsageScale::Months => {
                let end = day.first_of_month().checked_add(1.month()).ok()?;
                let months = |from: Date| -> Option<Vec<UsageBar>> {
                    (0..12)
                        .map(|index| {
                            let first = from.checked_add(index.months()).ok()?;
                            let label = format!("{:04}-{:02}", first.year(), first.month());
                            self.bar(hours, first, first.checked_add(1.month()).ok()?, label)
                        })
                        .collect()
                };
                Some(Chart {
                    bars: months(end.checked_sub(12.months()).ok()?)?,
                    last_year: months(end.checked_sub(24.months()).ok()?)?,
                    date: None,
                    earlier: None,
                    later: None,
                })
            }
            UsageScale::Week => {
                let monday = monday_of(day)?;
                let bars = (0..7)
                    .map(|index| {
                        let first = monday.checked_add(index.days()).ok()?;
                        self.bar(hours, first, first.tomorrow().ok()?, first.to_string())
                    })
                    .collect::<Option<Vec<_>>>()?;
                let before = monday.checked_sub(7.days()).ok()?;
                let after = monday.checked_add(7.days()).ok()?;
                Some(Chart {
                    bars,
                    last_year: Vec::new(),
                    date: Some(monday),
                    earlier: has_readings(before, monday).then_some(before),
                    later: has_readings(after, after.checked_add(7.days()).ok()?).then_some(after),
                })
            }
            UsageScale::Day => {
                let (from, to) = (self.start_of(day)?, self.start_of(day.tomorrow().ok()?)?);
                let bars = (from..to)
                    .step_by(3600)
                    .map(|start| {
                        let local = Timestamp::from_second(start)
                            .ok()?
                            .to_zoned_datetime(self.zone.clone());
                        let label = format!("{}T{:02}:00", local.date(), local.hour());
                        Some(sum(hours, start, start + 3600, label))
                    })
                    .collect::<Option<Vec<_>>>()?;
                let (yesterday, tomorrow) = (day.yesterday().ok()?, day.tomorrow().ok()?);
                Some(Chart {
                    bars,
                    last_year: Vec::new(),
                    date: Some(day),
                    earlier: has_readings(yesterday, day).then_some(yesterday),
                    later: has_readings(tomorrow, tomorrow.tomorrow().ok()?).then_some(tomorrow),
                })
            }
        }
    }

    fn bar(&self, hours: &[Hour], first: Date, end: Date, label: String) -> Option<UsageBar> {
        Some(sum(
            hours,
            self.start_of(first)?,
            self.start_of(end)?,
            label,
        ))
    }
}

/// The Monday of `day`'s week.
fn monday_of(day: Date) -> Option<Date> {
    day.checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days())
        .ok()
}

/// The bar of the hours in `[from, to)`.
fn sum(hours: &[Hour], from: i64, to: i64, start: String) -> UsageBar {
    let first = hours.partition_point(|hour| hour.start < from);
    let last = hours.partition_point(|hour| hour.start < to);
    let inside = &hours[first..last];
    let expected = usize::try_from((to - from) / 3600).unwrap_or(0);
    UsageBar {
        start,
        wh: inside.iter().map(|hour| hour.wh).sum(),
        estimated: inside.iter().any(|hour| hour.estimated),
        missing: inside.len() < expected || inside.iter().any(|hour| hour.missing),
    }
}

/// The start (Unix seconds) of the UTC month `months` before this one: where two years of
/// whole months begin.
pub fn months_back(months: i64) -> i64 {
    let today = Timestamp::now().to_zoned_datetime(TimeZone::UTC).date();
    let first = today
        .first_of_month()
        .checked_sub(months.months())
        .unwrap_or(today);
    first
        .to_zoned_datetime(TimeZone::UTC)
        .map(|start| start.timestamp().as_second())
        .unwrap_or(0)
}

/// A `YYYY-MM-DD` day, if it is one.
pub fn parse_day(text: &str) -> Option<Date> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hour of `days` days from `from` (Unix), 1 kWh each, the 3rd hour missing.
    fn hours(from: i64, days: i64) -> Vec<Hour> {
        (0..days * 24)
            .map(|index| Hour {
                start: from + index * 3600,
                wh: if index == 2 { 0 } else { 1000 },
                estimated: index == 5,
                missing: index == 2,
            })
            .collect()
    }

    #[test]
    fn a_day_in_chicago_has_its_local_hours_and_daylight_saving_days_have_23_or_25() {
        let chicago = Calendar::named("America/Chicago");
        // 2025-03-01 00:00 in Chicago (UTC-6).
        let from = 1_740_808_800;
        let data = hours(from, 60);
        let range = (data[0].start, data[data.len() - 1].start);
        let day = |text: &str| parse_day(text);
        let chart = chicago
            .chart(&data, UsageScale::Day, day("2025-03-01"), range)
            .unwrap();
        assert_eq!(chart.bars.len(), 24);
        assert_eq!(chart.bars[0].start, "2025-03-01T00:00");
        assert!(chart.bars[2].missing && chart.bars[5].estimated);
        assert_eq!(chart.earlier, None, "no readings the day before");
        assert_eq!(chart.later, day("2025-03-02"));
        // Clocks go forward on 2025-03-09: 23 hours.
        let spring = chicago
            .chart(&data, UsageScale::Day, day("2025-03-09"), range)
            .unwrap();
        assert_eq!(spring.bars.len(), 23);
        assert_eq!(spring.bars.iter().map(|b| b.wh).sum::<i64>(), 23_000);
    }

    #[test]
    fn a_week_starts_on_monday_and_months_compare_with_the_year_before() {
        let utc = Calendar::named("UTC");
        // 2024-11-01 00:00 UTC, two years of hours.
        let data = hours(1_730_419_200, 730);
        let range = (data[0].start, data[data.len() - 1].start);
        let week = utc
            .chart(&data, UsageScale::Week, parse_day("2026-10-29"), range)
            .unwrap();
        assert_eq!(week.date, parse_day("2026-10-26"));
        assert_eq!(week.bars.len(), 7);
        assert_eq!(week.bars[0].wh, 24_000);
        assert_eq!(week.later, None, "the readings end on 2026-10-31");
        let months = utc.chart(&data, UsageScale::Months, None, range).unwrap();
        assert_eq!(months.bars.len(), 12);
        assert_eq!(months.last_year.len(), 12);
        assert_eq!(months.bars[11].start, "2026-10");
        assert_eq!(months.last_year[0].start, "2024-11");
        assert_eq!(months.bars[11].wh, 31 * 24_000);
        assert!(months.last_year[0].missing, "its first day lacks an hour");
        assert!(!months.bars[11].missing);
    }
}
