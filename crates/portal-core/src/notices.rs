//! How often the desktop app asks the backend for notifications: the customer's choice, kept
//! in a small settings file beside the language choice. Asking costs a request and a wake-up,
//! so the choices are coarse: every 15 minutes (the default), every hour, every 4 hours, or only
//! when the app opens or refreshes.

use crate::CoreError;
use std::path::Path;
use std::time::Duration;

/// The intervals a customer can choose, in minutes; 0 asks only at start and on refresh.
pub const CHECK_CHOICES: [u32; 4] = [15, 60, 240, 0];

/// The interval when the customer has not chosen.
pub const DEFAULT_CHECK_MINUTES: u32 = 15;

/// How far back the first check on a device shows notifications (seconds): older ones were
/// for another device or another day.
pub const FIRST_CHECK_WINDOW: i64 = 24 * 3600;

/// The interval saved at `path`, or the default (no file, or one this version cannot read).
pub fn saved_interval(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .filter(|minutes| CHECK_CHOICES.contains(minutes))
        .unwrap_or(DEFAULT_CHECK_MINUTES)
}

/// Saves `minutes` at `path`; one of [`CHECK_CHOICES`] only.
pub fn save_interval(path: &Path, minutes: u32) -> Result<(), CoreError> {
    if !CHECK_CHOICES.contains(&minutes) {
        return Err(CoreError::coded(portal_api::ErrorCode::InvalidBody));
    }
    let failed = |error: std::io::Error| CoreError::Cache {
        detail: format!("notification setting {}: {error}", path.display()),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::write(path, minutes.to_string()).map_err(failed)
}

/// The pause between two checks, or `None` for "only at start and on refresh".
pub fn pause(minutes: u32) -> Option<Duration> {
    (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_choice_is_read_back_and_anything_else_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings").join("notices");
        assert_eq!(saved_interval(&file), DEFAULT_CHECK_MINUTES);
        save_interval(&file, 60).unwrap();
        assert_eq!(saved_interval(&file), 60);
        save_interval(&file, 0).unwrap();
        assert_eq!(saved_interval(&file), 0);
        assert_eq!(pause(0), None);
        assert_eq!(pause(15), Some(Duration::from_secs(900)));
        assert!(save_interval(&file, 1).is_err(), "not a choice");
        assert_eq!(saved_interval(&file), 0, "a refused choice changes nothing");
        std::fs::write(&file, "7").unwrap();
        assert_eq!(saved_interval(&file), DEFAULT_CHECK_MINUTES);
    }
}
