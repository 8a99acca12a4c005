//! App updates served from a releases folder: the newest release for the asking platform,
//! installers served from the folder, and clear refusals of bad requests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_server::{ServerOptions, spawn_with};
use serde_json::{Value, json};
use std::path::Path;

const DEB: &str = "Enerpro Portal_0.1.5_amd64.deb";

fn release(dir: &Path, folder: &str, manifest: &Value) {
    std::fs::create_dir_all(dir.join(folder)).unwrap();
    std::fs::write(
        dir.join(folder).join("latest.json"),
        serde_json::to_vec(manifest).unwrap(),
    )
    .unwrap();
}

/// A releases folder with one good Linux release, a newer Windows-only one and broken ones.
fn shelf(dir: &Path) {
    release(
        dir,
        "0.1.5",
        &json!({
            "version": "0.1.5",
            "notes": "Faster start.",
            "pub_date": "2026-11-20T10:00:00Z",
            "platforms": {
                "linux-x86_64-deb": {
                    "url": format!("https://github.com/enerpro/portal/releases/download/v0.1.5/{}", DEB.replace(' ', "%20")),
                    "signature": "c2lnbmF0dXJl"
                },
                "linux-x86_64-rpm": {
                    "url": "https://github.com/enerpro/portal/releases/download/v0.1.5/portal.rpm",
                    "signature": "c2lnbmF0dXJl"
                },
                "darwin-aarch64": {
                    "url": "https://github.com/enerpro/portal/releases/download/v0.1.5/portal.app.tar.gz",
                    "signature": "c2lnbmF0dXJl"
                }
            }
        }),
    );
    std::fs::write(dir.join("0.1.5").join(DEB), b"the 0.1.5 package").unwrap();
    release(
        dir,
        "0.2.0",
        &json!({
            "version": "0.2.0",
            "platforms": {
                "windows-x86_64-nsis": {
                    "url": "https://github.com/enerpro/portal/releases/download/v0.2.0/setup.exe",
                    "signature": "c2lnbmF0dXJl"
                }
            }
        }),
    );
    // Broken uploads are skipped, never served.
    std::fs::create_dir_all(dir.join("0.3.0")).unwrap();
    std::fs::write(dir.join("0.3.0").join("latest.json"), b"{ not json").unwrap();
    release(
        dir,
        "0.4.0",
        &json!({
            "version": "0.5.0",
            "platforms": { "linux-x86_64": { "url": "https://example.com/x", "signature": "x" } }
        }),
    );
    std::fs::create_dir_all(dir.join("drafts")).unwrap();
}

#[tokio::test]
async fn serves_the_newest_release_for_the_platform_and_its_installer() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("updates");
    shelf(&releases);
    let mut options = ServerOptions::new(dir.path().join("db.sqlite3"));
    options.updates_dir = Some(releases);
    let server = spawn_with("127.0.0.1:0", options).await.unwrap();
    let base = server.base_url();

    let linux = reqwest::get(format!("{base}/v1/updates/linux/x86_64/0.1.0"))
        .await
        .unwrap();
    assert_eq!(linux.status(), 200);
    let manifest: Value = linux.json().await.unwrap();
    assert_eq!(manifest["version"], "0.1.5");
    assert_eq!(manifest["notes"], "Faster start.");
    let platforms = manifest["platforms"].as_object().unwrap();
    assert_eq!(
        platforms.keys().collect::<Vec<_>>(),
        ["linux-x86_64-deb", "linux-x86_64-rpm"],
        "only the asking platform's installers"
    );
    let deb_url = platforms["linux-x86_64-deb"]["url"].as_str().unwrap();
    assert_eq!(
        deb_url,
        format!("{base}/v1/updates/files/0.1.5/Enerpro%20Portal_0.1.5_amd64.deb"),
        "an installer in the folder is served from here"
    );
    assert_eq!(
        platforms["linux-x86_64-rpm"]["url"],
        "https://github.com/enerpro/portal/releases/download/v0.1.5/portal.rpm",
        "one that is not keeps the release's URL"
    );
    let package = reqwest::get(deb_url).await.unwrap();
    assert_eq!(package.status(), 200);
    assert_eq!(
        package.bytes().await.unwrap().as_ref(),
        b"the 0.1.5 package"
    );

    let windows: Value = reqwest::get(format!("{base}/v1/updates/windows/x86_64/0.1.0"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(windows["version"], "0.2.0");

    for up_to_date in [
        "linux/x86_64/0.1.5",
        "linux/x86_64/0.2.0",
        "linux/aarch64/0.1.0",
    ] {
        let response = reqwest::get(format!("{base}/v1/updates/{up_to_date}"))
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{up_to_date}");
    }

    for (path, code) in [
        ("linux/x86_64/one.two", "invalid_version"),
        ("linux/x86_64/1.0", "invalid_version"),
        ("plan9/x86_64/0.1.0", "invalid_platform"),
        ("linux/sparc/0.1.0", "invalid_platform"),
    ] {
        let response = reqwest::get(format!("{base}/v1/updates/{path}"))
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{path}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }

    for escape in [
        "/v1/updates/files/..%2F..%2Fdb.sqlite3",
        "/v1/updates/files/0.1.5/..%2F..%2Fdb.sqlite3",
        "/v1/updates/files/0.1.5/missing.deb",
    ] {
        let response = reqwest::get(format!("{base}{escape}")).await.unwrap();
        assert_eq!(response.status(), 404, "{escape}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_a_releases_folder_there_is_never_an_update() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = portal_server::spawn("127.0.0.1:0").await.unwrap();
    let response = reqwest::get(format!(
        "{}/v1/updates/linux/x86_64/0.0.1",
        server.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    let files = reqwest::get(format!(
        "{}/v1/updates/files/0.1.5/x.deb",
        server.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(files.status(), 404);
    server.stop().await.unwrap();
}
