//! Timing marks for the launch: when the process started, the page loaded, the picture of the
//! cached home screen was painted, the WebAssembly UI started, the cached data and then the fresh
//! data were on screen. Printed to stdout with the `--timings` launch flag, and appended to the
//! file named by `ENERPRO_TIMINGS_FILE` (the launch benchmark reads it). Each mark is recorded
//! once per run.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

/// The marks the UI may report.
pub const UI_MARKS: &[&str] = &[
    "first_paint_shown",
    "wasm_started",
    "cached_data_rendered",
    "fresh_data_rendered",
];

/// The launch's marks.
pub struct Timings {
    start: Instant,
    print: bool,
    file: Option<std::path::PathBuf>,
    seen: Mutex<HashSet<String>>,
}

impl Timings {
    /// Starts the clock (call first thing in `run`).
    pub fn start(print: bool) -> Self {
        Self {
            start: Instant::now(),
            print,
            file: std::env::var_os("ENERPRO_TIMINGS_FILE").map(Into::into),
            seen: Mutex::new(HashSet::new()),
        }
    }

    /// Records `name` (once) with the milliseconds since the process started.
    pub fn mark(&self, name: &str) {
        if !self.print && self.file.is_none() {
            return;
        }
        if !self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_owned())
        {
            return;
        }
        let line = format!(
            "timing {name} {:.1} ms",
            self.start.elapsed().as_secs_f64() * 1000.0
        );
        if self.print {
            println!("{line}");
        }
        if let Some(path) = &self.file
            && let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}
