//! The customer's language and locale, for every screen: a context signal (`Locale`), read by
//! each component that shows text, so choosing another language in Settings re-renders them.
//! The shell puts the locale and its catalog into the page before the UI starts
//! ([`LOCALE_GLOBAL`]), so the first render is already in the customer's language; choosing
//! another language brings its catalog. The module itself carries no text of any language.

use dioxus::prelude::*;
use portal_api::i18n::Catalog;
use portal_api::ipc::{LOCALE_GLOBAL, UiLanguage, UiLocale};
use portal_api::{ErrorBody, ErrorCode, Language, Text};
use std::cell::RefCell;

thread_local! {
    /// The catalogs received, one per language, kept for the life of the page.
    static CATALOGS: RefCell<Vec<&'static Catalog>> = const { RefCell::new(Vec::new()) };
}

/// Reads the locale the shell put into the page and keeps its catalog; English without one.
pub fn from_page() -> UiLocale {
    crate::bridge::page_global(LOCALE_GLOBAL)
        .map(receive)
        .unwrap_or_default()
}

/// Keeps the catalog of a language the shell sent (once per language: at most one per
/// language the app speaks lives as long as the page) and answers its locale.
pub fn receive(language: UiLanguage) -> UiLocale {
    CATALOGS.with_borrow_mut(|catalogs| {
        if !catalogs
            .iter()
            .any(|kept| kept.language == language.catalog.language)
        {
            catalogs.push(Box::leak(Box::new(language.catalog)));
        }
    });
    language.locale
}

/// The catalog of `language`, if the shell sent it.
fn catalog(language: Language) -> Option<&'static Catalog> {
    CATALOGS.with_borrow(|catalogs| {
        catalogs
            .iter()
            .find(|kept| kept.language == language)
            .copied()
    })
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
    /// `one` or `other` for `count` (the language's cardinal rule), its `{n}` filled.
    fn plural(&self, count: u64, one: Text, other: Text) -> String;
    /// The customer's message for an error code.
    fn message(&self, code: ErrorCode) -> &'static str;
    /// An error as the customer reads it: its code's message in this language (and the tries
    /// left, if the error counts them).
    fn error(&self, error: &ErrorBody) -> String;
}

impl Say for UiLocale {
    fn t(&self, text: Text) -> &'static str {
        catalog(self.language).map_or("", |catalog| catalog.text(text))
    }

    fn fill(&self, text: Text, values: &[(&str, &str)]) -> String {
        catalog(self.language)
            .map(|catalog| catalog.fill(text, values))
            .unwrap_or_default()
    }

    fn plural(&self, count: u64, one: Text, other: Text) -> String {
        catalog(self.language)
            .map(|catalog| catalog.plural(count, one, other))
            .unwrap_or_default()
    }

    fn message(&self, code: ErrorCode) -> &'static str {
        catalog(self.language).map_or("", |catalog| catalog.error(code))
    }

    fn error(&self, error: &ErrorBody) -> String {
        let message = self.message(error.code);
        match error.attempts_left {
            Some(left) => format!(
                "{message} {}",
                self.plural(left.into(), Text::AttemptsLeftOne, Text::AttemptsLeftOther)
            ),
            None => message.to_owned(),
        }
    }
}
