//! `portal-server`: the sandbox backend's command line.
//!
//! ```text
//! portal-server seed --demo          # demo customers and bills
//! portal-server serve                # http://127.0.0.1:8787, simulator at /sim
//! portal-server invite --account 100-200-300 --email jane.doe@example.com
//! portal-server outbox               # the mail the sandbox "sent"
//! ```

use clap::{Parser, Subcommand};
use portal_api::v1::CreateInvitationRequest;
use portal_server::stripe::StripeConfig;
use portal_server::{Provider, ServerError, ServerOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// The Enerpro sandbox server: the reference backend, demo data and a hosted-checkout simulator.
#[derive(Debug, Parser)]
#[command(name = "portal-server", version, about)]
struct Cli {
    /// The SQLite database file (default: the platform data folder).
    #[arg(long, global = true, env = "PORTAL_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "the command line is parsed once, at start-up"
)]
enum Command {
    /// Serve the /v1 API (and the checkout simulator at /sim).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787", env = "PORTAL_LISTEN")]
        listen: String,
        /// Public base URL of this server (default: http://LISTEN).
        #[arg(long, env = "PORTAL_PUBLIC_URL")]
        public_url: Option<String>,
        /// The admin key (default: the stored one; generated and printed once when none).
        #[arg(long, env = "PORTAL_ADMIN_KEY", hide_env_values = true)]
        admin_key: Option<String>,
        /// Host of the claimed https links in invitations.
        #[arg(long, default_value = "portal.enerpro.example", env = "PORTAL_HOST")]
        portal_host: String,
        /// Use Stripe (or another server speaking its API) at this base URL instead of the simulator.
        #[arg(long, env = "STRIPE_API_BASE", requires_all = ["stripe_secret_key", "stripe_webhook_secret"])]
        stripe_api_base: Option<String>,
        /// Stripe secret key (with --stripe-api-base).
        #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
        stripe_secret_key: Option<String>,
        /// Stripe webhook signing secret (with --stripe-api-base).
        #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
        stripe_webhook_secret: Option<String>,
        /// Android application id allowed to open the claimed links (served in assetlinks.json).
        #[arg(long, env = "PORTAL_ANDROID_PACKAGE")]
        android_package: Option<String>,
        /// SHA-256 fingerprint of the Android signing certificate (repeatable).
        #[arg(
            long = "android-cert-sha256",
            env = "PORTAL_ANDROID_CERT_SHA256",
            value_delimiter = ','
        )]
        android_cert_sha256: Vec<String>,
        /// Apple app id `TEAMID.com.enerpro.portal` (repeatable; apple-app-site-association).
        #[arg(
            long = "apple-app-id",
            env = "PORTAL_APPLE_APP_ID",
            value_delimiter = ','
        )]
        apple_app_ids: Vec<String>,
        /// Folder of signed app releases to offer as updates: one folder per version holding
        /// the release's `latest.json` and, optionally, its installers (see RELEASING.md).
        #[arg(long, env = "PORTAL_UPDATES_DIR")]
        updates_dir: Option<PathBuf>,
        /// Answer each update check this many milliseconds late (to try the app on a slow
        /// network).
        #[arg(long, default_value_t = 0)]
        updates_delay_ms: u64,
        /// The address of the reverse proxy in front of the server: rate limits then count the
        /// client address it appends to `X-Forwarded-For` (from no other peer).
        #[arg(long)]
        trusted_proxy: Option<std::net::IpAddr>,
        /// How often (seconds) payments nobody ended are swept: unlinked ones expired, overdue
        /// checkouts settled from the provider.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
        sweep_every_secs: u64,
        /// How many days before an automatic payment the customer is told it is coming.
        #[arg(long, default_value_t = portal_server::autopay::NOTICE_DAYS, value_parser = clap::value_parser!(u32).range(1..=14))]
        autopay_notice_days: u32,
        /// Push to Android phones through FCM with this Google service account's key file
        /// (JSON); without it, Android pushes stay in the sandbox's push outbox.
        #[arg(long, env = "PORTAL_FCM_SERVICE_ACCOUNT")]
        fcm_service_account: Option<PathBuf>,
        /// Push to iPhones through APNs with this key (`.p8`); needs --apns-key-id and
        /// --apns-team-id. Without it, iOS pushes stay in the sandbox's push outbox.
        #[arg(long, env = "PORTAL_APNS_KEY", requires_all = ["apns_key_id", "apns_team_id"])]
        apns_key: Option<PathBuf>,
        /// The APNs key's id.
        #[arg(long, env = "PORTAL_APNS_KEY_ID")]
        apns_key_id: Option<String>,
        /// The Apple developer team id.
        #[arg(long, env = "PORTAL_APNS_TEAM_ID")]
        apns_team_id: Option<String>,
        /// The app's bundle id (the APNs topic).
        #[arg(long, env = "PORTAL_APNS_TOPIC", default_value = "com.enerpro.portal")]
        apns_topic: String,
    },
    /// Move a running sandbox's clock forward (sandbox only), e.g. to see a checkout expire:
    /// `advance-clock --by 2h`. Payments that ended in the meantime are swept at once.
    AdvanceClock {
        #[command(flatten)]
        target: AdminTarget,
        /// How far: seconds, or a number with s, m, h or d (90m, 2h, 7d).
        #[arg(long, value_parser = parse_advance)]
        by: i64,
    },
    /// Send a billing system's file to a running server's admin import: bills and meters
    /// (`.json`), hourly readings as CSV (`.csv`) or as a Green Button feed (`.xml`, with
    /// `--meter`). All or none; a refusal names the place.
    Import {
        #[command(flatten)]
        target: AdminTarget,
        /// The meter a Green Button feed is for.
        #[arg(long)]
        meter: Option<String>,
        /// The file.
        file: std::path::PathBuf,
    },
    /// Issue an account's next monthly bill on a running server now (its customer is told
    /// about it), e.g. to see a "new bill" notification on a device.
    IssueBill {
        #[command(flatten)]
        target: AdminTarget,
        /// The account number.
        #[arg(long)]
        account: String,
        /// The amount in cents (5000 to 50000; a realistic one by default).
        #[arg(long)]
        amount_cents: Option<i64>,
        /// Days until it is due (0 to 60; 21 by default).
        #[arg(long)]
        due_in_days: Option<i64>,
    },
    /// Load data into the database.
    Seed {
        /// The deterministic demo customers and bills.
        #[arg(long, required = true)]
        demo: bool,
        /// Also a load-test customer (900-000-000, load.test@example.com, postcode 00000) with
        /// this many outstanding bills, for benchmarks.
        #[arg(long)]
        load_test_bills: Option<u32>,
    },
    /// Invite a customer: prints the invitation links (and writes the mail to the outbox).
    Invite {
        /// Account number, e.g. 100-200-300.
        #[arg(long)]
        account: String,
        /// The email on file for that account.
        #[arg(long)]
        email: String,
        /// Host of the claimed https link.
        #[arg(long, default_value = "portal.enerpro.example", env = "PORTAL_HOST")]
        portal_host: String,
    },
    /// List the mail the sandbox sent (invitations, sign-in links, receipts).
    Outbox,
}

fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("enerpro-sandbox")
        .join("sandbox.sqlite3")
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let db = cli.db.unwrap_or_else(default_db);
    let result = match cli.command {
        Command::Serve {
            listen,
            public_url,
            admin_key,
            portal_host,
            stripe_api_base,
            stripe_secret_key,
            stripe_webhook_secret,
            android_package,
            android_cert_sha256,
            apple_app_ids,
            updates_dir,
            updates_delay_ms,
            trusted_proxy,
            sweep_every_secs,
            autopay_notice_days,
            fcm_service_account,
            apns_key,
            apns_key_id,
            apns_team_id,
            apns_topic,
        } => {
            let mut options = ServerOptions::new(db);
            let read = |path: &std::path::Path| {
                std::fs::read_to_string(path)
                    .map_err(|e| ServerError::Provider(format!("{}: {e}", path.display())))
            };
            let fcm = fcm_service_account.as_deref().map(read).transpose();
            let apns_pem = apns_key.as_deref().map(read).transpose();
            let (fcm, apns_pem) = match (fcm, apns_pem) {
                (Ok(fcm), Ok(apns_pem)) => (fcm, apns_pem),
                (Err(error), _) | (_, Err(error)) => {
                    eprintln!("portal-server: {error}");
                    return ExitCode::FAILURE;
                }
            };
            options.push = portal_server::PushCredentials {
                fcm_service_account: fcm,
                apns: match (apns_pem, apns_key_id, apns_team_id) {
                    (Some(key_pem), Some(key_id), Some(team_id)) => {
                        Some(portal_server::ApnsCredentials {
                            team_id,
                            key_id,
                            key_pem,
                            topic: apns_topic,
                        })
                    }
                    _ => None,
                },
            };
            options.app_links = portal_server::app_links::AppLinks {
                android_package,
                android_cert_sha256,
                apple_app_ids,
            };
            options.public_url = public_url;
            options.updates_dir = updates_dir;
            options.updates_delay = std::time::Duration::from_millis(updates_delay_ms);
            options.trusted_proxy = trusted_proxy;
            options.sweep_every = std::time::Duration::from_secs(sweep_every_secs);
            options.autopay_notice_days = autopay_notice_days;
            options.admin_key = admin_key;
            options.portal_host = portal_host;
            if let (Some(api_base), Some(secret_key), Some(webhook_secret)) =
                (stripe_api_base, stripe_secret_key, stripe_webhook_secret)
            {
                options.provider = Provider::External(StripeConfig {
                    api_base: api_base.trim_end_matches('/').to_owned(),
                    secret_key,
                    webhook_secret,
                    timeout: std::time::Duration::from_secs(portal_api::v1::PROVIDER_BUDGET_SECS),
                });
            }
            serve(&listen, options).await
        }
        Command::Seed {
            load_test_bills, ..
        } => seed(&db, load_test_bills),
        Command::Invite {
            account,
            email,
            portal_host,
        } => invite(&db, &account, &email, &portal_host),
        Command::Outbox => outbox(&db),
        Command::AdvanceClock { target, by } => {
            advance_clock(&target.server, &target.admin_key, by).await
        }
        Command::Import {
            target,
            meter,
            file,
        } => import(&target.server, &target.admin_key, meter.as_deref(), &file).await,
        Command::IssueBill {
            target,
            account,
            amount_cents,
            due_in_days,
        } => {
            let request = portal_api::v1::IssueBillRequest {
                amount_minor: amount_cents,
                due_in_days,
            };
            issue_bill(&target, &account, &request).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portal-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A running server and its admin key, for the commands that call its admin API.
#[derive(clap::Args, Debug)]
struct AdminTarget {
    /// The running server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8787",
        env = "PORTAL_PUBLIC_URL"
    )]
    server: String,
    /// Its admin key.
    #[arg(long, env = "PORTAL_ADMIN_KEY", hide_env_values = true)]
    admin_key: String,
}

/// Parses a clock move: seconds, or a number with `s`, `m`, `h` or `d`.
fn parse_advance(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((at, unit @ ('s' | 'm' | 'h' | 'd'))) => (&text[..at], unit),
        _ => (text, 's'),
    };
    let scale = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 24 * 3600,
        _ => 1,
    };
    let max = portal_api::v1::MAX_CLOCK_ADVANCE;
    number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|seconds| (1..=max).contains(seconds))
        .ok_or_else(|| format!("expected 1 second to 366 days, like 90m, 2h or 7d; got {text:?}"))
}

async fn advance_clock(server: &str, admin_key: &str, seconds: i64) -> Result<(), ServerError> {
    let request = portal_api::v1::AdvanceClockRequest {
        advance_seconds: seconds,
    };
    let body = serde_json::to_vec(&request).map_err(|e| ServerError::Provider(e.to_string()))?;
    let answer = admin_post(
        server,
        admin_key,
        "/v1/admin/clock",
        "application/json",
        body,
    )
    .await?;
    let clock: portal_api::v1::SandboxClock = serde_json::from_str(&answer)
        .map_err(|e| ServerError::Provider(format!("the sandbox at {server}: {e}")))?;
    println!(
        "The sandbox's clock now reads {}; {} payment(s) ended in the sweep.",
        clock.now, clock.payments_ended
    );
    Ok(())
}

/// Issues the account's next bill and prints it.
async fn issue_bill(
    target: &AdminTarget,
    account: &str,
    request: &portal_api::v1::IssueBillRequest,
) -> Result<(), ServerError> {
    let body = serde_json::to_vec(request).map_err(|e| ServerError::Provider(e.to_string()))?;
    let path = format!(
        "/v1/admin/accounts/{}/bills",
        percent_encoding::utf8_percent_encode(account, percent_encoding::NON_ALPHANUMERIC)
    );
    let answer = admin_post(
        &target.server,
        &target.admin_key,
        &path,
        "application/json",
        body,
    )
    .await?;
    let bill: portal_api::v1::Bill = serde_json::from_str(&answer)
        .map_err(|e| ServerError::Provider(format!("the server at {}: {e}", target.server)))?;
    println!(
        "Issued {} for {} to {}: {}, due {}.",
        bill.id,
        bill.period.start,
        bill.period.end,
        bill.amount.display(),
        bill.due_date
    );
    Ok(())
}

/// Sends `file` to the admin import its extension names and prints what it did.
async fn import(
    server: &str,
    admin_key: &str,
    meter: Option<&str>,
    file: &std::path::Path,
) -> Result<(), ServerError> {
    let unreadable = |e: std::io::Error| ServerError::Provider(format!("{}: {e}", file.display()));
    let extension = file
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let (path, content_type) = match (extension.as_deref(), meter) {
        (Some("json"), _) => ("/v1/admin/import".to_owned(), "application/json"),
        (Some("csv"), _) => ("/v1/admin/import/readings".to_owned(), "text/csv"),
        (Some("xml"), Some(meter)) => (
            format!(
                "/v1/admin/import/readings?meter={}",
                percent_encoding::utf8_percent_encode(meter, percent_encoding::NON_ALPHANUMERIC)
            ),
            "application/atom+xml",
        ),
        (Some("xml"), None) => {
            return Err(ServerError::Provider(
                "a Green Button feed needs --meter <the meter's id>".to_owned(),
            ));
        }
        _ => {
            return Err(ServerError::Provider(format!(
                "{}: a .json (bills and meters), .csv or .xml (readings) file",
                file.display()
            )));
        }
    };
    let body = std::fs::read(file).map_err(unreadable)?;
    let answer = admin_post(server, admin_key, &path, content_type, body).await?;
    println!("{answer}");
    Ok(())
}

/// POSTs `body` to the admin endpoint `path` of `server`; answers the body of a success, or the
/// server's message as the error.
async fn admin_post(
    server: &str,
    admin_key: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<String, ServerError> {
    let failed =
        |detail: String| ServerError::Provider(format!("the server at {server}: {detail}"));
    let response = portal_server::stripe::http_client(std::time::Duration::from_secs(120))
        .map_err(failed)?
        .post(format!("{}{path}", server.trim_end_matches('/')))
        .bearer_auth(admin_key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| failed(e.to_string()))?;
    if !status.is_success() {
        let body: Option<portal_api::ErrorBody> = serde_json::from_str(&text).ok();
        return Err(failed(match body {
            Some(body) => format!("{status}: {}", body.message),
            None => status.to_string(),
        }));
    }
    Ok(text)
}

async fn serve(listen: &str, options: ServerOptions) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServerError::Listen {
            address: listen.to_owned(),
            source,
        })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            address: listen.to_owned(),
            source,
        })?;
    let app = portal_server::build(&options, bound)?;
    if let (true, Some(key)) = (app.admin_key_generated, &app.admin_key) {
        println!("Admin key (shown once; keep it, or set a new one with --admin-key): {key}");
    }
    println!(
        "{} listening on http://{bound} (database {})",
        portal_server::SERVER_NAME,
        options.db_path.display()
    );
    let sweeper = app.sweeper.spawn(options.sweep_every);
    let served = portal_server::serve(listener, app.router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    sweeper.abort();
    served
}

fn seed(db: &std::path::Path, load_test_bills: Option<u32>) -> Result<(), ServerError> {
    let mut store = portal_server::store::Store::open(db)?;
    let customers = portal_server::demo::seed(&mut store)?;
    if let Some(bills) = load_test_bills {
        portal_server::demo::seed_load_test(&mut store, bills)?;
        println!(
            "Load-test customer {} ({}, postcode 00000) has {bills} outstanding bills.",
            portal_server::demo::LOAD_TEST_ACCOUNT,
            portal_server::demo::LOAD_TEST_EMAIL
        );
    }
    println!("Seeded {customers} demo customers into {}:", db.display());
    for (account, name, email, _, postcode, _, _) in portal_server::demo::CUSTOMERS {
        println!("  {account}  {name:<12} {email:<26} postcode {postcode}");
    }
    Ok(())
}

fn invite(
    db: &std::path::Path,
    account: &str,
    email: &str,
    portal_host: &str,
) -> Result<(), ServerError> {
    let store = portal_server::store::Store::open(db)?;
    let clock = portal_server::clock::Clock::default();
    let request = CreateInvitationRequest {
        account_number: account.to_owned(),
        email: email.to_owned(),
    };
    let created =
        portal_server::auth::create_invitation(&store, &request, portal_host, clock.now())?;
    println!("{}", created.app_link);
    println!("{}", created.web_link);
    eprintln!(
        "Expires {}. The invitation mail is in the outbox.",
        created.expires_at
    );
    Ok(())
}

fn outbox(db: &std::path::Path) -> Result<(), ServerError> {
    let store = portal_server::store::Store::open(db)?;
    for message in store.outbox()? {
        println!(
            "#{} {} to {} [{}]\nSubject: {}\n\n{}\n",
            message.id, message.created_at, message.to, message.kind, message.subject, message.body
        );
    }
    Ok(())
}
