//! The typed bridge to the app's shell over Tauri's IPC.
//!
//! Calls go through `window.__TAURI_INTERNALS__` (present in every Tauri 2 webview) with
//! `catch`, so a failing command — or a page opened outside the app — arrives as an
//! `Err(ErrorBody)`, never as a WebAssembly panic.

use portal_api::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI_INTERNALS__"], js_name = invoke)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI_INTERNALS__"], js_name = transformCallback)]
    fn transform_callback(
        callback: &Closure<dyn FnMut(JsValue)>,
        once: bool,
    ) -> Result<u32, JsValue>;
}

/// Arguments of a command that takes none.
#[derive(Serialize)]
pub struct NoArgs {}

/// Runs `command` in the shell with `args` and decodes its answer.
pub async fn invoke<A: Serialize, T: DeserializeOwned>(
    command: &str,
    args: &A,
) -> Result<T, ErrorBody> {
    let args =
        serde_wasm_bindgen::to_value(args).map_err(|error| bridge_error(&error.to_string()))?;
    match tauri_invoke(command, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|error| bridge_error(&format!("unexpected answer to {command}: {error}"))),
        Err(value) => Err(serde_wasm_bindgen::from_value::<ErrorBody>(value.clone())
            .unwrap_or_else(|_| bridge_error(&describe(&value)))),
    }
}

/// Runs a command that takes no arguments.
pub async fn call<T: DeserializeOwned>(command: &str) -> Result<T, ErrorBody> {
    invoke(command, &NoArgs {}).await
}

/// Reports a launch timing mark to the shell (fire and forget).
pub fn mark(name: &'static str) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = invoke::<_, serde::de::IgnoredAny>(
            portal_api::ipc::CMD_MARK,
            &portal_api::ipc::MarkArgs {
                name: name.to_owned(),
            },
        )
        .await;
    });
}

/// Calls `on_event` each time the shell emits `event`, for the life of the page.
pub async fn listen(event: &str, mut on_event: impl FnMut() + 'static) -> Result<(), ErrorBody> {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| on_event());
    let handler =
        transform_callback(&callback, false).map_err(|value| bridge_error(&describe(&value)))?;
    // App-wide listeners live as long as the page: the closure is handed to JavaScript for good.
    callback.forget();
    #[derive(Serialize)]
    struct Target {
        kind: &'static str,
    }
    #[derive(Serialize)]
    struct Listen<'a> {
        event: &'a str,
        target: Target,
        handler: u32,
    }
    let args = Listen {
        event,
        target: Target { kind: "Any" },
        handler,
    };
    invoke::<_, serde::de::IgnoredAny>("plugin:event|listen", &args)
        .await
        .map(|_| ())
}

fn bridge_error(detail: &str) -> ErrorBody {
    ErrorBody::new(
        "app_bridge",
        format!(
            "The app could not talk to its own core ({detail}). Restart the app; if it keeps happening, contact support."
        ),
    )
}

fn describe(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(value)
                .ok()
                .and_then(|text| text.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_owned())
}
