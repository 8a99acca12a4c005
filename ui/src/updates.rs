//! Settings → Updates: look for a newer release, download and verify it, restart into it.

use crate::bridge;
use crate::i18n::{Say, use_locale};
use dioxus::prelude::*;
use portal_api::ipc::{self, UpdateOffer};
use portal_api::{ErrorBody, Text};

/// Where the customer is in updating.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Checking,
    UpToDate,
    Offered(UpdateOffer),
    Downloading(UpdateOffer),
    Verified(UpdateOffer),
    Installing(UpdateOffer),
    Failed(ErrorBody),
}

/// The updates part of Settings (desktop builds).
#[component]
pub fn Updates() -> Element {
    let locale = use_locale();
    let mut stage = use_signal(|| Stage::Idle);
    // A release found by the check at start is on offer at once.
    use_hook(move || {
        spawn(async move {
            if let Ok(Some(offer)) = bridge::call::<ipc::OfferedUpdate>().await
                && stage() == Stage::Idle
            {
                stage.set(Stage::Offered(offer));
            }
        });
    });
    let check = move |_| {
        stage.set(Stage::Checking);
        spawn(async move {
            stage.set(match bridge::call::<ipc::CheckForUpdate>().await {
                Ok(Some(offer)) => Stage::Offered(offer),
                Ok(None) => Stage::UpToDate,
                Err(error) => Stage::Failed(error),
            });
        });
    };
    let mut download = move |offer: UpdateOffer| {
        stage.set(Stage::Downloading(offer));
        spawn(async move {
            stage.set(match bridge::call::<ipc::DownloadUpdate>().await {
                Ok(verified) => Stage::Verified(verified),
                Err(error) => Stage::Failed(error),
            });
        });
    };
    let mut install = move |offer: UpdateOffer| {
        stage.set(Stage::Installing(offer));
        spawn(async move {
            if let Err(error) = bridge::call::<ipc::InstallUpdate>().await {
                stage.set(Stage::Failed(error));
            }
        });
    };
    rsx! {
        section { id: "updates", aria_live: "polite",
            h2 { {locale.t(Text::Updates)} }
            match stage() {
                Stage::Idle => rsx! {
                    button { id: "check-update", class: "secondary", onclick: check, {locale.t(Text::CheckForUpdates)} }
                },
                Stage::Checking => rsx! { p { id: "update-status", class: "muted", {locale.t(Text::LookingForUpdates)} } },
                Stage::UpToDate => rsx! {
                    p { id: "update-status", {locale.t(Text::LatestVersion)} }
                    button { id: "check-update", class: "secondary", onclick: check, {locale.t(Text::CheckAgain)} }
                },
                Stage::Offered(offer) => rsx! {
                    p { id: "update-status", {locale.fill(Text::VersionAvailable, &[("version", &offer.version), ("current", &offer.current_version)])} }
                    if let Some(notes) = offer.notes.clone() { p { id: "update-notes", class: "muted", "{notes}" } }
                    button { id: "download-update", onclick: move |_| download(offer.clone()), {locale.t(Text::DownloadAndVerify)} }
                },
                Stage::Downloading(offer) => rsx! {
                    p { id: "update-status", class: "muted", {locale.fill(Text::DownloadingVersion, &[("version", &offer.version)])} }
                },
                Stage::Verified(offer) => rsx! {
                    p { id: "update-status", class: "ok", {locale.fill(Text::VersionVerified, &[("version", &offer.version)])} }
                    button { id: "install-update", onclick: move |_| install(offer.clone()), {locale.t(Text::RestartToInstall)} }
                },
                Stage::Installing(offer) => rsx! {
                    p { id: "update-status", class: "muted", {locale.fill(Text::InstallingVersion, &[("version", &offer.version)])} }
                },
                Stage::Failed(error) => rsx! {
                    div { id: "update-error", class: "error", role: "alert", p { {locale.error(&error)} } }
                    button { id: "check-update", class: "secondary", onclick: check, {locale.t(Text::CheckAgain)} }
                },
            }
        }
    }
}
