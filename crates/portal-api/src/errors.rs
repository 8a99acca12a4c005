//! Every error code of the portal, and the message catalog that says each one to a customer.
//!
//! The server answers these codes, the core produces its own, and the UI receives them all; the
//! wire strings are the snake_case names below. One table declares each code with its customer
//! message, so a code cannot exist without a sentence for the customer, and no layer keeps a
//! list of its own. Messages say what happened and what to do next, and never carry technical
//! detail (that goes to the log). The catalog is keyed by code and [`Language`], ready for the
//! translations that follow.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A language the catalog speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English (the only complete language today).
    #[default]
    English,
}

/// What the customer can do about an error: the one action a screen offers with its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Try the same thing again (a button that repeats it).
    Retry,
    /// Sign in again (the session is over).
    SignIn,
    /// Correct what was typed and send it again.
    Correct,
    /// Ask Enerpro for a new link or invitation.
    AskForNewLink,
    /// Nothing to do here but go back.
    GoBack,
    /// Contact Enerpro support.
    ContactSupport,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, $next:ident, $message:literal; )*) => {
        /// A stable, machine-readable error code. Unknown codes (from a newer backend) read as
        /// [`ErrorCode::Unknown`].
        // It travels as its wire string, read and written through `as_str` and `from_wire`
        // rather than derived visitors: one string match instead of serde's per-variant
        // visitors keeps the WebAssembly UI smaller.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "openapi", derive(ToSchema), schema(rename_all = "snake_case"))]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know.
            Unknown,
        }

        impl Serialize for ErrorCode {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for ErrorCode {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let wire = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from_wire(&wire))
            }
        }

        impl ErrorCode {
            /// The code with this wire string; [`ErrorCode::Unknown`] for any other.
            pub fn from_wire(wire: &str) -> Self {
                match wire {
                    $( $wire => Self::$variant, )*
                    _ => Self::Unknown,
                }
            }

            /// Every code, in declaration order (for tests and documentation).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)* ErrorCode::Unknown];

            /// The code as it travels on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown => "unknown",
                }
            }

            /// What the customer can do about it.
            pub fn next_step(self) -> NextStep {
                match self {
                    $( Self::$variant => NextStep::$next, )*
                    Self::Unknown => NextStep::ContactSupport,
                }
            }

            /// The customer's message for this code, in `language`.
            pub fn message(self, language: Language) -> &'static str {
                match language {
                    Language::English => match self {
                        $( Self::$variant => $message, )*
                        Self::Unknown => "Something went wrong. Try again; if it keeps happening, contact Enerpro support.",
                    },
                }
            }
        }
    };
}

impl ErrorCode {
    /// The customer's error for a provider's decline code (Stripe's `decline_code`, or its
    /// `code` for card errors). Reasons a customer cannot act on, or that must not be told
    /// (`fraudulent`, `stolen_card`), read as a plain decline.
    pub fn for_decline(decline_code: &str) -> Self {
        match decline_code {
            "insufficient_funds" | "card_velocity_exceeded" => Self::CardInsufficientFunds,
            "expired_card" => Self::CardExpired,
            "incorrect_cvc" | "invalid_cvc" => Self::CardIncorrectCvc,
            _ => Self::CardDeclined,
        }
    }
}

/// The sentence that says how many tries are left, in `language`.
pub fn attempts_left(left: u32, language: Language) -> String {
    match (language, left) {
        (Language::English, 1) => "You have 1 attempt left.".to_owned(),
        (Language::English, n) => format!("You have {n} attempts left."),
    }
}

error_codes! {
    // ---- Reaching the backend ----------------------------------------------------------------
    /// No connection could be made to the backend.
    Offline = "offline", Retry,
        "Cannot reach Enerpro. Check your internet connection and try again.";
    /// The backend did not answer in time.
    Timeout = "timeout", Retry,
        "Enerpro took too long to answer. Try again in a moment.";
    /// The backend answered with a server error (5xx).
    ServerError = "server_error", Retry,
        "Enerpro's service has a problem right now. Try again later.";
    /// The backend failed inside (its own code for a 500).
    InternalError = "internal_error", Retry,
        "Enerpro's service has a problem right now. Try again later.";
    /// The backend answered something this app does not understand.
    InvalidResponse = "invalid_response", Retry,
        "Enerpro sent an answer this version of the app does not understand. Try again later, or update the app.";
    /// The configured backend address is unusable.
    InvalidBackendUrl = "invalid_backend_url", ContactSupport,
        "The app is set up with a server address it cannot use. Choose another server in Settings, or contact Enerpro support.";
    /// The app's UI could not talk to its own core.
    AppBridge = "app_bridge", ContactSupport,
        "The app could not complete that. Restart the app; if it keeps happening, contact Enerpro support.";

    // ---- Session and sign-in -----------------------------------------------------------------
    /// Nobody is signed in on this device.
    NotSignedIn = "not_signed_in", SignIn,
        "You are not signed in. Open your invitation link, or sign in with your email.";
    /// The session is over (revoked, signed out elsewhere).
    Unauthorized = "unauthorized", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// The request had no access token.
    MissingToken = "missing_token", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// The access token has expired (the app refreshes it by itself).
    TokenExpired = "token_expired", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// The session was ended on the server.
    SessionEnded = "session_ended", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// The access token is not valid.
    InvalidToken = "invalid_token", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// The refresh token is not valid.
    InvalidRefreshToken = "invalid_refresh_token", SignIn,
        "Your session has ended. Sign in again with your email.";
    /// A refresh token was used twice: the whole session was ended for safety.
    RefreshTokenReused = "refresh_token_reused", SignIn,
        "For your safety you were signed out. Sign in again with your email.";
    /// Too many attempts.
    RateLimited = "rate_limited", Retry,
        "Too many attempts. Wait a few minutes, then try again.";
    /// The email address is not one.
    InvalidEmail = "invalid_email", Correct,
        "That does not look like an email address. Check it and try again.";
    /// The PKCE challenge is malformed (an app defect).
    InvalidCodeChallenge = "invalid_code_challenge", ContactSupport,
        "Signing in could not start. Update the app; if it keeps happening, contact Enerpro support.";
    /// The sign-in link is wrong, used or expired.
    InvalidSigninCode = "invalid_signin_code", AskForNewLink,
        "This sign-in link does not work any more. Ask for a new link and open the newest one.";
    /// The sign-in link was requested on another device.
    SigninNotStarted = "signin_not_started", AskForNewLink,
        "This sign-in link was requested on another device. Ask for a new link here, on this device.";

    // ---- Invitations -------------------------------------------------------------------------
    /// The invitation has been used.
    InvitationUsed = "invitation_used", SignIn,
        "This invitation has already been used.";
    /// The invitation code is not valid.
    InvitationInvalid = "invitation_invalid", AskForNewLink,
        "This invitation link is not valid. Check that you opened the whole link, or ask Enerpro for a new invitation.";
    /// The invitation has expired.
    InvitationExpired = "invitation_expired", AskForNewLink,
        "This invitation has expired: invitations work for 7 days. Ask Enerpro to send you a new one.";
    /// The postcode does not match the service address.
    WrongPostcode = "wrong_postcode", Correct,
        "That postcode does not match the service address of this account. Check it and try again.";
    /// Too many wrong postcodes: the invitation is spent.
    InvitationLocked = "invitation_locked", AskForNewLink,
        "This invitation was locked after too many wrong postcodes. Ask Enerpro for a new invitation, and have a recent bill at hand for the postcode of the service address.";
    /// Admin: the email is not the one on file.
    EmailNotOnFile = "email_not_on_file", Correct,
        "That email is not the one on file for this account.";

    // ---- Bills and payments ------------------------------------------------------------------
    /// No bills were chosen.
    NoBills = "no_bills", Correct,
        "Choose at least one bill to pay.";
    /// Too many bills in one payment.
    TooManyBills = "too_many_bills", Correct,
        "That is more bills than one payment can hold. Pay fewer at a time.";
    /// A bill is not the customer's (or does not exist).
    UnknownBill = "unknown_bill", Retry,
        "One of those bills is no longer available. Refresh your bills and try again.";
    /// The same bill twice.
    DuplicateBills = "duplicate_bills", Retry,
        "A bill was chosen twice. Refresh your bills and try again.";
    /// A bill is already paid.
    BillAlreadyPaid = "bill_already_paid", Retry,
        "One of those bills is already paid. Refresh your bills to see what is still due.";
    /// A bill is in a payment that has not finished.
    BillInOpenPayment = "bill_in_open_payment", GoBack,
        "These bills are already in a payment that has not finished. Finish or cancel that payment first.";
    /// Bills in different currencies.
    MixedCurrencies = "mixed_currencies", Correct,
        "Bills in different currencies must be paid separately.";
    /// The total is more than one payment may be.
    AmountTooLarge = "amount_too_large", Correct,
        "That total is more than one payment can be. Pay fewer bills at a time.";
    /// The total is below the smallest card payment the provider takes in that currency.
    AmountTooSmall = "amount_too_small", Correct,
        "That total is below the smallest amount that can be paid by card. Pay it together with another bill, or contact Enerpro support.";
    /// The total cannot be charged by card in that currency (e.g. unround three-decimal amounts).
    AmountNotPayableByCard = "amount_not_payable_by_card", ContactSupport,
        "That total cannot be paid by card. Contact Enerpro support to pay it another way.";
    /// An idempotency key was reused for other bills (an app defect).
    IdempotencyConflict = "idempotency_conflict", ContactSupport,
        "The payment could not be started. Restart the app; if it keeps happening, contact Enerpro support.";
    /// A payment request without an idempotency key (an app defect).
    MissingIdempotencyKey = "missing_idempotency_key", ContactSupport,
        "The payment could not be started. Update the app; if it keeps happening, contact Enerpro support.";
    /// The payment provider is not available.
    ProviderUnavailable = "provider_unavailable", Retry,
        "Card payments are not available right now. Nothing was charged; try again later.";
    /// The card was declined.
    CardDeclined = "card_declined", Retry,
        "Your card was not accepted, and nothing was charged. Open the checkout again to try another card, or cancel.";
    /// The bank declined the card for lack of funds.
    CardInsufficientFunds = "card_insufficient_funds", Retry,
        "Your bank declined the card because the funds are not available, and nothing was charged. Try another card, or cancel.";
    /// The card has expired.
    CardExpired = "card_expired", Retry,
        "That card has expired, and nothing was charged. Open the checkout again to use another card, or cancel.";
    /// The security code was wrong.
    CardIncorrectCvc = "card_incorrect_cvc", Retry,
        "The card's security code was not accepted, and nothing was charged. Open the checkout again and check the 3 or 4 digits on the card.";
    /// The backend has no record of a payment this device started.
    PaymentNotOnRecord = "payment_not_on_record", GoBack,
        "Enerpro has no record of this payment, so nothing was charged by it. Dismiss it to pay these bills again.";
    /// A payment this device does not know.
    UnknownPayment = "unknown_payment", GoBack,
        "This payment was not started on this device. Your payment history lists every payment.";
    /// The system browser could not be opened.
    BrowserUnavailable = "browser_unavailable", Retry,
        "The payment page could not be opened in your web browser. Copy the payment link and open it in a browser yourself.";
    /// The backend named a checkout page this build does not open.
    CheckoutNotAllowed = "checkout_not_allowed", ContactSupport,
        "The payment page could not be opened safely, so nothing was opened. Contact Enerpro support.";

    // ---- Requests the backend refused (app or client defects) --------------------------------
    /// The record does not exist.
    NotFound = "not_found", GoBack,
        "That could not be found. Go back and try again.";
    /// The body is not JSON.
    MalformedJson = "malformed_json", ContactSupport,
        "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.";
    /// The body is not JSON at all (content type).
    ExpectedJson = "expected_json", ContactSupport,
        "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.";
    /// The body does not have the expected fields.
    InvalidBody = "invalid_body", ContactSupport,
        "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.";
    /// The body is too large.
    BodyTooLarge = "body_too_large", Correct,
        "That is more than Enerpro accepts at once. Send less and try again.";
    /// A list filter is not known.
    InvalidFilter = "invalid_filter", ContactSupport,
        "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.";
    /// Admin: the admin key is wrong.
    InvalidAdminKey = "invalid_admin_key", Correct,
        "The admin key is not valid.";
    /// A webhook's signature is wrong.
    InvalidSignature = "invalid_signature", ContactSupport,
        "The event's signature is not valid.";
    /// The server is not configured for this.
    NotConfigured = "not_configured", ContactSupport,
        "This server does not offer that.";
    /// An update request named a version that is not one.
    InvalidVersion = "invalid_version", ContactSupport,
        "The app's version could not be read. Contact Enerpro support.";
    /// An update request named an unknown platform.
    InvalidPlatform = "invalid_platform", ContactSupport,
        "There are no updates for this kind of device.";

    // ---- This device -------------------------------------------------------------------------
    /// No OS credential store.
    CredentialStoreMissing = "credential_store_missing", ContactSupport,
        "This device has no safe place to keep you signed in (a keyring). On Linux, install and start a keyring such as GNOME Keyring, then open the app again.";
    /// The OS credential store is locked.
    CredentialStoreLocked = "credential_store_locked", Retry,
        "Your keyring is locked, so the app cannot keep you signed in. Unlock it (for example by logging in to your computer again) and try once more.";
    /// The OS credential store failed.
    CredentialStoreFailed = "credential_store_failed", Retry,
        "Your keyring did not answer. Try again; if it keeps failing, restart the device.";
    /// The local data folder failed.
    CacheFailed = "cache_failed", ContactSupport,
        "The app could not use its data folder on this device. Restart the app; if it keeps happening, contact Enerpro support.";
    /// The core is still opening.
    Starting = "starting", Retry,
        "The app is still starting. Try again in a moment.";

    // ---- Deep links --------------------------------------------------------------------------
    /// Longer than any portal link.
    LinkTooLong = "link_too_long", GoBack,
        "That link is far too long to be an Enerpro link, so it was ignored.";
    /// Not a URL.
    LinkMalformed = "link_malformed", GoBack,
        "That link could not be read, so it was ignored.";
    /// Not the portal's link.
    LinkForeign = "link_foreign", GoBack,
        "That link does not belong to the Enerpro portal, so it was ignored.";
    /// The portal's scheme, but no action the app knows.
    LinkUnknown = "link_unknown", GoBack,
        "That Enerpro link is not one this app knows. It may be from a newer version: update the app or ask for a new link.";
    /// The code is missing.
    LinkMissingCode = "link_missing_code", AskForNewLink,
        "That Enerpro link is incomplete: its code is missing. Open the link from your email again, or ask for a new one.";
    /// The code is damaged.
    LinkInvalidCode = "link_invalid_code", AskForNewLink,
        "That Enerpro link is damaged: its code is not valid. Open the link from your email again, or ask for a new one.";
    /// Parts a portal link never has.
    LinkUnexpectedPart = "link_unexpected_part", GoBack,
        "That Enerpro link contains parts a real Enerpro link never has, so it was ignored.";
    /// Pasted text that is no link and no code.
    LinkNotACode = "link_not_a_code", Correct,
        "That is neither an Enerpro link nor an invitation code. Copy the whole link from your invitation email and paste it again.";

    // ---- Updates -----------------------------------------------------------------------------
    /// No update could be looked for or fetched.
    UpdateUnavailable = "update_unavailable", Retry,
        "Could not reach Enerpro's updates right now. Check your internet connection and try again later; this version keeps working.";
    /// A downloaded update is not signed by Enerpro.
    UpdateNotVerified = "update_not_verified", ContactSupport,
        "This update is not signed by Enerpro, so it was not installed. This version keeps working; report it to Enerpro support.";
    /// A verified update could not be installed.
    UpdateFailed = "update_failed", Retry,
        "The update could not be installed. This version keeps working; try again later.";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_as_their_snake_case_names() {
        for code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), *code);
        }
    }

    #[test]
    fn an_unknown_code_from_a_newer_backend_reads_as_unknown() {
        let code: ErrorCode = serde_json::from_str("\"brand_new_code\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }

    #[test]
    fn every_code_has_a_customer_message_without_technical_detail() {
        let mut wires = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(wires.insert(code.as_str()), "{code} declared twice");
            let message = code.message(Language::English);
            assert!(message.ends_with('.'), "{code}: {message}");
            for technical in ["HTTP", "Err", "_", "::", "{", "Stripe"] {
                assert!(!message.contains(technical), "{code}: {message}");
            }
        }
    }
}
