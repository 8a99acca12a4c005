//! `launch-bench`: how fast the app shows a signed-in customer's cached bills, next to the floor
//! — an empty Tauri window (`bench/hello-tauri`) — launched interleaved in the same session.
//!
//! Signs in once through the client core (so the cache holds the account and bills, and the
//! refresh token is in the Secret Service, under the identifier of the build measured), then
//! launches the hello world and the app `RUNS` times each, alternating, and reads their timing
//! marks (`ENERPRO_TIMINGS_FILE`, milliseconds since the process started). Prints the median of
//! each mark, the ratio of the app's cached bills on screen to the hello world's first script
//! run, and the proportional set size (PSS) of each app's processes 10 s after that mark, with
//! the mappings (a library, the heap, anonymous memory) where the two differ most.
//!
//! Run through `cargo xtask bench-app`, which builds both (release unless `--debug`) and provides
//! the D-Bus session, the Secret Service and the display. The environment names the binaries
//! (`ENERPRO_APP_BIN`, `ENERPRO_HELLO_BIN`), the app's identifier (`ENERPRO_APP_IDENTIFIER`),
//! the folder for the screenshots taken when the memory is read (`ENERPRO_BENCH_PICTURES`), and
//! `ENERPRO_BENCH_BIG_CACHE=1` fills the cache with ten years of receipts first.

use portal_core::{BackendUrl, Portal, PortalConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 9;
/// The app's marks, in launch order.
const APP_MARKS: &[&str] = &[
    "hand_over_checked",
    "setup_started",
    "window_created",
    "core_opened",
    "first_paint_shown",
    "page_loaded",
    "wasm_started",
    "cached_data_rendered",
    "fresh_data_rendered",
    "first_paint_saved",
];
/// The hello world's marks, in launch order.
const HELLO_MARKS: &[&str] = &["window_created", "page_loaded", "first_script_run"];
/// The mark each launch waits for: the first paint of data (the hello world's first script).
const HELLO_DONE: &[&str] = &["first_script_run"];
/// The app's cached bills are on screen at the first of these: the kept picture of the home
/// screen painted by the page, or the UI's render.
const APP_DONE: &[&str] = &["first_paint_shown", "cached_data_rendered"];
/// What the warm-up launch waits for: the picture of the home screen kept for the next start.
const WARMED_UP: &[&str] = &["first_paint_saved"];
/// How long a launch may take to reach the mark it waits for (each takes well under 1 s).
const PATIENCE: Duration = Duration::from_secs(20);
/// How long after its mark the memory of an app is measured.
const SETTLE: Duration = Duration::from_secs(10);

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn read_marks(path: &Path) -> BTreeMap<String, f64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().skip(1);
            Some((words.next()?.to_owned(), words.next()?.parse().ok()?))
        })
        .collect()
}

/// The process and every descendant (WebKit's web and network processes).
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Some(parent) = portal_e2e::parent_of(pid) {
                parents.push((pid, parent));
            }
        }
    }
    let mut tree = vec![root];
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    tree
}

/// Where one app's memory is, 10 s after its first paint: PSS in MB by process (command name),
/// and by process and mapping (a file's name, `[heap]`, or anonymous memory by permissions:
/// `anonymous r-x` is JIT-compiled code), from `/proc/PID/smaps`.
#[derive(Default)]
struct Memory {
    by_process: BTreeMap<String, f64>,
    by_mapping: BTreeMap<(String, String), f64>,
}

/// The memory of every process of the tree under `root`.
fn memory_of(root: u32) -> Memory {
    let mut memory = Memory::default();
    for pid in process_tree(root) {
        let Ok(smaps) = std::fs::read_to_string(format!("/proc/{pid}/smaps")) else {
            continue;
        };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let name = name.trim().to_owned();
        let mut mapping = String::new();
        for line in smaps.lines() {
            if let Some(kind) = mapping_kind(line) {
                mapping = kind;
            } else if let Some(kilobytes) = line.strip_prefix("Pss:") {
                let megabytes = kilobytes
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .unwrap_or(0.0)
                    / 1024.0;
                *memory.by_process.entry(name.clone()).or_insert(0.0) += megabytes;
                *memory
                    .by_mapping
                    .entry((name.clone(), mapping.clone()))
                    .or_insert(0.0) += megabytes;
            }
        }
    }
    memory
}

/// The kind of memory a mapping's header line of `smaps` names (`addr-addr perms offset dev
/// inode path`); `None` for the lines inside a mapping.
fn mapping_kind(line: &str) -> Option<String> {
    let mut fields = line.split_whitespace();
    let range = fields.next()?;
    if !range.contains('-') || !range.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return None;
    }
    let permissions = fields.next()?;
    let path = fields.nth(3).unwrap_or_default();
    Some(if path.is_empty() {
        format!("anonymous {}", &permissions[..permissions.len().min(3)])
    } else if path.starts_with('[') {
        path.to_owned()
    } else {
        path.rsplit('/').next().unwrap_or(path).to_owned()
    })
}

/// Prints both apps' PSS, by process, and the mappings where the app's differs most.
fn print_memory(app: &Memory, hello: &Memory) {
    let app_total: f64 = app.by_process.values().sum();
    let hello_total: f64 = hello.by_process.values().sum();
    println!(
        "  PSS of all processes {} s after the first paint: app {app_total:.0} MB, hello world {hello_total:.0} MB, difference {:+.0} MB (goal ≤ +30 MB)",
        SETTLE.as_secs(),
        app_total - hello_total
    );
    for (label, memory) in [("app", app), ("hello world", hello)] {
        let parts: Vec<String> = memory
            .by_process
            .iter()
            .map(|(name, mb)| format!("{name} {mb:.0} MB"))
            .collect();
        println!("    {label}: {}", parts.join(", "));
    }
    // The app's own process is named after each binary; compare it under one name.
    let own = |name: &str| match name {
        "enerpro-portal" | "hello-tauri" => "the app's process".to_owned(),
        other => other.to_owned(),
    };
    let mut differences: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for ((process, mapping), mb) in &app.by_mapping {
        differences
            .entry((own(process), mapping.clone()))
            .or_default()
            .0 += mb;
    }
    for ((process, mapping), mb) in &hello.by_mapping {
        differences
            .entry((own(process), mapping.clone()))
            .or_default()
            .1 += mb;
    }
    let mut largest: Vec<_> = differences.into_iter().collect();
    largest.sort_by(|a, b| (b.1.0 - b.1.1).abs().total_cmp(&(a.1.0 - a.1.1).abs()));
    println!("    where they differ most (process, mapping: app / hello world MB):");
    for ((process, mapping), (app_mb, hello_mb)) in largest.into_iter().take(10) {
        println!(
            "      {process}, {mapping}: {app_mb:.1} / {hello_mb:.1} ({:+.1})",
            app_mb - hello_mb
        );
    }
}

struct Launched {
    marks: BTreeMap<String, f64>,
    memory: Option<Memory>,
}

/// When the first of `marks` was recorded.
fn first_of(marks: &BTreeMap<String, f64>, names: &[&str]) -> Option<f64> {
    names
        .iter()
        .filter_map(|name| marks.get(*name).copied())
        .min_by(f64::total_cmp)
}

/// Kills `child` and every process under it (WebKit's), and reaps it.
fn end(child: &mut Child) {
    for pid in process_tree(child.id()).iter().rev() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    let _ = child.wait();
}

/// Launches `binary` with `home`, waits for one of `done` (then, when `measure` names a
/// picture, `SETTLE` for the memory and a screenshot of the display to that file, the proof
/// the page was drawn when its memory was read; and up to 3 s for one of `finish`), and kills
/// the whole process tree.
async fn launch(
    binary: &Path,
    home: &Path,
    backend: &str,
    marks_file: PathBuf,
    done: &[&str],
    finish: &[&str],
    measure: Option<&Path>,
) -> Result<Launched, String> {
    let mut child: Child = Command::new(binary)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("ENERPRO_BACKEND_URL", backend)
        .env("ENERPRO_TIMINGS_FILE", &marks_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot launch {binary:?}: {e}"))?;
    let started = Instant::now();
    while first_of(&read_marks(&marks_file), done).is_none() {
        if started.elapsed() > PATIENCE {
            end(&mut child);
            return Err(format!(
                "{binary:?}: none of {done:?} after {} s; marks: {:?}",
                PATIENCE.as_secs(),
                read_marks(&marks_file)
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let memory = match measure {
        Some(picture) => {
            tokio::time::sleep(SETTLE).await;
            let memory = memory_of(child.id());
            portal_e2e::capture_display(picture, None)?;
            Some(memory)
        }
        None => None,
    };
    // Let the app finish what follows its first paint (the fresh data, the picture kept for the
    // next start), as a customer's app does while it is looked at.
    let finishing = Instant::now();
    while !finish.is_empty()
        && first_of(&read_marks(&marks_file), finish).is_none()
        && finishing.elapsed() < Duration::from_secs(3)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    end(&mut child);
    Ok(Launched {
        marks: read_marks(&marks_file),
        memory,
    })
}

/// A receipt of the big cache.
fn receipt(index: usize) -> portal_api::v1::Receipt {
    let (year, month) = (2016 + index / 12, 1 + index % 12);
    portal_api::v1::Receipt {
        id: format!("rcp_bench_{index}"),
        number: format!("R-{year}-{index:06}"),
        issued_at: format!("{year}-{month:02}-15T10:00:00Z"),
        payment_id: format!("pay_bench_{index}"),
        lines: vec![portal_api::v1::ReceiptLine {
            account_number: None,
            bill_id: format!("bill_bench_{index}"),
            period: portal_api::v1::Period {
                start: format!("{year}-{month:02}-01"),
                end: format!("{year}-{month:02}-28"),
            },
            amount: portal_api::v1::Money {
                amount_minor: 9_000 + i64::try_from(index).unwrap_or(0),
                currency: "USD".into(),
            },
        }],
        total: portal_api::v1::Money {
            amount_minor: 9_000 + i64::try_from(index).unwrap_or(0),
            currency: "USD".into(),
        },
        transaction_id: format!("pi_bench_{index}"),
        card_brand: "visa".into(),
        card_last4: "4242".into(),
    }
}

async fn bench() -> Result<(), String> {
    let app =
        PathBuf::from(std::env::var("ENERPRO_APP_BIN").map_err(|_| "ENERPRO_APP_BIN is not set")?);
    let hello = PathBuf::from(
        std::env::var("ENERPRO_HELLO_BIN").map_err(|_| "ENERPRO_HELLO_BIN is not set")?,
    );
    let identifier = std::env::var("ENERPRO_APP_IDENTIFIER")
        .unwrap_or_else(|_| portal_e2e::DEV_IDENTIFIER.to_owned());
    let big_cache = std::env::var_os("ENERPRO_BENCH_BIG_CACHE").is_some();
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cache_path = home
        .path()
        .join("data")
        .join(&identifier)
        .join("cache.sqlite3");
    let link = portal_e2e::invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
    let code = link
        .split_once("code=")
        .map(|(_, c)| c.to_owned())
        .ok_or("no code")?;
    {
        let portal = Portal::open(&PortalConfig {
            backend: BackendUrl::parse(&server.base_url()).map_err(|e| e.to_string())?,
            cache_path: cache_path.clone(),
            credential_service: identifier.clone(),
            timeouts: portal_core::api::Timeouts::default(),
        })
        .map_err(|e| e.to_string())?;
        portal
            .accept_invitation(&code, "62701")
            .await
            .map_err(|e| e.to_string())?;
    }
    if big_cache {
        let receipts: Vec<_> = (0..120).map(receipt).collect();
        portal_core::cache::Cache::open(&cache_path)
            .and_then(|mut cache| {
                let owner = cache.owner()?.unwrap_or_default();
                cache.store_receipts(&owner, &receipts)
            })
            .map_err(|e| e.to_string())?;
    }
    let cache_bytes = std::fs::metadata(&cache_path).map(|m| m.len()).unwrap_or(0);
    // A customer's app has run before: the picture of the home screen is kept (a release build
    // cannot reach the benchmark's server: it keeps the picture of its offline start).
    launch(
        &app,
        home.path(),
        &server.base_url(),
        home.path().join("app-warm-up.txt"),
        WARMED_UP,
        &[],
        None,
    )
    .await?;
    let pictures =
        std::env::var_os("ENERPRO_BENCH_PICTURES").map_or_else(std::env::temp_dir, PathBuf::from);
    std::fs::create_dir_all(&pictures).map_err(|e| format!("cannot create {pictures:?}: {e}"))?;
    let (hello_picture, app_picture) = (pictures.join("hello.png"), pictures.join("app.png"));
    let hello_home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut app_samples: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut hello_samples: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut ratios = Vec::new();
    let (mut hello_done, mut app_done) = (Vec::new(), Vec::new());
    let (mut app_memory, mut hello_memory) = (None, None);
    for run in 0..RUNS {
        let last = run + 1 == RUNS;
        let hello_run = launch(
            &hello,
            hello_home.path(),
            "",
            home.path().join(format!("hello-{run}.txt")),
            HELLO_DONE,
            &[],
            last.then_some(hello_picture.as_path()),
        )
        .await?;
        let app_run = launch(
            &app,
            home.path(),
            &server.base_url(),
            home.path().join(format!("app-{run}.txt")),
            APP_DONE,
            WARMED_UP,
            last.then_some(app_picture.as_path()),
        )
        .await?;
        for mark in HELLO_MARKS {
            if let Some(value) = hello_run.marks.get(*mark) {
                hello_samples.entry(mark).or_default().push(*value);
            }
        }
        for mark in APP_MARKS {
            if let Some(value) = app_run.marks.get(*mark) {
                app_samples.entry(mark).or_default().push(*value);
            }
        }
        if let (Some(first), Some(cached)) = (
            first_of(&hello_run.marks, HELLO_DONE),
            first_of(&app_run.marks, APP_DONE),
        ) {
            hello_done.push(first);
            app_done.push(cached);
            ratios.push(cached / first);
        }
        if last {
            app_memory = app_run.memory;
            hello_memory = hello_run.memory;
        }
    }
    println!(
        "\nLaunch, medians of {RUNS} runs each, interleaved (ms since the process started); cache {} KB{}:",
        cache_bytes / 1024,
        if big_cache {
            " (ten years of receipts)"
        } else {
            ""
        }
    );
    println!("  hello-world Tauri:");
    for mark in HELLO_MARKS {
        if let Some(values) = hello_samples.get_mut(mark) {
            println!("    {mark:<24} {:>8.1} ms", median(values));
        }
    }
    println!("  this app:");
    for mark in APP_MARKS {
        if let Some(values) = app_samples.get_mut(mark) {
            println!("    {mark:<24} {:>8.1} ms", median(values));
        }
    }
    let hello_first = median(&mut hello_done);
    let app_cached = median(&mut app_done);
    println!(
        "  cached bills on screen (first of {APP_DONE:?}): {app_cached:.1} ms; hello world's first script run: {hello_first:.1} ms"
    );
    println!(
        "  ratio: {:.2}× (median of medians), {:.2}× (median of per-pair ratios; goal ≤ 1.20×)",
        app_cached / hello_first,
        median(&mut ratios)
    );
    if let (Some(app), Some(hello)) = (app_memory, hello_memory) {
        print_memory(&app, &hello);
        println!(
            "    what each showed when its memory was read: {} and {}",
            app_picture.display(),
            hello_picture.display()
        );
    }
    server.stop().await.map_err(|e| e.to_string())?;
    let credentials = portal_core::credentials::Credentials::platform(&identifier);
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
