//! Attempt limits: failed redeems and exchanges, and sign-in requests, per client address and
//! per account, over a sliding window. Over the limit answers 429 with Retry-After.
//!
//! An attempt is counted the moment it is let through ([`RateLimiter::attempt`], check and count
//! under one lock), so parallel guesses cannot all slip under the limit; one that succeeds is
//! taken back ([`RateLimiter::forgive`]). Memory is bounded: keys whose events left the window
//! are dropped, and past [`MAX_KEYS`] the least recently active keys are evicted.

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

/// The most keys (addresses, accounts, emails) the limiter remembers at once.
pub const MAX_KEYS: usize = 100_000;

/// Counts events per key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    events: Mutex<HashMap<String, VecDeque<i64>>>,
}

/// An attempt counted against its keys' limits, until it is forgiven.
#[derive(Debug)]
#[must_use = "an attempt that succeeds is forgiven; one that fails stays counted"]
pub struct Attempt {
    keys: Vec<String>,
    at: i64,
}

impl RateLimiter {
    /// Refuses with 429 if any of `limits` (key, allowed events) is reached; otherwise counts one
    /// event for every key, all under one lock.
    pub fn attempt(&self, limits: &[(&str, usize)], now: i64) -> Result<Attempt, ServerError> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        for (key, limit) in limits {
            if let Some(times) = events.get_mut(*key) {
                refuse_over_limit(times, *limit, now)?;
            }
        }
        for (key, _) in limits {
            events.entry((*key).to_owned()).or_default().push_back(now);
        }
        if events.len() > MAX_KEYS {
            evict(&mut events, now);
        }
        Ok(Attempt {
            keys: limits.iter().map(|(key, _)| (*key).to_owned()).collect(),
            at: now,
        })
    }

    /// Takes back an attempt that succeeded.
    pub fn forgive(&self, attempt: Attempt) {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        for key in &attempt.keys {
            if let Some(times) = events.get_mut(key)
                && let Some(at) = times.iter().rposition(|&t| t == attempt.at)
            {
                times.remove(at);
            }
        }
    }

    /// How many keys are remembered (for tests of the memory bound).
    pub fn len(&self) -> usize {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Refuses with 429 if `key` already had `limit` events in the window.
    pub fn check(&self, key: &str, limit: usize, now: i64) -> Result<(), ServerError> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = events.get_mut(key) else {
            return Ok(());
        };
        refuse_over_limit(times, limit, now)
    }
}

/// Drops the events that left the window; 429 with Retry-After if `limit` are left.
fn refuse_over_limit(times: &mut VecDeque<i64>, limit: usize, now: i64) -> Result<(), ServerError> {
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

/// Brings the map back under [`MAX_KEYS`], with room to spare so that this runs rarely: drops
/// keys with nothing in the window, then the least recently active ones.
fn evict(events: &mut HashMap<String, VecDeque<i64>>, now: i64) {
    events.retain(|_, times| times.back().is_some_and(|&t| t > now - WINDOW));
    let excess = events.len().saturating_sub(MAX_KEYS - MAX_KEYS / 10);
    if excess > 0 {
        let mut by_age: Vec<(i64, String)> = events
            .iter()
            .map(|(key, times)| (times.back().copied().unwrap_or(i64::MIN), key.clone()))
            .collect();
        by_age.sort_unstable();
        for (_, key) in by_age.into_iter().take(excess) {
            events.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_answers_429_until_the_window_passes() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            let _counted = limiter.attempt(&[("k", 3)], 1000).unwrap();
        }
        match limiter.check("k", 3, 1010) {
            Err(ServerError::RateLimited { retry_after }) => assert_eq!(retry_after, 890),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limiter.check("other", 3, 1010).is_ok());
        assert!(limiter.check("k", 3, 1000 + WINDOW).is_ok());
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn parallel_attempts_never_slip_under_the_limit_and_successes_are_forgiven() {
        let limiter = std::sync::Arc::new(RateLimiter::default());
        let let_through: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..40)
                .map(|_| {
                    let limiter = limiter.clone();
                    scope.spawn(move || limiter.attempt(&[("k", 5)], 1000).is_ok())
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| usize::from(handle.join().unwrap_or(false)))
                .sum()
        });
        assert_eq!(let_through, 5);
        let other = RateLimiter::default();
        for _ in 0..10 {
            let attempt = other.attempt(&[("ok", 3)], 1000).unwrap();
            other.forgive(attempt);
        }
        assert!(
            other.attempt(&[("ok", 3)], 1000).is_ok(),
            "successes do not count"
        );
    }

    #[test]
    fn an_attempt_over_any_of_its_limits_counts_for_none() {
        let limiter = RateLimiter::default();
        let _email = limiter.attempt(&[("email", 1)], 1000).unwrap();
        assert!(
            limiter
                .attempt(&[("address", 5), ("email", 1)], 1000)
                .is_err()
        );
        for _ in 0..5 {
            let _address = limiter.attempt(&[("address", 5)], 1000).unwrap();
        }
    }

    #[test]
    fn memory_stays_bounded_with_many_addresses() {
        let limiter = RateLimiter::default();
        for address in 0..(MAX_KEYS + 5_000) {
            let now = 1_000 + i64::try_from(address / 1_000).unwrap_or(0);
            let _ = limiter.attempt(&[(&format!("address:{address}"), 5)], now);
        }
        assert!(limiter.len() <= MAX_KEYS, "{} keys", limiter.len());
        // The newest addresses are still limited.
        let newest = format!("address:{}", MAX_KEYS + 4_999);
        for _ in 0..4 {
            let _ = limiter.attempt(&[(&newest, 5)], 1_200);
        }
        assert!(limiter.attempt(&[(&newest, 5)], 1_200).is_err());
    }
}
