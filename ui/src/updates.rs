//! Settings → Updates: look for a newer release, download and verify it, restart into it.

use crate::bridge;
use dioxus::prelude::*;
use portal_api::ErrorBody;
use portal_api::ipc::{self, UpdateOffer};

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
            h2 { "Updates" }
            match stage() {
                Stage::Idle => rsx! {
                    button { id: "check-update", class: "secondary", onclick: check, "Check for updates" }
                },
                Stage::Checking => rsx! { p { id: "update-status", class: "muted", "Looking for updates…" } },
                Stage::UpToDate => rsx! {
                    p { id: "update-status", "You have the latest version." }
                    button { id: "check-update", class: "secondary", onclick: check, "Check again" }
                },
                Stage::Offered(offer) => rsx! {
                    p { id: "update-status", "Version {offer.version} is available (you have {offer.current_version})." }
                    if let Some(notes) = offer.notes.clone() { p { id: "update-notes", class: "muted", "{notes}" } }
                    button { id: "download-update", onclick: move |_| download(offer.clone()), "Download and verify" }
                },
                Stage::Downloading(offer) => rsx! {
                    p { id: "update-status", class: "muted", "Downloading version {offer.version} and checking its signature…" }
                },
                Stage::Verified(offer) => rsx! {
                    p { id: "update-status", class: "ok", "Version {offer.version} is downloaded and its Enerpro signature is verified." }
                    button { id: "install-update", onclick: move |_| install(offer.clone()), "Restart to install" }
                },
                Stage::Installing(offer) => rsx! {
                    p { id: "update-status", class: "muted", "Installing version {offer.version}; the app restarts when it is done." }
                },
                Stage::Failed(error) => rsx! {
                    div { id: "update-error", class: "error", role: "alert", p { "{error.message}" } }
                    button { id: "check-update", class: "secondary", onclick: check, "Check again" }
                },
            }
        }
    }
}
