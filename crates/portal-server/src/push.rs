//! Sending push notifications to phones: the queue in the database (`push_outbox`, filled in
//! the transaction that made each event) is drained by a [`PushSender`] on every sweep.
//!
//! The sandbox's sender is [`SandboxPush`]: nothing leaves the machine, and the messages stay
//! in the push outbox (`GET /v1/admin/push-outbox`) for support staff and tests to read. A
//! server given Google's and Apple's credentials sends through [`Fcm`] (Android) and [`Apns`]
//! (iOS) instead, routed by [`ByPlatform`]. Their tokens are signed here with `ring` (RS256 for
//! Google's OAuth assertion, ES256 for Apple's provider token), the crypto library the server's
//! TLS already uses.

use crate::store::QueuedPush;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What sending one message answers: sent, or why not (tried again on a later sweep).
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A way to deliver push messages to phones.
pub trait PushSender: Send + Sync {
    /// Delivers `message` to its device.
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a>;
}

/// The sandbox's push: every message counts as sent, and stays readable in the push outbox.
#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxPush;

impl PushSender for SandboxPush {
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a> {
        Box::pin(async move {
            tracing::info!(
                platform = %message.platform,
                title = %message.title,
                "push written to the sandbox's push outbox"
            );
            Ok(())
        })
    }
}

/// Routes each message to its platform's sender: FCM for `android`, APNs for `ios`.
pub struct ByPlatform {
    /// Android phones' sender.
    pub android: Arc<dyn PushSender>,
    /// iPhones' sender.
    pub ios: Arc<dyn PushSender>,
}

impl PushSender for ByPlatform {
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a> {
        match message.platform.as_str() {
            "android" => self.android.send(message),
            "ios" => self.ios.send(message),
            other => {
                let other = other.to_owned();
                Box::pin(async move { Err(format!("no push sender for platform {other:?}")) })
            }
        }
    }
}

/// A JSON Web Token: `header.claims.signature`, signed by `sign`.
fn jwt(
    header: &serde_json::Value,
    claims: &serde_json::Value,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
) -> Result<String, String> {
    let part = |value: &serde_json::Value| {
        serde_json::to_vec(value)
            .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
            .map_err(|e| e.to_string())
    };
    let signed = format!("{}.{}", part(header)?, part(claims)?);
    let signature = sign(signed.as_bytes())?;
    Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// The DER bytes of a PEM block (`-----BEGIN PRIVATE KEY-----` …).
fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD
        .decode(body)
        .map_err(|_| "the key is not PEM".to_owned())
}

/// The time now, Unix seconds.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A bearer token and when to stop using it.
type Bearer = tokio::sync::Mutex<Option<(String, i64)>>;

/// What a push service answered, as a sender's result.
async fn answered(response: Result<reqwest::Response, reqwest::Error>) -> Result<(), String> {
    let response = response.map_err(|e| e.to_string())?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response.text().await.unwrap_or_default();
    Err(format!(
        "{status}: {}",
        text.chars().take(300).collect::<String>()
    ))
}

/// A Google service account's key file (the fields FCM needs).
#[derive(serde::Deserialize)]
struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key: String,
    token_uri: String,
}

/// Firebase Cloud Messaging, HTTP v1, for Android phones: an OAuth 2 access token from the
/// service account's signed assertion (RS256), then `messages:send`.
pub struct Fcm {
    account: ServiceAccount,
    key: RsaKeyPair,
    api_base: String,
    http: reqwest::Client,
    token: Bearer,
}

/// FCM's API.
pub const FCM_API: &str = "https://fcm.googleapis.com";

impl Fcm {
    /// A sender from a service account's key file (JSON), sending to `api_base` ([`FCM_API`]).
    pub fn from_service_account(json: &str, api_base: &str) -> Result<Self, String> {
        let account: ServiceAccount =
            serde_json::from_str(json).map_err(|e| format!("the FCM service account file: {e}"))?;
        let key = RsaKeyPair::from_pkcs8(&pem_der(&account.private_key)?)
            .map_err(|e| format!("the FCM service account's key: {e}"))?;
        Ok(Self {
            account,
            key,
            api_base: api_base.trim_end_matches('/').to_owned(),
            http: crate::stripe::http_client(std::time::Duration::from_secs(20))?,
            token: Bearer::default(),
        })
    }

    /// An access token, kept until five minutes before it expires.
    async fn access_token(&self) -> Result<String, String> {
        let mut token = self.token.lock().await;
        let now = unix_now();
        if let Some((value, until)) = token.as_ref()
            && *until > now
        {
            return Ok(value.clone());
        }
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT" });
        let claims = serde_json::json!({
            "iss": self.account.client_email,
            "scope": "https://www.googleapis.com/auth/firebase.messaging",
            "aud": self.account.token_uri,
            "iat": now,
            "exp": now + 3600,
        });
        let assertion = jwt(&header, &claims, |input| {
            let mut signature = vec![0; self.key.public().modulus_len()];
            self.key
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input,
                    &mut signature,
                )
                .map_err(|_| "the FCM assertion could not be signed".to_owned())?;
            Ok(signature)
        })?;
        #[derive(serde::Deserialize)]
        struct Granted {
            access_token: String,
            expires_in: i64,
        }
        let response = self
            .http
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("the FCM token was refused: {}", response.status()));
        }
        let granted: Granted = response.json().await.map_err(|e| e.to_string())?;
        *token = Some((granted.access_token.clone(), now + granted.expires_in - 300));
        Ok(granted.access_token)
    }
}

impl PushSender for Fcm {
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a> {
        Box::pin(async move {
            let bearer = self.access_token().await?;
            let body = serde_json::json!({ "message": {
                "token": message.token,
                "notification": { "title": message.title, "body": message.body },
                "data": { "link": message.link },
            }});
            let url = format!(
                "{}/v1/projects/{}/messages:send",
                self.api_base, self.account.project_id
            );
            answered(
                self.http
                    .post(url)
                    .bearer_auth(bearer)
                    .json(&body)
                    .send()
                    .await,
            )
            .await
        })
    }
}

/// Apple Push Notification service, for iPhones: a provider token (ES256, from the team's
/// `.p8` key) and `POST /3/device/<token>` over HTTP/2.
pub struct Apns {
    team_id: String,
    key_id: String,
    topic: String,
    key: EcdsaKeyPair,
    api_base: String,
    http: reqwest::Client,
    token: Bearer,
}

/// APNs' production API.
pub const APNS_API: &str = "https://api.push.apple.com";

impl Apns {
    /// A sender for the app `topic` (its bundle id) with the team's key (`.p8`, PEM), sending
    /// to `api_base` ([`APNS_API`]).
    pub fn new(
        team_id: &str,
        key_id: &str,
        key_pem: &str,
        topic: &str,
        api_base: &str,
    ) -> Result<Self, String> {
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &pem_der(key_pem)?,
            &SystemRandom::new(),
        )
        .map_err(|e| format!("the APNs key: {e}"))?;
        Ok(Self {
            team_id: team_id.to_owned(),
            key_id: key_id.to_owned(),
            topic: topic.to_owned(),
            key,
            api_base: api_base.trim_end_matches('/').to_owned(),
            http: crate::stripe::http_client(std::time::Duration::from_secs(20))?,
            token: Bearer::default(),
        })
    }

    /// The provider token, renewed every 50 minutes (Apple refuses one older than an hour).
    async fn provider_token(&self) -> Result<String, String> {
        let mut token = self.token.lock().await;
        let now = unix_now();
        if let Some((value, until)) = token.as_ref()
            && *until > now
        {
            return Ok(value.clone());
        }
        let header = serde_json::json!({ "alg": "ES256", "kid": self.key_id });
        let claims = serde_json::json!({ "iss": self.team_id, "iat": now });
        let value = jwt(&header, &claims, |input| {
            self.key
                .sign(&SystemRandom::new(), input)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|_| "the APNs token could not be signed".to_owned())
        })?;
        *token = Some((value.clone(), now + 50 * 60));
        Ok(value)
    }
}

impl PushSender for Apns {
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a> {
        Box::pin(async move {
            let bearer = self.provider_token().await?;
            let body = serde_json::json!({
                "aps": { "alert": { "title": message.title, "body": message.body }, "sound": "default" },
                "link": message.link,
            });
            let url = format!("{}/3/device/{}", self.api_base, message.token);
            let request = self
                .http
                .post(url)
                .bearer_auth(bearer)
                .header("apns-topic", &self.topic)
                .header("apns-push-type", "alert")
                .header("apns-priority", "10")
                .json(&body);
            answered(request.send().await).await
        })
    }
}
