//! The core's one error type. Every variant has a stable code (for programs and tests) and a
//! message a customer can read; both reach the UI through [`portal_api::ErrorBody`].

use portal_api::ErrorBody;
use serde::{Serialize, Serializer};

/// Everything that can go wrong in the client core. `Clone`, so that a start-up failure (no
/// credential store) can be answered to every command that needs the core.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// The configured backend address is unusable (not a URL, or plain http to a non-loopback host).
    #[error("The app is configured with an unusable server address: {reason}")]
    InvalidBackendUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// No connection could be made to the backend.
    #[error("Cannot reach the Enerpro server. Check your internet connection and try again.")]
    Offline,
    /// The backend did not answer in time.
    #[error("The Enerpro server took too long to answer. Try again in a moment.")]
    Timeout,
    /// The backend answered with a server error.
    #[error("The Enerpro server had a problem (HTTP {status}). Try again later.")]
    Server {
        /// The HTTP status it answered.
        status: u16,
    },
    /// The backend answered something this app does not understand.
    #[error("The Enerpro server sent an answer this app does not understand. Try again later.")]
    InvalidResponse,
    /// The backend refused the request as invalid and said why (400, 404, 409, 410, 413…).
    #[error("{}", .0.message)]
    Api(ErrorBody),
    /// The session is over (expired, revoked, signed out elsewhere): sign in again.
    #[error("{message}")]
    Unauthorized {
        /// The backend's reason.
        message: String,
    },
    /// Too many attempts: wait this long.
    #[error("{message}")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
        /// The backend's message.
        message: String,
    },
    /// Nobody is signed in on this device.
    #[error("You are not signed in. Open your invitation link, or sign in with your email.")]
    NotSignedIn,
    /// The OS credential store is missing (no Secret Service, no keychain).
    #[error(
        "This device has no credential store the app can use to keep you signed in safely ({detail}). On Linux, install and start a Secret Service such as GNOME Keyring."
    )]
    CredentialStoreMissing {
        /// What the store said.
        detail: String,
    },
    /// The OS credential store is locked or refused access.
    #[error(
        "The credential store on this device is locked. Unlock it (for example by logging in again) and try once more."
    )]
    CredentialStoreLocked,
    /// The OS credential store failed.
    #[error(
        "The credential store on this device failed ({detail}). Try again; if it keeps failing, restart the device."
    )]
    CredentialStore {
        /// What the store said.
        detail: String,
    },
    /// The local cache failed (after trying to rebuild it).
    #[error("The app could not use its local data folder ({detail}).")]
    Cache {
        /// What failed.
        detail: String,
    },
    /// A payment this device does not know.
    #[error("This payment is not one started on this device.")]
    UnknownPayment,
    /// A deep link was refused.
    #[error("{}", .0.message())]
    InvalidLink(LinkRejection),
    /// No update could be looked for or fetched (the detail is for the log, not the customer).
    #[error(
        "Could not reach Enerpro's updates right now. Check your internet connection and try again later; this version keeps working."
    )]
    UpdateUnavailable {
        /// What went wrong.
        detail: String,
    },
    /// A downloaded update does not carry a valid Enerpro signature.
    #[error(
        "This update is not signed by Enerpro, so it was not installed. This version keeps working; report it to Enerpro support."
    )]
    UpdateNotVerified {
        /// Why verification failed.
        detail: String,
    },
    /// A verified update could not be installed.
    #[error("The update could not be installed ({detail}). This version keeps working.")]
    UpdateFailed {
        /// What went wrong.
        detail: String,
    },
}

impl CoreError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &str {
        match self {
            Self::InvalidBackendUrl { .. } => "invalid_backend_url",
            Self::Offline => "offline",
            Self::Timeout => "timeout",
            Self::Server { .. } => "server_error",
            Self::InvalidResponse => "invalid_response",
            Self::Api(body) => &body.code,
            Self::Unauthorized { .. } => "unauthorized",
            Self::RateLimited { .. } => "rate_limited",
            Self::NotSignedIn => "not_signed_in",
            Self::CredentialStoreMissing { .. } => "credential_store_missing",
            Self::CredentialStoreLocked => "credential_store_locked",
            Self::CredentialStore { .. } => "credential_store_failed",
            Self::Cache { .. } => "cache_failed",
            Self::UnknownPayment => "unknown_payment",
            Self::InvalidLink(rejection) => rejection.code(),
            Self::UpdateUnavailable { .. } => "update_unavailable",
            Self::UpdateNotVerified { .. } => "update_not_verified",
            Self::UpdateFailed { .. } => "update_failed",
        }
    }

    /// This error as the wire shape the UI receives.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.to_string())
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
    /// The stable machine-readable code of this rejection.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLong => "link_too_long",
            Self::Malformed => "link_malformed",
            Self::Foreign => "link_foreign",
            Self::UnknownAction => "link_unknown",
            Self::MissingParameter => "link_missing_code",
            Self::InvalidParameter => "link_invalid_code",
            Self::UnexpectedPart => "link_unexpected_part",
            Self::NotACode => "link_not_a_code",
        }
    }

    /// A sentence for the customer.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLong => "That link is far too long to be an Enerpro link, so it was ignored.",
            Self::Malformed => "That link could not be read, so it was ignored.",
            Self::Foreign => "That link does not belong to the Enerpro portal, so it was ignored.",
            Self::UnknownAction => {
                "That Enerpro link is not one this app knows. It may be from a newer version; \
                 update the app or ask for a new link."
            }
            Self::MissingParameter => {
                "That Enerpro link is incomplete: its code is missing. Open the link from your \
                 email again, or ask for a new one."
            }
            Self::InvalidParameter => {
                "That Enerpro link is damaged: its code is not valid. Open the link from your \
                 email again, or ask for a new one."
            }
            Self::UnexpectedPart => {
                "That Enerpro link contains parts a real Enerpro link never has, so it was ignored."
            }
            Self::NotACode => {
                "That is neither an Enerpro link nor an invitation code. Copy the whole link from \
                 your invitation email and paste it again."
            }
        }
    }
}
