//! What the app's shell and its UI exchange over Tauri's IPC: command names, event names and
//! payloads. Both sides use these constants, so a rename cannot break one side silently.

use serde::{Deserialize, Serialize};

/// Command: ask the configured backend's health endpoint. Returns [`crate::v1::HealthResponse`].
pub const CMD_BACKEND_STATUS: &str = "backend_status";
/// Command: take the deep links that arrived since the last call. Returns `Vec<LinkReceived>`.
pub const CMD_TAKE_LINKS: &str = "take_links";
/// Command: a link or invitation code the customer pasted, handled like an opened link (its
/// outcome arrives through [`CMD_TAKE_LINKS`]). Args [`PastedLinkArgs`].
pub const CMD_OPEN_PASTED_LINK: &str = "open_pasted_link";

/// Arguments of [`CMD_OPEN_PASTED_LINK`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastedLinkArgs {
    /// What was pasted.
    pub text: String,
}
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

/// Data from the local cache, with when it was fetched from the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached<T> {
    /// The data.
    pub data: T,
    /// When it was fetched, RFC 3339 (UTC).
    pub fetched_at: String,
    /// Seconds since it was fetched.
    pub age_seconds: u64,
}

/// What the home screen shows: the customer and their unpaid bills, each as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// The signed-in customer, if fetched at least once.
    pub customer: Option<Cached<crate::v1::Customer>>,
    /// Outstanding and processing bills, if fetched at least once.
    pub bills: Option<Cached<Vec<crate::v1::Bill>>>,
}

/// Where a payment started on this device stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowState {
    /// Recorded locally with its idempotency key; the backend has not answered yet.
    Created,
    /// The hosted checkout is open in the browser.
    CheckoutOpened,
    /// The browser came back (or the app restarted): confirming with the backend.
    Confirming,
    /// The last card was declined; the checkout is still open for another try.
    Declined,
    /// Paid; the receipt is stored.
    Paid,
    /// The checkout expired unpaid; the bills are free again.
    Expired,
    /// Canceled; the bills are free again.
    Canceled,
}

impl FlowState {
    /// Whether the payment may still change (the UI shows "processing").
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Created | Self::CheckoutOpened | Self::Confirming | Self::Declined
        )
    }
}

/// A payment started on this device, as the app tracks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFlow {
    /// Local id of the flow.
    pub flow_id: i64,
    /// The backend's payment id, once created.
    pub payment_id: Option<String>,
    /// The bills it pays.
    pub bill_ids: Vec<String>,
    /// The total the backend computed, once created.
    pub amount: Option<crate::v1::Money>,
    /// Where it stands.
    pub state: FlowState,
    /// The hosted checkout page, while open.
    pub checkout_url: Option<String>,
    /// The provider's message for a declined card.
    pub message: Option<String>,
    /// The receipt, once paid.
    pub receipt: Option<crate::v1::Receipt>,
}

/// Command: the cached home data, at once. Returns [`HomeView`].
pub const CMD_HOME: &str = "home";
/// Command: fetch fresh home data. Returns [`HomeView`].
pub const CMD_REFRESH: &str = "refresh";
/// Command: who an invitation is for. Args `{ code }`. Returns `InvitationPreview`.
pub const CMD_PREVIEW_INVITATION: &str = "preview_invitation";
/// Command: accept an invitation. Args `{ code, postcode }`. Returns [`HomeView`].
pub const CMD_ACCEPT_INVITATION: &str = "accept_invitation";
/// Command: ask for a sign-in link. Args `{ email }`. Returns `SignInAccepted`.
pub const CMD_REQUEST_SIGNIN: &str = "request_signin";
/// Command: complete sign-in with a link's code. Args `{ code }`. Returns [`HomeView`].
pub const CMD_COMPLETE_SIGNIN: &str = "complete_signin";
/// Command: sign out and wipe this device's data of the customer.
pub const CMD_SIGN_OUT: &str = "sign_out";
/// Command: pay bills; opens the checkout in the browser. Args `{ billIds }`. Returns [`PaymentFlow`].
pub const CMD_START_PAYMENT: &str = "start_payment";
/// Command: open a flow's checkout page again. Args `{ flowId }`.
pub const CMD_OPEN_CHECKOUT: &str = "open_checkout";
/// Command: ask the backend about a flow now. Args `{ flowId }`. Returns [`PaymentFlow`].
pub const CMD_CHECK_PAYMENT: &str = "check_payment";
/// Command: cancel a flow's checkout. Args `{ flowId }`. Returns [`PaymentFlow`].
pub const CMD_CANCEL_PAYMENT: &str = "cancel_payment";
/// Command: the payments started on this device. Returns `Vec<PaymentFlow>`.
pub const CMD_PAYMENT_FLOWS: &str = "payment_flows";
/// Command: the cached receipts. Returns `Vec<Receipt>`.
pub const CMD_RECEIPTS: &str = "receipts";
/// Command: what the settings screen shows. Returns [`AppInfo`].
pub const CMD_APP_INFO: &str = "app_info";
/// Command: record a launch timing mark. Args `{ name }`: `wasm_started`,
/// `cached_data_rendered` or `fresh_data_rendered`.
pub const CMD_MARK: &str = "mark";
/// Event with a [`PaymentFlow`] payload: a payment changed (polling, return link, webhook).
pub const EVENT_PAYMENT_CHANGED: &str = "payment-changed";

/// Arguments carrying an invitation or sign-in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeArgs {
    /// The code.
    pub code: String,
}

/// Arguments of [`CMD_ACCEPT_INVITATION`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptArgs {
    /// The invitation code.
    pub code: String,
    /// The service postcode.
    pub postcode: String,
}

/// Arguments of [`CMD_REQUEST_SIGNIN`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailArgs {
    /// The email address.
    pub email: String,
}

/// Arguments of [`CMD_START_PAYMENT`] (camelCase on the wire, as Tauri maps command arguments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayArgs {
    /// The bills to pay.
    pub bill_ids: Vec<String>,
}

/// Arguments naming a payment flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowArgs {
    /// The flow.
    pub flow_id: i64,
}

/// What the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The backend it talks to.
    pub backend: String,
    /// Where the logs are.
    pub log_folder: String,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// Whether this build updates itself (desktop); phones update through their app store.
    pub updates_supported: bool,
}

/// Command: ask the backend for a newer signed release. Returns `Option<`[`UpdateOffer`]`>`.
pub const CMD_CHECK_FOR_UPDATE: &str = "check_for_update";
/// Command: the release on offer since the last check (no network), if any. Returns
/// `Option<`[`UpdateOffer`]`>`.
pub const CMD_OFFERED_UPDATE: &str = "offered_update";
/// Event (no payload): the check at start found a newer release; the UI asks
/// [`CMD_OFFERED_UPDATE`].
pub const EVENT_UPDATE_AVAILABLE: &str = "update-available";
/// Command: download the offered release and verify its signature against the key the app was
/// built with. Returns the verified [`UpdateOffer`]; an unsigned or tampered one is refused.
pub const CMD_DOWNLOAD_UPDATE: &str = "download_update";
/// Command: install the verified release and restart into it.
pub const CMD_INSTALL_UPDATE: &str = "install_update";

/// A newer release the backend offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateOffer {
    /// Its version.
    pub version: String,
    /// The version running now.
    pub current_version: String,
    /// Its release notes.
    pub notes: Option<String>,
    /// When it was published (RFC 3339).
    pub date: Option<String>,
}

/// Arguments of [`CMD_MARK`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkArgs {
    /// The mark's name.
    pub name: String,
}

/// Command: the backends this build offers and the current one. Returns [`BackendSettings`].
pub const CMD_BACKEND_SETTINGS: &str = "backend_settings";
/// Command: save a backend choice (signs out; applies at the next start). Args `{ choice }`.
pub const CMD_CHOOSE_BACKEND: &str = "choose_backend";

/// A saved choice of backend (support staff, in Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "environment", content = "url", rename_all = "snake_case")]
pub enum BackendChoice {
    /// The production backend.
    Production,
    /// The build's sandbox.
    Sandbox,
    /// A URL typed in (debug builds only).
    Custom(String),
}

/// What the backend part of Settings shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSettings {
    /// The backend the app talks to now.
    pub current: String,
    /// The production URL.
    pub production: String,
    /// The sandbox URL.
    pub sandbox: String,
    /// Whether a custom URL may be typed in (debug builds).
    pub custom_allowed: bool,
    /// The saved choice, if any.
    pub saved: Option<BackendChoice>,
}

/// Arguments of [`CMD_CHOOSE_BACKEND`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseBackendArgs {
    /// The choice.
    pub choice: BackendChoice,
}
