//! The Enerpro sandbox server: the reference implementation of the portal's `/v1` API, with demo
//! data, an outbox instead of email, and a Stripe-compatible hosted-checkout simulator.
//!
//! The binary (`portal-server`) is a thin command line over this library; tests start the same
//! server in-process on an ephemeral port with [`spawn`] or [`spawn_with`].

pub mod account;
pub mod app_links;
pub mod auth;
pub mod autopay;
pub mod billing;
pub mod clock;
pub mod demo;
mod error;
pub mod green_button;
pub mod health;
pub mod limits;
pub mod mail;
pub mod notifications;
pub mod openapi;
pub mod payments;
pub mod pdf;
pub mod push;
pub mod secrets;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod state;
pub mod store;
pub mod stripe;
pub mod sweeper;
pub mod updates;

pub use error::{ApiResult, ServerError};
pub use health::SERVER_NAME;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use clock::Clock;
use portal_api::ErrorCode;
use portal_api::v1::{ErrorBody, HEALTH_PATH, UPDATES_PATH};
#[cfg(feature = "simulator")]
use simulator::{Simulator, SimulatorConfig};
use state::{AppState, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;
use stripe::{StripeClient, StripeConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use updates::UpdateShelf;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The settings key of the admin key's hash.
const ADMIN_KEY_SETTING: &str = "admin_key_sha256";

async fn openapi_json() -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi::document_json(),
    )
}

/// Which payment provider the backend talks to. The simulator exists only in builds with the
/// `simulator` feature (the sandbox's, the default): a production backend built without it
/// cannot serve a fake payment page.
#[derive(Debug, Clone)]
pub enum Provider {
    /// The built-in simulator, mounted at `/sim` (keys generated per process).
    #[cfg(feature = "simulator")]
    Simulator {
        /// Hold webhooks until released (tests of event ordering).
        hold_webhooks: bool,
    },
    /// Stripe itself, or any server speaking its API.
    External(StripeConfig),
    /// None chosen yet (a build without the simulator must be given one).
    Unconfigured,
}

impl Default for Provider {
    /// The simulator where it is built in; otherwise none.
    fn default() -> Self {
        #[cfg(feature = "simulator")]
        return Self::Simulator {
            hold_webhooks: false,
        };
        #[cfg(not(feature = "simulator"))]
        return Self::Unconfigured;
    }
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The SQLite file.
    pub db_path: PathBuf,
    /// The public base URL; `http://<bound address>` when `None`.
    pub public_url: Option<String>,
    /// The host of claimed `https://HOST/app/…` links.
    pub portal_host: String,
    /// The admin key; when `None`, the stored one is kept, or one is generated and returned once.
    pub admin_key: Option<String>,
    /// The payment provider.
    pub provider: Provider,
    /// Load the demo data at start.
    pub seed_demo: bool,
    /// The apps allowed to open the portal host's claimed links (served under `/.well-known`).
    pub app_links: app_links::AppLinks,
    /// The folder of signed app releases offered as updates (see [`updates`]); none when `None`.
    pub updates_dir: Option<PathBuf>,
    /// How long each update check waits before answering (a slow network, on purpose).
    pub updates_delay: std::time::Duration,
    /// The reverse proxy in front of the server, whose `X-Forwarded-For` names the client for
    /// rate limits; from any other peer the header is ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// How often the sweeper ends payments nobody ends (see [`sweeper`]).
    pub sweep_every: std::time::Duration,
    /// How many days before an automatic payment the customer is told it is coming.
    pub autopay_notice_days: u32,
    /// Google's and Apple's credentials for push; without them, push stays in the sandbox's
    /// push outbox.
    pub push: PushCredentials,
}

/// The credentials of the push services (see [`push`]).
#[derive(Debug, Clone, Default)]
pub struct PushCredentials {
    /// FCM: a Google service account's key file (JSON).
    pub fcm_service_account: Option<String>,
    /// APNs: the team id, the key id, the key (`.p8`, PEM) and the app's bundle id.
    pub apns: Option<ApnsCredentials>,
}

/// What APNs needs to accept this server's pushes.
#[derive(Debug, Clone)]
pub struct ApnsCredentials {
    /// The Apple developer team id.
    pub team_id: String,
    /// The key's id.
    pub key_id: String,
    /// The key (`.p8`, PEM).
    pub key_pem: String,
    /// The app's bundle id.
    pub topic: String,
}

impl PushCredentials {
    /// The sender: FCM and APNs where credentials are given, the sandbox's push outbox for the
    /// rest. Credentials that do not read are an error at start, not at the first push.
    pub fn sender(&self) -> Result<Arc<dyn push::PushSender>, ServerError> {
        let unusable =
            |detail: String| ServerError::Provider(format!("push credentials: {detail}"));
        let android: Arc<dyn push::PushSender> = match &self.fcm_service_account {
            Some(json) => {
                Arc::new(push::Fcm::from_service_account(json, push::FCM_API).map_err(unusable)?)
            }
            None => Arc::new(push::SandboxPush),
        };
        let ios: Arc<dyn push::PushSender> = match &self.apns {
            Some(apns) => Arc::new(
                push::Apns::new(
                    &apns.team_id,
                    &apns.key_id,
                    &apns.key_pem,
                    &apns.topic,
                    push::APNS_API,
                )
                .map_err(unusable)?,
            ),
            None => Arc::new(push::SandboxPush),
        };
        Ok(Arc::new(push::ByPlatform { android, ios }))
    }
}

impl ServerOptions {
    /// Defaults for a database file: the simulator (where built in), the example portal host, no
    /// demo data.
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            public_url: None,
            portal_host: "portal.enerpro.example".to_owned(),
            admin_key: None,
            provider: Provider::default(),
            seed_demo: false,
            app_links: app_links::AppLinks::default(),
            updates_dir: None,
            updates_delay: std::time::Duration::ZERO,
            trusted_proxy: None,
            sweep_every: sweeper::DEFAULT_INTERVAL,
            autopay_notice_days: autopay::NOTICE_DAYS,
            push: PushCredentials::default(),
        }
    }
}

/// A configured server, ready to serve.
pub struct App {
    /// The routes.
    pub router: Router,
    /// The admin key, when it was given or generated now (a stored one is never known).
    pub admin_key: Option<String>,
    /// Whether the admin key was generated now (print it once).
    pub admin_key_generated: bool,
    /// The clock.
    pub clock: Arc<Clock>,
    /// The simulator, when mounted.
    #[cfg(feature = "simulator")]
    pub simulator: Option<Arc<Simulator>>,
    /// The payment sweeper (start it with [`sweeper::Sweeper::spawn`]).
    pub sweeper: sweeper::Sweeper,
    /// The secret webhooks are verified with.
    pub webhook_secret: String,
    /// Where and how the server reaches its payment provider (the simulator's keys too).
    pub provider: StripeConfig,
}

/// Opens the database, settles the admin key and builds the routes for a server reachable at
/// `bound` (used for the default public URL).
pub fn build(options: &ServerOptions, bound: SocketAddr) -> Result<App, ServerError> {
    let mut store = Store::open(&options.db_path)?;
    if options.seed_demo {
        demo::seed(&mut store)?;
    }
    let (admin_key, admin_key_generated) =
        match (&options.admin_key, store.setting(ADMIN_KEY_SETTING)?) {
            (Some(key), _) => (Some(key.clone()), false),
            (None, Some(_)) => (None, false),
            (None, None) => (Some(format!("adm_{}", secrets::random_token(24))), true),
        };
    if let Some(key) = &admin_key {
        store.set_setting(ADMIN_KEY_SETTING, &secrets::hash_secret(key))?;
    }
    let admin_key_hash = store.setting(ADMIN_KEY_SETTING)?.unwrap_or_default();
    let public_url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"))
        .trim_end_matches('/')
        .to_owned();
    let clock = Arc::new(Clock::default());
    #[cfg(feature = "simulator")]
    let mut simulator = None;
    let stripe_config = match &options.provider {
        Provider::External(config) => config.clone(),
        Provider::Unconfigured => {
            return Err(ServerError::Provider(
                "no payment provider is configured (pass --stripe-api-base, --stripe-secret-key and --stripe-webhook-secret)".into(),
            ));
        }
        #[cfg(feature = "simulator")]
        Provider::Simulator { hold_webhooks } => {
            let config = StripeConfig {
                api_base: format!("{public_url}/sim"),
                secret_key: format!("sk_test_{}", secrets::random_token(18)),
                webhook_secret: format!("whsec_{}", secrets::random_token(24)),
                timeout: std::time::Duration::from_secs(portal_api::v1::PROVIDER_BUDGET_SECS),
            };
            let mounted = Simulator::new(
                SimulatorConfig {
                    secret_key: config.secret_key.clone(),
                    webhook_url: format!("{public_url}/v1/webhooks/stripe"),
                    webhook_secret: config.webhook_secret.clone(),
                    public_base: config.api_base.clone(),
                    merchant_name: "Enerpro Utilities".to_owned(),
                    hold_webhooks: *hold_webhooks,
                },
                clock.clone(),
            )
            .map_err(ServerError::Provider)?;
            simulator = Some(mounted);
            config
        }
    };
    let webhook_secret = stripe_config.webhook_secret.clone();
    let provider = stripe_config.clone();
    let stripe =
        StripeClient::new(stripe_config).map_err(|e| ServerError::Provider(e.to_string()))?;
    let update_shelf = UpdateShelf {
        dir: options.updates_dir.clone(),
        delay: options.updates_delay,
        public_url: public_url.clone(),
    };
    let state = AppState::new(
        store,
        clock.clone(),
        stripe,
        Settings {
            public_url,
            portal_host: options.portal_host.clone(),
            admin_key_hash,
            trusted_proxy: options.trusted_proxy,
            autopay_notice_days: options.autopay_notice_days,
        },
    );
    let well_known = Router::new()
        .route("/.well-known/assetlinks.json", get(app_links::assetlinks))
        .route(
            "/.well-known/apple-app-site-association",
            get(app_links::apple_app_site_association),
        )
        .with_state(Arc::new(options.app_links.clone()));
    let sweeper = sweeper::Sweeper::new(
        state.clone(),
        options.push.sender()?,
        #[cfg(feature = "simulator")]
        simulator.clone(),
    );
    let router = well_known
        .merge(update_routes(update_shelf))
        .merge(api_routes(state));
    #[cfg(feature = "simulator")]
    let router = match &simulator {
        Some(simulator) => router.nest("/sim", simulator.router()).merge(
            Router::new()
                .route("/v1/admin/clock", post(sweeper::admin_advance_clock))
                .with_state(sweeper.clone()),
        ),
        None => router,
    };
    Ok(App {
        router: router
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(tower_http::trace::TraceLayer::new_for_http()),
        admin_key,
        admin_key_generated,
        clock,
        #[cfg(feature = "simulator")]
        simulator,
        sweeper,
        webhook_secret,
        provider,
    })
}

/// Update manifests by platform and version, and the installers of the releases folder.
fn update_routes(shelf: UpdateShelf) -> Router {
    let files = format!("{UPDATES_PATH}/files");
    let mut router = Router::new().route(
        &format!("{UPDATES_PATH}/{{target}}/{{arch}}/{{current_version}}"),
        get(updates::latest),
    );
    router = match &shelf.dir {
        Some(dir) => router.nest_service(&files, tower_http::services::ServeDir::new(dir)),
        None => router.route(
            &format!("{files}/{{*path}}"),
            get(|| async {
                (
                    axum::http::StatusCode::NOT_FOUND,
                    Json(ErrorBody::new(
                        ErrorCode::NotConfigured,
                        "This server offers no app updates.",
                    )),
                )
            }),
        ),
    };
    router.with_state(Arc::new(shelf))
}

fn api_routes(state: AppState) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(health::health))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/v1/admin/invitations", post(auth::admin_create_invitation))
        .route("/v1/admin/outbox", get(payments::admin_outbox))
        .route("/v1/invitations/redeem", post(auth::redeem_invitation))
        .route("/v1/invitations/preview", post(auth::preview_invitation))
        .route("/v1/auth/signin", post(auth::request_signin))
        .route("/v1/auth/exchange", post(auth::exchange_signin))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/auth/signout", post(auth::sign_out))
        .route("/v1/me", get(account::me))
        .route("/v1/accounts", get(account::accounts))
        .route(
            "/v1/admin/accounts/{account}/holders",
            post(account::admin_add_holder),
        )
        .route(
            "/v1/admin/accounts/{account}/holders/{email}",
            axum::routing::delete(account::admin_remove_holder),
        )
        .route("/v1/bills", get(account::bills))
        .route("/v1/bills/{id}", get(account::bill))
        .route("/v1/bills/{id}/pdf", get(account::bill_pdf))
        .route("/v1/readings", get(account::readings))
        .route("/v1/notifications", get(notifications::list))
        .route(
            "/v1/notification-preferences",
            get(notifications::preferences).put(notifications::choose),
        )
        .route("/v1/devices", post(notifications::register_device))
        .route(
            "/v1/admin/accounts/{account}/bills",
            post(notifications::admin_issue_bill),
        )
        .route(
            "/v1/admin/push-outbox",
            get(notifications::admin_push_outbox),
        )
        .route("/v1/admin/payments", get(billing::admin_payment_feed))
        .route(
            "/v1/admin/import/readings",
            post(billing::admin_import_readings)
                .layer(DefaultBodyLimit::max(billing::MAX_READINGS_BYTES)),
        )
        .route(
            "/v1/admin/import",
            post(billing::admin_import).layer(DefaultBodyLimit::max(billing::MAX_IMPORT_BYTES)),
        )
        .route(
            "/v1/payments",
            post(payments::create_payment).get(payments::list_payments),
        )
        .route("/v1/payments/{id}", get(payments::get_payment))
        .route("/v1/payments/{id}/confirm", post(payments::confirm_payment))
        .route("/v1/payments/{id}/cancel", post(payments::cancel_payment))
        .route("/v1/autopay", get(autopay::settings).put(autopay::choose))
        .route(
            "/v1/autopay/card",
            post(autopay::start_card_setup).delete(autopay::remove_card),
        )
        .route("/autopay/return", get(autopay::return_page))
        .route("/v1/receipts", get(payments::list_receipts))
        .route("/v1/receipts/{id}", get(payments::get_receipt))
        .route("/v1/receipts/{id}/pdf", get(account::receipt_pdf))
        .route("/v1/webhooks/stripe", post(payments::stripe_webhook))
        .route("/checkout/return", get(payments::return_page))
        .route("/checkout/cancel", get(payments::cancel_page))
        .fallback(|| async {
            (
                axum::http::StatusCode::NOT_FOUND,
                Json(ErrorBody::new(
                    ErrorCode::NotFound,
                    "There is no such API path.",
                )),
            )
        })
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes the requests under way.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let address = listener
        .local_addr()
        .map(|addr| addr.to_string())
        .unwrap_or_default();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|source| ServerError::Listen { address, source })
}

/// A server running in the background of this process (tests, tools).
pub struct RunningServer {
    address: SocketAddr,
    admin_key: String,
    clock: Arc<Clock>,
    #[cfg(feature = "simulator")]
    simulator: Option<Arc<Simulator>>,
    webhook_secret: String,
    db_path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
    sweeper: sweeper::Sweeper,
    sweeper_task: JoinHandle<()>,
    provider: StripeConfig,
    _temporary_dir: Option<tempfile::TempDir>,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.sweeper_task.abort();
    }
}

impl RunningServer {
    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Where and how the server reaches its payment provider (with the simulator: its base URL
    /// and generated secret key), for tests that drive the provider adapter directly.
    pub fn provider_config(&self) -> &StripeConfig {
        &self.provider
    }

    /// Runs one payment sweep now (see [`sweeper`]), as the timer would.
    pub async fn sweep_now(&self) -> Result<sweeper::Swept, ServerError> {
        self.sweeper.sweep().await
    }

    /// The admin key.
    pub fn admin_key(&self) -> &str {
        &self.admin_key
    }

    /// The secret the webhook endpoint verifies signatures with.
    pub fn webhook_secret(&self) -> &str {
        &self.webhook_secret
    }

    /// The database file.
    pub fn db_path(&self) -> &std::path::Path {
        &self.db_path
    }

    /// Moves the server's clock (and the simulator's) forward by `seconds`.
    pub fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
    }

    /// Waits until the backend has acknowledged `count` of the simulator's webhooks, polling
    /// until `deadline` passes; answers whether they arrived.
    #[cfg(feature = "simulator")]
    pub async fn wait_for_webhooks(&self, count: u64, deadline: std::time::Duration) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let delivered = self
                .simulator
                .as_ref()
                .map_or(0, |simulator| simulator.webhooks_delivered());
            if delivered >= count {
                return true;
            }
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// How many off-session charges of saved cards took money at the simulator.
    #[cfg(feature = "simulator")]
    pub fn off_session_charges(&self) -> u64 {
        self.simulator
            .as_ref()
            .map_or(0, |simulator| simulator.off_session_charges())
    }

    /// Sends the simulator's held webhooks (with `hold_webhooks`).
    #[cfg(feature = "simulator")]
    pub async fn release_webhooks(&self) {
        if let Some(simulator) = &self.simulator {
            simulator.release_webhooks().await;
        }
    }

    /// Stops it and waits until the port is closed. The database stays (unless temporary).
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join_error) => Err(ServerError::Listen {
                address: self.address.to_string(),
                source: std::io::Error::other(join_error),
            }),
        }
    }
}

/// Starts a sandbox with demo data in a temporary database on `address` (port 0: ephemeral).
pub async fn spawn(address: &str) -> Result<RunningServer, ServerError> {
    let directory = tempfile::tempdir().map_err(|e| ServerError::DatabaseOpen {
        path: "(temporary)".into(),
        reason: e.to_string(),
    })?;
    let mut options = ServerOptions::new(directory.path().join("sandbox.sqlite3"));
    options.seed_demo = true;
    options.admin_key = Some(format!("adm_{}", secrets::random_token(24)));
    let mut server = spawn_with(address, options).await?;
    server._temporary_dir = Some(directory);
    Ok(server)
}

/// Starts a server with `options` on `address` (port 0: ephemeral), in a background task.
pub async fn spawn_with(
    address: &str,
    options: ServerOptions,
) -> Result<RunningServer, ServerError> {
    let listen_error = |source| ServerError::Listen {
        address: address.to_owned(),
        source,
    };
    let listener = TcpListener::bind(address).await.map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    let app = build(&options, bound)?;
    let sweeper_task = app.sweeper.clone().spawn(options.sweep_every);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app.router, async {
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        address: bound,
        admin_key: app.admin_key.unwrap_or_default(),
        clock: app.clock,
        #[cfg(feature = "simulator")]
        simulator: app.simulator,
        webhook_secret: app.webhook_secret,
        db_path: options.db_path,
        stop: Some(stop),
        task,
        sweeper: app.sweeper,
        sweeper_task,
        provider: app.provider,
        _temporary_dir: None,
    })
}
