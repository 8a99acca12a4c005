//! The screens' history kept in the webview's own history, so back and forward (a mouse's back
//! button, a phone's back gesture, WebDriver's `back`) move between screens.
//!
//! dioxus-web's `WebHistory` does this, but only with dioxus's `document` feature, which also
//! links its `eval` bridge and serde_json into the module: 45 KB of the UI's WebAssembly for a
//! provider of a few lines of the History API. This is that provider without them (and without
//! scroll restoration: every screen opens at its top).

use dioxus_history::History;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function currentPath() { return location.pathname + location.search + location.hash; }
export function pushPath(path) { history.pushState(null, '', path); scrollTo(0, 0); }
export function replacePath(path) { history.replaceState(null, '', path); }
export function goBack() { history.back(); }
export function goForward() { history.forward(); }
export function onPopState(callback) { addEventListener('popstate', () => callback()); }
")]
extern "C" {
    #[wasm_bindgen(js_name = currentPath)]
    fn current_path() -> String;
    #[wasm_bindgen(js_name = pushPath)]
    fn push_path(path: &str);
    #[wasm_bindgen(js_name = replacePath)]
    fn replace_path(path: &str);
    #[wasm_bindgen(js_name = goBack)]
    fn go_back();
    #[wasm_bindgen(js_name = goForward)]
    fn go_forward();
    #[wasm_bindgen(js_name = onPopState)]
    fn on_pop_state(callback: &Closure<dyn Fn()>);
}

/// The router's history provider, for `use_context_provider` above the router.
pub fn provider() -> Rc<dyn History> {
    Rc::new(BrowserHistory)
}

/// The router's history in the webview's History API.
struct BrowserHistory;

impl History for BrowserHistory {
    fn current_route(&self) -> String {
        current_path()
    }

    fn go_back(&self) {
        go_back();
    }

    fn go_forward(&self) {
        go_forward();
    }

    fn push(&self, route: String) {
        // A link to the screen already shown adds nothing to go back through.
        if route != current_path() {
            push_path(&route);
        }
    }

    fn replace(&self, route: String) {
        replace_path(&route);
    }

    fn updater(&self, callback: Arc<dyn Fn() + Send + Sync>) {
        let listener = Closure::<dyn Fn()>::new(move || callback());
        on_pop_state(&listener);
        // The router listens for the life of the page.
        listener.forget();
    }
}
