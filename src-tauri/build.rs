//! Generates the Tauri context from `tauri.conf.json` (beside the root `Cargo.toml`) and the
//! capabilities kept in `src-tauri/capabilities/`.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .unwrap_or_else(|error| panic!("tauri build script failed: {error:#}"));
}
