//! A real Secret Service for the tests: gnome-keyring, in the test session's private D-Bus,
//! with a throwaway keyring folder unlocked by a throwaway password.

use crate::shell::step;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `gnome-keyring-daemon` (secrets component, unlocked) for the test session `session`
/// and waits until its default keyring answers unlocked on the session bus. The caller ends it.
/// Each session's daemon keeps its keyring and its control socket in its own folder, so
/// sessions running at once do not share (and spoil) one keyring file; the keyring is made new
/// each time, so no run inherits what an earlier one left in it (or a file it was killed
/// writing).
pub fn start(session: &str) -> Result<Child, String> {
    step("start gnome-keyring (Secret Service) in the test session");
    let folder = crate::target_dir().join(format!("xtask-keyring-{session}"));
    let keyrings = folder.join("keyrings");
    if keyrings.exists() {
        std::fs::remove_dir_all(&keyrings)
            .map_err(|e| format!("cannot remove the old test keyring {keyrings:?}: {e}"))?;
    }
    let runtime = folder.join("run");
    std::fs::create_dir_all(&runtime).map_err(|e| format!("cannot create {runtime:?}: {e}"))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot protect {runtime:?}: {e}"))?;
    }
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("XDG_DATA_HOME", &folder)
        .env("XDG_RUNTIME_DIR", &runtime)
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
        if secret_service_answers() && default_keyring_unlocked() {
            return Ok(daemon);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = daemon.kill();
    Err("gnome-keyring-daemon did not answer on the session bus with its keyring unlocked".into())
}

/// Whether the daemon owns the Secret Service's name on the session bus.
fn secret_service_answers() -> bool {
    session_bus_answers(
        &[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ],
        "boolean true",
    )
}

/// Whether the Secret Service's default keyring exists and is unlocked. Asked only once the
/// daemon owns the name: a message to an unowned name would have D-Bus start another daemon,
/// one with a locked keyring.
fn default_keyring_unlocked() -> bool {
    session_bus_answers(
        &[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/aliases/default",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ],
        "boolean false",
    )
}

/// Whether the session bus answers the call `call` (`dbus-send` arguments) with `expected` in
/// its reply.
fn session_bus_answers(call: &[&str], expected: &str) -> bool {
    Command::new("dbus-send")
        .args(["--session", "--print-reply"])
        .args(call)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).contains(expected))
        .unwrap_or(false)
}
