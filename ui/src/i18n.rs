//! The customer's language and locale, for every screen: a context signal (`Locale`), read by
//! each component that shows text, so choosing another language in Settings re-renders them.
//! The shell puts the locale into the page before the UI starts ([`LOCALE_GLOBAL`]), so the
//! first render is already in the customer's language.

use dioxus::prelude::*;
use portal_api::ipc::{LOCALE_GLOBAL, UiLocale};
use portal_api::{ErrorBody, Text};

/// Reads the locale the shell put into the page; English without one.
pub fn from_page() -> UiLocale {
    crate::bridge::page_global(LOCALE_GLOBAL).unwrap_or_default()
}

/// Sets the page's `lang` (what screen readers and `Intl` read).
pub fn apply_to_page(locale: &UiLocale) {
    if let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        let _ = root.set_attribute("lang", locale.language.tag());
    }
}

/// The current locale (subscribes the calling component to changes).
pub fn use_locale() -> UiLocale {
    use_context::<Signal<UiLocale>>()()
}

/// A text of the catalog in the current language.
pub trait Say {
    /// The text, placeholders unfilled.
    fn t(&self, text: Text) -> &'static str;
    /// The text with its placeholders filled.
    fn fill(&self, text: Text, values: &[(&str, &str)]) -> String;
    /// An error as the customer reads it: its code's message in this language (and the tries
    /// left, if the error counts them).
    fn error(&self, error: &ErrorBody) -> String;
}

impl Say for UiLocale {
    fn t(&self, text: Text) -> &'static str {
        text.get(self.language)
    }

    fn fill(&self, text: Text, values: &[(&str, &str)]) -> String {
        text.fill(self.language, values)
    }

    fn error(&self, error: &ErrorBody) -> String {
        let message = error.code.message(self.language);
        match error.attempts_left {
            Some(left) => format!(
                "{message} {}",
                portal_api::errors::attempts_left(left, self.language)
            ),
            None => message.to_owned(),
        }
    }
}
