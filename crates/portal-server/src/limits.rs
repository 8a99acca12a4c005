//! Attempt limits: failed redeems and exchanges, and sign-in requests, per client address and
//! per account, over a sliding window. Over the limit answers 429 with Retry-After.

use crate::error::ServerError;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The sliding window (seconds).
pub const WINDOW: i64 = 15 * 60;
/// Failed attempts allowed per account in a window.
pub const FAILURES_PER_ACCOUNT: usize = 5;
/// Failed attempts allowed per client address in a window.
pub const FAILURES_PER_ADDRESS: usize = 20;
/// Sign-in requests allowed per email in a window.
pub const SIGNINS_PER_EMAIL: usize = 3;
/// Sign-in requests allowed per client address in a window.
pub const SIGNINS_PER_ADDRESS: usize = 10;

/// Counts events per key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    events: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// Refuses with 429 if `key` already had `limit` events in the window.
    pub fn check(&self, key: &str, limit: usize, now: i64) -> Result<(), ServerError> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = events.get_mut(key) else {
            return Ok(());
        };
        while times.front().is_some_and(|&t| t <= now - WINDOW) {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            let retry_after = (oldest + WINDOW - now).max(1);
            return Err(ServerError::RateLimited {
                retry_after: u64::try_from(retry_after).unwrap_or(1),
            });
        }
        Ok(())
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str, now: i64) {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        events.entry(key.to_owned()).or_default().push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_answers_429_until_the_window_passes() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.check("k", 3, 1000).is_ok());
            limiter.record("k", 1000);
        }
        match limiter.check("k", 3, 1010) {
            Err(ServerError::RateLimited { retry_after }) => assert_eq!(retry_after, 890),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limiter.check("other", 3, 1010).is_ok());
        assert!(limiter.check("k", 3, 1000 + WINDOW).is_ok());
    }
}
