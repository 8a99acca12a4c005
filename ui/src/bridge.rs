//! The typed bridge to the app's shell over Tauri's IPC.
//!
//! [`invoke`] takes a command of the contract (`portal_api::ipc`), sends its `Args` under the
//! key `args` and decodes its `Output`, so the UI and the shell cannot disagree on a name or a
//! type. Calls go through `window.__TAURI_INTERNALS__` (present in every Tauri 2 webview) with
//! `catch`, so a failing command — or a page opened outside the app — arrives as an
//! `Err(ErrorBody)`, never as a WebAssembly panic. Answers and the page globals the shell sets
//! arrive as bytes of the contract's binary form (`portal_api::ipc::decode`).

use portal_api::ipc::{Command, NoArgs};
use portal_api::{ErrorBody, ErrorCode};
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

// The picture of the screen: `#main`'s HTML without what changes with time alone: elements
// marked `data-volatile` (notices) are left out, those marked `data-time` (when the data was
// fetched) keep their place, empty, so nothing moves when the UI fills them in. Plain DOM
// calls, cheaper in JavaScript than through web-sys.
#[wasm_bindgen(inline_js = "
export function picture() {
  const main = document.getElementById('main');
  if (!main) return '';
  const copy = main.cloneNode(true);
  copy.querySelectorAll('[data-volatile]').forEach((element) => element.remove());
  copy.querySelectorAll('[data-time]').forEach((element) => { element.textContent = '\\u00a0'; });
  return copy.innerHTML;
}
export function dropFirstPaint() { document.getElementById('first-paint')?.remove(); }
export function pageBytes(name) {
  const text = window[name];
  if (typeof text !== 'string') return null;
  try { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); } catch { return null; }
}
")]
extern "C" {
    fn picture() -> String;
    /// Removes the picture the page painted before the UI rendered (the UI's own render
    /// replaced it on screen already; this takes it out of the page).
    #[wasm_bindgen(js_name = dropFirstPaint)]
    pub fn drop_first_paint();
    /// The bytes of page global `name` (the shell writes them in base64), or `null` (none, or
    /// not base64).
    #[wasm_bindgen(js_name = pageBytes)]
    fn page_bytes(name: &str) -> JsValue;
}

/// Runs command `C` in the shell with `args` and decodes its answer.
pub async fn invoke<C: Command>(args: &C::Args) -> Result<C::Output, ErrorBody> {
    #[derive(Serialize)]
    struct Wrapped<'a, A> {
        args: &'a A,
    }
    raw::<_, C::Output>(C::NAME, &Wrapped { args }).await
}

/// Runs command `C`, which takes no arguments.
pub async fn call<C: Command<Args = NoArgs>>() -> Result<C::Output, ErrorBody> {
    invoke::<C>(&NoArgs {}).await
}

async fn raw<A: Serialize, T: DeserializeOwned>(command: &str, args: &A) -> Result<T, ErrorBody> {
    let answer = send(command, args).await?;
    decode::<Result<T, ErrorBody>>(&answer).unwrap_or_else(|| Err(bridge_error()))
}

/// Sends `args` to `command` as JSON; its answer as it came, or the bridge's error (Tauri's
/// own refusal, whose technical detail goes to the console).
async fn send<A: Serialize>(command: &str, args: &A) -> Result<JsValue, ErrorBody> {
    let args = serde_wasm_bindgen::to_value(args).map_err(|_| bridge_error())?;
    tauri_invoke(command, args).await.map_err(|refusal| {
        web_sys::console::warn_1(&refusal);
        bridge_error()
    })
}

/// Decodes bytes the shell sent (an `ArrayBuffer` or a `Uint8Array`).
fn decode<T: DeserializeOwned>(bytes: &JsValue) -> Option<T> {
    if !bytes.is_object() {
        return None;
    }
    portal_api::ipc::decode(&js_sys::Uint8Array::new(bytes).to_vec())
}

/// The page global `name` the shell set before the UI started, if it did.
pub fn page_global<T: DeserializeOwned>(name: &str) -> Option<T> {
    decode(&page_bytes(name))
}

/// The cached home screen the shell put in the page at start, taken once (the global is
/// removed, so a later reload of the page cannot show data that has since changed).
pub fn first_screen() -> Option<portal_api::ipc::HomeView> {
    let name = portal_api::ipc::FIRST_SCREEN_GLOBAL;
    let view = page_global(name);
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &JsValue::from_str(name));
    }
    view
}

/// Keeps the picture of the home screen now on screen, which shows the view of `revision`, for
/// the next start's first paint (after the browser has applied the render's DOM changes).
pub async fn save_first_paint(revision: String) {
    crate::timer::sleep_ms(0).await;
    let html = picture();
    let _ = invoke::<portal_api::ipc::SaveFirstPaint>(&portal_api::ipc::FirstPaintArgs {
        revision,
        html,
    })
    .await;
}

/// Reports a launch timing mark to the shell (fire and forget).
pub fn mark(name: &'static str) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = invoke::<portal_api::ipc::Mark>(&portal_api::ipc::MarkArgs {
            name: name.to_owned(),
        })
        .await;
    });
}

/// Calls `on_event` each time the shell emits `event`, for the life of the page.
pub async fn listen(event: &str, mut on_event: impl FnMut() + 'static) -> Result<(), ErrorBody> {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| on_event());
    let handler = transform_callback(&callback, false).map_err(|_| bridge_error())?;
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
    send("plugin:event|listen", &args).await.map(|_| ())
}

/// The UI could not talk to its own shell (the technical detail goes to the console).
fn bridge_error() -> ErrorBody {
    ErrorBody::of_code(ErrorCode::AppBridge)
}
