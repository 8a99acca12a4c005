//! Every way a deep link reaches the app ends in [`receive`]: the launch arguments of a cold
//! start, the deep-link plugin's runtime event (which also carries the links a second instance
//! forwards through single-instance), and the arguments of a second instance that the plugin does
//! not claim (foreign or malformed links, which must still get a message).
//!
//! Links are parsed by `portal_core::deep_link`, queued in [`LinkInbox`], and the UI is nudged
//! with an event to take them. The UI pulls, so a link that arrives before the UI listens is not
//! lost, and none is delivered twice. When taken, the core resolves each to the screen it opens
//! (a payment-return link to its payment), so the UI only navigates.

use crate::Core;
use portal_api::ipc::{EVENT_LINKS_WAITING, LinkReceived};
use portal_api::links::DeepLink;
use portal_core::{CoreError, deep_link};
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

/// A link as it arrived: parsed, or refused with the reason.
type Parsed = Result<DeepLink, CoreError>;

/// Links received and not yet taken by the UI.
#[derive(Default)]
pub struct LinkInbox(Mutex<Vec<Parsed>>);

impl LinkInbox {
    fn push(&self, link: Parsed) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(link);
    }

    /// Removes and returns the waiting links, oldest first.
    fn take(&self) -> Vec<Parsed> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// Parses one link, queues the outcome for the UI and nudges it.
pub fn receive<R: Runtime>(app: &AppHandle<R>, text: &str, portal_host: &str) {
    deliver(app, deep_link::parse(text, Some(portal_host)));
}

/// A link or invitation code the customer pasted: delivered like an opened link.
pub fn receive_pasted<R: Runtime>(app: &AppHandle<R>, text: &str, portal_host: &str) {
    deliver(app, deep_link::parse_pasted(text, Some(portal_host)));
}

/// Queues a parsed link for the UI and nudges it.
fn deliver<R: Runtime>(app: &AppHandle<R>, received: Parsed) {
    match &received {
        // The link itself is never logged: it carries a one-time code.
        Ok(link) => tracing::info!("deep link accepted: {}", link.action().0),
        Err(error) => tracing::warn!("deep link rejected: {}", error.code()),
    }
    if let Ok(DeepLink::PaymentReturn { payment }) = &received {
        crate::payments::returned(app, payment.clone());
    }
    app.state::<LinkInbox>().push(received);
    if let Err(error) = app.emit(EVENT_LINKS_WAITING, ()) {
        tracing::warn!("could not tell the UI about a deep link: {error}");
    }
}

/// The waiting links, each resolved by the core to the screen it opens.
pub async fn take<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<LinkReceived>, CoreError> {
    let waiting = app.state::<LinkInbox>().take();
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let portal = app.state::<Core>().portal().await?;
    Ok(waiting
        .into_iter()
        .map(
            |parsed| match parsed.and_then(|link| portal.destination(link)) {
                Ok(to) => LinkReceived::Accepted { to },
                Err(error) => LinkReceived::Rejected {
                    error: error.to_body(),
                },
            },
        )
        .collect())
}

/// Registers the app as the desktop's handler of its scheme when nothing else did: development
/// builds (so the sandbox's return page reaches them), and on Linux an AppImage, which has no
/// package to register it (as Tauri's deep-link guide advises). Installed packages are
/// registered by their package. In the background: it runs desktop tools (`xdg-mime`,
/// `update-desktop-database`) and must not delay the window.
pub fn register_scheme_when_unpackaged<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(any(target_os = "linux", windows))]
    {
        let appimage = cfg!(target_os = "linux") && std::env::var_os("APPIMAGE").is_some();
        if cfg!(debug_assertions) || appimage {
            let app = app.clone();
            std::thread::spawn(move || {
                if let Err(error) = app.deep_link().register_all() {
                    tracing::warn!("could not register the link handler: {error}");
                }
            });
        }
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = app;
}

/// At startup: takes the link the app was launched with, and listens for later ones.
pub fn listen<R: Runtime>(app: &AppHandle<R>, portal_host: &'static str, arguments: &[String]) {
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls
            .iter()
            .for_each(|url| receive(app, url.as_str(), portal_host)),
        // The plugin takes a link only as the sole argument with our scheme: anything else that
        // looks like a link still deserves a message.
        _ => positional(arguments).for_each(|text| receive(app, text, portal_host)),
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            receive(&handle, url.as_str(), portal_host);
        }
    });
}

/// A second launch: bring the window forward, and answer the links the plugin did not claim.
#[cfg(desktop)]
pub fn on_second_instance<R: Runtime>(app: &AppHandle<R>, argv: &[String], portal_host: &str) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    let claimed_by_plugin = |text: &&String| {
        text.len() <= deep_link::MAX_LINK_LEN
            && text.starts_with(&format!("{}:", deep_link::SCHEME))
    };
    let arguments = argv.get(1..).unwrap_or_default();
    positional(arguments)
        .filter(|text| !claimed_by_plugin(text))
        .for_each(|text| receive(app, text, portal_host));
}

/// The arguments that are not flags (nor a flag's value).
fn positional(arguments: &[String]) -> impl Iterator<Item = &String> {
    let mut skip_next = false;
    arguments.iter().filter(move |argument| {
        if std::mem::take(&mut skip_next) {
            return false;
        }
        if argument.as_str() == "--backend" {
            skip_next = true;
        }
        !argument.starts_with('-')
    })
}

/// The value of `--name VALUE` or `--name=VALUE` in the launch arguments.
pub fn flag_value(arguments: &[String], name: &str) -> Option<String> {
    let mut iter = arguments.iter();
    while let Some(argument) = iter.next() {
        if argument == name {
            return iter.next().cloned();
        }
        if let Some(value) = argument
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return Some(value.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn flag_values_are_read_in_both_forms() {
        let args = strings(&["--backend", "http://127.0.0.1:1", "x"]);
        assert_eq!(
            flag_value(&args, "--backend").as_deref(),
            Some("http://127.0.0.1:1")
        );
        let args = strings(&["--backend=http://127.0.0.1:2"]);
        assert_eq!(
            flag_value(&args, "--backend").as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(flag_value(&strings(&["x"]), "--backend"), None);
    }

    #[test]
    fn positional_arguments_skip_flags_and_their_values() {
        let args = strings(&[
            "--backend",
            "http://127.0.0.1:1",
            "--verbose",
            "com.enerpro.portal://nope",
        ]);
        let found: Vec<&String> = positional(&args).collect();
        assert_eq!(found, vec!["com.enerpro.portal://nope"]);
    }
}
