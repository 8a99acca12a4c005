//! Generates the Tauri context from `tauri.conf.json` (beside the root `Cargo.toml`) and the
//! capabilities kept in `src-tauri/capabilities/`, with an app manifest naming every command of
//! the IPC contract, so that the capability file decides which of them a window may call.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(portal_api::ipc::COMMANDS);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(manifest),
    )
    .unwrap_or_else(|error| panic!("tauri build script failed: {error:#}"));
}
