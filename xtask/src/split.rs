//! Splits the UI's WebAssembly at the router's screens, the way `dx build --wasm-split` does,
//! without `dx`: the webview compiles only the main module (the runtime, the layout and what
//! every screen shares) before the UI starts, and fetches each screen's module when the router
//! first shows that screen.
//!
//! The router (dioxus's `wasm-split` feature) puts each route's component behind a split point;
//! `wasm-split-cli` reads the call graph from the linker's relocations (`--emit-relocs`) and
//! cuts the module wasm-bindgen wrote into the main module, one module per screen and chunks of
//! code several screens share. `__wasm_split.js` loads them; wasm-bindgen's glue imports it.
//!
//! The data a screen alone uses moves to that screen's module, which writes it when it loads.
//! wasm-split 0.7.10 also zeroed bytes the main module still read where merged constants
//! overlap (DioxusLabs/dioxus#5769; here an error message came out empty): the workspace builds
//! it with that fixed (`xtask/wasm-split-cli`). It can panic on a module it does not expect
//! (#4769, one codegen unit), which this turns into an error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The loader the glue imports: wasm-split's `makeLoad`, then one export per chunk and per
/// screen module, each with the URL it is served from.
const LOADER: &str = "__wasm_split.js";

/// Splits `bindgened` (wasm-bindgen's output of `original`, the linker's module with its
/// relocations) into `dist`: the main module replaces `bindgened`, and the screens' modules,
/// the shared chunks and the loader are written beside it ([`lazy_modules`] lists them).
pub fn split(original: &[u8], bindgened: &Path, dist: &Path) -> Result<(), String> {
    first_segment_is_read_only(original)?;
    let bytes =
        std::fs::read(bindgened).map_err(|error| format!("cannot read {bindgened:?}: {error}"))?;
    let modules = std::panic::catch_unwind(|| {
        wasm_split_cli::Splitter::new(original, &bytes).and_then(|splitter| splitter.emit())
    })
    .map_err(|_| "wasm-split panicked (see its message above)".to_owned())?
    .map_err(|error| format!("wasm-split cannot split the module: {error:#}"))?;
    std::fs::write(bindgened, &modules.main.bytes)
        .map_err(|error| format!("cannot write {bindgened:?}: {error}"))?;
    let mut loader = wasm_split_cli::MAKE_LOAD_JS.to_string();
    for (index, chunk) in modules.chunks.iter().enumerate() {
        let name = format!("chunk_{index}_{}.wasm", chunk.module_name);
        write(dist, &name, &chunk.bytes)?;
        let _ = writeln!(
            loader,
            "export const __wasm_split_load_chunk_{index} = makeLoad(\"/{name}\", [], fusedImports);"
        );
    }
    for (index, module) in modules.modules.iter().enumerate() {
        let (Some(component), Some(hash)) = (&module.component_name, &module.hash_id) else {
            return Err(format!(
                "wasm-split gave module {} no name or hash",
                module.module_name
            ));
        };
        let name = format!("module_{index}_{component}.wasm");
        write(dist, &name, &module.bytes)?;
        let mut chunks: Vec<usize> = module.relies_on_chunks.iter().copied().collect();
        chunks.sort_unstable();
        let chunks = chunks
            .iter()
            .map(|chunk| format!("__wasm_split_load_chunk_{chunk}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            loader,
            "export const __wasm_split_load_{}_{hash}_{component} = makeLoad(\"/{name}\", [{chunks}], fusedImports);",
            module.module_name
        );
    }
    write(dist, LOADER, loader.as_bytes())
}

/// Removes the split modules and loader an earlier build left in `dist`.
pub fn remove_old(dist: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Ok(());
    };
    for path in entries.flatten().map(|entry| entry.path()) {
        if is_lazy_module(&path) || path.file_name().is_some_and(|name| name == LOADER) {
            std::fs::remove_file(&path)
                .map_err(|error| format!("cannot remove {path:?}: {error}"))?;
        }
    }
    Ok(())
}

/// Writes one file of the split into `dist`.
fn write(dist: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dist.join(name);
    std::fs::write(&path, bytes).map_err(|error| format!("cannot write {path:?}: {error}"))
}

/// The split modules in `dist`.
pub fn lazy_modules(dist: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| is_lazy_module(path))
        .collect()
}

/// Whether `path` names a screen's module or a shared chunk.
fn is_lazy_module(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    (name.starts_with("chunk_") || name.starts_with("module_")) && name.ends_with(".wasm")
}

/// wasm-split moves symbols of the first data segment alone into the screens' modules, and each
/// module writes its symbols when it loads, so a screen's module loading after another one (or
/// after the main module changed a value) must never write over data a running program changed:
/// that holds while the first segment is the linker's read-only `.rodata`, checked here.
fn first_segment_is_read_only(original: &[u8]) -> Result<(), String> {
    let module = walrus::Module::from_buffer(original)
        .map_err(|error| format!("walrus cannot read the module: {error:#}"))?;
    match module
        .data
        .iter()
        .next()
        .and_then(|data| data.name.as_deref())
    {
        Some(".rodata") => Ok(()),
        other => Err(format!(
            "the module's first data segment is {other:?}, not .rodata: splitting it could reset a value a running screen changed"
        )),
    }
}

#[cfg(test)]
mod tests {
    /// A module whose data segments carry `names`, in order.
    fn module_with_segments(names: &[&str]) -> Vec<u8> {
        let mut module = walrus::Module::default();
        let memory = module.memories.add_local(false, false, 1, None, None);
        for (index, name) in (0i32..).zip(names) {
            let offset = walrus::ConstExpr::Value(walrus::ir::Value::I32(index * 16));
            let data = module
                .data
                .add(walrus::DataKind::Active { memory, offset }, vec![1, 2, 3]);
            module.data.get_mut(data).name = Some((*name).to_owned());
        }
        module.emit_wasm()
    }

    #[test]
    fn only_a_module_whose_first_data_is_read_only_is_split() {
        assert_eq!(
            super::first_segment_is_read_only(&module_with_segments(&[".rodata", ".data"])),
            Ok(())
        );
        for names in [&[".data", ".rodata"][..], &[".tdata"], &[]] {
            let refused = super::first_segment_is_read_only(&module_with_segments(names));
            assert!(refused.is_err(), "{names:?} was accepted");
        }
    }
}
