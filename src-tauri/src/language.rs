//! The language the app speaks (the rule is `portal_core::language`): decided at start from the
//! saved choice and the device's locale, put into the page before the UI starts, changed from
//! Settings.

use crate::commands::{Reply, logged};
use crate::{Core, settings_file};
use portal_api::Language;
use portal_api::i18n::Catalog;
use portal_api::ipc::{self, Args, LOCALE_GLOBAL, LanguageSettings, UiLanguage, UiLocale};
use portal_core::language;
use std::sync::Mutex;
use tauri::{AppHandle, Runtime, State};

/// The file that keeps the customer's choice.
const LANGUAGE_FILE: &str = "language.json";

/// The device's locale and the customer's saved choice, if any: what the app speaks follows
/// from both.
pub struct Locale {
    device: Option<String>,
    saved: Mutex<Option<Language>>,
}

impl Locale {
    /// Reads the saved choice and the device's locale.
    pub fn at_start<R: Runtime>(app: &AppHandle<R>) -> Self {
        let device = sys_locale::get_locale();
        let saved = settings_file(app, LANGUAGE_FILE)
            .ok()
            .and_then(|file| language::saved(&file));
        Self {
            device,
            saved: Mutex::new(saved),
        }
    }

    fn saved(&self) -> std::sync::MutexGuard<'_, Option<Language>> {
        self.saved
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The locale the app speaks now.
    pub fn current(&self) -> UiLocale {
        language::locale(*self.saved(), self.device.as_deref())
    }

    /// The locale the app speaks now, with its catalog, for the UI.
    pub fn for_ui(&self) -> UiLanguage {
        let locale = self.current();
        let catalog = Catalog::of(locale.language);
        UiLanguage { locale, catalog }
    }

    /// `window.<LOCALE_GLOBAL> = …`, for the page's first script.
    pub fn script(&self) -> Option<String> {
        crate::first_screen::global_script(LOCALE_GLOBAL, &self.for_ui())
    }
}

/// What Settings shows about the language.
#[tauri::command]
pub async fn language_settings(locale: State<'_, Locale>) -> Reply<ipc::LanguageSettingsOf> {
    logged::<ipc::LanguageSettingsOf>(async {
        Ok(LanguageSettings {
            locale: locale.current(),
            follows_device: locale.saved().is_none(),
        })
    })
    .await
}

/// Saves the customer's choice and speaks it from now on; the kept picture of the home screen
/// (in the old language) is dropped.
#[tauri::command]
pub async fn choose_language<R: Runtime>(
    app: AppHandle<R>,
    locale: State<'_, Locale>,
    core: State<'_, Core>,
    args: Args<ipc::ChooseLanguage>,
) -> Reply<ipc::ChooseLanguage> {
    logged::<ipc::ChooseLanguage>(async {
        language::save(&settings_file(&app, LANGUAGE_FILE)?, args.language)?;
        *locale.saved() = args.language;
        let now = locale.for_ui();
        let portal = core.portal().await?;
        portal.set_language(now.locale.language);
        portal.forget_first_paint()?;
        Ok(now)
    })
    .await
}
