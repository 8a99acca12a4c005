//! What the app's shell and its UI exchange over Tauri's IPC: every command with its argument
//! and result types, the events, and the payloads.
//!
//! Each command is declared once, in the `commands!` table below, as a type implementing
//! [`Command`]: the shell's handler takes `Args<C>` and returns `Reply<C>`, the UI's bridge sends
//! `C::Args` and decodes `C::Output`, and the app's permission manifest lists [`COMMANDS`]. A
//! change of a name or a type therefore changes both sides at once, or fails to compile.
//!
//! The UI sends its arguments as JSON (Tauri's default; serializing is cheap in WebAssembly).
//! The shell answers in postcard ([`encode`]), a compact binary form of the same serde types:
//! decoding JSON objects in the UI took, for every type, a map visitor and a matcher of field
//! names, and serde_wasm_bindgen's reflection over JavaScript objects — 58 KB of the UI's
//! WebAssembly. Postcard decodes a struct as its fields in order, so the types that cross here
//! never skip a field when serialized (no `skip_serializing_if`); both sides are built from this
//! crate at once, so they cannot disagree on the order.

use crate::ErrorBody;
use crate::v1::{Customer, HealthResponse, InvitationPreview, Money, Receipt, SignInAccepted};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One command of the shell: its name and the types it takes and answers.
pub trait Command {
    /// The command's name on the IPC (the shell's handler function has this name).
    const NAME: &'static str;
    /// What the UI sends (under the key `args`).
    type Args: Serialize + DeserializeOwned;
    /// What the shell answers when the command succeeds.
    type Output: Serialize + DeserializeOwned;
}

/// What every command answers: its output, or the error the UI shows from the catalog.
pub type Answer<C> = Result<Output<C>, ErrorBody>;

/// A command's answer (any `Result<_, E>` whose `E` serializes as an [`ErrorBody`]) or a page
/// global, in the form the UI decodes with [`decode`]. A value postcard cannot write (none of
/// the contract's types) becomes `None`.
pub fn encode(value: &impl Serialize) -> Option<Vec<u8>> {
    postcard::to_allocvec(value).ok()
}

/// A value written by [`encode`]; `None` for bytes that are not one (a shell of another
/// version, a truncated page global).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}

/// The argument type of command `C`.
pub type Args<C> = <C as Command>::Args;
/// What command `C` answers when it succeeds.
pub type Output<C> = <C as Command>::Output;

/// Arguments of a command that takes none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoArgs {}

macro_rules! commands {
    ($( $(#[$doc:meta])* $ty:ident = $name:literal, $args:ty => $output:ty; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy)]
            pub enum $ty {}
            impl Command for $ty {
                const NAME: &'static str = $name;
                type Args = $args;
                type Output = $output;
            }
        )*
        /// The name of every command, for the app's permission manifest and its tests.
        pub const COMMANDS: &[&str] = &[$($name),*];
    };
}

commands! {
    /// Ask the configured backend's health endpoint.
    BackendStatus = "backend_status", NoArgs => HealthResponse;
    /// Take the deep links that arrived since the last call.
    TakeLinks = "take_links", NoArgs => Vec<LinkReceived>;
    /// A link or invitation code the customer pasted, handled like an opened link (its outcome
    /// arrives through [`TakeLinks`]).
    OpenPastedLink = "open_pasted_link", PastedLinkArgs => ();
    /// The home screen from the cache, at once.
    Home = "home", NoArgs => HomeView;
    /// Fetch fresh home data; a failure to reach the backend still answers the cached view,
    /// marked offline.
    Refresh = "refresh", NoArgs => HomeView;
    /// Show one account (or, with `None`, every account together); from the cache, so it works
    /// offline.
    ChooseAccount = "choose_account", AccountChoice => HomeView;
    /// What the pay screen shows for a choice of bills (`None`: the default choice).
    PayView = "pay_view", PaySelection => PayPlan;
    /// Who an invitation is for.
    PreviewInvitation = "preview_invitation", CodeArgs => InvitationPreview;
    /// Accept an invitation with the service postcode.
    AcceptInvitation = "accept_invitation", AcceptArgs => HomeView;
    /// Ask for a sign-in link by email.
    RequestSignin = "request_signin", EmailArgs => SignInAccepted;
    /// Complete sign-in with a link's code.
    CompleteSignin = "complete_signin", CodeArgs => HomeView;
    /// Sign out and wipe this device's data of the customer.
    SignOut = "sign_out", NoArgs => ();
    /// Pay bills in full; opens the hosted checkout in the system browser.
    StartPayment = "start_payment", PayArgs => PaymentFlow;
    /// Open a payment's checkout page again.
    OpenCheckout = "open_checkout", FlowArgs => PaymentFlow;
    /// Ask the backend about a payment now.
    CheckPayment = "check_payment", FlowArgs => PaymentFlow;
    /// Cancel a payment's checkout.
    CancelPayment = "cancel_payment", FlowArgs => PaymentFlow;
    /// Dismiss a payment the backend has no record of; answers whether it is gone.
    DismissPayment = "dismiss_payment", FlowArgs => bool;
    /// One payment started on this device.
    PaymentFlowOf = "payment_flow", FlowArgs => PaymentFlow;
    /// The payment history from the cache, at once.
    History = "history", NoArgs => HistoryView;
    /// Fetch the receipts from the backend (a complete history on a new device); a failure still
    /// answers the cached history, with the problem.
    RefreshHistory = "refresh_history", NoArgs => HistoryView;
    /// One receipt from the cache.
    ReceiptOf = "receipt", ReceiptArgs => Receipt;
    /// What the settings screen shows.
    AppInfoOf = "app_info", NoArgs => AppInfo;
    /// Record a launch timing mark.
    Mark = "mark", MarkArgs => ();
    /// Keep the UI's picture of the home screen to paint at the next start; kept only while the
    /// cache holds the view's revision. Answers whether it was kept.
    SaveFirstPaint = "save_first_paint", FirstPaintArgs => bool;
    /// The backends this build offers and the current one.
    BackendSettingsOf = "backend_settings", NoArgs => BackendSettings;
    /// Save a backend choice, then sign out; applies at the next start. Answers the chosen URL.
    ChooseBackend = "choose_backend", ChooseBackendArgs => String;
    /// The language the app speaks and whether it follows the device's.
    LanguageSettingsOf = "language_settings", NoArgs => LanguageSettings;
    /// Speak `language` from now on (`None`: the device's language); kept for the next starts.
    /// Answers the locale the UI now renders with, and its catalog.
    ChooseLanguage = "choose_language", ChooseLanguageArgs => UiLanguage;
    /// Ask the backend for a newer signed release.
    CheckForUpdate = "check_for_update", NoArgs => Option<UpdateOffer>;
    /// The release on offer since the last check (no network), if any.
    OfferedUpdate = "offered_update", NoArgs => Option<UpdateOffer>;
    /// Download the offered release and verify its signature against the key the app was built
    /// with; an unsigned or tampered one is refused.
    DownloadUpdate = "download_update", NoArgs => UpdateOffer;
    /// Install the verified release and restart into it.
    InstallUpdate = "install_update", NoArgs => ();
    /// A bill's detail from the cache, at once (its lines once fetched).
    BillDetailOf = "bill_detail", BillArgs => BillDetailView;
    /// Fetch a bill's detail; a failure still answers the cached detail, with the problem.
    RefreshBillDetail = "refresh_bill_detail", BillArgs => BillDetailView;
    /// Fetch the bill's PDF and save it where the customer chooses (a save dialog); answers
    /// where it was saved, or `None` when the customer closed the dialog.
    SaveBillPdf = "save_bill_pdf", BillArgs => Option<String>;
    /// Fetch the bill's PDF and open it in the system's PDF viewer.
    OpenBillPdf = "open_bill_pdf", BillArgs => ();
    /// The usage chart from the cached readings, at once.
    UsageOf = "usage", UsageArgs => UsageView;
    /// Fetch the last two years of readings; a failure still answers the cached usage, with the
    /// problem.
    RefreshUsage = "refresh_usage", UsageArgs => UsageView;
    /// Save the cached readings as CSV where the customer chooses; answers where, or `None`
    /// when the customer closed the dialog.
    ExportUsage = "export_usage", NoArgs => Option<String>;
    /// Settings → Notifications: which kinds reach the customer how, and how often the app
    /// asks.
    NotificationSettingsOf = "notification_settings", NoArgs => NotificationSettings;
    /// Turn one kind through one channel on or off.
    ChooseNotification = "choose_notification", crate::v1::NotificationPreference => NotificationSettings;
    /// How often the app asks for notifications (one of [`NotificationSettings::choices`]).
    ChooseCheckInterval = "choose_check_interval", CheckIntervalArgs => NotificationSettings;
    /// Autopay of the account shown (the first, when all are shown), from the backend.
    AutopayOf = "autopay", NoArgs => AutopayView;
    /// Choose autopay: on or off, days before the due date, the maximum as typed.
    ChooseAutopay = "choose_autopay", AutopayChoice => AutopayView;
    /// Open the provider's page where the customer saves a card, in the system browser.
    SaveCard = "save_card", NoArgs => ();
    /// Remove the saved card (autopay turns off).
    RemoveCard = "remove_card", NoArgs => AutopayView;
}

/// The Autopay screen: whose account, and its autopay as the backend keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutopayView {
    /// The account (its holder and service address).
    pub account: Customer,
    /// Its saved card, choice and next payment.
    pub settings: crate::v1::AutopaySettings,
    /// The maximum as the customer types it (`500.00`), to start the field with.
    pub maximum: String,
}

/// Arguments of [`ChooseAutopay`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutopayChoice {
    /// Pay bills automatically.
    pub enabled: bool,
    /// Days before the due date (0: on it).
    pub days_before: u32,
    /// The most one bill may be, as the customer typed it (`300`, `300.00`).
    pub maximum: String,
}

/// Settings → Notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Every kind through every channel, on or off (kept by the backend).
    pub preferences: Vec<crate::v1::NotificationPreference>,
    /// How often the app asks for notifications, in minutes (0: at start and on refresh only).
    pub check_every_minutes: u32,
    /// The intervals offered.
    pub choices: Vec<u32>,
}

/// [`ChooseCheckInterval`]'s arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIntervalArgs {
    /// Minutes between checks; 0 for at start and on refresh only.
    pub minutes: u32,
}

/// The page global the shell sets to the customer's [`UiLanguage`] before the UI starts, so the
/// first render speaks the customer's language.
pub const LOCALE_GLOBAL: &str = "__ENERPRO_LOCALE__";

/// The locale and its words, as the UI receives them: in the page at start ([`LOCALE_GLOBAL`])
/// and from [`ChooseLanguage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiLanguage {
    /// The language and the locale of formats.
    pub locale: UiLocale,
    /// Every text of that language.
    pub catalog: crate::i18n::Catalog,
}

/// The language the app speaks, and the locale `Intl` formats numbers, money and dates with: the
/// language with the device's region when it has one (`es-US`, `en-GB`), else the language
/// alone (`es`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiLocale {
    /// The language of every text.
    pub language: crate::Language,
    /// The BCP 47 locale for formats.
    pub tag: String,
}

impl Default for UiLocale {
    fn default() -> Self {
        Self {
            language: crate::Language::English,
            tag: "en".to_owned(),
        }
    }
}

/// Settings → Language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageSettings {
    /// What the app speaks now.
    pub locale: UiLocale,
    /// Whether that is the device's language (no choice saved).
    pub follows_device: bool,
}

/// [`ChooseLanguage`]'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseLanguageArgs {
    /// The language to speak; `None` follows the device's.
    pub language: Option<crate::Language>,
}

/// Event (no payload): deep links are waiting; the UI answers with [`TakeLinks`].
pub const EVENT_LINKS_WAITING: &str = "links-waiting";

/// Arguments of [`OpenPastedLink`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastedLinkArgs {
    /// What was pasted.
    pub text: String,
}

/// A screen a deep link opens, resolved by the core (a payment-return link names the payment
/// flow it belongs to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// The invitation screen for a code.
    Invitation {
        /// The invitation code.
        code: String,
    },
    /// Completing sign-in with a link's code.
    SignIn {
        /// The sign-in code.
        code: String,
    },
    /// A payment of this device that the browser came back from (or a notification is about).
    Payment {
        /// The local payment flow.
        flow_id: i64,
    },
    /// A bill a notification is about.
    Bill {
        /// The bill's id.
        bill_id: String,
    },
    /// The payment history (a notification about a payment started elsewhere).
    History,
    /// Autopay (the browser came back from saving a card).
    Autopay,
}

/// One deep link as it reached the app: where it leads, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkReceived {
    /// The link was understood.
    Accepted {
        /// The screen it opens.
        to: Destination,
    },
    /// The link was refused; nothing changed.
    Rejected {
        /// Why, for the customer.
        error: ErrorBody,
    },
}

/// Which bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillArgs {
    /// The bill's id.
    pub bill_id: String,
}

/// A bill's detail screen: its lines (summing to its amount), its meter reads, and how its
/// usage compares with the same days a year before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillDetailView {
    /// The bill, if cached (`None`: not known on this device).
    pub bill: Option<crate::v1::Bill>,
    /// Its charges, in order (empty until fetched once).
    pub lines: Vec<crate::v1::BillLine>,
    /// The meter reads of its period.
    pub reads: Vec<crate::v1::MeterRead>,
    /// The kWh the bill counts (its reads, else its kWh lines).
    pub kwh: Option<i64>,
    /// The kWh of the same days a year before, from the cached readings.
    pub last_year_kwh: Option<i64>,
    /// The change from last year, in whole percent (`+6`, `-12`).
    pub change_percent: Option<i64>,
    /// When the detail was fetched, if ever.
    pub as_of: Option<AsOf>,
    /// Whether the last fetch could not reach the backend.
    pub offline: bool,
    /// What went wrong in the last fetch, if anything.
    pub problem: Option<ErrorBody>,
}

/// How much time one usage chart covers, and the time of each bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageScale {
    /// Twelve months, each beside the same month a year before.
    Months,
    /// The seven days of a week, Monday first.
    Week,
    /// The hours of one day.
    Day,
}

/// Which usage chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageArgs {
    /// Months, a week or a day.
    pub scale: UsageScale,
    /// A day in the week or the day to show (`YYYY-MM-DD`, the device's calendar); `None`: the
    /// latest day with readings.
    pub date: Option<String>,
}

/// One bar of a usage chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageBar {
    /// When it starts, in the device's calendar: `YYYY-MM` (a month), `YYYY-MM-DD` (a day) or
    /// `YYYY-MM-DDTHH:00` (an hour).
    pub start: String,
    /// Watt-hours of the readings in it (missing hours count nothing).
    pub wh: i64,
    /// Whether any of its readings is estimated.
    pub estimated: bool,
    /// Whether any of its hours has no reading.
    pub missing: bool,
}

/// The usage screen: the bars of one chart, their totals, and where the customer can go from
/// here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageView {
    /// The scale shown.
    pub scale: UsageScale,
    /// The day shown (a day), or the week's Monday (a week); `None` for months.
    pub date: Option<String>,
    /// The bars, oldest first (empty before any readings are cached).
    pub bars: Vec<UsageBar>,
    /// Months only: the same months a year before, in the same order.
    pub last_year: Vec<UsageBar>,
    /// The sum of `bars`, watt-hours.
    pub total_wh: i64,
    /// The sum of `last_year`, if shown.
    pub last_year_total_wh: Option<i64>,
    /// The day or week before this one, if there are readings there.
    pub earlier: Option<String>,
    /// The day or week after this one, if there are readings there.
    pub later: Option<String>,
    /// The first and last day with readings, for the date picker.
    pub range: Option<(String, String)>,
    /// When the readings were fetched, if ever.
    pub as_of: Option<AsOf>,
    /// Whether the last fetch could not reach the backend.
    pub offline: bool,
    /// What went wrong in the last fetch, if anything.
    pub problem: Option<ErrorBody>,
}

/// When cached data was fetched from the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsOf {
    /// When it was fetched, RFC 3339 (UTC).
    pub fetched_at: String,
    /// Seconds since it was fetched.
    pub age_seconds: u64,
}

/// What the home screen shows, decided by the core: the customer, what is due and its total,
/// whether the data is fresh, and whether paying is possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// Whether this device has a session (false: show the welcome screen).
    pub signed_in: bool,
    /// Every account the customer holds, in the backend's order (empty before the first fetch).
    pub accounts: Vec<AccountView>,
    /// The account shown; `None` with several accounts shows them all together.
    pub selected: Option<String>,
    /// The shown account's holder, address and email (`None` when all accounts are shown).
    pub customer: Option<Customer>,
    /// Outstanding and processing bills of the accounts shown, as cached.
    pub bills: Vec<BillView>,
    /// The total of the outstanding bills shown, across their accounts, if any.
    pub total_due: Option<Money>,
    /// When the bills shown were fetched (the oldest account's time), if ever.
    pub as_of: Option<AsOf>,
    /// Whether the last attempt to refresh could not reach the backend.
    pub offline: bool,
    /// What went wrong in the last refresh, for the customer (offline included).
    pub problem: Option<ErrorBody>,
    /// Why paying is not possible now, if it is not.
    pub pay_blocked: Option<PayBlock>,
    /// Names the data this view shows, all but when it was fetched: a picture of the screen
    /// saved for one revision ([`SaveFirstPaint`]) is painted at a start only while the cache
    /// holds the same.
    pub revision: String,
}

/// One of the customer's accounts in the switcher: who, where, what is due, and how fresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The account's holder, number, service address and email on file.
    pub customer: Customer,
    /// The total of its outstanding bills, if any.
    pub total_due: Option<Money>,
    /// How many of its bills are outstanding.
    pub bills_due: u32,
    /// When its bills were fetched, if ever.
    pub as_of: Option<AsOf>,
}

/// Arguments of [`ChooseAccount`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoice {
    /// The account number, or `None` for every account together.
    pub account_number: Option<String>,
}

/// A bill as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillView {
    /// The bill's id (for commands, never shown).
    pub id: String,
    /// The account it belongs to.
    pub account_number: String,
    /// The billing period, first and last day (`YYYY-MM-DD`): what the customer reads as the
    /// bill's name, in their language's format.
    pub period: crate::v1::Period,
    /// The due date (`YYYY-MM-DD`).
    pub due_date: String,
    /// The amount.
    pub amount: Money,
    /// Whether a payment of it is under way.
    pub processing: bool,
}

/// Why paying cannot start now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayBlock {
    /// The backend cannot be reached.
    Offline,
    /// Nothing is due.
    NothingDue,
    /// No bill is chosen.
    NothingChosen,
    /// A payment of these bills is still under way: finish or cancel it first.
    PaymentInProgress {
        /// The payment.
        payment: PaymentSummary,
    },
}

/// A payment in a sentence: how much, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSummary {
    /// The local payment flow.
    pub flow_id: i64,
    /// Its total, once the backend computed it.
    pub amount: Option<Money>,
    /// When it was started, RFC 3339 (UTC).
    pub started_at: String,
}

/// Arguments of [`PayView`]: the chosen bills, or `None` for the default (every payable bill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaySelection {
    /// The chosen bills.
    pub bill_ids: Option<Vec<String>>,
}

/// The pay screen, decided by the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayPlan {
    /// The bills that can be chosen.
    pub bills: Vec<BillView>,
    /// The chosen ones.
    pub chosen: Vec<String>,
    /// Their total, if any is chosen.
    pub total: Option<Money>,
    /// Why paying cannot start, if it cannot.
    pub blocked: Option<PayBlock>,
}

/// The payment history: receipts and payments still under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// Receipts, newest first.
    pub receipts: Vec<Receipt>,
    /// Payments of this device still under way.
    pub in_progress: Vec<PaymentSummary>,
    /// Payment attempts that ended without taking money, newest first.
    #[serde(default)]
    pub ended: Vec<EndedPayment>,
    /// When the receipts were fetched, if ever.
    pub as_of: Option<AsOf>,
    /// What went wrong fetching them, if anything.
    pub problem: Option<ErrorBody>,
}

/// A payment attempt that ended without taking money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndedPayment {
    /// The backend's payment id.
    pub payment_id: String,
    /// How it ended.
    pub outcome: EndedOutcome,
    /// What it would have paid.
    pub amount: Money,
    /// When it was started, RFC 3339 (UTC).
    pub started_at: String,
}

/// How a payment attempt ended without taking money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedOutcome {
    /// The customer canceled it.
    Canceled,
    /// The checkout expired unpaid.
    Expired,
    /// A card was declined and the checkout then ended unpaid.
    Declined,
}

impl EndedOutcome {
    /// How a payment ended, from the backend's status and its last failed attempt; `None` for
    /// a payment still under way or paid.
    pub fn of(payment: &crate::v1::Payment) -> Option<Self> {
        use crate::v1::PaymentStatus;
        match (payment.status, payment.decline_code.is_some()) {
            (PaymentStatus::Processing | PaymentStatus::Paid, _) => None,
            (PaymentStatus::Expired | PaymentStatus::Canceled, true) => Some(Self::Declined),
            (PaymentStatus::Expired, false) => Some(Self::Expired),
            (PaymentStatus::Canceled, false) => Some(Self::Canceled),
        }
    }
}

/// Arguments of [`ReceiptOf`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptArgs {
    /// The receipt.
    pub receipt_id: String,
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
    /// When it was started, RFC 3339 (UTC).
    pub started_at: String,
    /// Whether the system browser could not be opened on its checkout page (the customer copies
    /// the link instead).
    pub browser_failed: bool,
    /// Whether the backend answered that it has no record of this payment: nothing can be
    /// charged by it, and the customer may dismiss it to pay its bills again.
    #[serde(default)]
    pub unknown_to_backend: bool,
    /// Why the card was declined, when the state is `Declined` (a code of the catalog).
    #[serde(default)]
    pub decline: Option<crate::ErrorCode>,
    /// The receipt, once paid.
    pub receipt: Option<crate::v1::Receipt>,
}

/// The page global that holds the cached home screen ([`HomeView`] as JSON) when the app starts
/// with a signed-in customer's cache: the shell sets it before the page's first script, so the
/// UI's first render is the cached bills, without waiting for a command.
pub const FIRST_SCREEN_GLOBAL: &str = "__ENERPRO_FIRST_SCREEN__";

/// The largest picture of the home screen the app keeps, in bytes of HTML.
pub const FIRST_PAINT_MAX_BYTES: usize = 256 * 1024;

/// Arguments of [`SaveFirstPaint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstPaintArgs {
    /// The revision of the [`HomeView`] the picture shows.
    pub revision: String,
    /// The home screen's HTML, without what changes with time alone (when the data was
    /// fetched, notices).
    pub html: String,
}

/// Event with a [`PaymentFlow`] payload: a payment changed (polling, return link, webhook).
pub const EVENT_PAYMENT_CHANGED: &str = "payment-changed";

/// Arguments carrying an invitation or sign-in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeArgs {
    /// The code.
    pub code: String,
}

/// Arguments of [`AcceptInvitation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptArgs {
    /// The invitation code.
    pub code: String,
    /// The service postcode.
    pub postcode: String,
}

/// Arguments of [`RequestSignin`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailArgs {
    /// The email address.
    pub email: String,
}

/// Arguments of [`StartPayment`].
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

/// Event (no payload): the check at start found a newer release; the UI asks
/// [`OfferedUpdate`].
pub const EVENT_UPDATE_AVAILABLE: &str = "update-available";

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

/// Arguments of [`Mark`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkArgs {
    /// The mark's name.
    pub name: String,
}

/// A saved choice of backend (support staff, in Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// Arguments of [`ChooseBackend`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseBackendArgs {
    /// The choice.
    pub choice: BackendChoice,
}
