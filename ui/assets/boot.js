// Loads the WebAssembly UI. Kept as a file (not inline) so the CSP needs no script hashes.
// The screens' modules (see xtask/src/split.rs) link against the main module through
// `initSync`, which hands back the instance already running.
import init, { initSync } from "/portal_ui.js";
globalThis.__wasm_split_main_initSync = initSync;
init();
