//! The FCM and APNs senders against stand-ins of Google's and Apple's endpoints on loopback:
//! what goes over the wire is what those services document — an OAuth assertion signed RS256
//! with the service account's key (checked here with its public key), then `messages:send` with
//! the access token; an ES256 provider token (checked with the key's public half) with the
//! `apns-*` headers. A refusal comes back as the sender's error; the access token is reused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use portal_server::push::{Apns, Fcm, PushSender};
use portal_server::store::QueuedPush;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use std::sync::{Arc, Mutex};

/// What the stand-in services received: (path, headers, body).
type Received = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

async fn stand_in(received: Received) -> String {
    async fn record(
        State(received): State<Received>,
        path: axum::extract::OriginalUri,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let path = path.path().to_owned();
        received.lock().unwrap().push((path.clone(), headers, body));
        if path == "/token" {
            (
                StatusCode::OK,
                r#"{"access_token":"ya29.stand-in","expires_in":3599,"token_type":"Bearer"}"#
                    .into(),
            )
        } else if path.contains("unregistered") {
            (StatusCode::GONE, r#"{"reason":"Unregistered"}"#.into())
        } else {
            (StatusCode::OK, "{}".into())
        }
    }
    async fn device(
        state: State<Received>,
        Path(_token): Path<String>,
        path: axum::extract::OriginalUri,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        record(state, path, headers, body).await
    }
    let app = Router::new()
        .route("/token", post(record))
        .route("/v1/projects/{project}/messages:send", post(record))
        .route("/3/device/{token}", post(device))
        .with_state(received);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn message(platform: &str, token: &str) -> QueuedPush {
    QueuedPush {
        id: 1,
        platform: platform.into(),
        token: token.into(),
        title: "New bill".into(),
        body: "Your bill of USD 88.00 is due 2026-12-20.".into(),
        link: "com.enerpro.portal://bill?id=bill_100200300_2026_11".into(),
    }
}

/// A JWT's signed part, its claims and its signature.
fn parts(jwt: &str) -> (String, serde_json::Value, Vec<u8>) {
    let pieces: Vec<&str> = jwt.split('.').collect();
    assert_eq!(pieces.len(), 3, "{jwt}");
    let claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(pieces[1]).unwrap()).unwrap();
    (
        format!("{}.{}", pieces[0], pieces[1]),
        claims,
        URL_SAFE_NO_PAD.decode(pieces[2]).unwrap(),
    )
}

#[tokio::test]
async fn fcm_signs_its_assertion_and_sends_with_the_access_token() {
    let received = Received::default();
    let base = stand_in(received.clone()).await;
    let pem = include_str!("fixtures/fcm-test-service-account-key.pem");
    let account = serde_json::json!({
        "type": "service_account",
        "project_id": "enerpro-test",
        "client_email": "push@enerpro-test.iam.gserviceaccount.com",
        "private_key": pem,
        "token_uri": format!("{base}/token"),
    });
    let fcm = Fcm::from_service_account(&account.to_string(), &base).unwrap();
    fcm.send(&message("android", "fcm-token-1")).await.unwrap();
    fcm.send(&message("android", "fcm-token-2")).await.unwrap();

    let received = received.lock().unwrap().clone();
    let tokens: Vec<_> = received
        .iter()
        .filter(|(path, _, _)| path == "/token")
        .collect();
    assert_eq!(tokens.len(), 1, "the access token is reused");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(tokens[0].2.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        form[0],
        (
            "grant_type".into(),
            "urn:ietf:params:oauth:grant-type:jwt-bearer".into()
        )
    );
    let (signed, claims, signature) = parts(&form[1].1);
    assert_eq!(claims["iss"], "push@enerpro-test.iam.gserviceaccount.com");
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/firebase.messaging"
    );
    assert_eq!(claims["aud"], format!("{base}/token"));
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = RsaKeyPair::from_pkcs8(&STANDARD.decode(der).unwrap()).unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public().as_ref())
        .verify(signed.as_bytes(), &signature)
        .expect("the assertion is signed with the service account's key");

    let sends: Vec<_> = received
        .iter()
        .filter(|(path, _, _)| path == "/v1/projects/enerpro-test/messages:send")
        .collect();
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0].1["authorization"], "Bearer ya29.stand-in");
    let body: serde_json::Value = serde_json::from_str(&sends[0].2).unwrap();
    assert_eq!(body["message"]["token"], "fcm-token-1");
    assert_eq!(body["message"]["notification"]["title"], "New bill");
    assert_eq!(
        body["message"]["data"]["link"],
        "com.enerpro.portal://bill?id=bill_100200300_2026_11"
    );
}

#[tokio::test]
async fn apns_sends_a_signed_provider_token_with_apples_headers_and_reports_a_refusal() {
    let received = Received::default();
    let base = stand_in(received.clone()).await;
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(pkcs8.as_ref())
    );
    let apns = Apns::new(
        "TEAM123456",
        "KEY1234567",
        &pem,
        "com.enerpro.portal",
        &base,
    )
    .unwrap();
    apns.send(&message("ios", "a1b2c3d4")).await.unwrap();
    let refused = apns
        .send(&message("ios", "unregistered"))
        .await
        .unwrap_err();
    assert!(
        refused.contains("410") && refused.contains("Unregistered"),
        "{refused}"
    );

    let received = received.lock().unwrap().clone();
    let (path, headers, body) = &received[0];
    assert_eq!(path, "/3/device/a1b2c3d4");
    assert_eq!(headers["apns-topic"], "com.enerpro.portal");
    assert_eq!(headers["apns-push-type"], "alert");
    let bearer = headers["authorization"].to_str().unwrap();
    let token = bearer
        .strip_prefix("bearer ")
        .or_else(|| bearer.strip_prefix("Bearer "))
        .unwrap();
    let (signed, claims, signature) = parts(token);
    assert_eq!(claims["iss"], "TEAM123456");
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("ES256"), Some("KEY1234567"))
    );
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key().as_ref())
        .verify(signed.as_bytes(), &signature)
        .expect("the provider token is signed with the team's key");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body["aps"]["alert"]["body"],
        "Your bill of USD 88.00 is due 2026-12-20."
    );
    assert_eq!(
        received[1].1["authorization"], received[0].1["authorization"],
        "the token is reused"
    );

    // Bad input: keys that are not keys.
    assert!(Apns::new("T", "K", "not a key", "com.enerpro.portal", &base).is_err());
    assert!(Fcm::from_service_account("{}", &base).is_err());
}
