//! Update signing for development and tests.
//!
//! Builds made by `run` and `test` trust a development key, generated once per target folder
//! with `tauri signer generate` (offline) and never committed; the release key's public half
//! is in `tauri.conf.json` and its private half only in the release pipeline's secrets. The
//! key reaches the builds through `TAURI_CONFIG`, which tauri-build merges into the config.
//!
//! `next_release` builds the app a second time with the next patch version, signed with the
//! development key, and lays it out as the sandbox server's releases folder expects, so the
//! end-to-end test can show the current build finding, verifying and offering it.

use crate::shell::{Cmd, step};
use crate::{target_dir, tauri_cli};
use std::path::{Path, PathBuf};

/// The development key's password (it protects nothing real; the flag must be exercised).
const DEV_KEY_PASSWORD: &str = "enerpro-development";

/// The development signing key.
pub struct DevKey {
    /// The private key file.
    pub private_key: PathBuf,
    /// The public key, as the updater config takes it.
    pub public_key: String,
}

impl DevKey {
    /// The key, generated on first use.
    pub fn get() -> Result<Self, String> {
        let folder = folder();
        let private_key = folder.join("dev-updater.key");
        let public_file = folder.join("dev-updater.key.pub");
        if !private_key.exists() || !public_file.exists() {
            step("generate the development update-signing key (tauri signer, offline)");
            std::fs::create_dir_all(&folder)
                .map_err(|error| format!("cannot create {folder:?}: {error}"))?;
            Cmd::new(tauri_cli())
                .args([
                    "signer",
                    "generate",
                    "--ci",
                    "--force",
                    "-p",
                    DEV_KEY_PASSWORD,
                    "-w",
                ])
                .arg(&private_key)
                .run()?;
        }
        let public_key = std::fs::read_to_string(&public_file)
            .map_err(|error| format!("cannot read {public_file:?}: {error}"))?
            .trim()
            .to_owned();
        Ok(Self {
            private_key,
            public_key,
        })
    }

    /// The config patch that makes a build trust this key.
    pub fn config_patch(&self) -> String {
        format!(
            r#"{{"plugins":{{"updater":{{"pubkey":"{}"}}}}}}"#,
            self.public_key
        )
    }

    /// Makes every build this process starts trust the development key.
    pub fn apply_to_builds(&self) {
        crate::shell::set_child_env("TAURI_CONFIG", &self.config_patch());
    }

    /// `cmd` with the environment the Tauri CLI signs updater artifacts with.
    pub fn signing(&self, cmd: Cmd) -> Cmd {
        cmd.env("TAURI_SIGNING_PRIVATE_KEY", &self.private_key)
            .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", DEV_KEY_PASSWORD)
    }
}

/// Where the development key and the test releases live.
fn folder() -> PathBuf {
    target_dir().join("xtask-updater")
}

/// The releases folder `next_release` fills (the sandbox server's `--updates-dir`).
pub fn releases_folder() -> PathBuf {
    folder().join("releases")
}

/// The next patch version after `version` (`MAJOR.MINOR.PATCH`).
fn next_patch(version: &str) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|part| part.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("the workspace version {version} is not MAJOR.MINOR.PATCH"))?;
    match parts.as_slice() {
        [major, minor, patch] => Ok(format!("{major}.{minor}.{}", patch + 1)),
        _ => Err(format!(
            "the workspace version {version} is not MAJOR.MINOR.PATCH"
        )),
    }
}

/// Builds the next patch release's `.deb` (debug profile, signed with `key`) and returns the
/// releases folder holding `<version>/latest.json` and the package.
pub fn next_release(key: &DevKey) -> Result<PathBuf, String> {
    let version = next_patch(env!("CARGO_PKG_VERSION"))?;
    step(&format!(
        "build the next release ({version}, .deb, signed with the development key) for the update test"
    ));
    let patch = format!(
        r#"{{"version":"{version}","plugins":{{"updater":{{"pubkey":"{}"}}}}}}"#,
        key.public_key
    );
    let releases = releases_folder();
    let release = releases.join(&version);
    let stamp = crate::stamp::sources(&patch)?;
    let stamp_file = releases.join(".sources-stamp");
    if crate::stamp::unchanged(&stamp_file, &stamp, &[&release.join("latest.json")]) {
        println!("(sources unchanged since the last run: its next release is kept)");
        return Ok(releases);
    }
    key.signing(Cmd::new(tauri_cli()))
        .args(["build", "--debug", "--bundles", "deb", "--config", &patch])
        .args(crate::APP_PACKAGE_AS_TESTED)
        .run()?;
    let bundles = target_dir().join("debug").join("bundle").join("deb");
    let package = find(&bundles, &format!("_{version}_"), ".deb")?;
    let signature = PathBuf::from(format!("{}.sig", package.display()));
    let _ = std::fs::remove_dir_all(&releases);
    std::fs::create_dir_all(&release)
        .map_err(|error| format!("cannot create {release:?}: {error}"))?;
    // Named as GitHub serves the release's asset, with its signature beside it, and the
    // manifest written as the release pipeline writes it (URLs for the tag on GitHub); the
    // sandbox serves the package from its folder instead. Moved, not copied: the package tests
    // look for the current version's packages in the bundle folder.
    let name = package
        .file_name()
        .map(|name| crate::release::asset_name(&name.to_string_lossy()))
        .ok_or("the package has no file name")?;
    move_file(&package, &release.join(&name))?;
    move_file(&signature, &release.join(format!("{name}.sig")))?;
    crate::release::write_manifest(
        &release,
        &format!("v{version}"),
        "enerpro/portal",
        &["linux-x86_64-deb"],
        format!("Test release {version}, built by the test command."),
    )?;
    crate::stamp::record(&stamp_file, &stamp)?;
    Ok(releases)
}

fn find(folder: &Path, contains: &str, suffix: &str) -> Result<PathBuf, String> {
    std::fs::read_dir(folder)
        .map_err(|error| format!("cannot read {folder:?}: {error}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.contains(contains) && name.ends_with(suffix)
        })
        .ok_or_else(|| format!("no {contains}…{suffix} in {folder:?}"))
}

fn move_file(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::rename(from, to).map_err(|error| format!("cannot move {from:?} to {to:?}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::next_patch;

    #[test]
    fn the_next_release_is_the_next_patch() {
        assert_eq!(next_patch("0.1.0").as_deref(), Ok("0.1.1"));
        assert_eq!(next_patch("2.9.19").as_deref(), Ok("2.9.20"));
        assert!(next_patch("1.0").is_err());
        assert!(next_patch("1.0.0-beta").is_err());
    }
}
