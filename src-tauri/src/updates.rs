//! In-app updates (desktop): look for a newer release at the backend the app talks to, download
//! it, verify its signature, and install it when the customer says so.
//!
//! The backend only says where a release is; trust comes from the signature alone, checked by
//! tauri-plugin-updater against the public key built into the app (`plugins.updater.pubkey`).
//! The verified package stays in memory until it is installed, so nothing unverified is ever
//! handed to an installer.

use crate::Backend;
use crate::commands::{Reply, logged};
use portal_api::ipc::{self, EVENT_UPDATE_AVAILABLE, UpdateOffer};
use portal_api::v1::UPDATES_PATH;
use portal_core::CoreError;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

/// How long a check or a download may take (installers are tens of megabytes).
const UPDATE_TIMEOUT: Duration = Duration::from_secs(600);

/// The release on offer, and its package once downloaded and verified.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<(Update, Option<Vec<u8>>)>>);

impl PendingUpdate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Update, Option<Vec<u8>>)>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn offer(update: &Update) -> UpdateOffer {
    UpdateOffer {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone(),
        date: update.raw_json["pub_date"].as_str().map(str::to_owned),
    }
}

/// Sorts the updater's errors into what the customer is told: a signature problem is never
/// reported as a network hiccup.
fn classify(error: UpdaterError) -> CoreError {
    let detail = error.to_string();
    tracing::warn!("update: {detail}");
    match error {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::SignedVersionMismatch { .. }
        | UpdaterError::MissingSignedVersion => CoreError::UpdateNotVerified { detail },
        _ => CoreError::UpdateUnavailable { detail },
    }
}

/// At start: looks for a newer release in the background and tells the UI when there is one.
/// A failure (offline, no backend) is only logged: the customer did not ask.
pub fn check_at_start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        app.state::<crate::Core>().after_first_screen().await;
        match check(&app).await {
            Ok(Some(_)) => {
                if let Err(error) = app.emit(EVENT_UPDATE_AVAILABLE, ()) {
                    tracing::warn!("could not tell the UI about an update: {error}");
                }
            }
            Ok(None) => {}
            Err(error) => tracing::info!("no update check at start: {error}"),
        }
    });
}

/// Asks the backend for a release newer than this one.
#[tauri::command]
pub async fn check_for_update<R: Runtime>(app: AppHandle<R>) -> Reply<ipc::CheckForUpdate> {
    logged::<ipc::CheckForUpdate>(check(&app)).await
}

/// The release found by the last check, if any.
#[tauri::command]
pub async fn offered_update(pending: State<'_, PendingUpdate>) -> Reply<ipc::OfferedUpdate> {
    crate::commands::reply::<ipc::OfferedUpdate>(Ok(pending
        .lock()
        .as_ref()
        .map(|(update, _)| offer(update))))
}

async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<Option<UpdateOffer>, CoreError> {
    let endpoint = app.state::<Backend>().url()?.endpoint(&format!(
        "{UPDATES_PATH}/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}?bundle={{{{bundle_type}}}}"
    ));
    let updater = app
        .updater_builder()
        .timeout(UPDATE_TIMEOUT)
        .endpoints(vec![endpoint])
        .and_then(|builder| builder.build())
        .map_err(classify)?;
    let found = updater.check().await.map_err(classify)?;
    let offered = found.as_ref().map(offer);
    *app.state::<PendingUpdate>().lock() = found.map(|update| (update, None));
    Ok(offered)
}

/// Downloads the offered release and verifies its signature; keeps the package for installing.
#[tauri::command]
pub async fn download_update(pending: State<'_, PendingUpdate>) -> Reply<ipc::DownloadUpdate> {
    logged::<ipc::DownloadUpdate>(download(&pending)).await
}

async fn download(pending: &PendingUpdate) -> Result<UpdateOffer, CoreError> {
    let update = pending
        .lock()
        .as_ref()
        .map(|(update, _)| update.clone())
        .ok_or_else(|| CoreError::UpdateUnavailable {
            detail: "no update is on offer; check for updates first".into(),
        })?;
    let package = update.download(|_, _| {}, || {}).await.map_err(classify)?;
    let mut slot = pending.lock();
    match slot.as_mut() {
        Some((offered, verified)) if offered.version == update.version => {
            *verified = Some(package);
            Ok(offer(&update))
        }
        _ => Err(CoreError::UpdateUnavailable {
            detail: "the offer changed while downloading; check for updates again".into(),
        }),
    }
}

/// Installs the verified package and restarts into the new version. The installer may wait for
/// the customer (a password prompt on Linux), so it runs off the main thread; the verified
/// package stays on offer if installing fails.
#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    pending: State<'_, PendingUpdate>,
) -> Reply<ipc::InstallUpdate> {
    logged::<ipc::InstallUpdate>(install(&app, &pending)).await
}

async fn install<R: Runtime>(app: &AppHandle<R>, pending: &PendingUpdate) -> Result<(), CoreError> {
    let verified = {
        let mut slot = pending.lock();
        match slot.take() {
            Some((update, Some(package))) => Some((update, package)),
            offered => {
                *slot = offered;
                None
            }
        }
    };
    let Some((update, package)) = verified else {
        return Err(CoreError::UpdateFailed {
            detail: "no verified update is waiting; download it first".into(),
        });
    };
    let installing = update.clone();
    let (package, installed) = tauri::async_runtime::spawn_blocking(move || {
        let installed = installing.install(&package);
        (package, installed)
    })
    .await
    .map_err(|error| CoreError::UpdateFailed {
        detail: error.to_string(),
    })?;
    if let Err(error) = installed {
        *pending.lock() = Some((update, Some(package)));
        return Err(CoreError::UpdateFailed {
            detail: error.to_string(),
        });
    }
    app.restart()
}

#[cfg(test)]
mod tests {
    use super::{UpdaterError, classify};
    use portal_api::ErrorCode;

    #[test]
    fn signature_problems_are_never_reported_as_network_trouble() {
        let forged = classify(UpdaterError::SignedVersionMismatch {
            signed: "0.1.0".into(),
            announced: "9.9.9".into(),
        });
        assert_eq!(forged.code(), ErrorCode::UpdateNotVerified);
        assert!(forged.to_body().message.contains("not signed by Enerpro"));
        assert_eq!(
            classify(UpdaterError::MissingSignedVersion).code(),
            ErrorCode::UpdateNotVerified
        );
        let offline = classify(UpdaterError::Network("connection refused".into()));
        assert_eq!(offline.code(), ErrorCode::UpdateUnavailable);
        assert!(
            !offline.to_body().message.contains("connection refused"),
            "technical details stay in the log: {offline}"
        );
        assert_eq!(
            classify(UpdaterError::ReleaseNotFound).code(),
            ErrorCode::UpdateUnavailable
        );
    }
}
