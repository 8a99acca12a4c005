//! The HTTP client for the backend's `/v1` API.

use crate::{BackendUrl, CoreError};
use portal_api::ErrorBody;
use portal_api::v1::{HEALTH_PATH, HealthResponse};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long to wait for a TCP/TLS connection to the backend.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A client for one backend. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    backend: BackendUrl,
}

impl ApiClient {
    /// Creates a client for `backend` with the app's timeouts and rustls (ring) for TLS.
    pub fn new(backend: BackendUrl) -> Result<Self, CoreError> {
        // Installing fails only when a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("enerpro-portal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| CoreError::InvalidBackendUrl {
                reason: format!("the HTTP client could not start: {error}"),
            })?;
        Ok(Self { http, backend })
    }

    /// The backend this client talks to.
    pub fn backend(&self) -> &BackendUrl {
        &self.backend
    }

    /// Asks the backend's health endpoint who and which version it is.
    pub async fn health(&self) -> Result<HealthResponse, CoreError> {
        self.get_json(HEALTH_PATH).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, CoreError> {
        let url = self.backend.endpoint(path);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|error| CoreError::from_transport(&error))?;
        read_json(response).await
    }
}

/// Turns a response into `T`, or into the error the backend described.
async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, CoreError> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| CoreError::from_transport(&error))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|_| CoreError::InvalidResponse);
    }
    if status.is_server_error() {
        return Err(CoreError::Server {
            status: status.as_u16(),
        });
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(CoreError::Api(body)),
        Err(_) => Err(CoreError::InvalidResponse),
    }
}
