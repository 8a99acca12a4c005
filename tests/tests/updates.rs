//! Signed updates, end to end: the app installed from this build's `.deb` finds the next
//! release (built by `cargo xtask test` with the next patch version and signed with the
//! development key) on the sandbox server at start, announces it, downloads it, verifies its
//! signature and offers to restart into it; the same release with a bad signature, or with its
//! package changed after signing, is refused with a clear message.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_e2e::{App, Launch, TestResult, run};
use portal_server::ServerOptions;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const CURRENT: &str = env!("CARGO_PKG_VERSION");

/// The releases folder the test command built (`ENERPRO_UPDATE_RELEASES`).
fn built_releases() -> TestResult<PathBuf> {
    std::env::var_os("ENERPRO_UPDATE_RELEASES")
        .map(PathBuf::from)
        .ok_or_else(|| "ENERPRO_UPDATE_RELEASES is not set: run through `cargo xtask test`".into())
}

/// Unpacks this build's `.deb` (what a customer installs) and returns its app binary.
fn install_current_package(root: &Path) -> TestResult<PathBuf> {
    let folder = std::env::var_os("ENERPRO_BUNDLE_DIR")
        .map(PathBuf::from)
        .ok_or("ENERPRO_BUNDLE_DIR is not set: run through `cargo xtask test`")?
        .join("deb");
    let package = std::fs::read_dir(&folder)
        .map_err(|e| format!("no .deb folder {folder:?}: {e}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.contains(&format!("_{CURRENT}_")) && name.ends_with(".deb")
        })
        .ok_or_else(|| format!("no {CURRENT} .deb in {folder:?}"))?;
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&package)
        .arg(root)
        .status()
        .map_err(|e| format!("dpkg-deb: {e}"))?;
    if !status.success() {
        return Err(format!("dpkg-deb could not unpack {package:?}"));
    }
    Ok(root.join("usr/bin/enerpro-portal"))
}

/// Copies the built releases into `to`, so the test can spoil its copy.
fn copy_releases(from: &Path, to: &Path) -> TestResult<String> {
    let release = std::fs::read_dir(from)
        .map_err(|e| format!("cannot read {from:?}: {e}"))?
        .filter_map(Result::ok)
        .next()
        .ok_or_else(|| format!("no release in {from:?}"))?;
    let version = release.file_name().to_string_lossy().into_owned();
    let target = to.join(&version);
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    for file in std::fs::read_dir(release.path()).map_err(|e| e.to_string())? {
        let file = file.map_err(|e| e.to_string())?;
        std::fs::copy(file.path(), target.join(file.file_name())).map_err(|e| e.to_string())?;
    }
    Ok(version)
}

/// Rewrites the release's manifest with `spoil` applied to its signature (the `.sig` text).
fn spoil_signature(release: &Path, spoil: impl Fn(&str) -> String) -> TestResult {
    let path = release.join("latest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let mut manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let entry = &mut manifest["platforms"]["linux-x86_64-deb"]["signature"];
    let encoded = entry.as_str().ok_or("no deb signature in the manifest")?;
    let decoded = STANDARD.decode(encoded).map_err(|e| e.to_string())?;
    let text = String::from_utf8(decoded).map_err(|e| e.to_string())?;
    *entry = STANDARD.encode(spoil(&text)).into();
    std::fs::write(&path, manifest.to_string()).map_err(|e| e.to_string())
}

/// Changes one character of the signature line (the second line of a minisign signature).
fn flip_signature_byte(signature: &str) -> String {
    let mut lines: Vec<String> = signature.lines().map(str::to_owned).collect();
    if let Some(line) = lines.get_mut(1) {
        let mut bytes = line.clone().into_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
        *line = String::from_utf8(bytes).unwrap_or_default();
    }
    lines.join("\n") + "\n"
}

/// This build installed from its `.deb` into a temporary root, and a releases folder holding
/// the next release.
struct Installed {
    workspace: tempfile::TempDir,
    binary: PathBuf,
    releases: PathBuf,
    next: String,
}

impl Installed {
    fn prepare() -> TestResult<Self> {
        let workspace = tempfile::tempdir().map_err(|e| e.to_string())?;
        let binary = install_current_package(&workspace.path().join("installed"))?;
        let releases = workspace.path().join("releases");
        let next = copy_releases(&built_releases()?, &releases)?;
        assert_ne!(next, CURRENT, "the test release must be a newer version");
        Ok(Self {
            workspace,
            binary,
            releases,
            next,
        })
    }

    /// Serves the releases from a sandbox that answers update checks `delay` late, and launches
    /// the installed app against it.
    async fn launch(
        &self,
        name: &str,
        delay: Duration,
    ) -> TestResult<(portal_server::RunningServer, App)> {
        let mut options = ServerOptions::new(self.workspace.path().join("sandbox.sqlite3"));
        options.updates_dir = Some(self.releases.clone());
        options.updates_delay = delay;
        let server = portal_server::spawn_with("127.0.0.1:0", options)
            .await
            .map_err(|e| e.to_string())?;
        let app = App::launch_binary(
            &self.binary,
            Launch {
                name,
                backend: &server.base_url(),
                args: Vec::new(),
                env: Vec::new(),
                home: None,
            },
        )
        .await?;
        Ok((server, app))
    }
}

/// Waits for the offer of `next` in Settings, downloads it, and returns the outcome's text.
async fn download_offered(app: &App, next: &str) -> TestResult<String> {
    app.wait_for_text("#update-status", |text| {
        text.contains(&format!("Version {next} is available"))
            && text.contains(&format!("you have {CURRENT}"))
    })
    .await?;
    app.click("#download-update").await?;
    app.wait_for_text("#update-status, #update-error", |text| {
        text.contains("verified") || text.contains("not signed")
    })
    .await
}

#[test]
fn the_installed_app_finds_verifies_and_offers_the_next_signed_release() {
    run(async {
        let world = Installed::prepare()?;
        let (releases, next) = (world.releases.clone(), world.next.clone());
        // Served from the start with a signature that does not match its package.
        spoil_signature(&releases.join(&next), flip_signature_byte)?;
        let (server, mut app) = world.launch("updates", Duration::ZERO).await?;
        let outcome = async {
            // The check at start finds the release and says so on every screen.
            app.wait_for_text("#update-banner", |text| {
                text.contains(&format!("Version {next} of the app is available"))
            })
            .await?;
            app.screenshot("update-announced").await?;
            app.click("#update-banner a").await?;
            app.wait_for_text("#version", |text| text == CURRENT)
                .await?;

            // Its manifest's signature does not match the package: refused, nothing offered.
            let refused = download_offered(&app, &next).await?;
            assert!(
                refused.contains("not signed by Enerpro") && refused.contains("not installed"),
                "a bad signature must be refused clearly, got: {refused}"
            );
            assert!(!app.is_present("#install-update").await);
            app.screenshot("bad-signature-refused").await?;

            // The genuine release: found, verified, offered.
            copy_releases(&built_releases()?, &releases)?;
            app.click("#check-update").await?;
            let verified = download_offered(&app, &next).await?;
            assert!(
                verified.contains(&format!("Version {next} is downloaded"))
                    && verified.contains("signature is verified"),
                "got: {verified}"
            );
            app.wait_for_text("#install-update", |text| text == "Restart to install")
                .await?;
            app.screenshot("update-verified").await?;

            // The genuine signature over a package someone changed on the server: refused.
            let package = std::fs::read_dir(releases.join(&next))
                .map_err(|e| e.to_string())?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .find(|path| path.extension().is_some_and(|e| e == "deb"))
                .ok_or("no package in the release")?;
            let mut bytes = std::fs::read(&package).map_err(|e| e.to_string())?;
            bytes.extend_from_slice(b"tampered");
            std::fs::write(&package, bytes).map_err(|e| e.to_string())?;
            app.click("a[href='/']").await?;
            app.click("a[href='/settings']").await?;
            let tampered = download_offered(&app, &next).await?;
            assert!(
                tampered.contains("not signed by Enerpro"),
                "a tampered package must be refused, got: {tampered}"
            );
            Ok(())
        }
        .await;
        portal_e2e::finish(app, server, outcome).await
    });
}

#[test]
fn a_late_update_answer_still_announces_the_release() {
    run(async {
        let world = Installed::prepare()?;
        let next = world.next.clone();
        // Long after the UI listens, as on a slow network: the event then reaches the UI's
        // JavaScript callback, which must not run Dioxus work outside its runtime.
        let (server, app) = world.launch("late-update", Duration::from_secs(4)).await?;
        let outcome = async {
            app.wait_for_text("#welcome h1", |text| text == "Welcome to Enerpro")
                .await?;
            if app.is_present("#update-banner").await {
                return Err("the banner came before the answer was sent".into());
            }
            app.wait_for_text("#update-banner", |text| {
                text.contains(&format!("Version {next} of the app is available"))
            })
            .await?;
            // Still alive and answering.
            app.click("#update-banner a").await?;
            app.wait_for_text("#version", |text| text == CURRENT)
                .await?;
            Ok(())
        }
        .await;
        portal_e2e::finish(app, server, outcome).await
    });
}
