// Loads the WebAssembly UI. Kept as a file (not inline) so the CSP needs no script hashes.
import init from "/portal_ui.js";
init();
