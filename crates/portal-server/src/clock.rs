//! The server's clock. Real time, plus an offset that tests (and support staff exploring expiry)
//! can move forward, so expiries are tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Wall-clock time with an adjustable offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_seconds: AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch, UTC.
    pub fn now(&self) -> i64 {
        OffsetDateTime::now_utc().unix_timestamp() + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Moves this clock forward (or back) by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// Formats Unix seconds as RFC 3339 (UTC).
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|moment| moment.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The UTC day of Unix seconds, `YYYY-MM-DD`.
pub fn day(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .map(|moment| moment.date().to_string())
        .unwrap_or_default()
}

/// The calendar year of Unix seconds.
pub fn year_of(unix_seconds: i64) -> i32 {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .map(|moment| moment.year())
        .unwrap_or(1970)
}
