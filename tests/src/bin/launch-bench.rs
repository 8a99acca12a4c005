//! `launch-bench`: how fast the app shows a signed-in customer's bills when it starts.
//!
//! Signs in once through the client core (so the cache holds the account and bills, and the
//! refresh token is in the Secret Service), then launches the real app binary `RUNS` times and
//! reads its timing marks (`ENERPRO_TIMINGS_FILE`): process start → page loaded → wasm started →
//! cached data rendered → fresh data rendered. Prints the median of each.
//!
//! Run through `cargo xtask bench-app`, which provides the D-Bus session, the Secret Service and
//! the display. `ENERPRO_APP_BIN` names the app binary.

use portal_core::{BackendUrl, Portal, PortalConfig};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 7;
const MARKS: &[&str] = &[
    "page_loaded",
    "wasm_started",
    "cached_data_rendered",
    "fresh_data_rendered",
];
const DEV_IDENTIFIER: &str = "com.enerpro.portal.dev";

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn read_marks(path: &std::path::Path) -> BTreeMap<String, f64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().skip(1);
            Some((words.next()?.to_owned(), words.next()?.parse().ok()?))
        })
        .collect()
}

async fn bench() -> Result<(), String> {
    let app = std::env::var("ENERPRO_APP_BIN").map_err(|_| "ENERPRO_APP_BIN is not set")?;
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = home.path().join("data");
    let cache_path = data.join(DEV_IDENTIFIER).join("cache.sqlite3");
    let link = portal_e2e::invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
    let code = link
        .split_once("code=")
        .map(|(_, c)| c.to_owned())
        .ok_or("no code")?;
    {
        let portal = Portal::open(&PortalConfig {
            backend: BackendUrl::parse(&server.base_url()).map_err(|e| e.to_string())?,
            cache_path: cache_path.clone(),
            credential_service: DEV_IDENTIFIER.to_owned(),
            timeouts: portal_core::api::Timeouts::default(),
        })
        .map_err(|e| e.to_string())?;
        portal
            .accept_invitation(&code, "62701")
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut samples: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for run in 0..RUNS {
        let marks_file = home.path().join(format!("marks-{run}.txt"));
        let mut child = Command::new(&app)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("ENERPRO_BACKEND_URL", server.base_url())
            .env("ENERPRO_TIMINGS_FILE", &marks_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        while !read_marks(&marks_file).contains_key("fresh_data_rendered") {
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                return Err(format!(
                    "run {run}: no fresh data after 60 s; marks: {:?}",
                    read_marks(&marks_file)
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let marks = read_marks(&marks_file);
        for mark in MARKS {
            if let Some(value) = marks.get(*mark) {
                samples.entry(mark).or_default().push(*value);
            }
        }
        if let (Some(wasm), Some(cached)) =
            (marks.get("wasm_started"), marks.get("cached_data_rendered"))
        {
            samples
                .entry("wasm → cached data")
                .or_default()
                .push(cached - wasm);
        }
        // Let the previous instance's D-Bus name go before the next launch.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("\nApp launch, median of {RUNS} runs (milliseconds since the process started):");
    for (mark, values) in &mut samples {
        println!("  {mark:<24} {:>8.1} ms", median(values));
    }
    server.stop().await.map_err(|e| e.to_string())?;
    let credentials = portal_core::credentials::Credentials::platform(DEV_IDENTIFIER);
    let _ = credentials.delete(portal_core::credentials::names::REFRESH_TOKEN);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let outcome = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|runtime| runtime.block_on(bench()));
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("launch-bench: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
