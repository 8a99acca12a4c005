//! The server's one error type, answered as an HTTP status plus [`portal_api::ErrorBody`].

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_api::{ErrorBody, ErrorCode};

/// Everything a request can fail with. Each variant has a stable code and a message a customer
/// or support engineer can act on.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening socket could not be opened or served.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database file could not be opened or migrated.
    #[error("cannot open the database {path}: {reason}")]
    DatabaseOpen {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The request body or parameters are not acceptable.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: ErrorCode,
        /// What is wrong.
        message: String,
    },
    /// The postcode does not match; the invitation takes this many more tries.
    #[error(
        "That postcode does not match the service address of this account. Check it and try again."
    )]
    WrongPostcode {
        /// Tries left before the invitation is spent.
        attempts_left: u32,
    },
    /// The request body is larger than the API accepts.
    #[error("The request is too large.")]
    TooLarge,
    /// No or an unusable credential.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: ErrorCode,
        /// What to do.
        message: &'static str,
    },
    /// The record does not exist (or belongs to someone else).
    #[error("{what} was not found.")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: ErrorCode,
        /// What conflicts.
        message: String,
    },
    /// The invitation or link can no longer be used.
    #[error("{message}")]
    Gone {
        /// Stable code.
        code: ErrorCode,
        /// What to do next.
        message: &'static str,
    },
    /// Too many attempts; try again after this many seconds.
    #[error("Too many attempts. Try again in {} minutes.", retry_after.div_ceil(60))]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The payment provider failed or answered something unusable.
    #[error(
        "The payment provider is not available right now ({0}). Nothing was charged; try again later."
    )]
    Provider(String),
}

impl ServerError {
    /// A 400 with a code and message.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// A 409 with a code and message.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status and stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::Listen { .. } | Self::Database(_) | Self::DatabaseOpen { .. } => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError)
            }
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, *code),
            Self::WrongPostcode { .. } => (StatusCode::BAD_REQUEST, ErrorCode::WrongPostcode),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, *code),
            Self::NotFound { .. } => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            Self::Gone { code, .. } => (StatusCode::GONE, *code),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            Self::Provider(_) => (StatusCode::BAD_GATEWAY, ErrorCode::ProviderUnavailable),
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("{self}");
            "The server had a problem. Try again later.".to_owned()
        } else {
            self.to_string()
        };
        let attempts_left = match self {
            Self::WrongPostcode { attempts_left } => Some(attempts_left),
            _ => None,
        };
        let body = ErrorBody::new(code, message).with_attempts_left(attempts_left);
        let mut response = (status, Json(body)).into_response();
        if let Self::RateLimited { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ServerError>;
