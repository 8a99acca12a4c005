//! An empty Tauri window: the floor the app's launch is measured against (`cargo xtask
//! bench-app`). Its page's first script calls `mark`, which appends
//! `timing first_script_run <ms since the process started>` to `ENERPRO_TIMINGS_FILE`, the
//! format of the app's own marks; the window's creation is marked as `window_created` and the page
//! load as `page_loaded`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;
use std::time::Instant;

/// When the process started (as near as `main` knows).
struct Started(Instant);

/// Appends a mark to `ENERPRO_TIMINGS_FILE`.
fn record(started: &Started, name: &str) {
    let Some(path) = std::env::var_os("ENERPRO_TIMINGS_FILE") else {
        return;
    };
    let line = format!(
        "timing {name} {:.1} ms",
        started.0.elapsed().as_secs_f64() * 1000.0
    );
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{line}");
    }
}

/// The page's first script ran.
#[tauri::command]
fn mark(name: String, started: tauri::State<'_, Started>) {
    if name == "first_script_run" {
        record(&started, &name);
    }
}

fn main() {
    let started = Started(Instant::now());
    let result = tauri::Builder::default()
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                use tauri::Manager;
                record(&webview.state::<Started>(), "page_loaded");
            }
        })
        .manage(started)
        // Tauri creates the configured window before the setup hook runs.
        .setup(|app| {
            use tauri::Manager;
            record(&app.state::<Started>(), "window_created");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![mark])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("hello-tauri could not start: {error}");
        std::process::exit(1);
    }
}
