//! How the page is drawn on Linux: by the CPU, without WebKitGTK's GPU compositing.
//!
//! WebKitGTK composites every page on the GPU by default: a GL context and window-sized
//! buffers in the web process (with no GPU, Mesa's software rasterizer and its compiled
//! shaders). The app's pages are documents: text, boxes, one small chart, no video, WebGL or
//! 3D. Drawn by the CPU they look the same, and the app's processes use about 75 MB less
//! (`cargo xtask bench-app`, docs/NUMBERS.md): less than an empty Tauri window as built. It
//! also avoids the blank and crashing windows some GPU drivers give WebKitGTK, for which many
//! Tauri apps set `WEBKIT_DISABLE_COMPOSITING_MODE`. The setting is the webview's own
//! (`hardware-acceleration-policy`), applied right after the window is built, so the crate
//! needs no `unsafe` to change its environment. WebKitWebDriver cannot take a screenshot of a
//! page drawn so: the end-to-end tests take theirs from the display.

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

/// Turns GPU compositing off for `window`'s webview.
pub fn without_compositing<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })
}
