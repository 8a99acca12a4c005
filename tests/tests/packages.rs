//! The Linux packages the Tauri CLI built (`cargo xtask test` bundles them first, into
//! `ENERPRO_BUNDLE_DIR`): their desktop entry must pass a link on to the app (`%u`), which the
//! Tauri default template does not (tauri#15928), and declare the link scheme.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bundle(kind: &str, extension: &str) -> PathBuf {
    let dir = std::env::var_os("ENERPRO_BUNDLE_DIR")
        .map(PathBuf::from)
        .expect("ENERPRO_BUNDLE_DIR is not set: run the tests through `cargo xtask test`")
        .join(kind);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("no {kind} bundle folder {dir:?}: {error}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == extension))
        .unwrap_or_else(|| panic!("no .{extension} in {dir:?}"))
}

fn desktop_entry(root: &Path) -> String {
    let applications = root.join("usr/share/applications");
    let entry = std::fs::read_dir(&applications)
        .unwrap_or_else(|error| panic!("no {applications:?} in the package: {error}"))
        .filter_map(Result::ok)
        .find(|entry| entry.path().extension().is_some_and(|e| e == "desktop"))
        .expect("a .desktop file in the package");
    std::fs::read_to_string(entry.path()).expect("readable desktop entry")
}

fn assert_passes_links_on(entry: &str) {
    let lines: Vec<&str> = entry.lines().collect();
    assert!(
        lines.contains(&"Exec=enerpro-portal %u"),
        "the handler line must pass the URL on:\n{entry}"
    );
    assert!(
        lines.contains(&"MimeType=x-scheme-handler/com.enerpro.portal"),
        "the scheme must be declared:\n{entry}"
    );
}

#[test]
fn the_deb_desktop_entry_passes_links_to_the_app() {
    let deb = bundle("deb", "deb");
    let root = tempfile::tempdir().expect("temp dir");
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(root.path())
        .status()
        .expect("dpkg-deb runs");
    assert!(status.success(), "dpkg-deb could not unpack {deb:?}");
    assert_passes_links_on(&desktop_entry(root.path()));
    assert!(
        root.path().join("usr/bin/enerpro-portal").exists(),
        "the app binary is installed"
    );
    let depends = Command::new("dpkg-deb")
        .arg("-f")
        .arg(&deb)
        .arg("Depends")
        .output()
        .expect("dpkg-deb runs");
    let depends = String::from_utf8_lossy(&depends.stdout);
    assert!(
        depends.contains("libwebkit2gtk-4.1-0"),
        "depends on WebKitGTK: {depends}"
    );
}

#[test]
fn the_rpm_desktop_entry_passes_links_to_the_app() {
    let rpm = bundle("rpm", "rpm");
    let root = tempfile::tempdir().expect("temp dir");
    let unpack = format!("rpm2cpio '{}' | cpio -idm --quiet", rpm.display());
    let status = Command::new("sh")
        .args(["-c", &unpack])
        .current_dir(root.path())
        .status()
        .expect("sh runs");
    assert!(status.success(), "could not unpack {rpm:?}");
    assert_passes_links_on(&desktop_entry(root.path()));
}
