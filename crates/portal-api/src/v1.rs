//! Version 1 of the backend's HTTP API, served under `/v1`.

use serde::{Deserialize, Serialize};

/// The path of the health endpoint, relative to the backend's base URL.
pub const HEALTH_PATH: &str = "/v1/health";

/// `GET /v1/health`: who answers, and which version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// Human-readable name of the backend, e.g. "Enerpro Sandbox".
    pub name: String,
    /// The backend's version (semver).
    pub version: String,
}

/// The one shape of every error: a stable machine-readable code plus a message a person can read.
///
/// The backend answers it as the body of every non-2xx response; the app's shell sends it to the UI
/// as the error of every command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable snake_case code for programs, e.g. `backend_unreachable`.
    pub code: String,
    /// One or two sentences for the customer, saying what happened and what to do.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorBody {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_round_trips_as_code_and_message() {
        let body = ErrorBody::new("backend_unreachable", "The server cannot be reached.");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "backend_unreachable", "message": "The server cannot be reached."})
        );
        let back: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(back, body);
    }
}
