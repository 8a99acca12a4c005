//! The commands, run through Tauri's mock runtime against a real sandbox server.

use super::*;
use portal_api::ipc::{Answer, Command};
use tauri::ipc::InvokeResponseBody;
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;

fn app_for(backend_url: &str) -> tauri::App<tauri::test::MockRuntime> {
    let sources = BackendSources {
        launch_flag: None,
        environment: None,
        build_default: backend_url.to_owned(),
    };
    with_commands(mock_builder())
        .manage(Backend::from_sources(&sources))
        .build(mock_context(noop_assets()))
        .expect("the mock app builds")
}

fn invoke(
    app: &tauri::App<tauri::test::MockRuntime>,
    command: &str,
) -> Result<Vec<u8>, serde_json::Value> {
    invoke_in(app, "main", command)
}

/// Command `C`'s answer, as the UI decodes it.
fn answer<C: Command>(app: &tauri::App<tauri::test::MockRuntime>) -> Answer<C> {
    let bytes = invoke(app, C::NAME).expect("the shell runs the command");
    portal_api::ipc::decode(&bytes).expect("an answer of the contract")
}

/// Invokes `command` without arguments from the window labelled `window` (opened if needed):
/// the bytes of its answer, or Tauri's refusal.
fn invoke_in(
    app: &tauri::App<tauri::test::MockRuntime>,
    window: &str,
    command: &str,
) -> Result<Vec<u8>, serde_json::Value> {
    let webview = match app.get_webview_window(window) {
        Some(webview) => webview,
        None => tauri::WebviewWindowBuilder::new(app, window, Default::default())
            .build()
            .expect("the mock window opens"),
    };
    get_ipc_response(
        &webview,
        InvokeRequest {
            cmd: command.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("a valid URL"),
            body: tauri::ipc::InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| match body {
        InvokeResponseBody::Raw(bytes) => bytes,
        InvokeResponseBody::Json(json) => {
            panic!("{command} answered JSON, not the contract's form: {json}")
        }
    })
}

#[test]
fn backend_status_reports_the_sandbox_name_and_version() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let server = runtime
        .block_on(portal_server::spawn("127.0.0.1:0"))
        .expect("the sandbox server starts");
    let app = app_for(&server.base_url());

    let answer = answer::<portal_api::ipc::BackendStatus>(&app).expect("the command succeeds");

    assert_eq!(answer.name, portal_server::SERVER_NAME);
    assert_eq!(answer.version, env!("CARGO_PKG_VERSION"));
    runtime.block_on(server.stop()).expect("the server stops");
}

#[test]
fn backend_status_reports_a_stopped_server_as_offline() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let server = runtime
        .block_on(portal_server::spawn("127.0.0.1:0"))
        .expect("the sandbox server starts");
    let url = server.base_url();
    runtime.block_on(server.stop()).expect("the server stops");
    let app = app_for(&url);

    let error = answer::<portal_api::ipc::BackendStatus>(&app).expect_err("the command fails");

    assert_eq!(error.code, portal_api::ErrorCode::Offline);
    assert_eq!(
        error.message,
        portal_api::ErrorCode::Offline.message(portal_api::Language::English),
        "the customer reads the catalog's message, not the transport's"
    );
}

#[test]
fn backend_status_explains_an_unusable_backend_address() {
    let app = app_for("http://192.0.2.1:8787");

    let error = answer::<portal_api::ipc::BackendStatus>(&app).expect_err("the command fails");

    assert_eq!(error.code, portal_api::ErrorCode::InvalidBackendUrl);
}

#[test]
fn take_links_starts_empty() {
    let app = app_for("http://127.0.0.1:9");
    let links = answer::<portal_api::ipc::TakeLinks>(&app).expect("the command succeeds");
    assert!(links.is_empty(), "{links:?}");
}

#[test]
fn the_main_window_is_allowed_exactly_the_commands_of_the_contract() {
    let capability: serde_json::Value =
        serde_json::from_str(include_str!("../capabilities/default.json")).expect("JSON");
    let mut allowed: Vec<String> = capability["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .filter_map(|permission| permission.as_str())
        .filter_map(|permission| permission.strip_prefix("allow-"))
        .map(|command| command.replace('-', "_"))
        .collect();
    let mut contract: Vec<String> = portal_api::ipc::COMMANDS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    allowed.sort();
    contract.sort();
    assert_eq!(allowed, contract);
}

/// The app as built for real (capabilities, permission manifest, updater key and plugin), on
/// the mock runtime, with an unreachable backend.
fn real_app() -> tauri::App<tauri::test::MockRuntime> {
    let sources = BackendSources {
        launch_flag: None,
        environment: None,
        build_default: "http://127.0.0.1:9".to_owned(),
    };
    with_commands(mock_builder())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(Backend::from_sources(&sources))
        .build(context())
        .expect("the mock app builds")
}

/// Invokes `command` from the window `window` of the real app.
fn invoke_as(window: &str, command: &str) -> Result<Vec<u8>, serde_json::Value> {
    invoke_in(&real_app(), window, command)
}

#[test]
fn a_command_the_capability_does_not_grant_is_refused() {
    let name = <portal_api::ipc::BackendStatus as portal_api::ipc::Command>::NAME;
    let granted = invoke_as("main", name).expect("the main window may call it");
    let granted: Answer<portal_api::ipc::BackendStatus> =
        portal_api::ipc::decode(&granted).expect("an answer of the contract");
    assert_eq!(
        granted.map_err(|error| error.code),
        Err(portal_api::ErrorCode::Offline),
        "nothing listens on port 9"
    );
    let refused = invoke_as("main", "plugin:opener|open_url").expect_err("refused");
    assert!(
        refused.to_string().contains("not allowed"),
        "plugin commands are not granted to the webview: {refused}"
    );
    let other = invoke_as("popup", name).expect_err("refused");
    assert!(
        other.to_string().contains("not allowed"),
        "another window is granted nothing: {other}"
    );
}

#[test]
fn every_command_of_the_contract_has_a_handler() {
    let app = real_app();
    // A core that could not open: every command that needs it answers at once.
    app.state::<Core>()
        .opened(Err(CoreError::coded(portal_api::ErrorCode::CacheFailed)));
    for name in portal_api::ipc::COMMANDS {
        if let Err(error) = invoke(&app, name) {
            assert!(
                !error.to_string().contains("not found"),
                "{name} has no handler: {error}"
            );
        }
    }
    let unknown = invoke(&app, "no_such_command").expect_err("refused");
    assert!(unknown.to_string().contains("not found"), "{unknown}");
}
