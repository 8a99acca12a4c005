//! What the app's shell and its UI exchange over Tauri's IPC: command names, event names and
//! payloads. Both sides use these constants, so a rename cannot break one side silently.

use serde::{Deserialize, Serialize};

/// Command: ask the configured backend's health endpoint. Returns [`crate::v1::HealthResponse`].
pub const CMD_BACKEND_STATUS: &str = "backend_status";
/// Command: take the deep links that arrived since the last call. Returns `Vec<LinkReceived>`.
pub const CMD_TAKE_LINKS: &str = "take_links";
/// Event (no payload): deep links are waiting; the UI answers with [`CMD_TAKE_LINKS`].
pub const EVENT_LINKS_WAITING: &str = "links-waiting";

/// A deep link the app understood. It never carries a backend address: the backend is chosen by
/// the build and the settings, never by a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeepLink {
    /// `…://invite?code=CODE`: an invitation to redeem.
    Invite {
        /// The invitation code, already checked for charset and length.
        code: String,
    },
    /// `…://signin?code=CODE`: a one-time sign-in code from an email.
    SignIn {
        /// The sign-in code, already checked for charset and length.
        code: String,
    },
    /// `…://payment/return?payment=ID`: the browser came back from the hosted checkout.
    PaymentReturn {
        /// The payment's id, already checked for charset and length.
        payment: String,
    },
}

/// One deep link as it reached the app: understood, or rejected with a reason to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LinkReceived {
    /// The link was understood.
    Accepted {
        /// What it asks for.
        link: DeepLink,
    },
    /// The link was refused; nothing changed.
    Rejected {
        /// Stable code of the reason, e.g. `unknown_link`.
        code: String,
        /// A sentence for the customer.
        message: String,
    },
}
