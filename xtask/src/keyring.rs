//! A real Secret Service for the tests: gnome-keyring, in the test session's private D-Bus,
//! with a throwaway keyring folder unlocked by a throwaway password.

use crate::shell::step;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `gnome-keyring-daemon` (secrets component, unlocked) and waits until it answers on
/// the session bus. The caller ends it.
pub fn start() -> Result<Child, String> {
    step("start gnome-keyring (Secret Service) in the test session");
    let folder = crate::target_dir().join("xtask-keyring");
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {folder:?}: {e}"))?;
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("XDG_DATA_HOME", &folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start gnome-keyring-daemon: {e}"))?;
    if let Some(mut stdin) = daemon.stdin.take() {
        stdin
            .write_all(b"enerpro-test-keyring")
            .map_err(|e| format!("cannot unlock the test keyring: {e}"))?;
    }
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if secret_service_answers() {
            return Ok(daemon);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = daemon.kill();
    Err("gnome-keyring-daemon did not register the Secret Service on the session bus".into())
}

fn secret_service_answers() -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).contains("boolean true"))
        .unwrap_or(false)
}
