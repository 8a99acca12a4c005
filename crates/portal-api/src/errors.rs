//! Every error code of the portal, and the message catalog that says each one to a customer.
//!
//! The server answers these codes, the core produces its own, and the UI receives them all; the
//! wire strings are the snake_case names below. One table declares each code with its customer
//! message, so a code cannot exist without a sentence for the customer, and no layer keeps a
//! list of its own. Messages say what happened and what to do next, and never carry technical
//! detail (that goes to the log). The catalog is keyed by code and [`Language`]: every code says
//! its message in every language the app speaks.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

pub use crate::i18n::Language;

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
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, $next:ident, en: $en:literal, es: $es:literal; )*) => {
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

            /// The customer's message for this code, in `language`. Every code must have both
            /// languages (the table's syntax requires them), so the catalog is complete by
            /// construction.
            pub fn message(self, language: Language) -> &'static str {
                match language {
                    Language::English => match self {
                        $( Self::$variant => $en, )*
                        Self::Unknown => "Something went wrong. Try again; if it keeps happening, contact Enerpro support.",
                    },
                    Language::Spanish => match self {
                        $( Self::$variant => $es, )*
                        Self::Unknown => "Algo salió mal. Inténtelo de nuevo; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.",
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
    crate::i18n::plural(
        language,
        u64::from(left),
        crate::i18n::Text::AttemptsLeftOne,
        crate::i18n::Text::AttemptsLeftOther,
    )
}

error_codes! {
    // ---- Reaching the backend ----------------------------------------------------------------
    /// No connection could be made to the backend.
    Offline = "offline", Retry,
        en: "Cannot reach Enerpro. Check your internet connection and try again.",
        es: "No se puede conectar con Enerpro. Revise su conexión a internet e inténtelo de nuevo.";
    /// The backend did not answer in time.
    Timeout = "timeout", Retry,
        en: "Enerpro took too long to answer. Try again in a moment.",
        es: "Enerpro tardó demasiado en responder. Inténtelo de nuevo en un momento.";
    /// The backend answered with a server error (5xx).
    ServerError = "server_error", Retry,
        en: "Enerpro's service has a problem right now. Try again later.",
        es: "El servicio de Enerpro tiene un problema en este momento. Inténtelo más tarde.";
    /// The backend failed inside (its own code for a 500).
    InternalError = "internal_error", Retry,
        en: "Enerpro's service has a problem right now. Try again later.",
        es: "El servicio de Enerpro tiene un problema en este momento. Inténtelo más tarde.";
    /// The backend answered something this app does not understand.
    InvalidResponse = "invalid_response", Retry,
        en: "Enerpro sent an answer this version of the app does not understand. Try again later, or update the app.",
        es: "Enerpro envió una respuesta que esta versión de la aplicación no entiende. Inténtelo más tarde o actualice la aplicación.";
    /// The configured backend address is unusable.
    InvalidBackendUrl = "invalid_backend_url", ContactSupport,
        en: "The app is set up with a server address it cannot use. Choose another server in Settings, or contact Enerpro support.",
        es: "La aplicación tiene configurada una dirección de servidor que no puede usar. Elija otro servidor en Configuración o comuníquese con el soporte de Enerpro.";
    /// The app's UI could not talk to its own core.
    AppBridge = "app_bridge", ContactSupport,
        en: "The app could not complete that. Restart the app; if it keeps happening, contact Enerpro support.",
        es: "La aplicación no pudo completar esa acción. Reinicie la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";

    // ---- Session and sign-in -----------------------------------------------------------------
    /// Nobody is signed in on this device.
    NotSignedIn = "not_signed_in", SignIn,
        en: "You are not signed in. Open your invitation link, or sign in with your email.",
        es: "No ha iniciado sesión. Abra su enlace de invitación o inicie sesión con su correo electrónico.";
    /// The session is over (revoked, signed out elsewhere).
    Unauthorized = "unauthorized", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// The request had no access token.
    MissingToken = "missing_token", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// The access token has expired (the app refreshes it by itself).
    TokenExpired = "token_expired", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// The session was ended on the server.
    SessionEnded = "session_ended", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// The access token is not valid.
    InvalidToken = "invalid_token", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// The refresh token is not valid.
    InvalidRefreshToken = "invalid_refresh_token", SignIn,
        en: "Your session has ended. Sign in again with your email.",
        es: "Su sesión ha terminado. Vuelva a iniciar sesión con su correo electrónico.";
    /// A refresh token was used twice: the whole session was ended for safety.
    RefreshTokenReused = "refresh_token_reused", SignIn,
        en: "For your safety you were signed out. Sign in again with your email.",
        es: "Por su seguridad, se cerró su sesión. Vuelva a iniciar sesión con su correo electrónico.";
    /// Too many attempts.
    RateLimited = "rate_limited", Retry,
        en: "Too many attempts. Wait a few minutes, then try again.",
        es: "Demasiados intentos. Espere unos minutos y vuelva a intentarlo.";
    /// The email address is not one.
    InvalidEmail = "invalid_email", Correct,
        en: "That does not look like an email address. Check it and try again.",
        es: "Eso no parece una dirección de correo electrónico. Revísela e inténtelo de nuevo.";
    /// The PKCE challenge is malformed (an app defect).
    InvalidCodeChallenge = "invalid_code_challenge", ContactSupport,
        en: "Signing in could not start. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo iniciar la sesión. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// The sign-in link is wrong, used or expired.
    InvalidSigninCode = "invalid_signin_code", AskForNewLink,
        en: "This sign-in link does not work any more. Ask for a new link and open the newest one.",
        es: "Este enlace para iniciar sesión ya no funciona. Pida un enlace nuevo y abra el más reciente.";
    /// The sign-in link was requested on another device.
    SigninNotStarted = "signin_not_started", AskForNewLink,
        en: "This sign-in link was requested on another device. Ask for a new link here, on this device.",
        es: "Este enlace para iniciar sesión se pidió en otro dispositivo. Pida un enlace nuevo aquí, en este dispositivo.";

    // ---- Invitations -------------------------------------------------------------------------
    /// The invitation has been used.
    InvitationUsed = "invitation_used", SignIn,
        en: "This invitation has already been used.",
        es: "Esta invitación ya se usó.";
    /// The invitation code is not valid.
    InvitationInvalid = "invitation_invalid", AskForNewLink,
        en: "This invitation link is not valid. Check that you opened the whole link, or ask Enerpro for a new invitation.",
        es: "Este enlace de invitación no es válido. Compruebe que abrió el enlace completo o pida a Enerpro una invitación nueva.";
    /// The invitation has expired.
    InvitationExpired = "invitation_expired", AskForNewLink,
        en: "This invitation has expired: invitations work for 7 days. Ask Enerpro to send you a new one.",
        es: "Esta invitación venció: las invitaciones son válidas durante 7 días. Pida a Enerpro que le envíe una nueva.";
    /// The postcode does not match the service address.
    WrongPostcode = "wrong_postcode", Correct,
        en: "That postcode does not match the service address of this account. Check it and try again.",
        es: "Ese código postal no coincide con la dirección de servicio de esta cuenta. Revíselo e inténtelo de nuevo.";
    /// Too many wrong postcodes: the invitation is spent.
    InvitationLocked = "invitation_locked", AskForNewLink,
        en: "This invitation was locked after too many wrong postcodes. Ask Enerpro for a new invitation, and have a recent bill at hand for the postcode of the service address.",
        es: "Esta invitación se bloqueó después de demasiados códigos postales incorrectos. Pida a Enerpro una invitación nueva y tenga a mano una factura reciente para ver el código postal de la dirección de servicio.";
    /// Autopay turned on without a saved card.
    AutopayNeedsCard = "autopay_needs_card", Correct,
        en: "Save a card first, then turn on automatic payments.",
        es: "Primero guarde una tarjeta y luego active los pagos automáticos.";
    /// An autopay maximum of zero or less, or above the limit.
    AutopayMaximumInvalid = "autopay_maximum_invalid", Correct,
        en: "Choose a maximum above zero and no more than 10,000.",
        es: "Elija un máximo mayor que cero y no más de 10.000.";
    /// No saved card to remove.
    NoSavedCard = "no_saved_card", GoBack,
        en: "There is no saved card on this account.",
        es: "Esta cuenta no tiene una tarjeta guardada.";
    /// An invitation for an account this sign-in already holds.
    AccountAlreadyAdded = "account_already_added", GoBack,
        en: "This account is already among yours: nothing was added. Choose it from your accounts.",
        es: "Esta cuenta ya está entre las suyas: no se agregó nada. Elíjala entre sus cuentas.";
    /// Admin: the email is not the one on file.
    EmailNotOnFile = "email_not_on_file", Correct,
        en: "That email is not the one on file for this account.",
        es: "Ese correo electrónico no es el que figura en esta cuenta.";

    // ---- Bills and payments ------------------------------------------------------------------
    /// No bills were chosen.
    NoBills = "no_bills", Correct,
        en: "Choose at least one bill to pay.",
        es: "Elija al menos una factura para pagar.";
    /// Too many bills in one payment.
    TooManyBills = "too_many_bills", Correct,
        en: "That is more bills than one payment can hold. Pay fewer at a time.",
        es: "Son más facturas de las que caben en un solo pago. Pague menos a la vez.";
    /// A bill is not the customer's (or does not exist).
    UnknownBill = "unknown_bill", Retry,
        en: "One of those bills is no longer available. Refresh your bills and try again.",
        es: "Una de esas facturas ya no está disponible. Actualice sus facturas e inténtelo de nuevo.";
    /// The same bill twice.
    DuplicateBills = "duplicate_bills", Retry,
        en: "A bill was chosen twice. Refresh your bills and try again.",
        es: "Se eligió una factura dos veces. Actualice sus facturas e inténtelo de nuevo.";
    /// A bill is already paid.
    BillAlreadyPaid = "bill_already_paid", Retry,
        en: "One of those bills is already paid. Refresh your bills to see what is still due.",
        es: "Una de esas facturas ya está pagada. Actualice sus facturas para ver lo que queda pendiente.";
    /// A bill is in a payment that has not finished.
    BillInOpenPayment = "bill_in_open_payment", GoBack,
        en: "These bills are already in a payment that has not finished. Finish or cancel that payment first.",
        es: "Estas facturas ya están en un pago que no ha terminado. Termine o cancele ese pago primero.";
    /// Bills in different currencies.
    MixedCurrencies = "mixed_currencies", Correct,
        en: "Bills in different currencies must be paid separately.",
        es: "Las facturas en monedas distintas se deben pagar por separado.";
    /// The total is more than one payment may be.
    AmountTooLarge = "amount_too_large", Correct,
        en: "That total is more than one payment can be. Pay fewer bills at a time.",
        es: "Ese total supera lo que puede ser un solo pago. Pague menos facturas a la vez.";
    /// The total is below the smallest card payment the provider takes in that currency.
    AmountTooSmall = "amount_too_small", Correct,
        en: "That total is below the smallest amount that can be paid by card. Pay it together with another bill, or contact Enerpro support.",
        es: "Ese total es menor que el importe mínimo que se puede pagar con tarjeta. Páguelo junto con otra factura o comuníquese con el soporte de Enerpro.";
    /// The total cannot be charged by card in that currency (e.g. unround three-decimal amounts).
    AmountNotPayableByCard = "amount_not_payable_by_card", ContactSupport,
        en: "That total cannot be paid by card. Contact Enerpro support to pay it another way.",
        es: "Ese total no se puede pagar con tarjeta. Comuníquese con el soporte de Enerpro para pagarlo de otra forma.";
    /// An idempotency key was reused for other bills (an app defect).
    IdempotencyConflict = "idempotency_conflict", ContactSupport,
        en: "The payment could not be started. Restart the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo iniciar el pago. Reinicie la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// A payment request without an idempotency key (an app defect).
    MissingIdempotencyKey = "missing_idempotency_key", ContactSupport,
        en: "The payment could not be started. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo iniciar el pago. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// The payment provider is not available.
    ProviderUnavailable = "provider_unavailable", Retry,
        en: "Card payments are not available right now. Nothing was charged; try again later.",
        es: "Los pagos con tarjeta no están disponibles en este momento. No se cobró nada; inténtelo más tarde.";
    /// The card was declined.
    CardDeclined = "card_declined", Retry,
        en: "Your card was not accepted, and nothing was charged. Open the checkout again to try another card, or cancel.",
        es: "Su tarjeta no fue aceptada y no se cobró nada. Abra el pago de nuevo para probar otra tarjeta, o cancele.";
    /// The bank declined the card for lack of funds.
    CardInsufficientFunds = "card_insufficient_funds", Retry,
        en: "Your bank declined the card because the funds are not available, and nothing was charged. Try another card, or cancel.",
        es: "Su banco rechazó la tarjeta por falta de fondos y no se cobró nada. Pruebe otra tarjeta, o cancele.";
    /// The card has expired.
    CardExpired = "card_expired", Retry,
        en: "That card has expired, and nothing was charged. Open the checkout again to use another card, or cancel.",
        es: "Esa tarjeta está vencida y no se cobró nada. Abra el pago de nuevo para usar otra tarjeta, o cancele.";
    /// The security code was wrong.
    CardIncorrectCvc = "card_incorrect_cvc", Retry,
        en: "The card's security code was not accepted, and nothing was charged. Open the checkout again and check the 3 or 4 digits on the card.",
        es: "No se aceptó el código de seguridad de la tarjeta y no se cobró nada. Abra el pago de nuevo y revise los 3 o 4 dígitos de la tarjeta.";
    /// The backend has no record of a payment this device started.
    PaymentNotOnRecord = "payment_not_on_record", GoBack,
        en: "Enerpro has no record of this payment, so nothing was charged by it. Dismiss it to pay these bills again.",
        es: "Enerpro no tiene registro de este pago, así que no se cobró nada por él. Descártelo para volver a pagar estas facturas.";
    /// A payment this device does not know.
    UnknownPayment = "unknown_payment", GoBack,
        en: "This payment was not started on this device. Your payment history lists every payment.",
        es: "Este pago no se inició en este dispositivo. Su historial de pagos muestra todos los pagos.";
    /// The system browser could not open the page where a card is saved.
    CardPageUnavailable = "card_page_unavailable", Retry,
        en: "The page to save your card could not be opened in your web browser. Check that a web browser is installed, then try again.",
        es: "No se pudo abrir en su navegador la página para guardar su tarjeta. Compruebe que tiene un navegador instalado e inténtelo de nuevo.";
    /// The system browser could not be opened.
    BrowserUnavailable = "browser_unavailable", Retry,
        en: "The payment page could not be opened in your web browser. Copy the payment link and open it in a browser yourself.",
        es: "No se pudo abrir la página de pago en su navegador. Copie el enlace de pago y ábralo usted mismo en un navegador.";
    /// The backend named a checkout page this build does not open.
    CheckoutNotAllowed = "checkout_not_allowed", ContactSupport,
        en: "The payment page could not be opened safely, so nothing was opened. Contact Enerpro support.",
        es: "La página de pago no se pudo abrir de forma segura, así que no se abrió nada. Comuníquese con el soporte de Enerpro.";
    /// A day the usage chart cannot show (not a date).
    InvalidDate = "invalid_date", Correct,
        en: "That day could not be read. Choose a day from the calendar.",
        es: "No se pudo leer ese día. Elija un día del calendario.";
    /// A file could not be written where the customer chose.
    FileNotSaved = "file_not_saved", Retry,
        en: "The file could not be saved there. Choose another folder and try again.",
        es: "No se pudo guardar el archivo ahí. Elija otra carpeta e inténtelo de nuevo.";
    /// The system has no viewer that opened the document.
    ViewerUnavailable = "viewer_unavailable", Retry,
        en: "The PDF could not be opened on this device. Save it instead and open it from its folder.",
        es: "No se pudo abrir el PDF en este dispositivo. Guárdelo y ábralo desde su carpeta.";
    /// A bill (a notification's) is on none of the customer's accounts any more.
    BillUnavailable = "bill_unavailable", GoBack,
        en: "That bill is no longer on any of your accounts. Here are your bills.",
        es: "Esa factura ya no está en ninguna de sus cuentas. Aquí están sus facturas.";

    // ---- Requests the backend refused (app or client defects) --------------------------------
    /// The record does not exist.
    NotFound = "not_found", GoBack,
        en: "That could not be found. Go back and try again.",
        es: "No se encontró. Vuelva atrás e inténtelo de nuevo.";
    /// The body is not JSON.
    MalformedJson = "malformed_json", ContactSupport,
        en: "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo leer la solicitud. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// The body is not JSON at all (content type).
    ExpectedJson = "expected_json", ContactSupport,
        en: "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo leer la solicitud. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// The body does not have the expected fields.
    InvalidBody = "invalid_body", ContactSupport,
        en: "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo leer la solicitud. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// Admin: an import was refused as a whole (its message names the place).
    ImportRejected = "import_rejected", Correct,
        en: "The import was refused, and nothing was imported.",
        es: "Se rechazó la importación y no se importó nada.";
    /// The body is too large.
    BodyTooLarge = "body_too_large", Correct,
        en: "That is more than Enerpro accepts at once. Send less and try again.",
        es: "Es más de lo que Enerpro acepta de una vez. Envíe menos e inténtelo de nuevo.";
    /// A list filter is not known.
    InvalidFilter = "invalid_filter", ContactSupport,
        en: "The request could not be read. Update the app; if it keeps happening, contact Enerpro support.",
        es: "No se pudo leer la solicitud. Actualice la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// Admin: the admin key is wrong.
    InvalidAdminKey = "invalid_admin_key", Correct,
        en: "The admin key is not valid.",
        es: "La clave de administración no es válida.";
    /// A webhook's signature is wrong.
    InvalidSignature = "invalid_signature", ContactSupport,
        en: "The event's signature is not valid.",
        es: "La firma del evento no es válida.";
    /// The server is not configured for this.
    NotConfigured = "not_configured", ContactSupport,
        en: "This server does not offer that.",
        es: "Este servidor no ofrece eso.";
    /// An update request named a version that is not one.
    InvalidVersion = "invalid_version", ContactSupport,
        en: "The app's version could not be read. Contact Enerpro support.",
        es: "No se pudo leer la versión de la aplicación. Comuníquese con el soporte de Enerpro.";
    /// An update request named an unknown platform.
    InvalidPlatform = "invalid_platform", ContactSupport,
        en: "There are no updates for this kind of device.",
        es: "No hay actualizaciones para este tipo de dispositivo.";

    // ---- This device -------------------------------------------------------------------------
    /// No OS credential store.
    CredentialStoreMissing = "credential_store_missing", ContactSupport,
        en: "This device has no safe place to keep you signed in (a keyring). On Linux, install and start a keyring such as GNOME Keyring, then open the app again.",
        es: "Este dispositivo no tiene un lugar seguro para mantener su sesión iniciada (un llavero). En Linux, instale e inicie un llavero como GNOME Keyring y vuelva a abrir la aplicación.";
    /// The OS credential store is locked.
    CredentialStoreLocked = "credential_store_locked", Retry,
        en: "Your keyring is locked, so the app cannot keep you signed in. Unlock it (for example by logging in to your computer again) and try once more.",
        es: "Su llavero está bloqueado, así que la aplicación no puede mantener su sesión iniciada. Desbloquéelo (por ejemplo, volviendo a iniciar sesión en su computadora) e inténtelo otra vez.";
    /// The OS credential store failed.
    CredentialStoreFailed = "credential_store_failed", Retry,
        en: "Your keyring did not answer. Try again; if it keeps failing, restart the device.",
        es: "Su llavero no respondió. Inténtelo de nuevo; si sigue fallando, reinicie el dispositivo.";
    /// The local data folder failed.
    CacheFailed = "cache_failed", ContactSupport,
        en: "The app could not use its data folder on this device. Restart the app; if it keeps happening, contact Enerpro support.",
        es: "La aplicación no pudo usar su carpeta de datos en este dispositivo. Reinicie la aplicación; si vuelve a ocurrir, comuníquese con el soporte de Enerpro.";
    /// The core is still opening.
    Starting = "starting", Retry,
        en: "The app is still starting. Try again in a moment.",
        es: "La aplicación todavía se está iniciando. Inténtelo de nuevo en un momento.";

    // ---- Deep links --------------------------------------------------------------------------
    /// Longer than any portal link.
    LinkTooLong = "link_too_long", GoBack,
        en: "That link is far too long to be an Enerpro link, so it was ignored.",
        es: "Ese enlace es demasiado largo para ser un enlace de Enerpro, así que se ignoró.";
    /// Not a URL.
    LinkMalformed = "link_malformed", GoBack,
        en: "That link could not be read, so it was ignored.",
        es: "No se pudo leer ese enlace, así que se ignoró.";
    /// Not the portal's link.
    LinkForeign = "link_foreign", GoBack,
        en: "That link does not belong to the Enerpro portal, so it was ignored.",
        es: "Ese enlace no pertenece al portal de Enerpro, así que se ignoró.";
    /// The portal's scheme, but no action the app knows.
    LinkUnknown = "link_unknown", GoBack,
        en: "That Enerpro link is not one this app knows. It may be from a newer version: update the app or ask for a new link.",
        es: "Esta aplicación no conoce ese enlace de Enerpro. Puede ser de una versión más nueva: actualice la aplicación o pida un enlace nuevo.";
    /// The code is missing.
    LinkMissingCode = "link_missing_code", AskForNewLink,
        en: "That Enerpro link is incomplete: its code is missing. Open the link from your email again, or ask for a new one.",
        es: "Ese enlace de Enerpro está incompleto: le falta el código. Vuelva a abrir el enlace de su correo electrónico o pida uno nuevo.";
    /// The code is damaged.
    LinkInvalidCode = "link_invalid_code", AskForNewLink,
        en: "That Enerpro link is damaged: its code is not valid. Open the link from your email again, or ask for a new one.",
        es: "Ese enlace de Enerpro está dañado: su código no es válido. Vuelva a abrir el enlace de su correo electrónico o pida uno nuevo.";
    /// Parts a portal link never has.
    LinkUnexpectedPart = "link_unexpected_part", GoBack,
        en: "That Enerpro link contains parts a real Enerpro link never has, so it was ignored.",
        es: "Ese enlace de Enerpro contiene partes que un enlace real de Enerpro nunca tiene, así que se ignoró.";
    /// Pasted text that is no link and no code.
    LinkNotACode = "link_not_a_code", Correct,
        en: "That is neither an Enerpro link nor an invitation code. Copy the whole link from your invitation email and paste it again.",
        es: "Eso no es un enlace de Enerpro ni un código de invitación. Copie el enlace completo de su correo de invitación y péguelo de nuevo.";

    // ---- Updates -----------------------------------------------------------------------------
    /// No update could be looked for or fetched.
    UpdateUnavailable = "update_unavailable", Retry,
        en: "Could not reach Enerpro's updates right now. Check your internet connection and try again later; this version keeps working.",
        es: "No se pudo conectar con las actualizaciones de Enerpro en este momento. Revise su conexión a internet e inténtelo más tarde; esta versión sigue funcionando.";
    /// A downloaded update is not signed by Enerpro.
    UpdateNotVerified = "update_not_verified", ContactSupport,
        en: "This update is not signed by Enerpro, so it was not installed. This version keeps working; report it to Enerpro support.",
        es: "Esta actualización no está firmada por Enerpro, así que no se instaló. Esta versión sigue funcionando; infórmelo al soporte de Enerpro.";
    /// A verified update could not be installed.
    UpdateFailed = "update_failed", Retry,
        en: "The update could not be installed. This version keeps working; try again later.",
        es: "No se pudo instalar la actualización. Esta versión sigue funcionando; inténtelo más tarde.";
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
