//! Builds the WebAssembly UI into `ui/dist`, which the app embeds (`frontendDist`): cargo for
//! `wasm32-unknown-unknown`, wasm-bindgen for the JavaScript glue, wasm-opt to shrink it, and the
//! static files from `ui/assets`. No download, no `dx`.

use crate::shell::{Cmd, step};
use crate::{root, target_dir};
use std::path::Path;

/// wasm-opt's flags: size first, and exactly the wasm features rustc's target emits by default.
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--strip-debug",
    "--strip-producers",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds the UI into the `ui/dist` folder; returns its size.
pub fn ui() -> Result<WasmSize, String> {
    step("build the WebAssembly UI");
    let dist = root().join("ui").join("dist");
    let size = wasm("portal-ui", "portal_ui", &dist, Split::AtScreens)?;
    copy_assets(&root().join("ui").join("assets"), &dist)?;
    println!("UI wasm: {size}");
    Ok(size)
}

/// The sizes of a built WebAssembly module.
#[derive(Debug, Clone, Copy)]
pub struct WasmSize {
    /// Bytes before wasm-opt.
    pub before: u64,
    /// Bytes after wasm-opt.
    pub after: u64,
    /// Bytes after wasm-opt, gzipped (-9).
    pub gzipped: u64,
    /// Bytes of the screens' modules and their shared chunks after wasm-opt, fetched when the
    /// router first shows a screen (0 for a program without split points).
    pub screens: u64,
}

impl std::fmt::Display for WasmSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} KB before wasm-opt, main module {} KB after, {} KB gzipped; screens' modules {} KB",
            self.before / 1000,
            self.after / 1000,
            self.gzipped / 1000,
            self.screens / 1000
        )
    }
}

/// rustc flags that write the paths of the registry's crates (kept in panic locations) from the
/// crate's own folder on, `dioxus-core-0.7.10/src/…`: 3 KB less of the module, and no path of
/// the machine that built it.
fn short_source_paths() -> String {
    let sources = crate::shell::cargo_home()
        .map(|home| home.join("registry").join("src"))
        .and_then(|folder| std::fs::read_dir(folder).ok());
    sources
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| format!("--remap-path-prefix={}/=", index.path().display()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a wasm build is split into lazily loaded modules.
#[derive(Debug, Clone, Copy)]
pub enum Split {
    /// One module per screen of the router (dioxus's `wasm-split` feature), see `split`.
    AtScreens,
    /// One module.
    No,
}

/// Builds the wasm32 binary `package` in the `wasm-release` profile, runs wasm-bindgen (web
/// target, `out_name`), splits it (`split`) and runs wasm-opt on every module into `dist`; skips
/// all of it when the linked module did not change.
pub fn wasm(package: &str, out_name: &str, dist: &Path, split: Split) -> Result<WasmSize, String> {
    // wasm-split reads the call graph from the linker's relocations; only the final link needs
    // the flag, so the dependencies' builds stay the same.
    let link_args: &[&str] = match split {
        Split::AtScreens => &["--", "-Clink-arg=--emit-relocs"],
        Split::No => &[],
    };
    Cmd::new("cargo")
        .args([
            "rustc",
            "--package",
            package,
            "--bin",
            package,
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ])
        .args(link_args)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            short_source_paths(),
        )
        .run()?;
    let wasm = target_dir()
        .join("wasm32-unknown-unknown")
        .join("wasm-release")
        .join(format!("{package}.wasm"));
    std::fs::create_dir_all(dist).map_err(|error| format!("cannot create {dist:?}: {error}"))?;
    let bytes = std::fs::read(&wasm).map_err(|error| format!("cannot read {wasm:?}: {error}"))?;
    // The module, the wasm-bindgen that reads it and this program's build (its split and
    // wasm-opt steps): a change to any of them builds `dist` again.
    let xtask_built = std::env::current_exe()
        .and_then(|exe| exe.metadata())
        .and_then(|meta| meta.modified())
        .ok();
    let stamp = format!(
        "{:016x}-{}-{xtask_built:?}",
        fnv1a(&bytes),
        crate::setup::wasm_bindgen_version()?
    );
    let stamp_file = dist.join(".build-stamp");
    let main = dist.join(format!("{out_name}_bg.wasm"));
    if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str())
        || !main.exists()
    {
        crate::split::remove_old(dist)?;
        // For wasm-split the linker's exports and names stay, to match its relocations;
        // wasm-opt strips them afterwards.
        let for_split: &[&str] = match split {
            Split::AtScreens => &["--keep-lld-exports", "--no-demangle"],
            Split::No => &[],
        };
        Cmd::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            .args(for_split)
            .args(["--out-name", out_name, "--out-dir"])
            .arg(dist)
            .arg(&wasm)
            .run()?;
        if let Split::AtScreens = split {
            crate::split::split(&bytes, &main, dist)?;
        }
        for module in std::iter::once(main.clone()).chain(crate::split::lazy_modules(dist)) {
            Cmd::new(root().join("node_modules").join(".bin").join("wasm-opt"))
                .args(WASM_OPT_FLAGS)
                .arg(&module)
                .arg("-o")
                .arg(&module)
                .run()?;
        }
        std::fs::write(&stamp_file, &stamp)
            .map_err(|error| format!("cannot write the stamp: {error}"))?;
    }
    Ok(WasmSize {
        before: bytes.len() as u64,
        after: size(&main),
        gzipped: gzipped(&main),
        screens: crate::split::lazy_modules(dist)
            .iter()
            .map(|module| size(module))
            .sum(),
    })
}

/// A file's size in bytes (0 when it cannot be read).
fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

/// A file's size gzipped at level 9 (0 when it cannot be measured).
fn gzipped(path: &Path) -> u64 {
    Cmd::new("sh")
        .args(["-c", "gzip -9 -c \"$0\" | wc -c"])
        .arg(path)
        .output()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .unwrap_or(0)
}

/// Copies the static files, leaving unchanged ones untouched (so the app is not rebuilt).
fn copy_assets(from: &Path, to: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(from).map_err(|error| format!("cannot read {from:?}: {error}"))?;
    for entry in entries {
        let source = entry.map_err(|error| error.to_string())?.path();
        let Some(name) = source.file_name() else {
            continue;
        };
        let target = to.join(name);
        let content =
            std::fs::read(&source).map_err(|error| format!("cannot read {source:?}: {error}"))?;
        if std::fs::read(&target).ok().as_deref() != Some(content.as_slice()) {
            std::fs::write(&target, content)
                .map_err(|error| format!("cannot write {target:?}: {error}"))?;
        }
    }
    Ok(())
}

/// FNV-1a: enough to notice that the wasm changed.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
