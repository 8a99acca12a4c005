//! The portal's deep links, declared once: the server builds them (invitation and sign-in mails,
//! the checkout's return page) with [`DeepLink::app_url`] and [`DeepLink::web_url`], and the
//! app's parser (`portal_core::deep_link`) reads the same [`SCHEME`], [`WEB_PREFIX`] and
//! [`DeepLink::action`] names back.

use serde::{Deserialize, Serialize};

/// The app's private-use URL scheme (desktop, RFC 8252).
pub const SCHEME: &str = "com.enerpro.portal";
/// The path prefix of claimed `https://<portal host>/app/…` links (phones).
pub const WEB_PREFIX: &str = "/app/";
/// The action of an invitation link.
pub const INVITE: &str = "invite";
/// The action of a sign-in link.
pub const SIGN_IN: &str = "signin";
/// The action of the link the checkout's return page hands over.
pub const PAYMENT_RETURN: &str = "payment/return";
/// The action of a notification's link to a bill.
pub const BILL: &str = "bill";
/// The action of a notification's link to a payment (its receipt, or what became of it).
pub const PAYMENT: &str = "payment";
/// The action of the link the card-setup page's return hands over (autopay).
pub const AUTOPAY_RETURN: &str = "autopay/return";

/// A deep link the app understood. It never carries a backend address: the backend is chosen by
/// the build and the settings, never by a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// `…://bill?id=ID`: a notification about a bill.
    Bill {
        /// The bill's id, already checked for charset and length.
        id: String,
    },
    /// `…://payment?id=ID`: a notification about a payment.
    Payment {
        /// The payment's id, already checked for charset and length.
        id: String,
    },
    /// `…://autopay/return?account=NUMBER`: the browser came back from saving a card.
    AutopayReturn {
        /// The account the card was saved for, already checked for charset and length.
        account: String,
    },
}

impl DeepLink {
    /// The screen a notification opens: its payment, else its bill.
    pub fn for_notice(bill_id: Option<&str>, payment_id: Option<&str>) -> Self {
        match payment_id {
            Some(payment) => Self::Payment {
                id: payment.to_owned(),
            },
            None => Self::Bill {
                id: bill_id.unwrap_or_default().to_owned(),
            },
        }
    }

    /// The link's action and its one parameter: name and value.
    pub fn action(&self) -> (&'static str, &'static str, &str) {
        match self {
            Self::Invite { code } => (INVITE, "code", code),
            Self::SignIn { code } => (SIGN_IN, "code", code),
            Self::PaymentReturn { payment } => (PAYMENT_RETURN, "payment", payment),
            Self::Bill { id } => (BILL, "id", id),
            Self::Payment { id } => (PAYMENT, "id", id),
            Self::AutopayReturn { account } => (AUTOPAY_RETURN, "account", account),
        }
    }

    /// The link for desktops: `com.enerpro.portal://ACTION?NAME=VALUE`.
    pub fn app_url(&self) -> String {
        let (action, name, value) = self.action();
        format!("{SCHEME}://{action}?{name}={value}")
    }

    /// The claimed link for phones: `https://HOST/app/ACTION?NAME=VALUE`.
    pub fn web_url(&self, portal_host: &str) -> String {
        let (action, name, value) = self.action();
        format!("https://{portal_host}{WEB_PREFIX}{action}?{name}={value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_built_in_both_forms() {
        let invite = DeepLink::Invite { code: "abc".into() };
        assert_eq!(invite.app_url(), "com.enerpro.portal://invite?code=abc");
        assert_eq!(
            invite.web_url("portal.example"),
            "https://portal.example/app/invite?code=abc"
        );
        let back = DeepLink::PaymentReturn {
            payment: "pay_1".into(),
        };
        assert_eq!(
            back.app_url(),
            "com.enerpro.portal://payment/return?payment=pay_1"
        );
    }
}
