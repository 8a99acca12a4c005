//! Who answers, and which version of it.

use axum::Json;
use portal_api::v1::HealthResponse;

/// The name the sandbox gives in its health answer.
pub const SERVER_NAME: &str = "Enerpro Sandbox";

/// `GET /v1/health`
#[utoipa::path(get, path = "/v1/health", tag = "health", responses((status = 200, body = HealthResponse)))]
pub async fn health() -> Json<HealthResponse> {
    Json(HealthResponse {
        name: SERVER_NAME.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
