//! The core's one error type. Every variant has a stable [`ErrorCode`]; its `Display` is the
//! technical detail for the log, and [`CoreError::to_body`] is what the customer sees: the
//! catalog's message for the code, never the detail.

use portal_api::{ErrorBody, ErrorCode};
use serde::{Serialize, Serializer};

/// Everything that can go wrong in the client core. `Clone`, so that a start-up failure (no
/// credential store) can be answered to every command that needs the core.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// The configured backend address is unusable (not a URL, or plain http to a non-loopback host).
    #[error("unusable backend address: {reason}")]
    InvalidBackendUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// No connection could be made to the backend.
    #[error("the backend cannot be reached")]
    Offline,
    /// The backend did not answer in time.
    #[error("the backend did not answer in time")]
    Timeout,
    /// The backend answered with a server error.
    #[error("the backend answered HTTP {status}")]
    Server {
        /// The HTTP status it answered.
        status: u16,
    },
    /// The backend answered something this app does not understand.
    #[error("the backend sent an answer this app does not understand")]
    InvalidResponse,
    /// The backend refused the request as invalid and said why (400, 404, 409, 410, 413…).
    #[error("{}: {}", .0.code, .0.message)]
    Api(ErrorBody),
    /// The session is over (expired, revoked, signed out elsewhere): sign in again.
    #[error("session ended by the backend: {message}")]
    Unauthorized {
        /// The backend's reason.
        message: String,
    },
    /// Too many attempts: wait this long.
    #[error("rate limited for {retry_after} s: {message}")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
        /// The backend's message.
        message: String,
    },
    /// Nobody is signed in on this device.
    #[error("nobody is signed in on this device")]
    NotSignedIn,
    /// The OS credential store is missing (no Secret Service, no keychain).
    #[error("no credential store: {detail}")]
    CredentialStoreMissing {
        /// What the store said.
        detail: String,
    },
    /// The OS credential store is locked or refused access.
    #[error("the credential store is locked")]
    CredentialStoreLocked,
    /// The OS credential store failed.
    #[error("the credential store failed: {detail}")]
    CredentialStore {
        /// What the store said.
        detail: String,
    },
    /// The local cache failed (after trying to rebuild it).
    #[error("the local cache failed: {detail}")]
    Cache {
        /// What failed.
        detail: String,
    },
    /// A payment this device does not know.
    #[error("no such payment on this device")]
    UnknownPayment,
    /// A deep link was refused.
    #[error("deep link refused: {}", .0.code())]
    InvalidLink(LinkRejection),
    /// No update could be looked for or fetched (the detail is for the log, not the customer).
    #[error("no update could be fetched: {detail}")]
    UpdateUnavailable {
        /// What went wrong.
        detail: String,
    },
    /// A downloaded update does not carry a valid Enerpro signature.
    #[error("the update is not verified: {detail}")]
    UpdateNotVerified {
        /// Why verification failed.
        detail: String,
    },
    /// A verified update could not be installed.
    #[error("the update could not be installed: {detail}")]
    UpdateFailed {
        /// What went wrong.
        detail: String,
    },
}

impl CoreError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidBackendUrl { .. } => ErrorCode::InvalidBackendUrl,
            Self::Offline => ErrorCode::Offline,
            Self::Timeout => ErrorCode::Timeout,
            Self::Server { .. } => ErrorCode::ServerError,
            Self::InvalidResponse => ErrorCode::InvalidResponse,
            Self::Api(body) => body.code,
            Self::Unauthorized { .. } => ErrorCode::Unauthorized,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::NotSignedIn => ErrorCode::NotSignedIn,
            Self::CredentialStoreMissing { .. } => ErrorCode::CredentialStoreMissing,
            Self::CredentialStoreLocked => ErrorCode::CredentialStoreLocked,
            Self::CredentialStore { .. } => ErrorCode::CredentialStoreFailed,
            Self::Cache { .. } => ErrorCode::CacheFailed,
            Self::UnknownPayment => ErrorCode::UnknownPayment,
            Self::InvalidLink(rejection) => rejection.code(),
            Self::UpdateUnavailable { .. } => ErrorCode::UpdateUnavailable,
            Self::UpdateNotVerified { .. } => ErrorCode::UpdateNotVerified,
            Self::UpdateFailed { .. } => ErrorCode::UpdateFailed,
        }
    }

    /// An error the core itself raises with a code of the catalog (no backend involved).
    pub fn coded(code: ErrorCode) -> Self {
        Self::Api(ErrorBody::for_customer(code))
    }

    /// This error as the customer sees it: the catalog's message for its code. The technical
    /// detail (`Display`) is for the log only.
    pub fn to_body(&self) -> ErrorBody {
        let attempts_left = match self {
            Self::Api(body) => body.attempts_left,
            _ => None,
        };
        ErrorBody::for_customer(self.code()).with_attempts_left(attempts_left)
    }

    /// Whether this is the network's fault (the app should fall back to its cache).
    pub fn is_connectivity(&self) -> bool {
        matches!(self, Self::Offline | Self::Timeout | Self::Server { .. })
    }

    /// Classifies a transport error from reqwest.
    pub(crate) fn from_transport(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_decode() {
            Self::InvalidResponse
        } else {
            Self::Offline
        }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Cache {
            detail: error.to_string(),
        }
    }
}

impl Serialize for CoreError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_body().serialize(serializer)
    }
}

/// Why a deep link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRejection {
    /// Longer than any link the portal sends.
    TooLong,
    /// Not a URL at all.
    Malformed,
    /// A URL that is not the portal's (another scheme or host).
    Foreign,
    /// The portal's scheme or host, but no action the app knows.
    UnknownAction,
    /// The action's parameter is missing or empty.
    MissingParameter,
    /// The parameter has characters or a length a real code never has.
    InvalidParameter,
    /// Extra parameters, a fragment, credentials or a port: portal links never carry those.
    UnexpectedPart,
    /// Pasted text that is neither a portal link nor an invitation code.
    NotACode,
}

impl LinkRejection {
    /// The stable machine-readable code of this rejection (its message is in the catalog).
    pub fn code(self) -> ErrorCode {
        match self {
            Self::TooLong => ErrorCode::LinkTooLong,
            Self::Malformed => ErrorCode::LinkMalformed,
            Self::Foreign => ErrorCode::LinkForeign,
            Self::UnknownAction => ErrorCode::LinkUnknown,
            Self::MissingParameter => ErrorCode::LinkMissingCode,
            Self::InvalidParameter => ErrorCode::LinkInvalidCode,
            Self::UnexpectedPart => ErrorCode::LinkUnexpectedPart,
            Self::NotACode => ErrorCode::LinkNotACode,
        }
    }
}
