//! `cargo xtask fuzz [target] [seconds]`: runs the cargo-fuzz targets in `fuzz/` (libFuzzer,
//! nightly), one or all, for a time each. Installs the nightly toolchain and cargo-fuzz first
//! when they are missing. A crash leaves its input in `fuzz/artifacts/<target>/`.

use crate::shell::{Cmd, step};

/// The fuzz targets, as `fuzz/Cargo.toml` lists them.
pub const TARGETS: &[&str] = &[
    "deep_link",
    "webhook_signature",
    "stripe_json",
    "api_bodies",
    "backend_answer",
];

/// cargo-fuzz, pinned.
const CARGO_FUZZ_VERSION: &str = "0.13.1";

/// Fuzzes `target` (every target when `None`) for `seconds` each.
pub fn run(target: Option<&str>, seconds: u32) -> Result<(), String> {
    let targets: Vec<&str> = match target {
        Some(name) if TARGETS.contains(&name) => vec![name],
        Some(name) => {
            return Err(format!(
                "no fuzz target {name:?}; the targets are: {}",
                TARGETS.join(", ")
            ));
        }
        None => TARGETS.to_vec(),
    };
    nightly()?;
    // The same dependency versions as the app (the fuzz crate has its own workspace).
    let lock = crate::root().join("fuzz").join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(crate::root().join("Cargo.lock"), &lock)
            .map_err(|error| format!("cannot seed {lock:?}: {error}"))?;
    }
    crate::setup::cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
    for target in targets {
        step(&format!("fuzz {target} for {seconds} s"));
        Cmd::new("cargo")
            .args(["+nightly", "fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .env("CARGO_TARGET_DIR", crate::target_dir().join("fuzz"))
            .run()?;
    }
    Ok(())
}

fn nightly() -> Result<(), String> {
    let toolchains = Cmd::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .unwrap_or_default();
    if toolchains.lines().any(|line| line.starts_with("nightly")) {
        return Ok(());
    }
    step("install the nightly toolchain (libFuzzer needs it)");
    Cmd::new("rustup")
        .args(["toolchain", "install", "nightly", "--profile", "minimal"])
        .run()
}
