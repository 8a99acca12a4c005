//! The app's Tauri shell: plugins, deep links, and commands that forward to `portal-core`.
//!
//! [`run`] wires the real window; [`with_commands`] is generic over the runtime so the commands
//! are tested with Tauri's mock runtime. The window appears without waiting for the core: it is
//! opened (files and a D-Bus connection) on a blocking thread, and commands that need it wait
//! for it. Shell and core log through one facade, `tracing`, whose events reach the log plugin
//! as `log` records.

mod commands;
#[cfg(target_os = "linux")]
mod drawing;
mod files;
mod first_screen;
#[cfg(target_os = "linux")]
mod instance;
mod language;
mod links;
mod notices;
mod payments;
mod timings;
#[cfg(desktop)]
mod updates;

use first_screen::{FirstScreen, PictureSlot};
use links::LinkInbox;
use portal_core::backend::BackendSources;
use portal_core::cache::Cache;
use portal_core::checkout::CheckoutPolicy;
use portal_core::{ApiClient, BackendUrl, CoreError, Portal, PortalConfig};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tauri::{Manager, Runtime};
use tokio::sync::watch;

/// The production backend, fixed at build time by `ENERPRO_PRODUCTION_BACKEND`.
const PRODUCTION_BACKEND: &str = match option_env!("ENERPRO_PRODUCTION_BACKEND") {
    Some(url) => url,
    None => "https://portal.enerpro.example",
};

/// The sandbox backend support staff may switch to, fixed at build time by
/// `ENERPRO_SANDBOX_BACKEND`; debug builds default to the local sandbox server.
const SANDBOX_BACKEND: &str = match option_env!("ENERPRO_SANDBOX_BACKEND") {
    Some(url) => url,
    None if cfg!(debug_assertions) => "http://127.0.0.1:8787",
    None => "https://sandbox.enerpro.example",
};

/// The backend a build talks to unless told otherwise: the sandbox for debug builds, production
/// for release builds.
const BUILD_DEFAULT_BACKEND: &str = if cfg!(debug_assertions) {
    SANDBOX_BACKEND
} else {
    PRODUCTION_BACKEND
};

/// The backends this build offers in Settings.
fn environments() -> portal_core::backend::Environments {
    portal_core::backend::Environments {
        production: PRODUCTION_BACKEND.to_owned(),
        sandbox: SANDBOX_BACKEND.to_owned(),
        custom_allowed: SANDBOX_ALLOWED,
    }
}

/// A settings file of the app (the backend and language choices) in its config folder.
fn settings_file<R: Runtime>(
    app: &tauri::AppHandle<R>,
    name: &str,
) -> Result<std::path::PathBuf, CoreError> {
    app.path()
        .app_config_dir()
        .map(|folder| folder.join(name))
        .map_err(|error| CoreError::Cache {
            detail: format!("no settings folder: {error}"),
        })
}

/// Where the support staff's backend choice is saved.
fn backend_choice_file<R: Runtime>(
    app: &tauri::AppHandle<R>,
) -> Result<std::path::PathBuf, CoreError> {
    settings_file(app, "backend.json")
}

/// The host whose `https://HOST/app/…` links the app claims (mobile).
const PORTAL_HOST: &str = "portal.enerpro.example";

/// The provider's hosted-checkout host that release builds may open.
const CHECKOUT_HOST: &str = "checkout.stripe.com";

/// Whether `--backend` and `ENERPRO_BACKEND_URL` may change the backend, and loopback checkout
/// pages (the sandbox's simulator) may open: debug builds only.
const SANDBOX_ALLOWED: bool = cfg!(debug_assertions);

/// The client of the chosen backend, or why there is none (an unusable configured address).
pub struct Backend(Result<ApiClient, CoreError>);

impl Backend {
    /// Chooses the backend from the launch flag, the environment and the build default.
    pub fn from_sources(sources: &BackendSources) -> Self {
        Self(sources.choose(SANDBOX_ALLOWED).and_then(ApiClient::new))
    }

    fn client(&self) -> Result<&ApiClient, CoreError> {
        self.0
            .as_ref()
            .map_err(|error| CoreError::InvalidBackendUrl {
                reason: error.to_string(),
            })
    }

    fn url(&self) -> Result<BackendUrl, CoreError> {
        self.client().map(|client| client.backend().clone())
    }
}

/// How long background work waits for the UI's first screen before starting anyway.
const FIRST_SCREEN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// The core as it opens: `None` until [`open_core`] has finished.
type Opening = Option<Result<Arc<Portal>, CoreError>>;

/// The client core, opened once the app knows its data folder, and what the shell keeps beside it.
pub struct Core {
    portal: watch::Sender<Opening>,
    /// Whether the UI has had its first screen's data: work the first frame does not need
    /// waits for it (see [`Core::after_first_screen`]).
    first_screen: watch::Sender<bool>,
    checkout_policy: CheckoutPolicy,
    watched: Mutex<HashSet<i64>>,
}

impl Core {
    fn new() -> Self {
        Self {
            portal: watch::Sender::new(None),
            first_screen: watch::Sender::new(false),
            checkout_policy: CheckoutPolicy {
                https_hosts: vec![CHECKOUT_HOST.to_owned()],
                allow_loopback: SANDBOX_ALLOWED,
            },
            watched: Mutex::new(HashSet::new()),
        }
    }

    /// The core once it is open, or why it could not open (e.g. no data folder).
    async fn portal(&self) -> Result<Arc<Portal>, CoreError> {
        let mut opening = self.portal.subscribe();
        let opened = opening
            .wait_for(Option::is_some)
            .await
            .map_err(|_| CoreError::coded(portal_api::ErrorCode::Starting))?;
        match opened.as_ref() {
            Some(Ok(portal)) => Ok(portal.clone()),
            Some(Err(error)) => Err(error.clone()),
            None => Err(CoreError::coded(portal_api::ErrorCode::Starting)),
        }
    }

    /// The UI's first screen has its data (a `home` answer, or the first refresh's).
    fn first_screen_answered(&self) {
        self.first_screen
            .send_if_modified(|answered| !std::mem::replace(answered, true));
    }

    /// Waits until the UI's first screen has its data, or [`FIRST_SCREEN_PATIENCE`] passed:
    /// the update check and payment resumption start after the first frame, not beside it.
    async fn after_first_screen(&self) {
        let mut answered = self.first_screen.subscribe();
        let _ = tokio::time::timeout(FIRST_SCREEN_PATIENCE, answered.wait_for(|done| *done)).await;
    }

    /// Hands over the opened core (or why it could not open) to every command waiting for it.
    fn opened(&self, core: Result<Arc<Portal>, CoreError>) {
        self.portal.send_replace(Some(core));
    }

    /// Marks a flow as watched; false if it already was.
    fn start_watching(&self, flow_id: i64) -> bool {
        self.watched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(flow_id)
    }

    fn stop_watching(&self, flow_id: i64) {
        self.watched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&flow_id);
    }
}

/// Adds the app's state and commands to `builder`, for any runtime (the mock one in tests).
/// The [`Backend`] is managed by the caller: the app chooses it once its settings folder is
/// known.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    #[cfg(desktop)]
    let builder = builder.manage(updates::PendingUpdate::default());
    builder
        .manage(LinkInbox::default())
        .manage(Core::new())
        .invoke_handler(tauri::generate_handler![
            commands::backend_status,
            commands::take_links,
            commands::open_pasted_link,
            commands::home,
            commands::refresh,
            commands::choose_account,
            commands::autopay,
            commands::choose_autopay,
            commands::save_card,
            commands::remove_card,
            commands::pay_view,
            commands::preview_invitation,
            commands::accept_invitation,
            commands::request_signin,
            commands::complete_signin,
            commands::sign_out,
            commands::start_payment,
            commands::open_checkout,
            commands::check_payment,
            commands::cancel_payment,
            commands::dismiss_payment,
            commands::payment_flow,
            commands::history,
            commands::refresh_history,
            commands::receipt,
            commands::app_info,
            commands::mark,
            commands::save_first_paint,
            commands::backend_settings,
            commands::choose_backend,
            language::language_settings,
            language::choose_language,
            commands::bill_detail,
            commands::refresh_bill_detail,
            commands::save_bill_pdf,
            commands::open_bill_pdf,
            commands::usage,
            commands::refresh_usage,
            commands::export_usage,
            notices::notification_settings,
            notices::choose_notification,
            notices::choose_check_interval,
            #[cfg(desktop)]
            updates::check_for_update,
            #[cfg(desktop)]
            updates::offered_update,
            #[cfg(desktop)]
            updates::download_update,
            #[cfg(desktop)]
            updates::install_update,
        ])
}

/// Opens the client core in the app's data folder, with the app identifier as the
/// credential-store service (so dev builds never touch a real installation's entries). Blocks.
fn open_core<R: Runtime>(
    app: &tauri::AppHandle<R>,
    cache: Cache,
) -> Result<Arc<Portal>, CoreError> {
    let config = PortalConfig {
        backend: app.state::<Backend>().url()?,
        cache_path: cache_path(app)?,
        credential_service: app.config().identifier.clone(),
        timeouts: portal_core::api::Timeouts::default(),
    };
    let portal = Portal::open_with_cache(&config, cache)?;
    portal.set_language(app.state::<language::Locale>().current().language);
    Ok(Arc::new(portal))
}

/// The cache file, in the app's local data folder.
fn cache_path<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<std::path::PathBuf, CoreError> {
    app.path()
        .app_local_data_dir()
        .map(|folder| folder.join("cache.sqlite3"))
        .map_err(|error| CoreError::Cache {
            detail: format!("no data folder: {error}"),
        })
}

/// Opens the main window (`create: false` in `tauri.conf.json`), with the cached home screen of
/// a signed-in customer, if any, in its page (see [`first_screen`]).
fn open_main_window<R: Runtime>(
    app: &tauri::AppHandle<R>,
    first_screen: Option<&FirstScreen>,
) -> tauri::Result<()> {
    let Some(config) = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == "main")
        .cloned()
    else {
        return Ok(());
    };
    let mut window = tauri::WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(script) = app.state::<language::Locale>().script() {
        window = window.initialization_script(&script);
    }
    if let Some(script) = first_screen.and_then(FirstScreen::script) {
        window = window.initialization_script(&script);
    }
    let window = window.build()?;
    #[cfg(target_os = "linux")]
    drawing::without_compositing(&window)?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    app.state::<timings::Timings>().mark("window_created");
    Ok(())
}

/// The app's context (configuration, assets, capabilities and permission manifest), for any
/// runtime (the mock one in tests).
fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the app: plugins, deep links, the main window. On phones, the platform calls this.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let timings = timings::Timings::start(arguments.iter().any(|a| a == "--timings"));
    timings.mark("process_started");
    let mut context = context();
    let picture = PictureSlot::default();
    first_screen::serve_picture_with_page(&mut context, picture.clone());
    if cfg!(debug_assertions) {
        // Dev and test builds never touch a real installation's data or credential-store entries.
        let config = context.config_mut();
        config.identifier = format!("{}.dev", config.identifier);
    }
    #[cfg(target_os = "linux")]
    if instance::hand_over(&context.config().identifier) == instance::Handover::Delivered {
        return;
    }
    timings.mark("hand_over_checked");
    let builder = tauri::Builder::default();
    // Single instance first, so a second launch hands its link over before anything else starts.
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
        links::on_second_instance(app, &argv, PORTAL_HOST);
    }));
    let builder = builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(
            // The app's own events at INFO; its dependencies (D-Bus, HTTP, WebKit glue) only
            // when something is wrong.
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Warn)
                .level_for("enerpro_portal", log::LevelFilter::Info)
                .level_for("portal_core", log::LevelFilter::Info)
                .build(),
        )
        .manage(timings);
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_updater::Builder::new().build());
    let builder = builder
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                webview.state::<timings::Timings>().mark("page_loaded");
            }
        })
        .setup(move |app| {
            let saved = backend_choice_file(app.handle())
                .ok()
                .and_then(|file| portal_core::backend::Environments::saved_choice(&file))
                .and_then(|choice| environments().url_of(&choice).ok());
            let sources = BackendSources {
                launch_flag: links::flag_value(&arguments, "--backend"),
                environment: std::env::var("ENERPRO_BACKEND_URL").ok(),
                build_default: saved
                    .map_or_else(|| BUILD_DEFAULT_BACKEND.to_owned(), |url| url.to_string()),
            };
            app.manage(Backend::from_sources(&sources));
            app.manage(language::Locale::at_start(app.handle()));
            app.manage(notices::Notices::at_start(app.handle()));
            let handle = app.handle().clone();
            app.state::<timings::Timings>().mark("setup_started");
            // The cache is opened and checked once: its first screen goes into the page, then
            // the cache goes to the core, which opens in the background.
            let cache = cache_path(app.handle()).and_then(|path| Cache::open(&path));
            let mut first_screen = cache.as_ref().ok().and_then(FirstScreen::read);
            picture.put(
                first_screen
                    .as_mut()
                    .and_then(|screen| screen.picture.take()),
            );
            tauri::async_runtime::spawn_blocking(move || {
                let opened = cache.and_then(|cache| open_core(&handle, cache));
                handle.state::<timings::Timings>().mark("core_opened");
                if let Err(error) = &opened {
                    tracing::error!("the client core could not open: {error}");
                }
                handle.state::<Core>().opened(opened);
            });
            open_main_window(app.handle(), first_screen.as_ref())?;
            links::listen(app.handle(), PORTAL_HOST, &arguments);
            links::register_scheme_when_unpackaged(app.handle());
            payments::resume(app.handle());
            notices::start(app.handle());
            #[cfg(desktop)]
            updates::check_at_start(app.handle());
            Ok(())
        });
    let result = with_commands(builder)
        .build(context)
        .map(|app| app.run(release_instance_on_exit));
    if let Err(error) = result {
        tracing::error!("enerpro-portal could not start: {error}");
        eprintln!("enerpro-portal could not start: {error}");
        std::process::exit(1);
    }
}

/// An exiting app lets go of its single-instance name at once, so a launch in the meantime
/// starts as the instance instead of handing its link to an app that is going away.
fn release_instance_on_exit<R: Runtime>(app: &tauri::AppHandle<R>, event: tauri::RunEvent) {
    #[cfg(desktop)]
    if let tauri::RunEvent::ExitRequested { .. } = event {
        tauri_plugin_single_instance::destroy(app);
    }
    #[cfg(mobile)]
    let _ = (app, event);
}

#[cfg(test)]
mod tests;
