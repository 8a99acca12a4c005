//! The end-to-end harness: starts `tauri-driver` (in front of WebKitWebDriver), launches the real
//! app binary through it, and drives the window as a person would.
//!
//! Run by `cargo xtask test`, which builds the app and the UI first and runs these tests inside a
//! private D-Bus session on a virtual display, one at a time (the app is a single instance per
//! session bus). `ENERPRO_APP_BIN` names the app binary; `ENERPRO_ARTIFACTS` the folder for
//! screenshots.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Errors of the harness, as text: a test fails with the message and a screenshot.
pub type TestResult<T = ()> = Result<T, String>;

/// The app binary under test.
pub fn app_binary() -> TestResult<PathBuf> {
    let path = std::env::var_os("ENERPRO_APP_BIN")
        .map(PathBuf::from)
        .ok_or("ENERPRO_APP_BIN is not set: run the end-to-end tests through `cargo xtask test`")?;
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "the app binary {path:?} does not exist: build it first"
        ))
    }
}

/// The parent of process `pid`, from `/proc/PID/stat`; `None` when it has ended.
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The parent is the second field after the parenthesised command name.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Saves the virtual display as a PNG at `path` (ImageMagick's `import`), or only the part
/// `window` covers (`x`, `y`, width, height).
pub fn capture_display(path: &Path, window: Option<(u64, u64, u64, u64)>) -> TestResult {
    let mut import = Command::new("import");
    import.args(["-window", "root"]);
    if let Some((x, y, width, height)) = window {
        import
            .arg("-crop")
            .arg(format!("{width}x{height}+{x}+{y}"))
            .arg("+repage");
    }
    let taken = import
        .arg(path)
        .status()
        .map_err(|e| format!("cannot run import for a screenshot: {e}"))?;
    if taken.success() {
        Ok(())
    } else {
        Err(format!("import could not take a screenshot: {taken}"))
    }
}

/// Where screenshots go.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("ENERPRO_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("enerpro-e2e-artifacts"))
}

/// A free TCP port on loopback.
pub fn free_port() -> TestResult<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// The identifier of debug builds: their data, logs and credential-store entries.
pub const DEV_IDENTIFIER: &str = "com.enerpro.portal.dev";

/// The demo customer Jane Doe's account.
pub const JANE_ACCOUNT: &str = "100-200-300";

/// A running app window, driven through WebDriver.
pub struct App {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    name: String,
    shots: u32,
    /// The private home folder the app runs with.
    pub home: PathBuf,
}

/// How to launch the app.
pub struct Launch<'a> {
    /// The test's name, for screenshots.
    pub name: &'a str,
    /// The backend URL (`ENERPRO_BACKEND_URL`).
    pub backend: &'a str,
    /// Command-line arguments, e.g. a deep link.
    pub args: Vec<String>,
    /// Extra environment for the app (e.g. `BROWSER`).
    pub env: Vec<(String, String)>,
    /// The app's private home folder; a fresh one when `None`. Reusing one plays "the same
    /// device, restarted".
    pub home: Option<PathBuf>,
}

impl App {
    /// Starts tauri-driver on free ports and launches the app under test through it.
    pub async fn launch(launch: Launch<'_>) -> TestResult<Self> {
        Self::launch_binary(&app_binary()?, launch).await
    }

    /// Like [`App::launch`], with another build of the app (e.g. one installed from a package).
    pub async fn launch_binary(binary: &Path, launch: Launch<'_>) -> TestResult<Self> {
        wait_until_no_instance(binary).await?;
        Self::launch_at_once(binary, launch).await
    }

    /// Like [`App::launch_binary`], without waiting for an earlier instance to be gone: a
    /// person opening a link right after closing the app.
    pub async fn launch_at_once(binary: &Path, launch: Launch<'_>) -> TestResult<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let binary = binary.to_path_buf();
        let port = free_port()?;
        let native_port = free_port()?;
        let home = match launch.home {
            Some(home) => home,
            None => {
                let home = std::env::temp_dir().join(format!(
                    "enerpro-e2e-{}-{}",
                    launch.name,
                    std::process::id()
                ));
                let _ = std::fs::remove_dir_all(&home);
                home
            }
        };
        std::fs::create_dir_all(&home).map_err(|e| format!("cannot create {home:?}: {e}"))?;
        let driver = Command::new("tauri-driver")
            // Its own process group, so that closing kills WebKitWebDriver and the app with it.
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(
                launch
                    .env
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .env("ENERPRO_APP_BIN", &binary)
            .env("ENERPRO_BACKEND_URL", launch.backend)
            .envs(home_env(&home))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver (is it on PATH?): {e}"))?;
        let mut app = None;
        let started = Instant::now();
        let mut last_error = String::new();
        while started.elapsed() < PATIENCE {
            let capabilities = serde_json::json!({
                "browserName": "wry",
                "tauri:options": { "application": binary, "args": launch.args },
            });
            let capabilities = match capabilities {
                serde_json::Value::Object(map) => map,
                _ => return Err("capabilities are not an object".into()),
            };
            let mut builder = ClientBuilder::new(HttpConnector::new());
            // A launch that failed can leave the session request unanswered: bounded.
            let remaining = PATIENCE.saturating_sub(started.elapsed());
            match tokio::time::timeout(
                remaining,
                builder
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await
            {
                Ok(Ok(client)) => {
                    app = Some(client);
                    break;
                }
                Ok(Err(error)) => last_error = error.to_string(),
                Err(_) => last_error = "the WebDriver session was never answered".into(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut driver = driver;
        match app {
            Some(client) => Ok(Self {
                client,
                driver,
                name: launch.name.to_owned(),
                shots: 0,
                home,
            }),
            None => {
                stop_driver(&mut driver);
                Err(format!(
                    "the app did not start through tauri-driver: {last_error}"
                ))
            }
        }
    }

    /// Waits until the element `css` shows text for which `accept` holds; returns that text.
    pub async fn wait_for_text(
        &self,
        css: &str,
        accept: impl Fn(&str) -> bool,
    ) -> TestResult<String> {
        self.wait_for_text_within(css, accept, PATIENCE).await
    }

    /// Waits until the element `css` shows text for which `accept` holds, for what the app
    /// learns from its polling: its longest pause between two polls
    /// ([`portal_core::portal::POLL_MAX`]) on top of the usual patience, since the news can
    /// arrive just after a poll.
    pub async fn wait_for_polled_text(
        &self,
        css: &str,
        accept: impl Fn(&str) -> bool,
    ) -> TestResult<String> {
        self.wait_for_text_within(css, accept, portal_core::portal::POLL_MAX + PATIENCE)
            .await
    }

    /// [`App::wait_for_text`] with a deadline of `patience`.
    async fn wait_for_text_within(
        &self,
        css: &str,
        accept: impl Fn(&str) -> bool,
        patience: Duration,
    ) -> TestResult<String> {
        let started = Instant::now();
        let mut last = String::from("(element not found)");
        while started.elapsed() < patience {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if accept(&text) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "{css} never showed the expected text; last seen: {last:?}"
        ))
    }

    /// Everything the app has written to its log folder so far, once `accept` takes it (polled
    /// until the deadline: the log is written as the app goes).
    pub async fn wait_for_log(&self, accept: impl Fn(&str) -> bool) -> TestResult<String> {
        let folder = self.home.join("data").join(DEV_IDENTIFIER).join("logs");
        let started = Instant::now();
        let mut text = String::new();
        while started.elapsed() < PATIENCE {
            text = std::fs::read_dir(&folder)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            if accept(&text) {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the log folder {folder:?} never showed what was expected; it holds {} bytes",
            text.len()
        ))
    }

    /// Types `text` into the element `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> TestResult {
        let element = self.element(css).await?;
        element
            .send_keys(text)
            .await
            .map_err(|e| format!("cannot type into {css}: {e}"))
    }

    /// Replaces the text of the input `css` with `text`, as a person selecting it all would.
    pub async fn replace_text(&self, css: &str, text: &str) -> TestResult {
        let element = self.element(css).await?;
        element
            .clear()
            .await
            .map_err(|e| format!("cannot clear {css}: {e}"))?;
        element
            .send_keys(text)
            .await
            .map_err(|e| format!("cannot type into {css}: {e}"))
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|all| all.len())
            .unwrap_or(0)
    }

    /// Waits until exactly `expected` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, expected: usize) -> TestResult {
        let started = Instant::now();
        let mut last = 0;
        while started.elapsed() < PATIENCE {
            last = self.count(css).await;
            if last == expected {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("expected {expected} of {css}, saw {last}"))
    }

    /// Whether an element matching `css` is on screen now.
    pub async fn is_present(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Waits for the element `css` to exist.
    pub async fn element(&self, css: &str) -> TestResult<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("{css} not found: {e}"))
    }

    /// Clicks the element `css`.
    pub async fn click(&self, css: &str) -> TestResult {
        let element = self.element(css).await?;
        element
            .click()
            .await
            .map_err(|e| format!("cannot click {css}: {e}"))
    }

    /// The number of app windows.
    pub async fn window_count(&self) -> TestResult<usize> {
        self.client
            .windows()
            .await
            .map(|w| w.len())
            .map_err(|e| e.to_string())
    }

    /// Runs `script` in the page (WebDriver's execute: its `return` is the answer) with `args`.
    pub async fn execute(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> TestResult<serde_json::Value> {
        self.client
            .execute(script, args)
            .await
            .map_err(|e| e.to_string())
    }

    /// Saves what the window shows on the display as `<artifacts>/<test>-<n>-<label>.png` and
    /// returns its path. Taken from the display (ImageMagick's `import`), not through
    /// WebDriver: WebKitWebDriver's screenshot never answers for a page drawn without GPU
    /// compositing, as the app draws on Linux (`src-tauri/src/drawing.rs`).
    pub async fn screenshot(&mut self, label: &str) -> TestResult<PathBuf> {
        self.shots += 1;
        self.painted().await?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{}-{:02}-{label}.png", self.name, self.shots));
        let window = self
            .client
            .get_window_rect()
            .await
            .map_err(|e| e.to_string())?;
        capture_display(&path, Some(window))?;
        Ok(path)
    }

    /// Waits until WebKit has drawn the page's last change: two animation frames have passed
    /// (the first runs before the next drawing, the second after it).
    async fn painted(&self) -> TestResult {
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                Vec::new(),
            )
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Ends the session (the app quits) and stops tauri-driver.
    pub async fn close(mut self) -> TestResult {
        let closed = self.client.clone().close().await.map_err(|e| e.to_string());
        stop_driver(&mut self.driver);
        closed
    }

    /// Runs a test body; on failure saves a screenshot, closes the app, and returns the error.
    pub async fn check(mut self, outcome: TestResult) -> TestResult {
        if let Err(error) = &outcome {
            let shot = self.screenshot("failure").await;
            let _ = self.close().await;
            return Err(match shot {
                Ok(path) => format!("{error}\n(screenshot: {})", path.display()),
                Err(why) => format!("{error}\n(no screenshot: {why})"),
            });
        }
        self.close().await
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
    }
}

/// Kills tauri-driver's process group (tauri-driver, WebKitWebDriver, an app still running) and
/// reaps tauri-driver, so no driver outlives its test.
fn stop_driver(driver: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", driver.id())])
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

/// The environment that gives the app `home` as its private home and data folders.
fn home_env(home: &Path) -> [(&'static str, PathBuf); 4] {
    [
        ("HOME", home.to_path_buf()),
        ("XDG_DATA_HOME", home.join("data")),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_CACHE_HOME", home.join("cache")),
    ]
}

/// Where [`spawn_app`] keeps the error output of the app it started in `home` (what a failing
/// test shows).
pub fn spawned_app_errors(home: &Path) -> PathBuf {
    home.join("spawned-app-stderr.log")
}

/// Starts the app binary directly with `argument`, as a desktop does for a link, with the
/// private `home` and `backend` a [`Launch`] would give it; the caller ends it. Its error output
/// goes to [`spawned_app_errors`].
pub fn spawn_app(home: &Path, backend: &str, argument: &str) -> TestResult<Child> {
    let binary = app_binary()?;
    Command::new(&binary)
        .arg(argument)
        .env("ENERPRO_BACKEND_URL", backend)
        .envs(home_env(home))
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(spawned_app_errors(home))
                .map_err(|e| format!("cannot keep the app's error output: {e}"))?,
        )
        .spawn()
        .map_err(|e| format!("cannot launch {binary:?}: {e}"))
}

/// Runs the app binary directly (a second launch, as a desktop does for a link) and waits for it
/// to exit. Returns how long it ran.
pub fn launch_second_instance(argument: &str) -> TestResult<Duration> {
    let binary = app_binary()?;
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .arg(argument)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot launch {binary:?}: {e}"))?;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(started.elapsed()),
            Some(status) => return Err(format!("the second instance exited with {status}")),
            None if started.elapsed() > PATIENCE => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the second instance did not hand over and exit".into());
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Waits until no process runs `binary` and no app owns its single-instance name on the session
/// bus (a previous test's app has fully quit), so a new launch is not handed to it.
async fn wait_until_no_instance(binary: &Path) -> TestResult {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if !instance_running(binary) && !instance_name_owned() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("an earlier {binary:?} is still running"))
}

/// Whether a debug or release build of the app owns its single-instance D-Bus name.
fn instance_name_owned() -> bool {
    let Ok(connection) = zbus::blocking::Connection::session() else {
        return false;
    };
    let Ok(bus) = zbus::blocking::fdo::DBusProxy::new(&connection) else {
        return false;
    };
    [DEV_IDENTIFIER, "com.enerpro.portal"]
        .iter()
        .any(|identifier| {
            let name = format!("{identifier}.SingleInstance");
            zbus::names::BusName::try_from(name.as_str())
                .is_ok_and(|name| bus.name_has_owner(name).unwrap_or(false))
        })
}

/// Whether a process of this desktop session (the same session bus) runs `binary`: another
/// session's app, started by tests running beside these, is no concern of theirs.
fn instance_running(binary: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    let our_bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let on_our_bus = |process: &Path| {
        std::fs::read(process.join("environ")).is_ok_and(|environ| {
            environ
                .split(|byte| *byte == 0)
                .filter_map(|entry| entry.strip_prefix(b"DBUS_SESSION_BUS_ADDRESS="))
                .any(|bus| bus == our_bus.as_bytes())
        })
    };
    entries.flatten().any(|entry| {
        entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
            && std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == binary)
            && on_our_bus(&entry.path())
    })
}

/// Starts a sandbox server on an ephemeral port and the app against it, with `args`.
pub async fn start_with_server(
    name: &str,
    args: Vec<String>,
) -> TestResult<(portal_server::RunningServer, App)> {
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let app = App::launch(Launch {
        name,
        backend: &server.base_url(),
        args,
        env: Vec::new(),
        home: None,
    })
    .await?;
    Ok((server, app))
}

/// Starts a sandbox server and the app launched with an invitation link for the demo
/// customer Jane Doe.
pub async fn start_with_invitation(name: &str) -> TestResult<(portal_server::RunningServer, App)> {
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let app = launch_with_invitation(&server, name, None).await?;
    Ok((server, app))
}

/// Launches the app against `server` with an invitation link for the demo customer Jane Doe,
/// with the private `home` folder (a fresh one when `None`).
pub async fn launch_with_invitation(
    server: &portal_server::RunningServer,
    name: &str,
    home: Option<PathBuf>,
) -> TestResult<App> {
    let link = invitation_link(server, JANE_ACCOUNT, "jane.doe@example.com").await?;
    App::launch(Launch {
        name,
        backend: &server.base_url(),
        args: vec![link],
        env: Vec::new(),
        home,
    })
    .await
}

/// Ends a test started by [`start_with_server`]: screenshot on failure, app closed, server
/// stopped.
pub async fn finish(
    app: App,
    server: portal_server::RunningServer,
    outcome: TestResult,
) -> TestResult {
    let result = app.check(outcome).await;
    server.stop().await.map_err(|e| e.to_string())?;
    result
}

/// Omar Haddad's demo account.
pub const OMAR_ACCOUNT: &str = "100-200-301";

/// Support staff give `email` access to `account` with the sandbox's admin API, or take it away
/// (`holds` false).
pub async fn set_holder(
    server: &portal_server::RunningServer,
    account: &str,
    email: &str,
    holds: bool,
) -> TestResult {
    let holders = format!("/v1/admin/accounts/{account}/holders");
    if holds {
        return admin_post(server, &holders, serde_json::json!({ "email": email }))
            .await
            .map(|_| ());
    }
    let response = reqwest::Client::new()
        .delete(format!("{}{holders}/{email}", server.base_url()))
        .bearer_auth(server.admin_key())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("taking {account} away: {}", response.status()))
    }
}

/// A `POST` to the sandbox's admin API; answers the JSON (`null` for an empty answer).
pub async fn admin_post(
    server: &portal_server::RunningServer,
    path: &str,
    body: serde_json::Value,
) -> TestResult<serde_json::Value> {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .bearer_auth(server.admin_key())
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("{path}: {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    if text.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Creates an invitation with the sandbox's admin API; returns the app link.
pub async fn invitation_link(
    server: &portal_server::RunningServer,
    account: &str,
    email: &str,
) -> TestResult<String> {
    let created = admin_post(
        server,
        "/v1/admin/invitations",
        serde_json::json!({"account_number": account, "email": email}),
    )
    .await?;
    created["app_link"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no app link in {created}"))
}

/// Runs an async end-to-end test body on its own runtime and fails the test with its message.
pub fn run(body: impl std::future::Future<Output = TestResult>) {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => panic!("no tokio runtime: {error}"),
    };
    if let Err(error) = runtime.block_on(body) {
        panic!("{error}");
    }
}

/// The environment that makes `fake_browser` (the test's `CARGO_BIN_EXE_fake-browser`) the
/// app's system browser, with its modes for successive openings and its log.
pub fn browser_env(fake_browser: &str, modes: &str, log: &Path) -> Vec<(String, String)> {
    vec![
        ("BROWSER".into(), fake_browser.into()),
        ("FAKE_BROWSER_MODE".into(), modes.into()),
        ("FAKE_BROWSER_LOG".into(), log.display().to_string()),
    ]
}

/// Launches the app against `server` with Jane's invitation and `fake_browser` (the test's
/// `CARGO_BIN_EXE_fake-browser`) as the system browser in `modes`, and accepts the invitation;
/// answers the app on Home and the browser's log.
pub async fn signed_in_with_browser(
    server: &portal_server::RunningServer,
    name: &str,
    fake_browser: &str,
    modes: &str,
    home: Option<PathBuf>,
) -> TestResult<(App, PathBuf)> {
    let link = invitation_link(server, JANE_ACCOUNT, "jane.doe@example.com").await?;
    let log = browser_log(name);
    let mut app = App::launch(Launch {
        name,
        backend: &server.base_url(),
        args: vec![link],
        env: browser_env(fake_browser, modes, &log),
        home,
    })
    .await?;
    app.accept_invitation("Jane Doe", "62701").await?;
    Ok((app, log))
}

/// A fresh log path for a test's fake browser.
pub fn browser_log(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("fake-browser-{name}-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// The checkout URLs the fake browser was asked to open, in order.
pub fn opened_urls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("opened "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

impl App {
    /// On the invitation screen: types the postcode, accepts, and waits for the home screen.
    pub async fn accept_invitation(&mut self, name: &str, postcode: &str) -> TestResult {
        self.wait_for_text("#invited-name", |text| text == name)
            .await?;
        self.type_into("#postcode", postcode).await?;
        self.click("#accept").await?;
        self.wait_for_text("#customer-title", |text| text == name)
            .await
            .map(|_| ())
    }
}

/// The mail of `kind` in the sandbox's outbox once there is at least `count` of it, waiting
/// (bounded) for mail the server sends after answering (sign-in links).
pub async fn wait_for_outbox(
    server: &portal_server::RunningServer,
    kind: &str,
    count: usize,
) -> TestResult<Vec<serde_json::Value>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mail = outbox(server, kind).await?;
        if mail.len() >= count {
            return Ok(mail);
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("no {kind} mail in the outbox after 10 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The mail in the sandbox's outbox of `kind` (`invitation`, `signin`, `receipt`).
pub async fn outbox(
    server: &portal_server::RunningServer,
    kind: &str,
) -> TestResult<Vec<serde_json::Value>> {
    let outbox: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/v1/admin/outbox", server.base_url()))
        .bearer_auth(server.admin_key())
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(outbox["messages"]
        .as_array()
        .map(|all| all.iter().filter(|m| m["kind"] == kind).cloned().collect())
        .unwrap_or_default())
}
