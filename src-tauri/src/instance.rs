//! Handing a launch over to the running instance (Linux), before anything else starts.
//!
//! tauri-plugin-single-instance forwards a second launch's arguments over D-Bus and gives up
//! when that call fails. An instance that is exiting still owns its name for a moment but no
//! longer answers (`NoReply`), and the new launch died with "could not start": a customer who
//! closed the app and opened a link right after saw nothing open. So a launch first tries the
//! hand-over itself: if the instance answers, the link is delivered and this process exits; if
//! it does not, the launch waits (bounded) for that instance's name to be released and then
//! starts as the instance, with its own link. The plugin still holds the name while the app
//! runs, and the app releases it as soon as it begins to exit.

use std::time::{Duration, Instant};
use zbus::blocking::Connection;
use zbus::blocking::fdo::DBusProxy;
use zbus::names::BusName;

/// How long a launch waits for an exiting instance to let go of its name.
const PATIENCE: Duration = Duration::from_secs(10);

/// What a launch found.
#[derive(Debug, PartialEq, Eq)]
pub enum Handover {
    /// The running instance took this launch's arguments: this process is done.
    Delivered,
    /// No instance runs (any more), or no session bus: start the app here.
    StartHere,
}

/// Delivers this launch's arguments to the running instance of `identifier`, if one answers.
pub fn hand_over(identifier: &str) -> Handover {
    let name = format!("{identifier}.SingleInstance");
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let Ok(connection) = Connection::session() else {
        return Handover::StartHere;
    };
    let (Ok(bus), Ok(bus_name)) = (
        DBusProxy::new(&connection),
        BusName::try_from(name.as_str()),
    ) else {
        return Handover::StartHere;
    };
    let arguments: Vec<String> = std::env::args_os()
        .map(|argument| argument.to_string_lossy().into_owned())
        .collect();
    let directory = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if !bus.name_has_owner(bus_name.clone()).unwrap_or(false) {
            return Handover::StartHere;
        }
        match connection.call_method(
            Some(name.as_str()),
            path.as_str(),
            Some("org.SingleInstance.DBus"),
            "ExecuteCallback",
            &(&arguments, &directory),
        ) {
            Ok(_) => return Handover::Delivered,
            Err(error) => {
                tracing::info!(
                    "the running instance did not take the launch ({error}); waiting for it to exit"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    tracing::warn!("an earlier instance neither answered nor exited; starting anyway");
    Handover::StartHere
}
