//! The mails the backend sends, composed in one place: what each says, to whom, of which kind,
//! in the language the customer reads. The store only keeps them (the outbox); it never writes
//! their text.

use portal_api::Language;
use portal_api::links::DeepLink;
use portal_api::v1::{Money, NotificationKind};

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

/// Who a mail goes to, and in which language.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The address.
    pub email: &'a str,
    /// The customer's name.
    pub name: &'a str,
    /// The language the customer reads.
    pub language: Language,
}

/// The invitation: both links and until when they work.
pub fn invitation(to: Recipient<'_>, code: &str, portal_host: &str, expires_at: &str) -> Mail {
    let link = DeepLink::Invite {
        code: code.to_owned(),
    };
    let (app, web, name) = (link.app_url(), link.web_url(portal_host), to.name);
    let (subject, body) = match to.language {
        Language::English => (
            "Your invitation to the Enerpro portal",
            format!(
                "Hello {name},\n\nYou are invited to the Enerpro customer portal, where you can see and pay your bills.\n\nOpen this link on your computer: {app}\nOr on your phone: {web}\n\nYou will be asked for the postcode of your service address. The link works once, until {expires_at}."
            ),
        ),
        Language::Spanish => (
            "Su invitación al portal de Enerpro",
            format!(
                "Hola, {name}:\n\nLe invitamos al portal de clientes de Enerpro, donde puede ver y pagar sus facturas.\n\nAbra este enlace en su computadora: {app}\nO en su teléfono: {web}\n\nSe le pedirá el código postal de su dirección de servicio. El enlace funciona una sola vez, hasta el {expires_at}."
            ),
        ),
    };
    Mail {
        to: to.email.to_owned(),
        kind: "invitation",
        subject: subject.to_owned(),
        body,
    }
}

/// A passwordless sign-in link.
pub fn sign_in(to: Recipient<'_>, code: &str, portal_host: &str) -> Mail {
    let link = DeepLink::SignIn {
        code: code.to_owned(),
    };
    let (app, web, name) = (link.app_url(), link.web_url(portal_host), to.name);
    let (subject, body) = match to.language {
        Language::English => (
            "Your Enerpro sign-in link",
            format!(
                "Hello {name},\n\nOpen this link on the device where you asked to sign in:\n{app}\n\nOn a phone: {web}\n\nThe link works once, for 15 minutes. If you did not ask to sign in, ignore this mail."
            ),
        ),
        Language::Spanish => (
            "Su enlace para iniciar sesión en Enerpro",
            format!(
                "Hola, {name}:\n\nAbra este enlace en el dispositivo donde pidió iniciar sesión:\n{app}\n\nEn un teléfono: {web}\n\nEl enlace funciona una sola vez, durante 15 minutos. Si no pidió iniciar sesión, ignore este correo."
            ),
        ),
    };
    Mail {
        to: to.email.to_owned(),
        kind: "signin",
        subject: subject.to_owned(),
        body,
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
pub fn receipt(to: Recipient<'_>, facts: &ReceiptFacts<'_>) -> Mail {
    let (brand, last4) = facts.card;
    let (number, total, transaction) = (facts.number, facts.total.display(), facts.transaction_id);
    let (subject, body) = match to.language {
        Language::English => (
            format!("Your Enerpro receipt {number}"),
            format!(
                "Thank you for your payment.\n\nReceipt {number}\nTotal paid: {total}\nTransaction: {transaction}\nCard: {brand} ending {last4}\n\nThe receipt is also in the Enerpro app under Payments."
            ),
        ),
        Language::Spanish => (
            format!("Su recibo de Enerpro {number}"),
            format!(
                "Gracias por su pago.\n\nRecibo {number}\nTotal pagado: {total}\nTransacción: {transaction}\nTarjeta: {brand} terminada en {last4}\n\nEl recibo también está en la aplicación de Enerpro, en Pagos."
            ),
        ),
    };
    Mail {
        to: to.email.to_owned(),
        kind: "receipt",
        subject,
        body,
    }
}

/// What a notification says: its kind, the amount, and the bill's due date.
pub struct NoticeFacts<'a> {
    /// What happened.
    pub kind: NotificationKind,
    /// The bill's or payment's amount.
    pub amount: &'a Money,
    /// The bill's due date, if it is about a bill.
    pub due_date: Option<&'a str>,
}

/// A notification's title and text for a phone's push (short, no name or link): the
/// catalog's wording, as the desktop app shows it.
pub fn push_text(language: Language, facts: &NoticeFacts<'_>) -> (String, String) {
    let (title, text) =
        portal_api::i18n::notice(language, facts.kind, facts.amount, facts.due_date);
    (title.to_owned(), text)
}

/// A notification by email: the push's words, with a greeting and where to act.
pub fn notice(to: Recipient<'_>, facts: &NoticeFacts<'_>) -> Mail {
    let (title, text) = push_text(to.language, facts);
    let name = to.name;
    let body = match to.language {
        Language::English => format!(
            "Hello {name},\n\n{text}\n\nOpen the Enerpro app to see your bills and payments. You can choose which notices you get in Settings."
        ),
        Language::Spanish => format!(
            "Hola, {name}:\n\n{text}\n\nAbra la aplicación de Enerpro para ver sus facturas y pagos. Puede elegir qué avisos recibe en Configuración."
        ),
    };
    Mail {
        to: to.email.to_owned(),
        kind: facts.kind.as_str(),
        subject: format!("Enerpro: {title}"),
        body,
    }
}
