//! The Enerpro portal's UI: renders the view models the core decides and sends intents, nothing
//! more.
//!
//! Screens are routes; the layout around them shows the header, notices (e.g. a rejected deep
//! link), and turns the shell's events into navigation and fresh data. Every shell event — a
//! JavaScript callback, outside Dioxus's runtime — only posts a message to one coroutine, which
//! does the work inside the runtime.

mod account;
mod autopay;
mod bill;
mod bridge;
mod format;
mod history;
mod home;
mod i18n;
mod notices;
mod payment;
mod routes;
mod states;
mod timer;
mod updates;
mod usage;

use dioxus::prelude::*;
use futures_util::StreamExt;
use i18n::Say;
use portal_api::ipc::{
    self, Destination, EVENT_LINKS_WAITING, EVENT_PAYMENT_CHANGED, EVENT_UPDATE_AVAILABLE,
    HomeView, LinkReceived,
};
use portal_api::{ErrorBody, Text};
pub use routes::Route;

fn main() {
    bridge::mark("wasm_started");
    dioxus::launch(App);
}

/// App-wide state: a notice above the screen, the home data (held once for every screen), and a
/// counter bumped whenever the shell says a payment changed.
#[derive(Clone, Copy)]
pub struct AppState {
    /// A notice (rejected deep link, background error).
    pub notice: Signal<Option<ErrorBody>>,
    /// Bumped on every payment change.
    pub payments_changed: Signal<u64>,
    /// The home view from the core: cached at first, then refreshed.
    pub home: Signal<Option<Result<HomeView, ErrorBody>>>,
    /// Whether a refresh is under way.
    pub refreshing: Signal<bool>,
}

impl AppState {
    /// Asks the core for fresh home data (it answers the cache, marked, when offline).
    pub async fn refresh(mut self) {
        self.refreshing.set(true);
        let fresh = bridge::call::<ipc::Refresh>().await;
        self.home.set(Some(fresh));
        self.refreshing.set(false);
    }

    /// Reads the home view from the cache again (after signing in or out, or a payment).
    pub async fn reload(mut self) {
        let cached = bridge::call::<ipc::Home>().await;
        self.home.set(Some(cached));
    }

    /// Shows one account (`None`: every account together); from the cache, so offline too.
    pub async fn choose_account(mut self, account_number: Option<String>) {
        let args = ipc::AccountChoice { account_number };
        match bridge::invoke::<ipc::ChooseAccount>(&args).await {
            Ok(view) => self.home.set(Some(Ok(view))),
            Err(error) => self.notice.set(Some(error)),
        }
    }

    /// Whether someone is signed in, as far as the home data knows.
    pub fn signed_in(&self) -> bool {
        matches!(&*self.home.read(), Some(Ok(view)) if view.signed_in)
    }
}

/// What the shell tells the UI.
#[derive(Debug, Clone, Copy)]
enum ShellEvent {
    LinksWaiting,
    PaymentChanged,
    UpdateAvailable,
}

#[component]
fn App() -> Element {
    let locale = use_context_provider(|| Signal::new(i18n::from_page()));
    use_effect(move || i18n::apply_to_page(&locale()));
    use_context_provider(|| AppState {
        notice: Signal::new(None),
        payments_changed: Signal::new(0),
        home: Signal::new(bridge::first_screen().map(Ok)),
        // A refresh always follows the start.
        refreshing: Signal::new(true),
    });
    use_context_provider(history::provider);
    rsx! { Router::<Route> {} }
}

/// The frame of every screen.
#[component]
fn Layout() -> Element {
    let mut state = use_context::<AppState>();
    let mut update_banner = use_signal(|| None::<String>);
    let navigator = use_navigator();
    let route = use_route::<Route>();
    let locale = i18n::use_locale();

    let events = use_coroutine(
        move |mut events: UnboundedReceiver<ShellEvent>| async move {
            while let Some(event) = events.next().await {
                match event {
                    ShellEvent::LinksWaiting => match bridge::call::<ipc::TakeLinks>().await {
                        Ok(received) => {
                            for link in received {
                                match link {
                                    LinkReceived::Accepted { to } => {
                                        state.notice.set(None);
                                        if to == Destination::Autopay {
                                            // Back from the card page: autopay (and the
                                            // account shown) are asked again.
                                            state.payments_changed += 1;
                                            state.reload().await;
                                        }
                                        follow(navigator, to);
                                    }
                                    LinkReceived::Rejected { error } => {
                                        state.notice.set(Some(error))
                                    }
                                }
                            }
                        }
                        Err(error) => state.notice.set(Some(error)),
                    },
                    ShellEvent::PaymentChanged => {
                        state.payments_changed += 1;
                        state.reload().await;
                    }
                    ShellEvent::UpdateAvailable => {
                        if let Ok(Some(offer)) = bridge::call::<ipc::OfferedUpdate>().await {
                            update_banner.set(Some(offer.version));
                        }
                    }
                }
            }
        },
    );
    use_hook(move || {
        let post = move |event: ShellEvent| {
            let events = events.tx();
            move || {
                let _ = events.unbounded_send(event);
            }
        };
        spawn(async move {
            // The cached home data first (unless the shell put it in the page): nothing else goes
            // ahead of the first screen's data.
            if state.home.peek().is_none() {
                state.reload().await;
            }
            spawn(state.refresh());
            let listening = async {
                bridge::listen(EVENT_LINKS_WAITING, post(ShellEvent::LinksWaiting)).await?;
                bridge::listen(EVENT_PAYMENT_CHANGED, post(ShellEvent::PaymentChanged)).await?;
                bridge::listen(EVENT_UPDATE_AVAILABLE, post(ShellEvent::UpdateAvailable)).await
            };
            if let Err(error) = listening.await {
                state.notice.set(Some(error));
            }
            // Links and an update found before we listened are waiting: take them now.
            events.send(ShellEvent::LinksWaiting);
            events.send(ShellEvent::UpdateAvailable);
        });
    });
    // The UI's first render is on screen: the page's picture of it can go.
    use_effect(bridge::drop_first_paint);
    let title = locale.t(route.title());
    use_effect(use_reactive!(|title| {
        if let Some(document) = web_sys::window().and_then(|window| window.document()) {
            document.set_title(&format!("{title} · Enerpro"));
        }
    }));

    let current = |target: Route| (route == target).then_some("page");
    rsx! {
        header { class: "app-bar",
            Link { to: Route::Home {}, class: "brand", "Enerpro" }
            nav { aria_label: locale.t(Text::MainNavigation),
                Link { to: Route::Home {}, aria_current: current(Route::Home {}), {locale.t(Text::Bills)} }
                Link { to: Route::Usage {}, aria_current: current(Route::Usage {}), {locale.t(Text::Usage)} }
                Link { to: Route::History {}, aria_current: current(Route::History {}), {locale.t(Text::Payments)} }
                Link { to: Route::Settings {}, aria_current: current(Route::Settings {}), {locale.t(Text::Settings)} }
            }
        }
        main {
            if let Some(error) = (state.notice)() {
                div { id: "notice", class: "notice", role: "alert", "data-volatile": "notice",
                    span { {locale.error(&error)} }
                    button { class: "secondary", onclick: move |_| state.notice.set(None), {locale.t(Text::Dismiss)} }
                }
            }
            if let Some(version) = update_banner() {
                div { id: "update-banner", class: "notice", role: "status", "data-volatile": "notice",
                    span { {locale.fill(Text::UpdateBanner, &[("version", &version)])}
                        Link { to: Route::Settings {}, onclick: move |_| update_banner.set(None), {locale.t(Text::UpdateInSettings)} }
                    }
                    button { class: "secondary", onclick: move |_| update_banner.set(None), {locale.t(Text::Dismiss)} }
                }
            }
            // Keyed by the route, so each new screen mounts afresh and its heading takes focus.
            for screen in std::iter::once(route.clone()) {
                div { key: "{screen}", onmounted: move |_| focus_heading(), Outlet::<Route> {} }
            }
        }
    }
}

/// Moves focus to the screen's heading, so screen readers and keyboard users start at the new
/// screen (called when the screen has mounted, so its heading is in the page).
fn focus_heading() {
    let heading = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector("main h1").ok().flatten());
    if let Some(heading) = heading {
        let _ = heading.set_attribute("tabindex", "-1");
        if let Ok(heading) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(heading) {
            let _ = heading.focus();
        }
    }
}

/// Navigates to the screen a deep link leads to.
fn follow(navigator: dioxus::router::Navigator, to: Destination) {
    match to {
        Destination::Invitation { code } => navigator.push(Route::Invitation { code }),
        Destination::SignIn { code } => navigator.push(Route::SignInComplete { code }),
        Destination::Payment { flow_id } => navigator.push(Route::Processing { flow_id }),
        Destination::Bill { bill_id } => navigator.push(Route::BillDetail { bill_id }),
        Destination::History => navigator.push(Route::History {}),
        Destination::Autopay => navigator.push(Route::Autopay {}),
    };
}
