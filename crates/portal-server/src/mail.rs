//! The mails the backend sends, composed in one place: what each says, to whom, of which kind.
//! The store only keeps them (the outbox); it never writes their text.

use portal_api::links::DeepLink;
use portal_api::v1::Money;

/// A composed mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The address.
    pub to: String,
    /// What kind of mail it is (`invitation`, `signin`, `receipt`), for the outbox.
    pub kind: &'static str,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// The invitation: both links and until when they work.
pub fn invitation(to: &str, name: &str, code: &str, portal_host: &str, expires_at: &str) -> Mail {
    let link = DeepLink::Invite {
        code: code.to_owned(),
    };
    Mail {
        to: to.to_owned(),
        kind: "invitation",
        subject: "Your invitation to the Enerpro portal".to_owned(),
        body: format!(
            "Hello {name},\n\nYou are invited to the Enerpro customer portal, where you can see and pay your bills.\n\nOpen this link on your computer: {}\nOr on your phone: {}\n\nYou will be asked for the postcode of your service address. The link works once, until {expires_at}.",
            link.app_url(),
            link.web_url(portal_host)
        ),
    }
}

/// A passwordless sign-in link.
pub fn sign_in(to: &str, name: &str, code: &str, portal_host: &str) -> Mail {
    let link = DeepLink::SignIn {
        code: code.to_owned(),
    };
    Mail {
        to: to.to_owned(),
        kind: "signin",
        subject: "Your Enerpro sign-in link".to_owned(),
        body: format!(
            "Hello {name},\n\nOpen this link on the device where you asked to sign in:\n{}\n\nOn a phone: {}\n\nThe link works once, for 15 minutes. If you did not ask to sign in, ignore this mail.",
            link.app_url(),
            link.web_url(portal_host)
        ),
    }
}

/// What a receipt mail needs to say.
pub struct ReceiptFacts<'a> {
    /// The receipt number.
    pub number: &'a str,
    /// The total paid.
    pub total: &'a Money,
    /// The provider's transaction id.
    pub transaction_id: &'a str,
    /// Card brand and last four digits.
    pub card: (&'a str, &'a str),
}

/// The receipt of a payment.
pub fn receipt(to: &str, facts: &ReceiptFacts<'_>) -> Mail {
    let (brand, last4) = facts.card;
    Mail {
        to: to.to_owned(),
        kind: "receipt",
        subject: format!("Your Enerpro receipt {}", facts.number),
        body: format!(
            "Thank you for your payment.\n\nReceipt {}\nTotal paid: {}\nTransaction: {}\nCard: {brand} ending {last4}\n\nThe receipt is also in the Enerpro app under Payments.",
            facts.number,
            facts.total.display(),
            facts.transaction_id
        ),
    }
}
