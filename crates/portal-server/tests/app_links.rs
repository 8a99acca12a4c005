//! The `/.well-known` files that let phones open the portal host's links in the app.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_server::app_links::AppLinks;
use portal_server::{ServerOptions, spawn_with};

async fn get(url: String) -> (u16, serde_json::Value) {
    let response = reqwest::get(url).await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn configured_apps_are_published_and_unconfigured_ones_are_a_clear_404() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let mut options = ServerOptions::new(dir.path().join("db.sqlite3"));
    options.app_links = AppLinks {
        android_package: Some("com.enerpro.portal".into()),
        android_cert_sha256: vec!["AA:BB:CC".into()],
        apple_app_ids: vec!["TEAM123456.com.enerpro.portal".into()],
    };
    let server = spawn_with("127.0.0.1:0", options).await.unwrap();
    let (status, assetlinks) =
        get(format!("{}/.well-known/assetlinks.json", server.base_url())).await;
    assert_eq!(status, 200);
    assert_eq!(
        assetlinks[0]["target"]["package_name"],
        "com.enerpro.portal"
    );
    assert_eq!(
        assetlinks[0]["target"]["sha256_cert_fingerprints"][0],
        "AA:BB:CC"
    );
    assert_eq!(
        assetlinks[0]["relation"][0],
        "delegate_permission/common.handle_all_urls"
    );
    let (status, apple) = get(format!(
        "{}/.well-known/apple-app-site-association",
        server.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        apple["applinks"]["details"][0]["appIDs"][0],
        "TEAM123456.com.enerpro.portal"
    );
    assert_eq!(
        apple["applinks"]["details"][0]["components"][0]["/"],
        "/app/*"
    );
    server.stop().await.unwrap();

    let bare = portal_server::spawn("127.0.0.1:0").await.unwrap();
    for path in ["assetlinks.json", "apple-app-site-association"] {
        let (status, body) = get(format!("{}/.well-known/{path}", bare.base_url())).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_configured")),
            "{path}"
        );
    }
    bare.stop().await.unwrap();
}
