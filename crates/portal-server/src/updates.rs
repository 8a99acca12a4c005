//! Signed app updates served from a folder, so that support staff can put a release on a device
//! through the sandbox before customers get it.
//!
//! The folder holds one subfolder per release, named by its version, with the `latest.json`
//! manifest the release pipeline publishes and, optionally, the installers it names:
//!
//! ```text
//! updates/0.2.0/latest.json
//! updates/0.2.0/Enerpro Portal_0.2.0_amd64.deb
//! ```
//!
//! The folder is read at each request (an app asks once per start), so releases dropped in or
//! taken out apply without a restart. An installer present in the folder is served from here (its URL is rewritten); one that is
//! not keeps the manifest's URL. The server never signs or checks signatures: the app checks
//! every installer against the public key it was built with, so a wrong manifest here can only
//! fail, never install something unsigned.

use crate::error::ServerError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_api::ErrorCode;
use portal_api::v1::{UPDATES_PATH, UpdateManifest};
use semver::Version;
use std::path::PathBuf;
use std::sync::Arc;

/// The manifest file in each release folder.
pub const MANIFEST_FILE: &str = "latest.json";
/// The operating systems the app updates on (the Tauri updater's `{{target}}`).
const TARGETS: [&str; 3] = ["linux", "windows", "darwin"];
/// The architectures it updates on (`{{arch}}`).
const ARCHES: [&str; 4] = ["x86_64", "aarch64", "i686", "armv7"];

/// Where releases are read from and how this server is reached.
#[derive(Debug, Clone)]
pub struct UpdateShelf {
    /// The folder of release folders; `None`: no updates are offered.
    pub dir: Option<PathBuf>,
    /// This server's public base URL (for rewritten installer URLs).
    pub public_url: String,
    /// How long each update check waits before answering (support staff and tests: a slow
    /// network, to see that the app copes with a late answer).
    pub delay: std::time::Duration,
}

/// The query of an update check.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct UpdateQuery {
    /// How the asking app was installed (`deb`, `rpm`, `appimage`, `nsis`, `msi`, `app`;
    /// `unknown` for a build not installed from a package). Without it, every installer for
    /// the platform is listed and the app picks.
    pub bundle: Option<String>,
}

/// `GET /v1/updates/{target}/{arch}/{current_version}`
#[utoipa::path(get, path = "/v1/updates/{target}/{arch}/{current_version}", tag = "updates",
    params(
        ("target" = String, Path, description = "`linux`, `windows` or `darwin`"),
        ("arch" = String, Path, description = "`x86_64`, `aarch64`, `i686` or `armv7`"),
        ("current_version" = String, Path, description = "The app's version (semver)"),
        UpdateQuery,
    ),
    responses(
        (status = 200, body = UpdateManifest, description = "A newer release for this platform"),
        (status = 204, description = "Nothing newer for this platform"),
        (status = 400, body = portal_api::ErrorBody),
    ))]
pub async fn latest(
    State(shelf): State<Arc<UpdateShelf>>,
    Path((target, arch, current_version)): Path<(String, String, String)>,
    Query(query): Query<UpdateQuery>,
) -> Result<Response, ServerError> {
    if !TARGETS.contains(&target.as_str()) || !ARCHES.contains(&arch.as_str()) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidPlatform,
            format!("There are no updates for the platform {target}-{arch}."),
        ));
    }
    let current = Version::parse(&current_version).map_err(|_| {
        ServerError::bad_request(
            ErrorCode::InvalidVersion,
            format!("{current_version} is not a version like 1.2.3."),
        )
    })?;
    let platform = format!("{target}-{arch}");
    tokio::time::sleep(shelf.delay).await;
    let found = tokio::task::spawn_blocking(move || {
        shelf.newest_for(&platform, query.bundle.as_deref(), &current)
    })
    .await
    .unwrap_or_else(|error| {
        tracing::error!("reading the updates folder failed: {error}");
        None
    });
    Ok(match found {
        Some(manifest) => Json(manifest).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

impl UpdateShelf {
    /// The newest release newer than `current` that has an installer for `platform`
    /// (`{os}-{arch}`) and, when given, `bundle` (an entry `{os}-{arch}-{bundle}` or the plain
    /// `{os}-{arch}` one), with only those entries and local installers' URLs rewritten.
    pub fn newest_for(
        &self,
        platform: &str,
        bundle: Option<&str>,
        current: &Version,
    ) -> Option<UpdateManifest> {
        let mut releases = self.releases();
        releases.retain(|(version, _)| version > current);
        releases.sort_by(|a, b| b.0.cmp(&a.0));
        releases
            .into_iter()
            .find_map(|(version, folder)| self.manifest_for(&version, folder, platform, bundle))
    }

    /// Every release folder whose name is a version.
    fn releases(&self) -> Vec<(Version, PathBuf)> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                tracing::warn!("cannot read the updates folder {}: {error}", dir.display());
                return Vec::new();
            }
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let version = Version::parse(&name).ok()?;
                Some((version, entry.path()))
            })
            .collect()
    }

    fn manifest_for(
        &self,
        version: &Version,
        folder: PathBuf,
        platform: &str,
        bundle: Option<&str>,
    ) -> Option<UpdateManifest> {
        let path = folder.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|error| tracing::warn!("skipping {}: {error}", path.display()))
            .ok()?;
        let mut manifest: UpdateManifest = serde_json::from_str(&text)
            .map_err(|error| tracing::warn!("skipping {}: {error}", path.display()))
            .ok()?;
        if Version::parse(&manifest.version).ok().as_ref() != Some(version) {
            tracing::warn!(
                "skipping {}: it announces version {} in the folder of {version}",
                path.display(),
                manifest.version
            );
            return None;
        }
        let prefix = format!("{platform}-");
        let installer_key = bundle.map(|bundle| format!("{platform}-{bundle}"));
        manifest.platforms.retain(|key, _| match &installer_key {
            Some(installer_key) => key == platform || key == installer_key,
            None => key == platform || key.starts_with(&prefix),
        });
        if manifest.platforms.is_empty() {
            return None;
        }
        for entry in manifest.platforms.values_mut() {
            if let Some(local) = self.local_url(version, &folder, &entry.url) {
                entry.url = local;
            }
        }
        Some(manifest)
    }

    /// This server's URL for the installer `url` names, when the release folder holds it.
    fn local_url(&self, version: &Version, folder: &std::path::Path, url: &str) -> Option<String> {
        let parsed = url::Url::parse(url).ok()?;
        let last = parsed.path_segments()?.next_back()?;
        let name = percent_encoding::percent_decode_str(last)
            .decode_utf8()
            .ok()?;
        if name.is_empty() || name == MANIFEST_FILE || !folder.join(name.as_ref()).is_file() {
            return None;
        }
        let mut local = url::Url::parse(&self.public_url).ok()?;
        local
            .path_segments_mut()
            .ok()?
            .pop_if_empty()
            .extend(UPDATES_PATH.trim_start_matches('/').split('/'))
            .extend(["files", &version.to_string(), name.as_ref()]);
        Some(local.to_string())
    }
}
