//! The commands, run through Tauri's mock runtime against a real sandbox server.

use super::*;
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
) -> Result<serde_json::Value, serde_json::Value> {
    let webview = tauri::WebviewWindowBuilder::new(app, "main", Default::default())
        .build()
        .expect("the mock window opens");
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
    .map(|body| body.deserialize::<serde_json::Value>().expect("JSON"))
}

#[test]
fn backend_status_reports_the_sandbox_name_and_version() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let server = runtime
        .block_on(portal_server::spawn("127.0.0.1:0"))
        .expect("the sandbox server starts");
    let app = app_for(&server.base_url());

    let answer = invoke(&app, portal_api::ipc::CMD_BACKEND_STATUS).expect("the command succeeds");

    assert_eq!(answer["name"], portal_server::SERVER_NAME);
    assert_eq!(answer["version"], env!("CARGO_PKG_VERSION"));
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

    let error = invoke(&app, portal_api::ipc::CMD_BACKEND_STATUS).expect_err("the command fails");

    assert_eq!(error["code"], "offline");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("Cannot reach"))
    );
}

#[test]
fn backend_status_explains_an_unusable_backend_address() {
    let app = app_for("http://192.0.2.1:8787");

    let error = invoke(&app, portal_api::ipc::CMD_BACKEND_STATUS).expect_err("the command fails");

    assert_eq!(error["code"], "invalid_backend_url");
}

#[test]
fn take_links_starts_empty() {
    let app = app_for("http://127.0.0.1:9");
    let answer = invoke(&app, portal_api::ipc::CMD_TAKE_LINKS).expect("the command succeeds");
    assert_eq!(answer, serde_json::json!([]));
}
