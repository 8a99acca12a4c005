//! The health endpoint over real HTTP on an ephemeral port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_api::v1::HealthResponse;

#[tokio::test]
async fn health_answers_name_and_version_as_json() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .expect("server starts");
    let response = reqwest::get(format!("{}/v1/health", server.base_url()))
        .await
        .expect("request succeeds");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/json")
    );
    let health: HealthResponse = response.json().await.expect("JSON body");
    assert_eq!(health.name, portal_server::SERVER_NAME);
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    server.stop().await.expect("server stops");
}

#[tokio::test]
async fn a_stopped_server_closes_its_port() {
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .expect("server starts");
    let address = server.address();
    server.stop().await.expect("server stops");
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}
