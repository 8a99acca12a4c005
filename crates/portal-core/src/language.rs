//! Which language the app speaks: the customer's choice if they made one in Settings (kept in
//! a small file beside the backend choice), else the device's language if the app speaks it,
//! else English. Formats follow the device's region (`es` + `US` → `es-US`).

use crate::CoreError;
use portal_api::Language;
use portal_api::ipc::UiLocale;
use std::path::Path;

/// The locale the app renders with, from the saved choice and the device's locale as the OS
/// names it (`es_US.UTF-8`, `en-GB`, `C`, or none).
pub fn locale(saved: Option<Language>, device: Option<&str>) -> UiLocale {
    let language = saved
        .or_else(|| device.and_then(Language::from_locale))
        .unwrap_or_default();
    let tag = match device.and_then(region) {
        Some(region) => format!("{}-{region}", language.tag()),
        None => language.tag().to_owned(),
    };
    UiLocale { language, tag }
}

/// The region of a locale (`es_US.UTF-8` → `US`, `es-419` → `419`), if it names a valid one.
fn region(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next().unwrap_or_default();
    let region = base.split(['-', '_']).nth(1)?;
    let letters = region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit());
    (letters || digits).then(|| region.to_ascii_uppercase())
}

/// The language saved at `path`; none (no file, or one this version cannot read) means the
/// device's.
pub fn saved(path: &Path) -> Option<Language> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Saves `language` at `path`; `None` removes the choice (the device's language again).
pub fn save(path: &Path, language: Option<Language>) -> Result<(), CoreError> {
    let failed = |error: std::io::Error| CoreError::Cache {
        detail: format!("language setting {}: {error}", path.display()),
    };
    let Some(language) = language else {
        return match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(failed(error)),
            _ => Ok(()),
        };
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let text = serde_json::to_string(&language).map_err(|error| CoreError::Cache {
        detail: error.to_string(),
    })?;
    std::fs::write(path, text).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_choice_wins_then_the_device_then_english() {
        let spanish_device = locale(None, Some("es_US.UTF-8"));
        assert_eq!(spanish_device.language, Language::Spanish);
        assert_eq!(spanish_device.tag, "es-US");
        let chose_english = locale(Some(Language::English), Some("es_MX.UTF-8"));
        assert_eq!(
            (chose_english.language, chose_english.tag.as_str()),
            (Language::English, "en-MX")
        );
        let unknown = locale(None, Some("fr_FR.UTF-8"));
        assert_eq!(
            (unknown.language, unknown.tag.as_str()),
            (Language::English, "en-FR")
        );
        assert_eq!(locale(None, Some("C")).tag, "en");
        assert_eq!(locale(None, None), UiLocale::default());
        assert_eq!(locale(None, Some("es-419")).tag, "es-419");
        assert_eq!(locale(None, Some("es_ZZZZ")).tag, "es");
        assert_eq!(locale(Some(Language::Spanish), Some("")).tag, "es");
    }

    #[test]
    fn the_choice_is_kept_and_can_be_removed() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("settings").join("language.json");
        assert_eq!(saved(&path), None);
        save(&path, Some(Language::Spanish)).unwrap();
        assert_eq!(saved(&path), Some(Language::Spanish));
        save(&path, None).unwrap();
        assert_eq!(saved(&path), None);
        save(&path, None).unwrap();
        std::fs::write(&path, "\"klingon\"").unwrap();
        assert_eq!(
            saved(&path),
            None,
            "an unreadable choice follows the device"
        );
    }
}
