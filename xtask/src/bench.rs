//! `cargo xtask bench-server`: requests/s and p50/p99 latency of the sandbox server (`server`
//! profile) on loopback, measured with wrk (Debian), for listing bills and for creating payments.

use crate::shell::{Cmd, step};
use crate::target_dir;
use std::time::Duration;

const LISTEN: &str = "127.0.0.1:18787";
/// Bills per wrk thread for the payment benchmark (the Lua script's numbering).
const BILLS_PER_THREAD: u32 = 100_000;
const THREADS: &str = "2";
const CONNECTIONS: &str = "16";
const DURATION: &str = "10s";

/// Runs the benchmark and prints wrk's reports.
pub fn server() -> Result<(), String> {
    if Cmd::new("wrk").arg("--version").output().is_none() && !wrk_installed() {
        step("install wrk and curl (Debian)");
        Cmd::new("apt-get")
            .args(["install", "-y", "-qq", "wrk", "curl"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()?;
    }
    step("build the sandbox server (the `server` profile: release, throughput first)");
    Cmd::new("cargo")
        .args(["build", "--profile", "server", "--package", "portal-server"])
        .run()?;
    let server = target_dir().join("server").join("portal-server");
    let dir = target_dir().join("xtask-bench");
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("bench.sqlite3");
    Cmd::new(&server)
        .arg("--db")
        .arg(&db)
        .args([
            "seed",
            "--demo",
            "--load-test-bills",
            &(2 * BILLS_PER_THREAD).to_string(),
        ])
        .run()?;
    let jane = invitation_code(&server, &db, "100-200-300", "jane.doe@example.com")?;
    let load = invitation_code(&server, &db, "900-000-000", "load.test@example.com")?;
    step(&format!("serve on {LISTEN}"));
    let mut running = Cmd::new(&server)
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", LISTEN, "--admin-key", "adm_bench"])
        .env("RUST_LOG", "warn")
        .spawn()?;
    std::thread::sleep(Duration::from_secs(1));
    let outcome = (|| {
        let jane_token = access_token(&jane, "62701")?;
        let load_token = access_token(&load, "00000")?;
        step("list outstanding bills (GET /v1/bills?status=outstanding, Jane Doe: 3 bills)");
        wrk()
            .arg("-H")
            .arg(format!("Authorization: Bearer {jane_token}"))
            .arg(format!("http://{LISTEN}/v1/bills?status=outstanding"))
            .run()?;
        step(
            "create payments (POST /v1/payments, a new bill and key each, checkout at the simulator)",
        );
        wrk()
            .arg("-s")
            .arg(crate::root().join("crates/portal-server/benches/create-payments.lua"))
            .arg(format!("http://{LISTEN}"))
            .env("TOKEN", load_token)
            .run()
    })();
    let _ = running.kill();
    let _ = running.wait();
    outcome
}

fn wrk_installed() -> bool {
    std::path::Path::new("/usr/bin/wrk").exists()
}

fn invitation_code(
    server: &std::path::Path,
    db: &std::path::Path,
    account: &str,
    email: &str,
) -> Result<String, String> {
    let links = Cmd::new(server)
        .arg("--db")
        .arg(db)
        .args(["invite", "--account", account, "--email", email])
        .output()
        .ok_or("the invite command failed")?;
    links
        .lines()
        .next()
        .and_then(|link| link.split_once("code="))
        .map(|(_, code)| code.trim().to_owned())
        .ok_or_else(|| "no invitation link printed".to_owned())
}

fn access_token(code: &str, postcode: &str) -> Result<String, String> {
    let body = format!(r#"{{"code":"{code}","postcode":"{postcode}"}}"#);
    let answer = Cmd::new("curl")
        .args(["-sf", "-H", "content-type: application/json", "-d"])
        .arg(body)
        .arg(format!("http://{LISTEN}/v1/invitations/redeem"))
        .output()
        .ok_or("redeeming the invitation failed")?;
    answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("no access token in {answer}"))
}

/// wrk with the benchmark's threads, connections, duration and latency report.
fn wrk() -> Cmd {
    Cmd::new("wrk").args([
        "-t",
        THREADS,
        "-c",
        CONNECTIONS,
        "-d",
        DURATION,
        "--latency",
    ])
}

/// `cargo xtask bench-app [--debug] [--big-cache]`: builds the UI, the app and the hello-world
/// Tauri app (`bench/hello-tauri`) in the release profile (the customer's build; `--debug` for
/// the development build), then runs `launch-bench` inside a private D-Bus session with a Secret
/// Service on a virtual display: both launched interleaved, medians and the ratio printed.
pub fn app(arguments: &[String]) -> Result<(), String> {
    let debug = arguments.iter().any(|a| a == "--debug");
    let big_cache = arguments.iter().any(|a| a == "--big-cache");
    if let Some(unknown) = arguments
        .iter()
        .find(|a| !matches!(a.as_str(), "--debug" | "--big-cache"))
    {
        return Err(format!(
            "bench-app takes --debug and --big-cache, not {unknown:?}"
        ));
    }
    crate::setup::all()?;
    crate::updater::DevKey::get()?.apply_to_builds();
    crate::build::ui()?;
    let profile: &[&str] = if debug {
        &[]
    } else {
        &["--release", "--features", "custom-protocol"]
    };
    step("build the app, the hello-world Tauri app and the launch benchmark");
    Cmd::new("cargo")
        .args([
            "build",
            "--package",
            "enerpro-portal",
            "--bin",
            "enerpro-portal",
        ])
        .args(profile)
        .run()?;
    Cmd::new("cargo")
        .args(["build", "--package", "hello-tauri"])
        .args(profile)
        .run()?;
    Cmd::new("cargo")
        .args(["build", "--package", "portal-e2e", "--bin", "launch-bench"])
        .run()?;
    let folder = target_dir().join(if debug { "debug" } else { "release" });
    let path = |name: &str| folder.join(name).to_string_lossy().into_owned();
    crate::shell::set_child_env("ENERPRO_APP_BIN", &path("enerpro-portal"));
    crate::shell::set_child_env("ENERPRO_HELLO_BIN", &path("hello-tauri"));
    crate::shell::set_child_env(
        "ENERPRO_APP_IDENTIFIER",
        if debug {
            "com.enerpro.portal.dev"
        } else {
            "com.enerpro.portal"
        },
    );
    crate::shell::set_child_env(
        "ENERPRO_BENCH_PICTURES",
        &target_dir().join("bench-app").to_string_lossy(),
    );
    if big_cache {
        crate::shell::set_child_env("ENERPRO_BENCH_BIG_CACHE", "1");
    }
    crate::shell::in_desktop_session("bench-app-session", 99)?.run()
}

/// Inside the session: the Secret Service, then the benchmark.
pub fn app_session() -> Result<(), String> {
    let mut keyring = crate::keyring::start("bench")?;
    let outcome = Cmd::new(target_dir().join("debug").join("launch-bench")).run();
    let _ = keyring.kill();
    let _ = keyring.wait();
    outcome
}

/// `cargo xtask bench-wasm`: the UI's WebAssembly next to a Dioxus hello world
/// (`bench/hello-dioxus`: the same dioxus features, profile, wasm-bindgen and wasm-opt flags),
/// sizes and the ratio printed. The goals: ≤ 1.5× the hello world and ≤ 500 KB after wasm-opt.
pub fn wasm() -> Result<(), String> {
    crate::setup::all()?;
    let ui = crate::build::ui()?;
    step("build the Dioxus hello world the same way (one module: it has no screens to split)");
    let hello = crate::build::wasm(
        "hello-dioxus",
        "hello_dioxus",
        &target_dir().join("xtask-bench-wasm"),
        crate::build::Split::No,
    )?;
    println!("\nWebAssembly after wasm-opt -Oz (the UI's main module: what the webview compiles");
    println!("before the UI starts; each screen's module is fetched when it is first shown):");
    println!("  Dioxus hello world: {hello}");
    println!("  the portal's UI:    {ui}");
    let kilobytes = ui.after / 1000;
    let budget = if kilobytes <= 500 {
        format!("{} KB under", 500 - kilobytes)
    } else {
        format!("{} KB over", kilobytes - 500)
    };
    println!(
        "  ratio: {:.2}× raw, {:.2}× gzipped (goal ≤ 1.5×); the main module is {budget} the 500 KB budget",
        ui.after as f64 / hello.after as f64,
        ui.gzipped as f64 / hello.gzipped as f64,
    );
    Ok(())
}
