//! Getting in and out: the invitation, passwordless sign-in, settings (sign out), and the
//! backend's status.

use crate::i18n::{self, Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{AppState, Route, bridge};
use dioxus::prelude::*;
use portal_api::ipc::{
    self, AcceptArgs, BackendChoice, ChooseBackendArgs, ChooseLanguageArgs, CodeArgs, EmailArgs,
    UiLocale,
};
use portal_api::v1::HealthResponse;
use portal_api::{ErrorBody, Language, Text};

/// Who the invitation is for; the postcode; Accept.
#[component]
pub fn Invitation(code: String) -> Element {
    let state = use_context::<AppState>();
    let navigator = use_navigator();
    let locale = use_locale();
    let code_for_preview = code.clone();
    let mut preview = use_resource(use_reactive!(|code_for_preview| async move {
        bridge::invoke::<ipc::PreviewInvitation>(&CodeArgs {
            code: code_for_preview,
        })
        .await
    }));
    let mut postcode = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<ErrorBody>);
    let current = preview.read().clone();
    let title = match &current {
        Some(Err(_)) => locale.t(Text::InvitationUnusable),
        _ => locale.t(Text::YouAreInvited),
    };
    rsx! {
        section { id: "invitation", class: "card",
            h1 { "{title}" }
            match current {
                None => rsx! { Loading { text: Text::CheckingInvitation } },
                Some(Err(failure)) => rsx! {
                    ErrorState { error: failure, id: "invitation-error", signed_in: state.signed_in(),
                        retry: move |_| preview.restart() }
                },
                Some(Ok(preview)) => rsx! {
                    p { {locale.t(Text::InvitationFor)} strong { id: "invited-name", "{preview.account_name}" } " (" span { id: "invited-email", "{preview.masked_email}" } ")." }
                    form {
                        onsubmit: move |event| {
                            event.prevent_default();
                            let code = code.clone();
                            spawn(async move {
                                busy.set(true);
                                let args = AcceptArgs { code, postcode: postcode() };
                                match bridge::invoke::<ipc::AcceptInvitation>(&args).await {
                                    Ok(view) => {
                                        let mut home = state.home;
                                        home.set(Some(Ok(view)));
                                        navigator.replace(Route::Home {});
                                    }
                                    Err(failure) => error.set(Some(failure)),
                                }
                                busy.set(false);
                            });
                        },
                        label { r#for: "postcode", {locale.t(Text::PostcodeLabel)} }
                        input {
                            id: "postcode", name: "postcode", autocomplete: "postal-code", required: true,
                            value: "{postcode}", oninput: move |event| postcode.set(event.value()),
                        }
                        if let Some(failure) = error() {
                            ErrorState { error: failure, id: "accept-error", signed_in: state.signed_in() }
                        }
                        button { id: "accept", r#type: "submit", disabled: busy() || postcode().trim().is_empty(),
                            if busy() { {locale.t(Text::Accepting)} } else { {locale.t(Text::AcceptInvitation)} }
                        }
                    }
                },
            }
        }
    }
}

/// Email → "check your email"; resend after a pause.
#[component]
pub fn SignIn() -> Element {
    let locale = use_locale();
    let mut email = use_signal(String::new);
    let mut sent = use_signal(|| false);
    let mut error = use_signal(|| None::<ErrorBody>);
    let mut busy = use_signal(|| false);
    let mut resend_in = use_signal(|| 0u32);
    let send = move || {
        spawn(async move {
            busy.set(true);
            match bridge::invoke::<ipc::RequestSignin>(&EmailArgs { email: email() }).await {
                Ok(_) => {
                    sent.set(true);
                    error.set(None);
                    resend_in.set(30);
                    while resend_in() > 0 {
                        crate::timer::sleep_ms(1000).await;
                        resend_in -= 1;
                    }
                }
                Err(failure) => error.set(Some(failure)),
            }
            busy.set(false);
        });
    };
    rsx! {
        section { id: "signin", class: "card",
            h1 { {locale.t(Text::SignIn)} }
            if sent() {
                p { id: "check-email", role: "status", {locale.t(Text::CheckEmail)} }
                button { id: "resend", class: "secondary", disabled: resend_in() > 0,
                    onclick: move |_| send(),
                    if resend_in() > 0 { {locale.fill(Text::SendAgainIn, &[("n", &resend_in().to_string())])} } else { {locale.t(Text::SendAgain)} }
                }
            } else {
                form {
                    onsubmit: move |event| { event.prevent_default(); send(); },
                    label { r#for: "email", {locale.t(Text::EmailLabel)} }
                    input { id: "email", r#type: "email", autocomplete: "email", required: true,
                        value: "{email}", oninput: move |event| email.set(event.value()) }
                    button { id: "send-link", r#type: "submit", disabled: busy() || email().trim().is_empty(), {locale.t(Text::EmailMeALink)} }
                }
            }
            if let Some(failure) = error() {
                ErrorState { error: failure }
            }
        }
    }
}

/// The sign-in link came back: finish signing in.
#[component]
pub fn SignInComplete(code: String) -> Element {
    let state = use_context::<AppState>();
    let navigator = use_navigator();
    let locale = use_locale();
    let outcome = use_resource(use_reactive!(|code| async move {
        bridge::invoke::<ipc::CompleteSignin>(&CodeArgs { code }).await
    }));
    let current = outcome.read().clone();
    match current {
        None => {
            rsx! { h1 { class: "visually-hidden", {locale.t(Text::SigningIn)} } Loading { text: Text::SigningYouIn } }
        }
        Some(Ok(view)) => {
            let mut home = state.home;
            home.set(Some(Ok(view)));
            navigator.replace(Route::Home {});
            rsx! { p { {locale.t(Text::SignedIn)} } }
        }
        Some(Err(failure)) => rsx! {
            section { id: "signin-error", class: "card",
                h1 { {locale.t(Text::SigninLinkFailed)} }
                ErrorState { error: failure }
                Link { to: Route::SignIn {}, {locale.t(Text::AskForNewLink)} }
            }
        },
    }
}

/// The account, the backend, the version, the logs; sign out.
#[component]
pub fn Settings() -> Element {
    let state = use_context::<AppState>();
    let navigator = use_navigator();
    let locale = use_locale();
    let mut info = use_resource(bridge::call::<ipc::AppInfoOf>);
    let mut error = use_signal(|| None::<ErrorBody>);
    let customer = state
        .home
        .read()
        .as_ref()
        .and_then(|h| h.as_ref().ok())
        .and_then(|h| {
            h.customer
                .clone()
                .or_else(|| h.accounts.first().map(|a| a.customer.clone()))
        });
    let info_now = info.read().as_ref().and_then(|i| i.as_ref().ok()).cloned();
    rsx! {
        section { id: "settings", class: "card",
            h1 { {locale.t(Text::Settings)} }
            dl { class: "facts",
                if let Some(customer) = customer {
                    dt { {locale.t(Text::SignedInAs)} } dd { id: "signed-in-as", "{customer.name} ({customer.email})" }
                }
                if let Some(info) = info_now.clone() {
                    dt { {locale.t(Text::Server)} } dd { id: "backend", "{info.backend}" }
                    dt { {locale.t(Text::Version)} } dd { id: "version", "{info.version}" }
                    dt { {locale.t(Text::Logs)} } dd { code { "{info.log_folder}" } }
                }
            }
            LanguageChooser {}
            if info_now.as_ref().is_some_and(|i| i.signed_in) {
                p { Link { id: "go-autopay", to: Route::Autopay {}, {locale.t(Text::AutopayTitle)} } }
                crate::notices::NotificationChoices {}
            }
            Link { to: Route::Status {}, {locale.t(Text::CheckConnection)} }
            if info_now.as_ref().is_some_and(|i| i.updates_supported) {
                crate::updates::Updates {}
            }
            BackendChooser {}
            if info_now.as_ref().is_some_and(|i| i.signed_in) {
                button {
                    id: "sign-out", class: "secondary",
                    onclick: move |_| {
                        spawn(async move {
                            match bridge::call::<ipc::SignOut>().await {
                                Ok(()) => {
                                    state.reload().await;
                                    info.restart();
                                    navigator.replace(Route::Home {});
                                }
                                Err(failure) => error.set(Some(failure)),
                            }
                        });
                    },
                    {locale.t(Text::SignOut)}
                }
            }
            if let Some(failure) = error() {
                ErrorState { error: failure }
            }
        }
    }
}

/// "Connected to <server> <version>", or a clear error with Retry.
#[component]
pub fn Status() -> Element {
    let locale = use_locale();
    let mut status = use_resource(bridge::call::<ipc::BackendStatus>);
    let current: Option<Result<HealthResponse, ErrorBody>> = status.read().clone();
    rsx! {
        section { class: "card", aria_live: "polite",
            h1 { {locale.t(Text::Connection)} }
            match current {
                None => rsx! { p { id: "status", class: "muted", {locale.t(Text::Connecting)} } },
                Some(Ok(health)) => rsx! {
                    p { id: "status", class: "ok", {locale.fill(Text::ConnectedTo, &[("name", &health.name), ("version", &health.version)])} }
                    p { button { id: "retry", class: "secondary", onclick: move |_| status.restart(), {locale.t(Text::CheckAgain)} } }
                },
                Some(Err(error)) => rsx! {
                    ErrorState { error, id: "status-error" }
                    p { button { id: "retry", onclick: move |_| status.restart(), {locale.t(Text::Retry)} } }
                },
            }
        }
    }
}

/// Support staff: which backend the app talks to (applies at the next start; signs out).
#[component]
fn BackendChooser() -> Element {
    let locale = use_locale();
    let settings = use_resource(bridge::call::<ipc::BackendSettingsOf>);
    let mut picked = use_signal(|| None::<String>);
    let mut custom = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, ErrorBody>>);
    let Some(Ok(settings)) = settings.read().clone() else {
        return rsx! {};
    };
    let saved = match &settings.saved {
        Some(BackendChoice::Production) => "production",
        Some(BackendChoice::Sandbox) => "sandbox",
        Some(BackendChoice::Custom(_)) => "custom",
        None => "",
    };
    let current_pick = picked().unwrap_or_else(|| saved.to_owned());
    let options: Vec<(&str, String)> = {
        let mut options = vec![
            (
                "production",
                locale.fill(Text::ProductionServer, &[("url", &settings.production)]),
            ),
            (
                "sandbox",
                locale.fill(Text::SandboxServer, &[("url", &settings.sandbox)]),
            ),
        ];
        if settings.custom_allowed {
            options.push(("custom", locale.t(Text::AnotherServer).to_owned()));
        }
        options
    };
    rsx! {
        form { id: "backend-chooser",
            onsubmit: move |event| {
                event.prevent_default();
                let choice = match picked().as_deref() {
                    Some("production") => BackendChoice::Production,
                    Some("sandbox") => BackendChoice::Sandbox,
                    Some("custom") => BackendChoice::Custom(custom().trim().to_owned()),
                    _ => return,
                };
                spawn(async move {
                    let result = bridge::invoke::<ipc::ChooseBackend>(&ChooseBackendArgs { choice }).await;
                    outcome.set(Some(result));
                });
            },
            fieldset {
                legend { {locale.t(Text::ServerForSupport)} }
                p { class: "muted", {locale.t(Text::Now)} code { id: "current-backend", "{settings.current}" } }
                for (value, label) in options {
                    label { class: "choice",
                        input { r#type: "radio", name: "backend", value: "{value}",
                            checked: current_pick == value,
                            onchange: move |_| picked.set(Some(value.to_owned())) }
                        span { "{label}" }
                    }
                }
                if current_pick == "custom" {
                    label { r#for: "custom-backend", {locale.t(Text::ServerAddress)} }
                    input { id: "custom-backend", r#type: "url", placeholder: "http://127.0.0.1:8787",
                        value: "{custom}", oninput: move |event| custom.set(event.value()) }
                }
            }
            match outcome() {
                Some(Ok(url)) => rsx! { p { id: "backend-saved", role: "status", {locale.fill(Text::ServerSaved, &[("url", &url)])} } },
                Some(Err(error)) => rsx! { ErrorState { error } },
                None => rsx! {},
            }
            button { id: "save-backend", class: "secondary", r#type: "submit", disabled: picked().is_none(),
                {locale.t(Text::SaveAndSignOut)}
            }
        }
    }
}

/// The language the app speaks: the device's, or one the customer chooses; kept for the next
/// starts, applied at once.
#[component]
fn LanguageChooser() -> Element {
    let mut locale_signal = use_context::<Signal<UiLocale>>();
    let locale = locale_signal();
    let mut settings = use_resource(bridge::call::<ipc::LanguageSettingsOf>);
    let mut error = use_signal(|| None::<ErrorBody>);
    let follows_device = settings
        .read()
        .as_ref()
        .and_then(|s| s.as_ref().ok())
        .is_some_and(|s| s.follows_device);
    let choose = move |language: Option<Language>| {
        spawn(async move {
            match bridge::invoke::<ipc::ChooseLanguage>(&ChooseLanguageArgs { language }).await {
                Ok(now) => {
                    error.set(None);
                    locale_signal.set(i18n::receive(now));
                    settings.restart();
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    rsx! {
        label { r#for: "language", {locale.t(Text::LanguageLabel)} }
        select { id: "language",
            onchange: move |event| {
                let value = event.value();
                choose(Language::ALL.into_iter().find(|language| language.tag() == value));
            },
            option { value: "device", selected: follows_device, {locale.t(Text::DeviceLanguage)} }
            for language in Language::ALL {
                option { value: language.tag(), lang: language.tag(),
                    selected: !follows_device && locale.language == language,
                    {language.native_name()}
                }
            }
        }
        if let Some(failure) = error() {
            ErrorState { error: failure, id: "language-error" }
        }
    }
}
