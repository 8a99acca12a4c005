//! The release engineer's commands, run as a release engineer runs them (the xtask binary the
//! test command runs, `ENERPRO_XTASK_BIN`): the updater manifest written from this version's
//! Linux packages and their updater signatures (`ENERPRO_BUNDLE_DIR`, signed with the
//! development key) passes `release-check`; a hand-broken manifest, signatures checked against
//! another key, and Android libraries not aligned for 16 KB pages are each reported; and
//! `updater-key-check` tells a matching updater secret from a wrong one.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const REPO: &str = "enerpro/portal";
const LINUX_PACKAGES: &str = "linux-x86_64-deb,linux-x86_64-rpm";

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run the tests through `cargo xtask test`"))
}

/// Runs `cargo xtask <arguments>` (its binary) from the workspace root: exit status and output.
fn xtask(arguments: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new(env_path("ENERPRO_XTASK_BIN"))
        .args(arguments)
        .env_remove("TAURI_SIGNING_PRIVATE_KEY")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD")
        .envs(env.iter().copied())
        .current_dir(root)
        .output()
        .expect("the xtask binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The development key's public half: what the test command's builds trust (`TAURI_CONFIG`).
fn development_public_key() -> String {
    let config: serde_json::Value =
        serde_json::from_str(&std::env::var("TAURI_CONFIG").expect("TAURI_CONFIG is set")).unwrap();
    config["plugins"]["updater"]["pubkey"]
        .as_str()
        .expect("the development public key")
        .to_owned()
}

/// A folder holding this version's `.deb` and `.rpm` with their signatures, named as GitHub
/// serves a release's assets, and the manifest `release-manifest` writes for them.
fn linux_release() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let bundles = env_path("ENERPRO_BUNDLE_DIR");
    for (kind, suffix) in [("deb", "_amd64.deb"), ("rpm", ".x86_64.rpm")] {
        let package = std::fs::read_dir(bundles.join(kind))
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| {
                let name = path.file_name().unwrap().to_string_lossy();
                name.contains(VERSION) && name.ends_with(suffix)
            })
            .unwrap_or_else(|| panic!("no {VERSION} {kind} package in {bundles:?}"));
        let name = package
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(' ', ".");
        std::fs::copy(&package, folder.path().join(&name)).unwrap();
        let signature = PathBuf::from(format!("{}.sig", package.display()));
        std::fs::copy(&signature, folder.path().join(format!("{name}.sig"))).unwrap();
    }
    let tag = format!("v{VERSION}");
    let dir = folder.path().to_str().unwrap();
    let (written, output) = xtask(
        &[
            "release-manifest",
            "--tag",
            &tag,
            "--repo",
            REPO,
            "--platforms",
            LINUX_PACKAGES,
            dir,
        ],
        &[],
    );
    assert!(written, "release-manifest failed:\n{output}");
    folder
}

fn check(folder: &Path, extra: &[&str]) -> (bool, String) {
    let tag = format!("v{VERSION}");
    let mut arguments = vec!["release-check", "--tag", &tag, "--repo", REPO];
    arguments.extend_from_slice(extra);
    arguments.push(folder.to_str().unwrap());
    xtask(&arguments, &[])
}

#[test]
fn this_versions_linux_packages_pass_the_release_check() {
    let release = linux_release();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(release.path().join("latest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], VERSION);
    assert!(
        !manifest["notes"].as_str().unwrap().trim().is_empty(),
        "the notes come from CHANGELOG.md"
    );
    let deb = manifest["platforms"]["linux-x86_64-deb"]["url"]
        .as_str()
        .unwrap();
    assert_eq!(
        deb,
        format!(
            "https://github.com/{REPO}/releases/download/v{VERSION}/Enerpro.Portal_{VERSION}_amd64.deb"
        ),
        "the URL names the asset of this tag, as GitHub spells it"
    );
    let key = development_public_key();
    let (passed, output) = check(
        release.path(),
        &["--platforms", LINUX_PACKAGES, "--public-key", &key],
    );
    assert!(passed, "release-check failed:\n{output}");
    assert!(
        output.contains("signatures verified: 2") && output.contains("problems: 0"),
        "{output}"
    );
}

#[test]
fn the_release_check_reports_every_problem_of_a_broken_manifest() {
    let release = linux_release();
    let path = release.path().join("latest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let deb = manifest["platforms"]["linux-x86_64-deb"].clone();
    let rpm = manifest["platforms"]["linux-x86_64-rpm"].clone();
    manifest["version"] = "0.0.9".into();
    manifest["notes"] = "".into();
    manifest["pub_date"] = "yesterday".into();
    let platforms = manifest["platforms"].as_object_mut().unwrap();
    platforms.remove("linux-x86_64-rpm");
    // The URL shape tauri-action writes without a tag: wrong for a draft.
    platforms.insert(
        "linux-x86_64-deb".into(),
        serde_json::json!({
            "url": format!("https://github.com/{REPO}/releases/latest/download/Enerpro.Portal_{VERSION}_amd64.deb"),
            "signature": deb["signature"],
        }),
    );
    // The rpm with the deb's signature.
    platforms.insert(
        "linux-x86_64".into(),
        serde_json::json!({"url": rpm["url"], "signature": deb["signature"]}),
    );
    std::fs::write(&path, manifest.to_string()).unwrap();

    let key = development_public_key();
    let (passed, output) = check(
        release.path(),
        &["--platforms", LINUX_PACKAGES, "--public-key", &key],
    );
    assert!(!passed, "a broken manifest must fail the check:\n{output}");
    for problem in [
        "announces version 0.0.9",
        "has no release notes",
        "is not an RFC 3339 time",
        "has no linux-x86_64-rpm",
        "linux-x86_64-deb: https://github.com/enerpro/portal/releases/latest/download/",
        "linux-x86_64: Enerpro.Portal-",
        "does not verify",
    ] {
        assert!(
            output.contains(problem),
            "not reported: {problem}\n{output}"
        );
    }
}

#[test]
fn signatures_are_checked_against_the_public_key_in_tauri_conf_by_default() {
    let release = linux_release();
    // Signed with the development key, which the configured (production) key does not accept.
    let (passed, output) = check(release.path(), &["--platforms", LINUX_PACKAGES]);
    assert!(!passed, "{output}");
    assert_eq!(
        output.matches("does not verify").count(),
        2,
        "both packages refused:\n{output}"
    );
}

/// A shared library for the host (x86_64, 64-bit ELF) linked for pages of `page` bytes.
fn native_library(folder: &Path, page: u32) -> Vec<u8> {
    let source = folder.join("probe.c");
    std::fs::write(&source, "int probe(void) { return 1; }\n").unwrap();
    let library = folder.join(format!("libprobe{page}.so"));
    let status = Command::new("cc")
        .args([
            "-shared",
            "-fPIC",
            &format!("-Wl,-z,max-page-size={page}"),
            "-o",
        ])
        .arg(&library)
        .arg(&source)
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc could not link the probe library");
    std::fs::read(library).unwrap()
}

/// An APK-shaped zip holding `library` uncompressed as `lib/x86_64/libportal.so`, its data
/// aligned to `alignment` bytes in the archive.
fn apk(path: &Path, library: &[u8], alignment: u16) {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .with_alignment(alignment);
    zip.start_file("AndroidManifest.xml", stored).unwrap();
    zip.write_all(b"<manifest/>").unwrap();
    zip.start_file("lib/x86_64/libportal.so", stored).unwrap();
    zip.write_all(library).unwrap();
    zip.finish().unwrap();
}

#[test]
fn android_libraries_must_be_aligned_for_16_kb_pages() {
    let work = tempfile::tempdir().unwrap();
    let good = tempfile::tempdir().unwrap();
    apk(
        &good.path().join("portal.apk"),
        &native_library(work.path(), 16384),
        16384,
    );
    let (passed, output) = check(good.path(), &["--platforms", "none"]);
    assert!(passed, "{output}");
    assert!(
        output.contains("64-bit Android libraries checked: 1"),
        "{output}"
    );

    let bad = tempfile::tempdir().unwrap();
    apk(
        &bad.path().join("portal.apk"),
        &native_library(work.path(), 4096),
        4,
    );
    let (passed, output) = check(bad.path(), &["--platforms", "none"]);
    assert!(!passed, "{output}");
    assert!(
        output.contains("lib/x86_64/libportal.so: a loadable segment is aligned to 4096 bytes"),
        "{output}"
    );
    assert!(output.contains("not on a 16 KB boundary"), "{output}");
}

#[test]
fn the_updater_key_check_tells_the_matching_secret_from_a_wrong_one() {
    let key_file = env_path("ENERPRO_UPDATE_RELEASES")
        .parent()
        .unwrap()
        .join("dev-updater.key");
    let private_key = std::fs::read_to_string(&key_file).unwrap();
    let secret = [
        ("TAURI_SIGNING_PRIVATE_KEY", private_key.as_str()),
        ("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "enerpro-development"),
    ];
    let public_key = development_public_key();
    let (passed, output) = xtask(&["updater-key-check", "--public-key", &public_key], &secret);
    assert!(passed, "the development key pair must match:\n{output}");
    // The configured key is the production one: the development secret does not match it.
    let (passed, output) = xtask(&["updater-key-check"], &secret);
    assert!(!passed, "{output}");
    assert!(
        output.contains("does not match the configured public key"),
        "{output}"
    );
    let (passed, output) = xtask(&["updater-key-check"], &[]);
    assert!(
        !passed && output.contains("TAURI_SIGNING_PRIVATE_KEY is not set"),
        "{output}"
    );
}
