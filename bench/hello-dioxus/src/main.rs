//! A Dioxus hello world with a router, as small as the framework makes it: what the portal's UI
//! is compared with (`cargo xtask bench-wasm`).

use dioxus::prelude::*;

/// Its one screen.
#[derive(Debug, Clone, PartialEq, Routable)]
enum Route {
    /// Hello.
    #[route("/")]
    Hello {},
}

fn main() {
    dioxus::launch(|| rsx! { Router::<Route> {} });
}

/// The greeting.
#[component]
fn Hello() -> Element {
    rsx! { h1 { "Hello, Dioxus" } }
}
