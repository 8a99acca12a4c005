//! The languages the app speaks and its message catalog: every sentence a customer reads, in
//! each language.
//!
//! A compile-time catalog, not a runtime one (Fluent and the like parse their resources and
//! carry plural and number machinery into the WebAssembly module): the [`texts!`] table below
//! requires an English and a Spanish string for every key, so a missing translation does not
//! compile. Placeholders are `{name}`, filled by [`Text::fill`]; a test checks both languages
//! use the same ones. Plurals follow CLDR's rule for English and Spanish cardinals (`one` for
//! exactly 1, `other` otherwise) through [`plural`]. Numbers, money, dates and relative days are
//! formatted by the webview's `Intl` (the UI's `format` module), not here. The UI does not link
//! the table: it reads the [`Catalog`] of one language, which the shell hands it.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Language {
    /// English, the fallback for any language the app does not speak.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Spanish.
    #[serde(rename = "es")]
    Spanish,
}

impl Language {
    /// Every language, in the order Settings offers them.
    pub const ALL: [Language; 2] = [Language::English, Language::Spanish];

    /// Its BCP 47 primary language subtag (`en`, `es`): the page's `lang`, `Intl`'s locale.
    pub fn tag(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
        }
    }

    /// Its name in itself, as a language chooser lists it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::Spanish => "Español",
        }
    }

    /// The language of a locale as an OS or a browser names it (`es-MX`, `es_US.UTF-8`, `en`,
    /// `C`); `None` for a language the app does not speak.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::English),
            "es" => Some(Self::Spanish),
            _ => None,
        }
    }
}

/// Chooses `one` or `other` for `count` by the language's cardinal plural rule, and fills its
/// `{n}`.
pub fn plural(language: Language, count: u64, one: Text, other: Text) -> String {
    plural_form(count, one, other).fill(language, &[("n", &count.to_string())])
}

/// `one` or `other` for `count`: CLDR's cardinal rule for English and Spanish integers (`one`
/// for exactly 1, `other` otherwise).
fn plural_form(count: u64, one: Text, other: Text) -> Text {
    if count == 1 { one } else { other }
}

/// The name of month `month` (1 to 12) in `language`, capitalised as a sentence starts.
pub fn month_name(language: Language, month: usize) -> &'static str {
    const ENGLISH: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const SPANISH: [&str; 12] = [
        "Enero",
        "Febrero",
        "Marzo",
        "Abril",
        "Mayo",
        "Junio",
        "Julio",
        "Agosto",
        "Septiembre",
        "Octubre",
        "Noviembre",
        "Diciembre",
    ];
    let names = match language {
        Language::English => &ENGLISH,
        Language::Spanish => &SPANISH,
    };
    names[month.clamp(1, 12) - 1]
}

/// A `YYYY-MM-DD` date written out, for texts made outside the webview (PDFs, mails, desktop
/// notifications): `October 24, 2026`, `24 de octubre de 2026`; anything else as it is.
pub fn long_date(iso: &str, language: Language) -> String {
    let parts = (
        iso.get(0..4),
        iso.get(5..7).and_then(|m| m.parse::<usize>().ok()),
        iso.get(8..10).and_then(|d| d.parse::<u8>().ok()),
    );
    let (Some(year), Some(month @ 1..=12), Some(day)) = parts else {
        return iso.to_owned();
    };
    let name = month_name(language, month);
    match language {
        Language::English => format!("{name} {day}, {year}"),
        Language::Spanish => format!("{day} de {} de {year}", name.to_lowercase()),
    }
}

/// A notification's title and text in `language`, with the amount and the due date written in
/// (one wording for the desktop app, push and email).
pub fn notice(
    language: Language,
    kind: crate::v1::NotificationKind,
    amount: &crate::v1::Money,
    due_date: Option<&str>,
) -> (&'static str, String) {
    use crate::v1::NotificationKind;
    let (title, text) = match kind {
        NotificationKind::NewBill => (Text::NoticeNewBill, Text::NoticeNewBillText),
        NotificationKind::BillDueSoon => (Text::NoticeDueSoon, Text::NoticeDueSoonText),
        NotificationKind::PaymentReceived => (Text::NoticePaid, Text::NoticePaidText),
        NotificationKind::PaymentFailed => (Text::NoticeFailed, Text::NoticeFailedText),
        NotificationKind::AutopayScheduled => (
            Text::NoticeAutopayScheduled,
            Text::NoticeAutopayScheduledText,
        ),
        NotificationKind::AutopaySkipped => {
            (Text::NoticeAutopaySkipped, Text::NoticeAutopaySkippedText)
        }
    };
    let due = long_date(due_date.unwrap_or_default(), language);
    let text = text.fill(language, &[("amount", &amount.display()), ("due", &due)]);
    (title.get(language), text)
}

macro_rules! texts {
    ($( $(#[$doc:meta])* $key:ident { en: $en:literal, es: $es:literal } )*) => {
        /// A sentence or a label of the app, in every language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text {
            $( $(#[$doc])* $key, )*
        }

        impl Text {
            /// Every key (for tests).
            pub const ALL: &'static [Text] = &[$(Text::$key),*];

            /// The text in `language`, placeholders unfilled.
            pub fn get(self, language: Language) -> &'static str {
                match language {
                    Language::English => match self { $( Self::$key => $en, )* },
                    Language::Spanish => match self { $( Self::$key => $es, )* },
                }
            }
        }
    };
}

impl Text {
    /// The text in `language` with each `{name}` replaced by its value.
    pub fn fill(self, language: Language, values: &[(&str, &str)]) -> String {
        fill_in(self.get(language), values)
    }
}

/// `template` with each `{name}` replaced by its value.
fn fill_in(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Every text and error message of one language, as data: what the UI reads its words from.
///
/// The shell hands the UI the catalog of the language it speaks (with the locale,
/// [`crate::ipc::UiLanguage`]), so the UI's WebAssembly carries no language — the tables of
/// [`Text::get`] and [`ErrorCode::message`] were 38 KB of it — and does not grow with the next
/// one. Both sides are built from this crate at once, so the order cannot differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The language of every entry.
    pub language: Language,
    /// Each [`Text`], in declaration order.
    texts: Vec<String>,
    /// Each [`ErrorCode`]'s message, in declaration order.
    errors: Vec<String>,
}

impl Catalog {
    /// The catalog of `language`.
    pub fn of(language: Language) -> Self {
        Self {
            language,
            texts: Text::ALL
                .iter()
                .map(|text| text.get(language).to_owned())
                .collect(),
            errors: ErrorCode::ALL
                .iter()
                .map(|code| code.message(language).to_owned())
                .collect(),
        }
    }

    /// The text, placeholders unfilled (empty only for a catalog of another build).
    pub fn text(&self, text: Text) -> &str {
        self.texts.get(text as usize).map_or("", String::as_str)
    }

    /// The text with each `{name}` replaced by its value.
    pub fn fill(&self, text: Text, values: &[(&str, &str)]) -> String {
        fill_in(self.text(text), values)
    }

    /// `one` or `other` for `count` by the language's cardinal rule (as [`plural`]).
    pub fn plural(&self, count: u64, one: Text, other: Text) -> String {
        self.fill(plural_form(count, one, other), &[("n", &count.to_string())])
    }

    /// The customer's message for `code`.
    pub fn error(&self, code: ErrorCode) -> &str {
        self.errors.get(code as usize).map_or("", String::as_str)
    }
}

texts! {
    // ---- Screens and navigation --------------------------------------------------------------
    /// Home's title.
    YourBills { en: "Your bills", es: "Sus facturas" }
    /// Pay's title and the button that opens it.
    PayBills { en: "Pay bills", es: "Pagar facturas" }
    /// The invitation screen's window title.
    InvitationTitle { en: "Invitation", es: "Invitación" }
    /// Sign-in's title.
    SignIn { en: "Sign in", es: "Iniciar sesión" }
    /// Completing sign-in.
    SigningIn { en: "Signing in", es: "Iniciando sesión" }
    /// A payment's window title.
    Payment { en: "Payment", es: "Pago" }
    /// A receipt's window title.
    Receipt { en: "Receipt", es: "Recibo" }
    /// The history's title.
    Payments { en: "Payments", es: "Pagos" }
    /// Settings' title.
    Settings { en: "Settings", es: "Configuración" }
    /// The connection screen's title.
    Connection { en: "Connection", es: "Conexión" }
    /// The main navigation's label.
    MainNavigation { en: "Main", es: "Principal" }
    /// The navigation link to the bills.
    Bills { en: "Bills", es: "Facturas" }
    /// Closes a notice.
    Dismiss { en: "Dismiss", es: "Descartar" }
    /// The banner when an update is on offer.
    UpdateBanner { en: "Version {version} of the app is available. ", es: "La versión {version} de la aplicación está disponible. " }
    /// The banner's link.
    UpdateInSettings { en: "Update in Settings", es: "Actualizar en Configuración" }

    // ---- Home ----------------------------------------------------------------------------------
    /// Waiting for the home data.
    LoadingAccount { en: "Loading your account…", es: "Cargando su cuenta…" }
    /// The account number's label.
    Account { en: "Account", es: "Cuenta" }
    /// The service address's label.
    ServiceAddress { en: "Service address", es: "Dirección de servicio" }
    /// The email's label.
    Email { en: "Email", es: "Correo electrónico" }
    /// The account switcher's label.
    ShowAccount { en: "Show", es: "Mostrar" }
    /// The switcher's choice of every account together.
    AllAccounts { en: "All accounts", es: "Todas las cuentas" }
    /// The heading of the accounts in the combined view.
    YourAccounts { en: "Your accounts", es: "Sus cuentas" }
    /// How many of an account's bills are due, in the combined view (`{n}` of them).
    BillsDue { en: "{n} bills due", es: "{n} facturas pendientes" }
    /// The same for one bill.
    BillsDueOne { en: "{n} bill due", es: "{n} factura pendiente" }
    /// An account that owes nothing, in the combined view.
    AccountOwesNothing { en: "Nothing due", es: "Nada pendiente" }
    /// The button that shows one account of the combined view: `{address}`.
    SeeAccount { en: "See {address}", es: "Ver {address}" }
    /// The total across every account, in the combined view.
    TotalAllAccounts { en: "Total due, all accounts: ", es: "Total a pagar, todas las cuentas: " }
    /// The receipt's column of the account each bill belongs to.
    ReceiptAccount { en: "Account", es: "Cuenta" }

    // ---- Autopay -------------------------------------------------------------------------------
    /// The Autopay screen's title and its link.
    AutopayTitle { en: "Automatic payments", es: "Pagos automáticos" }
    /// Whose automatic payments: `{address}`.
    AutopayFor { en: "For {address}", es: "Para {address}" }
    /// Waiting for the autopay settings.
    LoadingAutopay { en: "Loading your automatic payments…", es: "Cargando sus pagos automáticos…" }
    /// The saved card's heading.
    SavedCardTitle { en: "Saved card", es: "Tarjeta guardada" }
    /// The saved card: `{brand}`, `{last4}`, expiry `{month}`/`{year}`.
    SavedCardLine { en: "{brand} ending {last4}, expires {month}/{year}", es: "{brand} terminada en {last4}, vence {month}/{year}" }
    /// No card saved yet.
    NoSavedCardYet { en: "No card is saved. You save it on the payment provider's secure page in your web browser: Enerpro never sees its number.", es: "No hay ninguna tarjeta guardada. Se guarda en la página segura del proveedor de pagos, en su navegador: Enerpro nunca ve su número." }
    /// The button that opens the provider's page to save a card.
    SaveACard { en: "Save a card", es: "Guardar una tarjeta" }
    /// The same, to replace the saved card.
    UseAnotherCard { en: "Use another card", es: "Usar otra tarjeta" }
    /// The button that removes the saved card.
    RemoveCardButton { en: "Remove card", es: "Quitar tarjeta" }
    /// After the provider's page opened in the browser.
    FinishSavingCard { en: "Finish saving your card in your web browser; this page shows it when you come back.", es: "Termine de guardar su tarjeta en el navegador; esta página la mostrará cuando vuelva." }
    /// The checkbox that turns autopay on.
    PayAutomatically { en: "Pay my bills automatically", es: "Pagar mis facturas automáticamente" }
    /// The choice of when.
    PayWhen { en: "When", es: "Cuándo" }
    /// Paying on the due date.
    OnTheDueDate { en: "On the due date", es: "El día del vencimiento" }
    /// Paying one day before.
    DaysBeforeOne { en: "{n} day before the due date", es: "{n} día antes del vencimiento" }
    /// Paying `{n}` days before.
    DaysBefore { en: "{n} days before the due date", es: "{n} días antes del vencimiento" }
    /// The maximum's label.
    MaximumLabel { en: "The most a bill may be", es: "El importe máximo de una factura" }
    /// What the maximum does.
    MaximumHint { en: "A bill above it is not paid automatically: you pay it yourself, and the app says so.", es: "Una factura mayor no se paga automáticamente: la paga usted, y la aplicación se lo indica." }
    /// The button that keeps the choice.
    SaveAutopay { en: "Save my choice", es: "Guardar mi elección" }
    /// The choice was kept.
    AutopaySaved { en: "Your choice is saved.", es: "Su elección está guardada." }
    /// The next automatic payment: `{amount}` on `{date}`.
    NextAutopay { en: "Next automatic payment: {amount} on {date}.", es: "Próximo pago automático: {amount} el {date}." }
    /// The next bill is above the maximum: `{amount}`, pay by `{date}`.
    NextAboveMaximum { en: "Your next bill, {amount}, is above your maximum: it will not be paid automatically. Pay it yourself by {date}.", es: "Su próxima factura, {amount}, supera su máximo: no se pagará automáticamente. Páguela usted antes del {date}." }
    /// An automatic payment failed and will be tried again: `{amount}`, on `{date}`.
    AutopayFailedRetry { en: "Your automatic payment of {amount} did not go through. It will be tried again on {date}; you can also pay the bill yourself now.", es: "Su pago automático de {amount} no se completó. Se intentará de nuevo el {date}; también puede pagar la factura usted ahora." }
    /// An automatic payment failed for good: `{amount}`.
    AutopayFailedFinal { en: "Your automatic payment of {amount} did not go through and will not be tried again: pay the bill yourself.", es: "Su pago automático de {amount} no se completó y no se intentará de nuevo: pague usted la factura." }
    /// Autopay is off.
    AutopayIsOff { en: "Automatic payments are off.", es: "Los pagos automáticos están desactivados." }
    /// The bills' heading.
    OutstandingBills { en: "Outstanding bills", es: "Facturas pendientes" }
    /// The refresh button, busy.
    Refreshing { en: "Refreshing…", es: "Actualizando…" }
    /// The refresh button.
    Refresh { en: "Refresh", es: "Actualizar" }
    /// When the data was fetched: `{time}` and how long ago, `{age}`.
    AsOf { en: "As of {time} ({age})", es: "Datos de {time} ({age})" }
    /// No bill is due.
    NothingDueThanks { en: "Nothing is due. Thank you!", es: "No tiene nada pendiente. ¡Gracias!" }
    /// A bill's due date, `{when}` relative to today ("in 3 days", "tomorrow").
    DueWhen { en: "Due {when}", es: "Vence {when}" }
    /// An overdue bill, `{when}` relative to today ("2 days ago", "yesterday").
    OverdueWhen { en: "Overdue: was due {when}", es: "Vencida: venció {when}" }
    /// The badge of an overdue bill.
    Overdue { en: "Overdue", es: "Vencida" }
    /// The badge of a bill being paid.
    PaymentProcessing { en: "Payment processing", es: "Pago en proceso" }
    /// The total's label on home.
    TotalDue { en: "Total due: ", es: "Total a pagar: " }
    /// The offline notice's first sentence.
    YouAreOffline { en: "You are offline. ", es: "No tiene conexión. " }
    /// The offline notice: when the shown data was fetched.
    ShowingFetched { en: "Showing what was fetched {time}. ", es: "Se muestra lo obtenido el {time}. " }
    /// The welcome screen's title.
    Welcome { en: "Welcome to Enerpro", es: "Le damos la bienvenida a Enerpro" }
    /// How to start.
    WelcomeStart { en: "To get started, open the invitation link from your email on this device.", es: "Para empezar, abra en este dispositivo el enlace de invitación de su correo electrónico." }
    /// The paste field's label.
    PasteLabel { en: "Opened the link but nothing happened? Paste the link or the invitation code here:", es: "¿Abrió el enlace y no pasó nada? Pegue aquí el enlace o el código de invitación:" }
    /// Continue.
    Continue { en: "Continue", es: "Continuar" }
    /// Signing in on another device.
    AlreadyCustomer { en: "Already a customer on another device? Sign in with your email.", es: "¿Ya es cliente en otro dispositivo? Inicie sesión con su correo electrónico." }
    /// The link to sign-in.
    SignInWithEmail { en: "Sign in with email", es: "Iniciar sesión con su correo" }

    // ---- Pay -----------------------------------------------------------------------------------
    /// Paying needs the backend.
    PayOffline { en: "You are offline: paying needs a connection to Enerpro.", es: "No tiene conexión: para pagar se necesita conexión con Enerpro." }
    /// Nothing to pay.
    NothingDue { en: "Nothing is due.", es: "No tiene nada pendiente." }
    /// No bill ticked.
    ChooseABill { en: "Choose at least one bill.", es: "Elija al menos una factura." }
    /// A payment under way blocks paying: its `{amount}` and start `{time}`.
    PaymentInProgressAmount { en: "A payment of {amount} started {time} is still processing. Finish or cancel it before paying these bills.", es: "Un pago de {amount} iniciado el {time} sigue en proceso. Termínelo o cancélelo antes de pagar estas facturas." }
    /// The same, when the amount is not known.
    PaymentInProgress { en: "A payment started {time} is still processing. Finish or cancel it before paying these bills.", es: "Un pago iniciado el {time} sigue en proceso. Termínelo o cancélelo antes de pagar estas facturas." }
    /// The link to that payment.
    SeePaymentInProgress { en: "See the payment in progress", es: "Ver el pago en curso" }
    /// Waiting for the pay plan.
    LoadingBills { en: "Loading your bills…", es: "Cargando sus facturas…" }
    /// The bills' fieldset.
    BillsToPay { en: "Bills to pay", es: "Facturas a pagar" }
    /// A bill to tick: its `{period}`, `{due}` (a [`Text::DueWhen`] or [`Text::OverdueWhen`]) and `{amount}`.
    BillChoice { en: "{period} · {due} · {amount}", es: "{period} · {due} · {amount}" }
    /// The pay screen's total.
    Total { en: "Total: ", es: "Total: " }
    /// The pay button, busy.
    OpeningCheckout { en: "Opening checkout…", es: "Abriendo el pago…" }
    /// The pay button.
    PayInBrowser { en: "Pay in browser", es: "Pagar en el navegador" }

    // ---- Invitation and sign-in ----------------------------------------------------------------
    /// The invitation cannot be used.
    InvitationUnusable { en: "This invitation cannot be used", es: "Esta invitación no se puede usar" }
    /// The invitation's title.
    YouAreInvited { en: "You have been invited", es: "Ha recibido una invitación" }
    /// Checking the invitation.
    CheckingInvitation { en: "Checking your invitation…", es: "Comprobando su invitación…" }
    /// Who it is for: `{name}` then `{email}`; each is shown in its own element.
    InvitationFor { en: "This invitation is for ", es: "Esta invitación es para " }
    /// The postcode's label.
    PostcodeLabel { en: "To confirm it is you, enter the postcode of your service address", es: "Para confirmar que es usted, escriba el código postal de su dirección de servicio" }
    /// Accepting, busy.
    Accepting { en: "Accepting…", es: "Aceptando…" }
    /// Accept.
    AcceptInvitation { en: "Accept invitation", es: "Aceptar invitación" }
    /// The sign-in link was sent.
    CheckEmail { en: "Check your email: if this address belongs to an Enerpro account, a sign-in link is on its way. Open it on this device.", es: "Revise su correo: si esta dirección pertenece a una cuenta de Enerpro, le enviamos un enlace para iniciar sesión. Ábralo en este dispositivo." }
    /// Resend, after `{n}` seconds.
    SendAgainIn { en: "Send again in {n} s", es: "Enviar de nuevo en {n} s" }
    /// Resend.
    SendAgain { en: "Send the link again", es: "Enviar el enlace de nuevo" }
    /// The email's label.
    EmailLabel { en: "Email address of your Enerpro account", es: "Correo electrónico de su cuenta de Enerpro" }
    /// Send the sign-in link.
    EmailMeALink { en: "Email me a sign-in link", es: "Enviarme un enlace para iniciar sesión" }
    /// Completing sign-in.
    SigningYouIn { en: "Signing you in…", es: "Iniciando su sesión…" }
    /// Signed in.
    SignedIn { en: "Signed in.", es: "Sesión iniciada." }
    /// The link did not work.
    SigninLinkFailed { en: "This sign-in link did not work", es: "Este enlace para iniciar sesión no funcionó" }
    /// Ask for a new link.
    AskForNewLink { en: "Ask for a new link", es: "Pedir un enlace nuevo" }
    /// How many tries are left: one.
    AttemptsLeftOne { en: "You have 1 attempt left.", es: "Le queda 1 intento." }
    /// How many tries are left: `{n}`.
    AttemptsLeftOther { en: "You have {n} attempts left.", es: "Le quedan {n} intentos." }

    // ---- Settings ------------------------------------------------------------------------------
    /// Who is signed in.
    SignedInAs { en: "Signed in as", es: "Sesión iniciada como" }
    /// The server's label.
    Server { en: "Server", es: "Servidor" }
    /// The version's label.
    Version { en: "Version", es: "Versión" }
    /// The logs' label.
    Logs { en: "Logs", es: "Registros" }
    /// The link to the connection screen.
    CheckConnection { en: "Check the connection", es: "Comprobar la conexión" }
    /// Sign out.
    SignOut { en: "Sign out", es: "Cerrar sesión" }
    /// The language chooser's label.
    LanguageLabel { en: "Language", es: "Idioma" }
    /// The chooser's first option: follow the device.
    DeviceLanguage { en: "This device's language", es: "El idioma de este dispositivo" }
    /// Connecting.
    Connecting { en: "Connecting to the server…", es: "Conectando con el servidor…" }
    /// Connected to `{name}` `{version}`.
    ConnectedTo { en: "Connected to {name} {version}", es: "Conectado a {name} {version}" }
    /// Check again.
    CheckAgain { en: "Check again", es: "Comprobar de nuevo" }
    /// Retry.
    Retry { en: "Retry", es: "Reintentar" }
    /// The production server, at `{url}`.
    ProductionServer { en: "Production ({url})", es: "Producción ({url})" }
    /// The sandbox server, at `{url}`.
    SandboxServer { en: "Sandbox ({url})", es: "Pruebas ({url})" }
    /// Any server (development builds).
    AnotherServer { en: "Another server (development builds)", es: "Otro servidor (versiones de desarrollo)" }
    /// The server chooser's legend.
    ServerForSupport { en: "Server (for support staff)", es: "Servidor (para el personal de soporte)" }
    /// The current server's label.
    Now { en: "Now: ", es: "Ahora: " }
    /// The custom server's label.
    ServerAddress { en: "Server address", es: "Dirección del servidor" }
    /// The server choice was saved: `{url}`.
    ServerSaved { en: "Saved: you are signed out, and the app connects to {url} when you start it again.", es: "Guardado: se cerró su sesión y la aplicación se conectará a {url} cuando la vuelva a abrir." }
    /// Save the server choice.
    SaveAndSignOut { en: "Save and sign out", es: "Guardar y cerrar sesión" }

    // ---- Errors' next steps --------------------------------------------------------------------
    /// Repeat what failed.
    TryAgain { en: "Try again", es: "Intentar de nuevo" }
    /// Back to home.
    BackToBills { en: "Back to your bills", es: "Volver a sus facturas" }
    /// Sign in.
    SignInWithYourEmail { en: "Sign in with your email", es: "Iniciar sesión con su correo electrónico" }
    /// Support's address.
    SupportContact { en: "Enerpro support: support@enerpro.example", es: "Soporte de Enerpro: support@enerpro.example" }

    // ---- A payment -----------------------------------------------------------------------------
    /// The backend has no record of it.
    PaymentNotFound { en: "Payment not found", es: "Pago no encontrado" }
    /// Created: title.
    ContactingEnerpro { en: "Contacting Enerpro…", es: "Comunicándose con Enerpro…" }
    /// Created: what happens.
    PaymentSettingUp { en: "The payment is being set up. This page updates by itself.", es: "Se está preparando el pago. Esta página se actualiza sola." }
    /// No browser opened: title.
    OpenPaymentPage { en: "Open the payment page", es: "Abra la página de pago" }
    /// No browser opened: what to do.
    BrowserFailed { en: "Your web browser could not be opened. Copy the payment link below and open it in a browser to pay; this page updates by itself when you have paid.", es: "No se pudo abrir su navegador. Copie el enlace de pago de abajo y ábralo en un navegador para pagar; esta página se actualiza sola cuando haya pagado." }
    /// Checkout open: title.
    FinishInBrowser { en: "Finish paying in your browser", es: "Termine el pago en su navegador" }
    /// Checkout open: what happens.
    CheckoutOpen { en: "The secure checkout page is open in your browser. When you have paid, you come back here.", es: "La página de pago segura está abierta en su navegador. Cuando haya pagado, volverá aquí." }
    /// Confirming: what happens.
    Confirming { en: "We are confirming the payment with Enerpro. This page updates by itself.", es: "Estamos confirmando el pago con Enerpro. Esta página se actualiza sola." }
    /// Declined: title.
    CardNotAccepted { en: "Your card was not accepted", es: "Su tarjeta no fue aceptada" }
    /// Paid: title.
    PaymentReceived { en: "Payment received", es: "Pago recibido" }
    /// Paid: what happens.
    ThankYouReceipt { en: "Thank you. Your receipt is below.", es: "Gracias. Su recibo está abajo." }
    /// Expired: title.
    CheckoutExpired { en: "The checkout expired", es: "El pago venció" }
    /// Expired: what it means.
    ExpiredNothingCharged { en: "Nothing was charged. Your bills are due again; you can start a new payment.", es: "No se cobró nada. Sus facturas vuelven a estar pendientes; puede iniciar un pago nuevo." }
    /// Canceled: title.
    PaymentCanceled { en: "Payment canceled", es: "Pago cancelado" }
    /// Canceled: what it means.
    CanceledNothingCharged { en: "Nothing was charged. Your bills are due again.", es: "No se cobró nada. Sus facturas vuelven a estar pendientes." }
    /// Waiting for the payment.
    LoadingPayment { en: "Loading the payment…", es: "Cargando el pago…" }
    /// Back home after a payment.
    BackToBillsShort { en: "Back to bills", es: "Volver a las facturas" }
    /// The amount's label.
    AmountColon { en: "Amount: ", es: "Importe: " }
    /// The payment link's label.
    PaymentLink { en: "Payment link", es: "Enlace de pago" }
    /// Copied.
    Copied { en: "Copied", es: "Copiado" }
    /// No clipboard.
    SelectAndCopy { en: "Select the link above and copy it", es: "Seleccione el enlace de arriba y cópielo" }
    /// Copy.
    CopyPaymentLink { en: "Copy payment link", es: "Copiar el enlace de pago" }
    /// Open the checkout again.
    OpenCheckoutAgain { en: "Open checkout again", es: "Abrir el pago de nuevo" }
    /// Ask the backend now.
    CheckNow { en: "Check now", es: "Comprobar ahora" }
    /// Cancel the payment.
    Cancel { en: "Cancel", es: "Cancelar" }

    // ---- Receipts and history ------------------------------------------------------------------
    /// The receipt's heading, before its number.
    ReceiptNumber { en: "Receipt ", es: "Recibo " }
    /// The date's label.
    Date { en: "Date", es: "Fecha" }
    /// The transaction's label.
    Transaction { en: "Transaction", es: "Transacción" }
    /// The card's label.
    Card { en: "Card", es: "Tarjeta" }
    /// The card: `{brand}` and its `{last4}`.
    CardEnding { en: "{brand} ending {last4}", es: "{brand} terminada en {last4}" }
    /// A card of an unknown brand.
    GenericCard { en: "Card", es: "Tarjeta" }
    /// The lines' first column.
    BillFor { en: "Bill for", es: "Factura de" }
    /// The amounts' column.
    Amount { en: "Amount", es: "Importe" }
    /// The total paid.
    TotalPaid { en: "Total paid", es: "Total pagado" }
    /// Print.
    Print { en: "Print", es: "Imprimir" }
    /// Waiting for a receipt.
    LoadingReceipt { en: "Loading the receipt…", es: "Cargando el recibo…" }
    /// The link to the history.
    AllPayments { en: "All payments", es: "Todos los pagos" }
    /// Waiting for the history.
    LoadingPayments { en: "Loading your payments…", es: "Cargando sus pagos…" }
    /// Payments under way.
    InProgress { en: "In progress", es: "En curso" }
    /// A payment under way, started `{time}`.
    PaymentStarted { en: "Payment started {time}", es: "Pago iniciado el {time}" }
    /// Payments that took no money.
    DidNotGoThrough { en: "Did not go through", es: "No se completaron" }
    /// Canceled.
    EndedCanceled { en: "Canceled, nothing charged", es: "Cancelado, no se cobró nada" }
    /// Expired.
    EndedExpired { en: "Checkout expired, nothing charged", es: "El pago venció, no se cobró nada" }
    /// Declined.
    EndedDeclined { en: "Card declined, nothing charged", es: "Tarjeta rechazada, no se cobró nada" }
    /// The receipts' heading.
    Receipts { en: "Receipts", es: "Recibos" }
    /// Fetching receipts.
    LookingForReceipts { en: "Looking for your receipts…", es: "Buscando sus recibos…" }
    /// No payment at all.
    NoPaymentsYet { en: "No payments yet.", es: "Aún no hay pagos." }
    /// Only attempts that took no money.
    NoReceiptsYet { en: "No receipts yet: nothing has been paid here.", es: "Aún no hay recibos: no se ha pagado nada aquí." }

    // ---- Updates -------------------------------------------------------------------------------
    /// The updates' heading.
    Updates { en: "Updates", es: "Actualizaciones" }
    /// Look for an update.
    CheckForUpdates { en: "Check for updates", es: "Buscar actualizaciones" }
    /// Looking.
    LookingForUpdates { en: "Looking for updates…", es: "Buscando actualizaciones…" }
    /// Up to date.
    LatestVersion { en: "You have the latest version.", es: "Tiene la versión más reciente." }
    /// An update: `{version}`, the running `{current}`.
    VersionAvailable { en: "Version {version} is available (you have {current}).", es: "La versión {version} está disponible (usted tiene la {current})." }
    /// Download it.
    DownloadAndVerify { en: "Download and verify", es: "Descargar y verificar" }
    /// Downloading `{version}`.
    DownloadingVersion { en: "Downloading version {version} and checking its signature…", es: "Descargando la versión {version} y comprobando su firma…" }
    /// Verified `{version}`.
    VersionVerified { en: "Version {version} is downloaded and its Enerpro signature is verified.", es: "La versión {version} está descargada y su firma de Enerpro está verificada." }
    /// Install it.
    RestartToInstall { en: "Restart to install", es: "Reiniciar para instalar" }
    /// Installing `{version}`.
    InstallingVersion { en: "Installing version {version}; the app restarts when it is done.", es: "Instalando la versión {version}; la aplicación se reiniciará al terminar." }

    // ---- Bill detail -------------------------------------------------------------------------
    /// The bill screen's window title.
    BillWindow { en: "Bill", es: "Factura" }
    /// The bill screen's heading.
    BillHeading { en: "Bill for {period}", es: "Factura de {period}" }
    /// A link from Home's list to a bill.
    SeeBill { en: "See the bill for {period}", es: "Ver la factura de {period}" }
    /// The bill's lines.
    Charges { en: "Charges", es: "Cargos" }
    /// Waiting for a bill's detail.
    LoadingBill { en: "Loading the bill…", es: "Cargando la factura…" }
    /// A bill not on this device.
    BillNotHere { en: "This bill is not on this device yet. Connect to the internet and refresh.", es: "Esta factura aún no está en este dispositivo. Conéctese a internet y actualice." }
    /// Issue date label.
    Issued { en: "Issued", es: "Emitida" }
    /// Due date label.
    DueDate { en: "Due", es: "Vence" }
    /// Paid status.
    PaidStatus { en: "Paid", es: "Pagada" }
    /// The meter reads' heading.
    MeterReads { en: "Meter reads", es: "Lecturas del medidor" }
    /// One meter read.
    ReadLine { en: "Meter {meter}: from {previous} to {current}, {used} kWh ({kind})", es: "Medidor {meter}: de {previous} a {current}, {used} kWh ({kind})" }
    /// A read from the meter.
    ActualRead { en: "actual read", es: "lectura real" }
    /// An estimated read.
    EstimatedRead { en: "estimated read", es: "lectura estimada" }
    /// The bill's kWh.
    BillCounts { en: "This bill counts {kwh} kWh.", es: "Esta factura cuenta {kwh} kWh." }
    /// The same days a year before.
    SameDaysLastYear { en: "The same days last year: {kwh} kWh ({change}).", es: "Los mismos días del año pasado: {kwh} kWh ({change})." }
    /// Nothing to compare with.
    NoYearBefore { en: "There are no readings from a year before to compare with.", es: "No hay lecturas de hace un año para comparar." }
    /// Saves the bill's PDF.
    DownloadPdf { en: "Download PDF", es: "Descargar PDF" }
    /// Opens the bill's PDF in the system's viewer.
    OpenPdf { en: "Open PDF", es: "Abrir PDF" }
    /// While a file is fetched and saved.
    Saving { en: "Saving…", es: "Guardando…" }
    /// A file was saved.
    SavedTo { en: "Saved to {path}", es: "Guardado en {path}" }
    /// The save dialog's title for a bill.
    SaveBillDialog { en: "Save your bill", es: "Guardar su factura" }

    // ---- Usage -------------------------------------------------------------------------------
    /// The usage screen's title and navigation link.
    Usage { en: "Usage", es: "Consumo" }
    /// The scale chooser's label.
    ShowBy { en: "Show", es: "Mostrar" }
    /// Twelve months against the year before.
    ByMonth { en: "Months", es: "Meses" }
    /// A week by day.
    ByWeek { en: "Week", es: "Semana" }
    /// A day by hour.
    ByDay { en: "Day", es: "Día" }
    /// The months chart's heading.
    MonthsHeading { en: "The last 12 months against the 12 before", es: "Los últimos 12 meses frente a los 12 anteriores" }
    /// The week chart's heading.
    WeekHeading { en: "The week of {day}", es: "La semana del {day}" }
    /// The day chart's heading.
    DayHeading { en: "{day}, hour by hour", es: "{day}, hora por hora" }
    /// The last twelve months' series.
    Last12Months { en: "Last 12 months", es: "Últimos 12 meses" }
    /// The twelve months before.
    YearBefore { en: "The year before", es: "El año anterior" }
    /// The chart's total.
    TotalKwh { en: "Total: {kwh} kWh", es: "Total: {kwh} kWh" }
    /// The year before's total.
    YearBeforeKwh { en: "The year before: {kwh} kWh", es: "El año anterior: {kwh} kWh" }
    /// The previous day or week.
    Earlier { en: "Earlier", es: "Anterior" }
    /// The next day or week.
    Later { en: "Later", es: "Siguiente" }
    /// The day picker's label.
    ChooseDay { en: "Choose a day", es: "Elija un día" }
    /// What the bar marks mean.
    ChartLegend { en: "Striped bars include estimated readings; dashed outlines have hours without a reading.", es: "Las barras rayadas incluyen lecturas estimadas; los contornos discontinuos tienen horas sin lectura." }
    /// A bar's estimated mark in the table.
    EstimatedMark { en: "includes estimates", es: "incluye estimaciones" }
    /// A bar's missing mark in the table.
    MissingMark { en: "hours without a reading", es: "horas sin lectura" }
    /// The table alternative's toggle.
    ShowAsTable { en: "Show as a table", es: "Mostrar como tabla" }
    /// The table's time column.
    When { en: "When", es: "Cuándo" }
    /// The table's notes column.
    Notes { en: "Notes", es: "Notas" }
    /// A bar's spoken label.
    BarLabel { en: "{when}: {kwh} kWh", es: "{when}: {kwh} kWh" }
    /// Saves the readings as CSV.
    ExportCsv { en: "Export CSV", es: "Exportar CSV" }
    /// The save dialog's title for the readings.
    SaveUsageDialog { en: "Save your usage", es: "Guardar su consumo" }
    /// No readings cached.
    NoUsageYet { en: "No readings on this device yet. Connect to the internet and refresh.", es: "Aún no hay lecturas en este dispositivo. Conéctese a internet y actualice." }
    /// Waiting for the readings.
    LoadingUsage { en: "Loading your usage…", es: "Cargando su consumo…" }

    // ---- Notifications -----------------------------------------------------------------------
    /// A new bill's notification title.
    NoticeNewBill { en: "New bill", es: "Nueva factura" }
    /// A new bill's notification text.
    NoticeNewBillText { en: "Your bill of {amount} is due {due}.", es: "Su factura de {amount} vence el {due}." }
    /// A bill due soon: title.
    NoticeDueSoon { en: "Bill due soon", es: "Factura por vencer" }
    /// A bill due soon: text.
    NoticeDueSoonText { en: "Your bill of {amount} is due {due}. Pay it in the app.", es: "Su factura de {amount} vence el {due}. Páguela en la aplicación." }
    /// A payment received: title.
    NoticePaid { en: "Payment received", es: "Pago recibido" }
    /// A payment received: text.
    NoticePaidText { en: "Thank you: your payment of {amount} went through.", es: "Gracias: su pago de {amount} se completó." }
    /// A payment failed: title.
    NoticeFailed { en: "Payment not completed", es: "Pago no completado" }
    /// An automatic payment coming: title.
    NoticeAutopayScheduled { en: "Automatic payment coming", es: "Pago automático próximo" }
    /// `{amount}` will be charged on `{due}` (the payment's day).
    NoticeAutopayScheduledText { en: "Your bill of {amount} will be paid automatically with your saved card on {due}.", es: "Su factura de {amount} se pagará automáticamente con su tarjeta guardada el {due}." }
    /// A bill above the maximum: its title.
    NoticeAutopaySkipped { en: "Pay this bill yourself", es: "Pague usted esta factura" }
    /// A bill of `{amount}`, due `{due}`, above the maximum.
    NoticeAutopaySkippedText { en: "Your bill of {amount} is above your automatic payment maximum, so it was not paid automatically. Pay it in the app by {due}.", es: "Su factura de {amount} supera su máximo de pago automático, así que no se pagó automáticamente. Páguela en la aplicación antes del {due}." }
    /// A payment failed: text.
    NoticeFailedText { en: "Your payment of {amount} did not go through. Nothing was charged; try again in the app.", es: "Su pago de {amount} no se completó. No se cobró nada; inténtelo de nuevo en la aplicación." }
    /// Settings' notifications heading.
    Notifications { en: "Notifications", es: "Avisos" }
    /// The channel column: the app.
    ChannelApp { en: "This app", es: "Esta aplicación" }
    /// The channel column: a phone's push.
    ChannelPush { en: "Phone", es: "Teléfono" }
    /// The channel column: email.
    ChannelEmail { en: "Email", es: "Correo" }
    /// The kinds' column.
    NoticeKind { en: "Tell me about", es: "Avisarme de" }
    /// The new-bill kind.
    KindNewBill { en: "A new bill", es: "Una factura nueva" }
    /// The due-soon kind.
    KindDueSoon { en: "A bill due in 3 days", es: "Una factura que vence en 3 días" }
    /// The payment-received kind.
    KindPaid { en: "A payment received", es: "Un pago recibido" }
    /// The payment-failed kind.
    KindFailed { en: "A payment not completed", es: "Un pago no completado" }
    /// Settings → Notifications: an automatic payment coming.
    KindAutopayScheduled { en: "An automatic payment coming", es: "Un pago automático próximo" }
    /// Settings → Notifications: a bill above the automatic payment maximum.
    KindAutopaySkipped { en: "A bill above your automatic payment maximum", es: "Una factura por encima de su máximo de pago automático" }
    /// The interval chooser's label.
    CheckEvery { en: "Look for news", es: "Buscar novedades" }
    /// An interval in minutes.
    EveryMinutes { en: "every {n} minutes", es: "cada {n} minutos" }
    /// An interval in hours.
    EveryHours { en: "every {n} hours", es: "cada {n} horas" }
    /// One hour.
    EveryHour { en: "every hour", es: "cada hora" }
    /// Only when the app opens.
    OnlyWhenOpened { en: "only when I open or refresh the app", es: "solo al abrir o actualizar la aplicación" }
    /// Waiting for the notification settings.
    LoadingNotifications { en: "Loading your notification choices…", es: "Cargando sus preferencias de avisos…" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_the_language() {
        assert_eq!(
            long_date("2026-10-24", Language::English),
            "October 24, 2026"
        );
        assert_eq!(
            long_date("2026-10-24", Language::Spanish),
            "24 de octubre de 2026"
        );
        assert_eq!(long_date("not a date", Language::English), "not a date");
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn a_catalog_holds_every_text_and_error_message_of_its_language() {
        for language in Language::ALL {
            let catalog = Catalog::of(language);
            for text in Text::ALL {
                assert_eq!(catalog.text(*text), text.get(language), "{text:?}");
            }
            for code in ErrorCode::ALL {
                assert_eq!(catalog.error(*code), code.message(language), "{code:?}");
            }
            assert_eq!(
                catalog.plural(1, Text::AttemptsLeftOne, Text::AttemptsLeftOther),
                plural(language, 1, Text::AttemptsLeftOne, Text::AttemptsLeftOther)
            );
            assert_eq!(
                catalog.plural(3, Text::AttemptsLeftOne, Text::AttemptsLeftOther),
                crate::errors::attempts_left(3, language)
            );
            let crossed: Catalog = crate::ipc::decode(&crate::ipc::encode(&catalog).unwrap())
                .expect("the catalog crosses the IPC");
            assert_eq!(crossed, catalog);
        }
    }

    #[test]
    fn every_text_has_the_same_placeholders_in_every_language_and_no_empty_one() {
        for text in Text::ALL {
            let english = text.get(Language::English);
            for language in Language::ALL {
                let translated = text.get(language);
                assert!(
                    !translated.trim().is_empty(),
                    "{text:?} is empty in {language:?}"
                );
                assert_eq!(
                    placeholders(translated),
                    placeholders(english),
                    "{text:?}: {language:?} has other placeholders than English"
                );
            }
        }
    }

    #[test]
    fn every_error_message_exists_in_every_language_and_differs_from_english() {
        for code in crate::ErrorCode::ALL {
            let english = code.message(Language::English);
            let spanish = code.message(Language::Spanish);
            assert!(!spanish.trim().is_empty(), "{code:?}");
            assert_ne!(spanish, english, "{code:?} is not translated");
        }
    }

    #[test]
    fn locales_name_their_language_and_unknown_ones_name_none() {
        assert_eq!(Language::from_locale("es-MX"), Some(Language::Spanish));
        assert_eq!(
            Language::from_locale("es_US.UTF-8"),
            Some(Language::Spanish)
        );
        assert_eq!(Language::from_locale("ES"), Some(Language::Spanish));
        assert_eq!(Language::from_locale("en-US"), Some(Language::English));
        assert_eq!(Language::from_locale("fr-FR"), None);
        assert_eq!(Language::from_locale("C"), None);
        assert_eq!(Language::from_locale(""), None);
        assert_eq!(Language::from_locale("e"), None);
    }

    #[test]
    fn plurals_follow_each_languages_rule() {
        let one = Text::AttemptsLeftOne;
        let other = Text::AttemptsLeftOther;
        assert_eq!(
            plural(Language::English, 1, one, other),
            "You have 1 attempt left."
        );
        assert_eq!(
            plural(Language::English, 0, one, other),
            "You have 0 attempts left."
        );
        assert_eq!(
            plural(Language::Spanish, 1, one, other),
            "Le queda 1 intento."
        );
        assert_eq!(
            plural(Language::Spanish, 4, one, other),
            "Le quedan 4 intentos."
        );
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            Text::CardEnding.fill(Language::Spanish, &[("brand", "Visa"), ("last4", "4242")]),
            "Visa terminada en 4242"
        );
    }
}
