// The first script of the page: tell the shell, as the app's UI does with its marks.
window.__TAURI_INTERNALS__.invoke("mark", { name: "first_script_run" });
