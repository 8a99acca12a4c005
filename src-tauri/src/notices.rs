//! Desktop notifications: the app asks the backend for news at start, after every refresh and
//! on the customer's interval, and shows each new one as an OS notification through the
//! official notification plugin (on Linux, `org.freedesktop.Notifications` on the session
//! bus). A click opens the screen it is about, through the same path as a deep link. The core
//! remembers what was shown, so nothing shows twice.

use crate::commands::{Reply, logged};
use crate::{Core, PORTAL_HOST, settings_file};
use portal_api::Language;
use portal_api::ipc::{self, Args, NotificationSettings};
use portal_api::links::DeepLink;
use portal_api::v1::Notification;
use portal_core::notices::{self, CHECK_CHOICES};
use std::sync::atomic::{AtomicU32, Ordering};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_notification::NotificationExt;

/// The settings file of the check interval.
const INTERVAL_FILE: &str = "notices";

/// The check interval, and the nudge that makes the checker look now.
pub struct Notices {
    minutes: AtomicU32,
    wake: tokio::sync::Notify,
}

impl Notices {
    /// The saved interval.
    pub fn at_start<R: Runtime>(app: &AppHandle<R>) -> Self {
        let minutes = settings_file(app, INTERVAL_FILE)
            .map(|file| notices::saved_interval(&file))
            .unwrap_or(notices::DEFAULT_CHECK_MINUTES);
        Self {
            minutes: AtomicU32::new(minutes),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Makes the checker look now (after a refresh, or a new interval).
    pub fn check_soon(&self) {
        self.wake.notify_one();
    }
}

/// Starts the checker (after the first screen) and routes clicks on notifications.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let clicked = app.clone();
    let _ = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let link = performed
            .notification()
            .and_then(|shown| shown.extra().get("link"))
            .and_then(|link| link.as_str());
        if let Some(link) = link {
            if let Some(window) = clicked.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
            crate::links::receive(&clicked, link, PORTAL_HOST);
        }
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        app.state::<Core>().after_first_screen().await;
        loop {
            check(&app).await;
            let notices = app.state::<Notices>();
            match notices::pause(notices.minutes.load(Ordering::Relaxed)) {
                Some(pause) => {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = notices.wake.notified() => {}
                    }
                }
                None => notices.wake.notified().await,
            }
        }
    });
}

/// Asks for news and shows each new notification.
async fn check<R: Runtime>(app: &AppHandle<R>) {
    let Ok(portal) = app.state::<Core>().portal().await else {
        return;
    };
    match portal.new_notifications().await {
        Ok(news) => {
            tracing::info!("looked for notifications: {} new", news.len());
            let language = app.state::<crate::language::Locale>().current().language;
            for notification in news {
                show(app, &notification, language);
            }
        }
        // Nobody signed in: nothing to ask for.
        Err(portal_core::CoreError::NotSignedIn) => {}
        Err(error) => tracing::warn!("asking for notifications failed: {error}"),
    }
}

/// Shows one notification in `language`, its screen's link kept for the click.
fn show<R: Runtime>(app: &AppHandle<R>, notification: &Notification, language: Language) {
    let (title, body) = portal_api::i18n::notice(
        language,
        notification.kind,
        &notification.amount,
        notification.due_date.as_deref(),
    );
    let link = DeepLink::for_notice(
        notification.bill_id.as_deref(),
        notification.payment_id.as_deref(),
    );
    let shown = app
        .notification()
        .builder()
        .id(i32::try_from(notification.id % i64::from(i32::MAX)).unwrap_or(0))
        .title(title)
        .body(body)
        .extra("link", link.app_url())
        .show();
    match shown {
        Ok(()) => tracing::info!("notification shown: {}", notification.kind.as_str()),
        Err(error) => tracing::warn!("a notification could not be shown: {error}"),
    }
}

/// The settings answer: the backend's choices and this device's interval.
async fn settings<R: Runtime>(
    app: &AppHandle<R>,
    preferences: Vec<portal_api::v1::NotificationPreference>,
) -> NotificationSettings {
    NotificationSettings {
        preferences,
        check_every_minutes: app
            .try_state::<Notices>()
            .map_or(notices::DEFAULT_CHECK_MINUTES, |notices| {
                notices.minutes.load(Ordering::Relaxed)
            }),
        choices: CHECK_CHOICES.to_vec(),
    }
}

/// Settings → Notifications.
#[tauri::command]
pub async fn notification_settings<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
) -> Reply<ipc::NotificationSettingsOf> {
    logged::<ipc::NotificationSettingsOf>(async {
        let preferences = core.portal().await?.notification_preferences().await?;
        Ok(settings(&app, preferences).await)
    })
    .await
}

/// Turns one kind through one channel on or off.
#[tauri::command]
pub async fn choose_notification<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::ChooseNotification>,
) -> Reply<ipc::ChooseNotification> {
    logged::<ipc::ChooseNotification>(async {
        let preferences = core.portal().await?.choose_notification(args).await?;
        Ok(settings(&app, preferences).await)
    })
    .await
}

/// Saves how often the app asks for notifications, and applies it now.
#[tauri::command]
pub async fn choose_check_interval<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    notices: State<'_, Notices>,
    args: Args<ipc::ChooseCheckInterval>,
) -> Reply<ipc::ChooseCheckInterval> {
    logged::<ipc::ChooseCheckInterval>(async {
        notices::save_interval(&settings_file(&app, INTERVAL_FILE)?, args.minutes)?;
        notices.minutes.store(args.minutes, Ordering::Relaxed);
        notices.check_soon();
        let preferences = core.portal().await?.notification_preferences().await?;
        Ok(settings(&app, preferences).await)
    })
    .await
}
