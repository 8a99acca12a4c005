//! The API client against the real sandbox server on an ephemeral port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_api::ErrorCode;
use portal_core::{ApiClient, BackendUrl};

fn client_for(url: &str) -> ApiClient {
    ApiClient::new(BackendUrl::parse(url).expect("a loopback URL")).expect("client builds")
}

#[tokio::test]
async fn health_reports_the_sandbox() {
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .expect("server starts");
    let health = client_for(&server.base_url())
        .health()
        .await
        .expect("health answers");
    assert_eq!(health.name, portal_server::SERVER_NAME);
    server.stop().await.expect("server stops");
}

#[tokio::test]
async fn a_server_that_is_down_is_reported_offline() {
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .expect("server starts");
    let url = server.base_url();
    server.stop().await.expect("server stops");
    let error = client_for(&url)
        .health()
        .await
        .expect_err("nothing listens");
    assert_eq!(error.code(), ErrorCode::Offline);
    assert_eq!(error.to_body().code, ErrorCode::Offline);
}

#[tokio::test]
async fn an_answer_that_is_not_the_api_is_reported_as_such() {
    // A plain TCP listener that answers every request with HTML, as a captive portal would.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let answer = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let body = "<html>Sign in to the hotel Wi-Fi</html>";
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    let error = client_for(&format!("http://{address}"))
        .health()
        .await
        .expect_err("HTML is not a health answer");
    assert_eq!(error.code(), ErrorCode::InvalidResponse);
    answer.await.expect("the fake server ends");
}
