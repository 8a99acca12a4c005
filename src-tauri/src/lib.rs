//! The app's Tauri shell: plugins, deep links, and commands that forward to `portal-core`.
//!
//! [`run`] wires the real window; [`with_commands`] is generic over the runtime so the commands
//! are tested with Tauri's mock runtime.

mod links;

use links::LinkInbox;
use portal_api::ipc::LinkReceived;
use portal_api::v1::HealthResponse;
use portal_core::backend::BackendSources;
use portal_core::{ApiClient, CoreError};
use tauri::{Runtime, State};

/// The backend a build talks to unless told otherwise: the sandbox for debug builds, production
/// (fixed at build time by `ENERPRO_PRODUCTION_BACKEND`) for release builds.
const BUILD_DEFAULT_BACKEND: &str = if cfg!(debug_assertions) {
    "http://127.0.0.1:8787"
} else {
    match option_env!("ENERPRO_PRODUCTION_BACKEND") {
        Some(url) => url,
        None => "https://portal.enerpro.example",
    }
};

/// The host whose `https://HOST/app/…` links the app claims (mobile).
const PORTAL_HOST: &str = "portal.enerpro.example";

/// Whether `--backend` and `ENERPRO_BACKEND_URL` may change the backend (debug builds only).
const BACKEND_OVERRIDES_ALLOWED: bool = cfg!(debug_assertions);

/// The client of the chosen backend, or why there is none (an unusable configured address).
pub struct Backend(Result<ApiClient, CoreError>);

impl Backend {
    /// Chooses the backend from the launch flag, the environment and the build default.
    pub fn from_sources(sources: &BackendSources) -> Self {
        Self(
            sources
                .choose(BACKEND_OVERRIDES_ALLOWED)
                .and_then(ApiClient::new),
        )
    }

    fn client(&self) -> Result<&ApiClient, CoreError> {
        self.0
            .as_ref()
            .map_err(|error| CoreError::InvalidBackendUrl {
                reason: error.to_string(),
            })
    }
}

/// Asks the backend's health endpoint: who answers, and which version.
#[tauri::command]
async fn backend_status(backend: State<'_, Backend>) -> Result<HealthResponse, CoreError> {
    backend.client()?.health().await
}

/// Hands the UI the deep links that arrived since it last asked.
#[tauri::command]
fn take_links(inbox: State<'_, LinkInbox>) -> Vec<LinkReceived> {
    inbox.take()
}

/// Adds the app's state and commands to `builder`, for any runtime (the mock one in tests).
pub fn with_commands<R: Runtime>(
    builder: tauri::Builder<R>,
    backend: Backend,
) -> tauri::Builder<R> {
    builder
        .manage(backend)
        .manage(LinkInbox::default())
        .invoke_handler(tauri::generate_handler![backend_status, take_links])
}

/// Starts the app: plugins, deep links, the main window.
pub fn run() {
    let mut context = tauri::generate_context!();
    if cfg!(debug_assertions) {
        // Dev and test builds never touch a real installation's data or credential-store entries.
        let config = context.config_mut();
        config.identifier = format!("{}.dev", config.identifier);
    }
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let sources = BackendSources {
        launch_flag: links::flag_value(&arguments, "--backend"),
        environment: std::env::var("ENERPRO_BACKEND_URL").ok(),
        build_default: BUILD_DEFAULT_BACKEND.to_owned(),
    };
    // Single instance first, so a second launch hands its link over before anything else starts.
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            links::on_second_instance(app, &argv, PORTAL_HOST);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        .setup(move |app| {
            links::listen(app.handle(), PORTAL_HOST, &arguments);
            Ok(())
        });
    let result = with_commands(builder, Backend::from_sources(&sources)).run(context);
    if let Err(error) = result {
        eprintln!("enerpro-portal could not start: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
