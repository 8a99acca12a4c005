//! Version 1 of the backend's HTTP API, served under `/v1`.
//!
//! Conventions: JSON bodies; timestamps are RFC 3339 strings in UTC; calendar dates are
//! `YYYY-MM-DD`; money is [`Money`] (integer minor units plus ISO 4217 currency, never floating
//! point); every error is an [`ErrorBody`]. Customer endpoints take `Authorization: Bearer
//! <access token>`; admin endpoints take `Authorization: Bearer <admin key>`.

pub use crate::errors::{ErrorCode, Language};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The lengths of one-time codes (invitations, sign-in links): at least 128 bits in URL-safe
/// base64 is 22 characters.
pub const ONE_TIME_CODE_LEN: std::ops::RangeInclusive<usize> = 16..=128;

/// Whether `value` has the shape of the API's tokens (one-time codes, payment ids): URL-safe
/// base64 characters, with a length in `length`. Checked before a value is looked up or
/// followed, by the server and the app alike.
pub fn is_token_shaped(value: &str, length: &std::ops::RangeInclusive<usize>) -> bool {
    length.contains(&value.len())
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The path of the health endpoint, relative to the backend's base URL.
pub const HEALTH_PATH: &str = "/v1/health";
/// The header that names which of the signed-in person's accounts a request is about (its
/// account number); without it, the account the session was opened for.
pub const ACCOUNT_HEADER: &str = "X-Account";
/// The header that makes payment creation idempotent.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// `GET /v1/health`: who answers, and which version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Stable code for programs, e.g. `offline` (see [`ErrorCode`]).
    pub code: ErrorCode,
    /// One or two sentences for the customer, saying what happened and what to do.
    pub message: String,
    /// How many more tries are allowed, where a limited number are (e.g. postcodes against an
    /// invitation).
    #[serde(default)]
    pub attempts_left: Option<u32>,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            attempts_left: None,
        }
    }

    /// The error body a customer sees for `code`: its message from the catalog.
    pub fn for_customer(code: ErrorCode) -> Self {
        Self::new(code, code.message(Language::English))
    }

    /// An error for a reader that words it from its own catalog by the code (the UI): no
    /// message, so the UI's WebAssembly links no table of messages.
    pub fn of_code(code: ErrorCode) -> Self {
        Self::new(code, String::new())
    }

    /// The same error with the tries left, said to the customer after its message.
    pub fn with_attempts_left(mut self, attempts_left: Option<u32>) -> Self {
        if let Some(left) = attempts_left {
            self.message = format!(
                "{} {}",
                self.message,
                crate::errors::attempts_left(left, Language::English)
            );
        }
        self.attempts_left = attempts_left;
        self
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorBody {}

/// An amount of money: integer minor units (cents for USD) and an ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Money {
    /// The amount in the currency's minor unit, e.g. 12345 for USD 123.45.
    pub amount_minor: i64,
    /// ISO 4217 code, upper case, e.g. `USD`.
    pub currency: String,
}

impl Money {
    /// Formats the amount for people with the currency's decimals, e.g. `USD 123.45`,
    /// `JPY 5000`, `KWD 12.345`.
    pub fn display(&self) -> String {
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        let digits = crate::currency::minor_units(&self.currency);
        if digits == 0 {
            return format!("{} {sign}{abs}", self.currency);
        }
        let scale = 10u64.pow(digits);
        let width = digits as usize;
        format!(
            "{} {sign}{}.{:0width$}",
            self.currency,
            abs / scale,
            abs % scale
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Invitations and sign-in
// ---------------------------------------------------------------------------------------------

/// `POST /v1/admin/invitations` (admin): invite the customer with this account number and email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateInvitationRequest {
    /// The customer's account number, e.g. `100-200-300`.
    pub account_number: String,
    /// The email address on file for that account.
    pub email: String,
}

/// The answer to creating an invitation: the links to send (also written to the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationCreated {
    /// Desktop link: `com.enerpro.portal://invite?code=CODE`.
    pub app_link: String,
    /// Mobile (claimed https) link: `https://<portal host>/app/invite?code=CODE`.
    pub web_link: String,
    /// When the invitation stops working.
    pub expires_at: String,
}

/// `GET /v1/invitations/{code}`: who an invitation is for, shown before the customer accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationPreview {
    /// The invited email, masked, e.g. `j***@example.com`.
    pub masked_email: String,
    /// The account holder's name.
    pub account_name: String,
    /// When the invitation stops working.
    pub expires_at: String,
}

/// `POST /v1/invitations/preview`: who an invitation is for. The code travels in the body, never
/// in a request path that proxies and access logs keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PreviewInvitationRequest {
    /// The invitation code.
    pub code: String,
}

/// `POST /v1/invitations/redeem`: accept an invitation by confirming the service postcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RedeemInvitationRequest {
    /// The invitation code from the link.
    pub code: String,
    /// The postcode of the service address, which the invitation does not contain.
    pub postcode: String,
}

/// `POST /v1/auth/signin`: ask for a sign-in link by email (PKCE, RFC 7636).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    /// The email address on file.
    pub email: String,
    /// BASE64URL(SHA256(code_verifier)), 43 characters.
    pub code_challenge: String,
    /// Always `S256`.
    pub code_challenge_method: String,
}

/// The answer to a sign-in request: always the same, whether or not the email exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInAccepted {
    /// What the customer should do next.
    pub message: String,
}

/// `POST /v1/auth/exchange`: trade the sign-in link's code and the PKCE verifier for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExchangeRequest {
    /// The code from the sign-in link.
    pub code: String,
    /// The PKCE verifier (43–128 characters) that never left the device.
    pub code_verifier: String,
}

/// `POST /v1/auth/refresh`: trade a refresh token (single use) for a new session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefreshRequest {
    /// The current refresh token.
    pub refresh_token: String,
}

/// `POST /v1/auth/signout`: end the session family of this refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignOutRequest {
    /// The current refresh token.
    pub refresh_token: String,
}

/// An API session: a short-lived access token and a rotating, single-use refresh token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionTokens {
    /// Bearer token for API calls.
    pub access_token: String,
    /// Seconds until the access token expires (about 900).
    pub expires_in: u64,
    /// Single-use token for `POST /v1/auth/refresh`; presenting a used one revokes the session.
    pub refresh_token: String,
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens never reach logs, not even through a debug print.
        f.debug_struct("SessionTokens")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Customer data
// ---------------------------------------------------------------------------------------------

/// `GET /v1/me`: the signed-in customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Customer {
    /// Full name of the account holder.
    pub name: String,
    /// Account number, e.g. `100-200-300`.
    pub account_number: String,
    /// The service address, one line.
    pub service_address: String,
    /// The email address on file.
    pub email: String,
}

/// Where a bill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BillStatus {
    /// Due and not in any payment.
    Outstanding,
    /// In a payment whose checkout has not finished.
    Processing,
    /// Paid.
    Paid,
}

/// A billing period, inclusive dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
}

/// One bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Bill {
    /// Bill id, e.g. `bill_100200300_2026_10`.
    pub id: String,
    /// The period it covers.
    pub period: Period,
    /// Issue date, `YYYY-MM-DD`.
    pub issue_date: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: String,
    /// The full amount due.
    pub amount: Money,
    /// Where it stands.
    pub status: BillStatus,
}

/// One charge of a bill: what it is for, how much of what (when it is counted), and its amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillLine {
    /// What the charge is for, e.g. `Energy 612 kWh at 0.1289/kWh`, `Delivery`, `Sales tax`.
    pub description: String,
    /// How much was counted, a decimal number (e.g. `612`, `30`), if the charge counts something.
    #[serde(default)]
    pub quantity: Option<String>,
    /// The unit of the quantity (e.g. `kWh`, `days`).
    #[serde(default)]
    pub unit: Option<String>,
    /// The charge, in the bill's currency.
    pub amount: Money,
}

/// A meter's register at the start and end of a bill's period: the kWh the bill counts are the
/// difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeterRead {
    /// The meter.
    pub meter_id: String,
    /// The register at the period's start, whole kWh.
    pub previous: i64,
    /// The register at the period's end, whole kWh (at least `previous`).
    pub current: i64,
    /// Whether the current read was estimated rather than read from the meter.
    pub estimated: bool,
}

/// `GET /v1/bills/{id}`: a bill, its lines (which sum to its amount) and its meter reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillDetail {
    /// The bill.
    pub bill: Bill,
    /// Its charges, in the order the bill lists them.
    pub lines: Vec<BillLine>,
    /// The meter reads of its period.
    #[serde(default)]
    pub reads: Vec<MeterRead>,
    /// The kWh the account's meters read over the same days a year before, when their readings
    /// cover those days (at least nine hours in ten read).
    #[serde(default)]
    pub last_year_kwh: Option<i64>,
}

/// A bill as a billing system sends it to `POST /v1/admin/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportedBill {
    /// The account it is for (the account must exist).
    pub account_number: String,
    /// The billing system's id for it: importing the same bill again changes nothing.
    pub id: String,
    /// The period it covers.
    pub period: Period,
    /// Issue date, `YYYY-MM-DD`.
    pub issue_date: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: String,
    /// The full amount due: exactly the sum of the lines.
    pub amount: Money,
    /// Its charges.
    pub lines: Vec<BillLine>,
    /// The meter reads of its period (meters imported in the same or an earlier import).
    #[serde(default)]
    pub reads: Vec<MeterRead>,
}

/// A meter of an account, as a metering system names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportedMeter {
    /// The meter's id (its readings name it).
    pub id: String,
    /// The account it measures (the account must exist).
    pub account_number: String,
}

/// `POST /v1/admin/import`: bills and meters from a billing system, imported all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportRequest {
    /// The bills.
    #[serde(default)]
    pub bills: Vec<ImportedBill>,
    /// The meters.
    #[serde(default)]
    pub meters: Vec<ImportedMeter>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportReport {
    /// Bills that were new.
    pub bills_created: u32,
    /// Bills already imported with the same content.
    pub bills_unchanged: u32,
    /// Meters that were new.
    #[serde(default)]
    pub meters_created: u32,
}

/// What an import of interval readings (`POST /v1/admin/import/readings`, CSV) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReadingsReport {
    /// Readings that were new.
    pub readings_created: u32,
    /// Readings already imported with the same value and quality.
    pub readings_unchanged: u32,
}

/// One hour of a meter's readings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HourReading {
    /// The hour's start, Unix seconds (UTC).
    pub start: i64,
    /// Watt-hours used in it; absent when the reading is missing.
    #[serde(default)]
    pub wh: Option<i64>,
    /// `actual`, `estimated` or `missing`.
    pub quality: String,
}

/// A meter and its hours in the asked range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeterReadings {
    /// The meter's id.
    pub meter_id: String,
    /// Its hours, oldest first.
    pub readings: Vec<HourReading>,
}

/// `GET /v1/readings?from=…&to=…`: the signed-in customer's hourly readings, every meter (the
/// app sums them into days and months in the device's time zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReadingsView {
    /// The customer's meters.
    pub meters: Vec<MeterReadings>,
}

/// A settled payment, as the reconciliation feed reports it to a billing system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SettledPayment {
    /// The portal's payment id.
    pub payment_id: String,
    /// The account that paid.
    pub account_number: String,
    /// The bills it paid in full.
    pub bill_ids: Vec<String>,
    /// What was paid.
    pub amount: Money,
    /// The payment provider's transaction id.
    pub transaction_id: String,
    /// When it was settled (RFC 3339).
    pub paid_at: String,
}

/// `GET /v1/admin/payments?after=…`: settled payments in the order they settled, a page at a
/// time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentFeed {
    /// This page.
    pub payments: Vec<SettledPayment>,
    /// The cursor for the next page (`after=`); absent when this page was not full (nothing
    /// more has settled yet).
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /v1/bills?status=outstanding|all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillList {
    /// Bills, newest period first.
    pub bills: Vec<Bill>,
}

// ---------------------------------------------------------------------------------------------
// Payments and receipts
// ---------------------------------------------------------------------------------------------

/// `POST /v1/payments` with an `Idempotency-Key` header: pay these bills in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatePaymentRequest {
    /// The bills to pay; the backend computes the amount from them.
    pub bill_ids: Vec<String>,
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// The checkout is open: not paid yet, or the outcome is not known yet.
    Processing,
    /// Paid; a receipt exists.
    Paid,
    /// The checkout expired unpaid; the bills are free again.
    Expired,
    /// The customer canceled; the bills are free again.
    Canceled,
}

impl PaymentStatus {
    /// Whether the payment can still change.
    pub fn is_open(self) -> bool {
        self == Self::Processing
    }
}

/// A payment of one or more bills through the provider's hosted checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Payment {
    /// Payment id, e.g. `pay_…`.
    pub id: String,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The total, computed by the backend from the bills.
    pub amount: Money,
    /// The bills it pays.
    pub bill_ids: Vec<String>,
    /// The hosted checkout page to open in the system browser (while processing).
    pub checkout_url: String,
    /// When the checkout page stops accepting payment.
    pub checkout_expires_at: String,
    /// When the payment was created.
    pub created_at: String,
    /// Why the last attempt at the checkout failed, as the provider's code (`generic_decline`,
    /// `insufficient_funds`, …), while it is still open for another try. The app says it in its
    /// own words (see [`crate::ErrorCode::for_decline`]); the provider's text stays in the log.
    #[serde(default)]
    pub decline_code: Option<String>,
    /// The receipt, once paid.
    pub receipt: Option<Receipt>,
}

/// `GET /v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentList {
    /// Payments, newest first.
    pub payments: Vec<Payment>,
}

/// One bill on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReceiptLine {
    /// The account the bill is for (a payment may pay bills of several accounts).
    #[serde(default)]
    pub account_number: Option<String>,
    /// The bill paid.
    pub bill_id: String,
    /// Its period.
    pub period: Period,
    /// The amount paid for it.
    pub amount: Money,
}

/// Proof of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Receipt {
    /// Receipt id, e.g. `rcpt_…`.
    pub id: String,
    /// The receipt number people quote, e.g. `R-2026-000001`.
    pub number: String,
    /// When it was paid.
    pub issued_at: String,
    /// The payment it belongs to.
    pub payment_id: String,
    /// The bills paid and their amounts.
    pub lines: Vec<ReceiptLine>,
    /// The total paid.
    pub total: Money,
    /// The provider's transaction id (the payment intent).
    pub transaction_id: String,
    /// Card brand, e.g. `visa`.
    pub card_brand: String,
    /// The card's last four digits.
    pub card_last4: String,
}

/// `GET /v1/receipts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReceiptList {
    /// Receipts, newest first.
    pub receipts: Vec<Receipt>,
}

// ---------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------

/// What the backend tells a customer about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A bill was issued.
    NewBill,
    /// A bill is due in three days or less and not paid.
    BillDueSoon,
    /// A payment went through.
    PaymentReceived,
    /// A payment did not go through (declined, or its checkout ran out).
    PaymentFailed,
    /// Autopay will pay a bill in a few days.
    AutopayScheduled,
    /// A bill is above the autopay maximum: not paid automatically.
    AutopaySkipped,
}

impl NotificationKind {
    /// Every kind, in the order Settings lists them.
    pub const ALL: [NotificationKind; 6] = [
        Self::NewBill,
        Self::BillDueSoon,
        Self::PaymentReceived,
        Self::PaymentFailed,
        Self::AutopayScheduled,
        Self::AutopaySkipped,
    ];

    /// Its name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewBill => "new_bill",
            Self::BillDueSoon => "bill_due_soon",
            Self::PaymentReceived => "payment_received",
            Self::PaymentFailed => "payment_failed",
            Self::AutopayScheduled => "autopay_scheduled",
            Self::AutopaySkipped => "autopay_skipped",
        }
    }

    /// The kind named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// How a notification reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The desktop app's notifications (it asks the backend).
    App,
    /// A phone's push notifications (FCM, APNs).
    Push,
    /// Email.
    Email,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Self::App, Self::Push, Self::Email];

    /// Its name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Push => "push",
            Self::Email => "email",
        }
    }

    /// The channel named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == name)
    }

    /// Whether a kind goes through this channel when the customer has not chosen: every kind
    /// in the app and by push; by email, all but a payment received (its receipt is mailed
    /// anyway).
    pub fn on_by_default(self, kind: NotificationKind) -> bool {
        !(self == Self::Email && kind == NotificationKind::PaymentReceived)
    }
}

/// One notification: what happened, and what it is about (the screen it opens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    /// Its position in the customer's notifications (the cursor of the next page).
    pub id: i64,
    /// What happened.
    pub kind: NotificationKind,
    /// The account it is about.
    pub account_number: String,
    /// The bill it is about (new bill, due soon).
    #[serde(default)]
    pub bill_id: Option<String>,
    /// The payment it is about (received, failed).
    #[serde(default)]
    pub payment_id: Option<String>,
    /// The amount: the bill's, or the payment's.
    pub amount: Money,
    /// The bill's due date, `YYYY-MM-DD` (new bill, due soon).
    #[serde(default)]
    pub due_date: Option<String>,
    /// When it happened, RFC 3339.
    pub created_at: String,
}

/// `GET /v1/notifications?after=…`: the customer's notifications for the app, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationList {
    /// The notifications after the cursor whose kind is on for the app.
    pub notifications: Vec<Notification>,
    /// The cursor to ask with next time: past every notification looked at, including those
    /// whose kind is off for the app (they never come back).
    pub next: i64,
}

/// One choice: a kind through a channel, on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationPreference {
    /// What happened.
    pub kind: NotificationKind,
    /// How it reaches the customer.
    pub channel: Channel,
    /// On or off.
    pub enabled: bool,
}

/// `GET`/`PUT /v1/notification-preferences`: every kind through every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationPreferences {
    /// One entry per kind and channel (a `PUT` may send only those it changes).
    pub preferences: Vec<NotificationPreference>,
}

/// `POST /v1/devices`: a phone's push token, so notifications reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegisterDevice {
    /// `android` (FCM) or `ios` (APNs).
    pub platform: String,
    /// The platform's registration token for this app on this phone.
    pub token: String,
}

/// `GET /v1/accounts`: the accounts the signed-in person holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountList {
    /// Their accounts, oldest first (name, number, service address, email on file).
    pub accounts: Vec<Customer>,
}

/// `POST /v1/admin/accounts/{account}/holders` (support staff): give a person access to an
/// account (they sign in with this email and see it among theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AddHolderRequest {
    /// The person's email.
    pub email: String,
}

/// `POST /v1/admin/accounts/{account}/bills` (support staff): issue the account's next monthly
/// bill now, as a billing system would, so a "new bill" can be seen on a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssueBillRequest {
    /// The amount in cents (USD 50.00 to 500.00; a realistic one when absent).
    #[serde(default)]
    pub amount_minor: Option<i64>,
    /// Days until it is due (0 to 60; 21 when absent).
    #[serde(default)]
    pub due_in_days: Option<i64>,
}

/// One push message the backend sent (in the sandbox: wrote to its push outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushMessage {
    /// Sequence number.
    pub id: i64,
    /// `android` or `ios`.
    pub platform: String,
    /// The device token it went to.
    pub token: String,
    /// The notification's kind.
    pub kind: NotificationKind,
    /// The title shown.
    pub title: String,
    /// The text shown.
    pub body: String,
    /// The screen it opens (a deep link).
    pub link: String,
    /// When it was sent, RFC 3339 (absent while queued).
    pub sent_at: Option<String>,
}

/// `GET /v1/admin/push-outbox` (sandbox): what would have been pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushOutbox {
    /// Messages, oldest first.
    pub messages: Vec<PushMessage>,
}

// ---------------------------------------------------------------------------------------------
// Outbox (the sandbox's stand-in for email)
// ---------------------------------------------------------------------------------------------

/// How long the backend gives the payment provider to create a checkout, retries included
/// (seconds). Past it the payment is dropped and its bills are free again.
pub const PROVIDER_BUDGET_SECS: u64 = 20;

/// How long the app waits for `POST /v1/payments` (seconds): longer than
/// [`PROVIDER_BUDGET_SECS`], so the app never gives up on a payment the backend is still
/// creating (it would then try again with the same key and find it).
pub const CREATE_PAYMENT_TIMEOUT_SECS: u64 = PROVIDER_BUDGET_SECS + 10;

/// The largest autopay maximum, in minor units (10,000 in the currency).
pub const AUTOPAY_MAX_LIMIT_MINOR: i64 = 1_000_000;
/// The most days before its due date a bill may be paid automatically.
pub const AUTOPAY_MAX_DAYS_BEFORE: u32 = 10;

/// A card saved with the payment provider for automatic payments (never its number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SavedCard {
    /// e.g. `visa`.
    pub brand: String,
    /// Its last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: i32,
}

/// The next bill autopay will pay, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ScheduledAutopay {
    /// The bill.
    pub bill_id: String,
    /// What will be charged.
    pub amount: Money,
    /// The day it will be charged (`YYYY-MM-DD`).
    pub on: String,
    /// Whether its amount is above the maximum (then it is not paid automatically).
    pub above_maximum: bool,
}

/// `GET /v1/autopay`: the account's saved card, its choice of autopay, and what comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AutopaySettings {
    /// The saved card, if any.
    pub card: Option<SavedCard>,
    /// Whether bills are paid automatically.
    pub enabled: bool,
    /// How many days before its due date a bill is paid (0: on the due date).
    pub days_before: u32,
    /// The most one bill may be to be paid automatically.
    pub max_amount: Money,
    /// The next bill autopay will pay, if any.
    pub next: Option<ScheduledAutopay>,
    /// The last automatic payment that failed, while its bill is still unpaid.
    pub failed: Option<FailedAutopay>,
}

/// An automatic payment that did not go through: the bill is payable by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FailedAutopay {
    /// The bill.
    pub bill_id: String,
    /// What was to be charged.
    pub amount: Money,
    /// When it failed, RFC 3339 (UTC).
    pub at: String,
    /// The day it will be tried again (`YYYY-MM-DD`), if it will.
    pub retry_on: Option<String>,
}

/// `PUT /v1/autopay`: the customer's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChooseAutopay {
    /// Pay bills automatically.
    pub enabled: bool,
    /// Days before the due date, 0 to [`AUTOPAY_MAX_DAYS_BEFORE`].
    pub days_before: u32,
    /// The most one bill may be, in minor units: above zero, at most
    /// [`AUTOPAY_MAX_LIMIT_MINOR`].
    pub max_amount_minor: i64,
}

/// `POST /v1/autopay/card`: where the customer saves a card (the provider's hosted page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CardSetup {
    /// The hosted page to open in the system browser.
    pub setup_url: String,
}

/// `POST /v1/admin/clock` (sandbox only): move the sandbox's clock forward, so that support
/// staff and tests see expiries without waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdvanceClockRequest {
    /// Seconds to move forward: 1 to [`MAX_CLOCK_ADVANCE`].
    pub advance_seconds: i64,
}

/// The most one clock move may advance (seconds): a year.
pub const MAX_CLOCK_ADVANCE: i64 = 366 * 24 * 3600;

/// The sandbox's clock after a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SandboxClock {
    /// The sandbox's time now, RFC 3339.
    pub now: String,
    /// Payments the sweep that followed the move ended (unlinked and overdue).
    pub payments_ended: u32,
}

/// One mail the backend sent (in the sandbox: wrote to the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OutboxMessage {
    /// Sequence number.
    pub id: i64,
    /// Recipient.
    pub to: String,
    /// `invitation`, `signin` or `receipt`.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body (with the links).
    pub body: String,
    /// When it was sent.
    pub created_at: String,
}

/// `GET /v1/admin/outbox` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Outbox {
    /// Mail, oldest first.
    pub messages: Vec<OutboxMessage>,
}

/// The path prefix of app updates: `GET {UPDATES_PATH}/{target}/{arch}/{current_version}`
/// answers `204 No Content` when there is nothing newer, else an [`UpdateManifest`].
pub const UPDATES_PATH: &str = "/v1/updates";

/// A signed app release, in the format of the Tauri updater (`latest.json` of a release).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateManifest {
    /// The release's version, `MAJOR.MINOR.PATCH` (semver).
    pub version: String,
    /// Release notes for the customer.
    #[serde(default)]
    pub notes: Option<String>,
    /// When it was published (RFC 3339).
    #[serde(default)]
    pub pub_date: Option<String>,
    /// The installers by platform key: `{os}-{arch}` or `{os}-{arch}-{installer}`, e.g.
    /// `linux-x86_64-deb`, `windows-x86_64-nsis`, `darwin-aarch64`.
    pub platforms: std::collections::BTreeMap<String, UpdatePlatform>,
}

/// One platform's installer in an [`UpdateManifest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdatePlatform {
    /// Where to download the installer.
    pub url: String,
    /// The installer's minisign signature (the `.sig` file's content), checked by the app
    /// against the public key it was built with.
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_round_trips_as_code_and_message() {
        let body = ErrorBody::new(ErrorCode::Offline, "The server cannot be reached.");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "offline",
                "message": "The server cannot be reached.",
                "attempts_left": null
            })
        );
        let back: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(back, body);
        // A body without the optional field (as earlier servers wrote it) reads the same.
        let short =
            serde_json::json!({"code": "offline", "message": "The server cannot be reached."});
        assert_eq!(serde_json::from_value::<ErrorBody>(short).unwrap(), body);
    }

    #[test]
    fn money_is_integer_minor_units_and_displays_two_decimals() {
        let money = Money {
            amount_minor: 12_305,
            currency: "USD".into(),
        };
        assert_eq!(
            serde_json::to_value(&money).unwrap(),
            serde_json::json!({"amount_minor": 12305, "currency": "USD"})
        );
        assert_eq!(money.display(), "USD 123.05");
        let float: Result<Money, _> =
            serde_json::from_value(serde_json::json!({"amount_minor": 123.05, "currency": "USD"}));
        assert!(float.is_err(), "floating point money must be refused");
        let in_ = |amount_minor, currency: &str| Money {
            amount_minor,
            currency: currency.into(),
        };
        assert_eq!(in_(5_000, "JPY").display(), "JPY 5000");
        assert_eq!(in_(12_345, "KWD").display(), "KWD 12.345");
        assert_eq!(in_(-5, "EUR").display(), "EUR -0.05");
    }

    #[test]
    fn session_tokens_never_print_their_secrets() {
        let tokens = SessionTokens {
            access_token: "secret-access".into(),
            expires_in: 900,
            refresh_token: "secret-refresh".into(),
        };
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("secret"), "{printed}");
    }

    #[test]
    fn statuses_use_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_value(PaymentStatus::Processing).unwrap(),
            "processing"
        );
        assert_eq!(
            serde_json::to_value(BillStatus::Outstanding).unwrap(),
            "outstanding"
        );
    }
}
