//! Desktop notifications in the real window: a bill issued by support staff while the app runs
//! becomes one OS notification — seen on the session bus by a stand-in notification server that
//! owns `org.freedesktop.Notifications` — and a click on it (the server's `ActionInvoked`)
//! opens that bill. Turned off in Settings, a new bill shows nothing; turned on again, the next
//! one shows, and the one issued while off never does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{App, Launch, TestResult, invitation_link, run};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The stand-in notification server. Its own module: zbus's macro adds public items without
/// documentation (the signal's emitter), which the lint would refuse.
mod stand_in {
    #![allow(missing_docs)]
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use zbus::object_server::SignalEmitter;
    use zbus::zvariant::OwnedValue;

    /// One notification the app asked to show: the server's id, its title and its text.
    pub type Shown = (u32, String, String);

    /// The stand-in notification server: records every `Notify` and answers as a desktop's would.
    pub struct Server {
        pub shown: Arc<Mutex<Vec<Shown>>>,
    }

    /// The methods and signal of the Desktop Notifications Specification the app uses.
    #[zbus::interface(name = "org.freedesktop.Notifications")]
    impl Server {
        /// Shows a notification: recorded, answered with its id.
        #[allow(clippy::too_many_arguments)]
        fn notify(
            &self,
            _app_name: String,
            _replaces_id: u32,
            _app_icon: String,
            summary: String,
            body: String,
            _actions: Vec<String>,
            _hints: HashMap<String, OwnedValue>,
            _expire_timeout: i32,
        ) -> u32 {
            let mut shown = self.shown.lock().unwrap();
            let id = u32::try_from(shown.len()).unwrap() + 1;
            shown.push((id, summary, body));
            id
        }

        /// What this server can do: actions (a click is reported) and a body.
        fn get_capabilities(&self) -> Vec<String> {
            vec!["actions".into(), "body".into()]
        }

        /// Name, vendor, version and the specification's version.
        fn get_server_information(&self) -> (String, String, String, String) {
            (
                "stand-in".into(),
                "enerpro-tests".into(),
                "1".into(),
                "1.2".into(),
            )
        }

        /// Closes a notification (nothing to do here).
        fn close_notification(&self, _id: u32) {}

        /// A click: on the notification itself (`default`) or one of its actions.
        #[zbus(signal)]
        pub async fn action_invoked(
            emitter: &SignalEmitter<'_>,
            id: u32,
            action_key: &str,
        ) -> zbus::Result<()>;
    }
}

use stand_in::{Server, Shown};

/// What was shown once at least `count` notifications were, waiting (bounded) for the app's
/// next look.
async fn wait_for_shown(shown: &Arc<Mutex<Vec<Shown>>>, count: usize) -> TestResult<Vec<Shown>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = shown.lock().unwrap().clone();
        if now.len() >= count {
            return Ok(now);
        }
        if Instant::now() > deadline {
            return Err(format!("{count} notification(s) expected, saw {now:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the app logs each time it looks for notifications.
const LOOKED: &str = "looked for notifications";

/// How many times the app has looked for notifications so far.
async fn looks_so_far(app: &App) -> TestResult<usize> {
    let log = app.wait_for_log(|log| log.contains(LOOKED)).await?;
    Ok(log.matches(LOOKED).count())
}

async fn issue_bill(server: &portal_server::RunningServer, cents: i64) -> TestResult<String> {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/admin/accounts/100-200-300/bills",
            server.base_url()
        ))
        .bearer_auth(server.admin_key())
        .json(&serde_json::json!({ "amount_minor": cents }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let bill: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    bill["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no bill issued: {bill}"))
}

#[test]
fn a_bill_issued_while_the_app_runs_is_one_notification_whose_click_opens_it() {
    run(async {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let bus = zbus::connection::Builder::session()
            .map_err(|e| e.to_string())?
            .name("org.freedesktop.Notifications")
            .map_err(|e| e.to_string())?
            .serve_at(
                "/org/freedesktop/Notifications",
                Server {
                    shown: shown.clone(),
                },
            )
            .map_err(|e| e.to_string())?
            .build()
            .await
            .map_err(|e| format!("the stand-in notification server: {e}"))?;
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
        let mut app = App::launch(Launch {
            name: "notifications",
            backend: &server.base_url(),
            args: vec![link],
            env: Vec::new(),
            home: None,
        })
        .await?;
        let outcome = async {
            app.accept_invitation("Jane Doe", "62701").await?;
            app.wait_for_count("li.bill", 3).await?;

            // A bill issued now; the app looks when it refreshes.
            issue_bill(&server, 6_600).await?;
            app.click("#refresh").await?;
            let seen = wait_for_shown(&shown, 1).await?;
            let (id, title, body) = seen[0].clone();
            if title != "New bill" || !body.contains("USD 66.00") {
                return Err(format!("the notification reads {title:?} {body:?}"));
            }

            // A click on it opens that bill.
            let iface = bus
                .object_server()
                .interface::<_, Server>("/org/freedesktop/Notifications")
                .await
                .map_err(|e| e.to_string())?;
            Server::action_invoked(iface.signal_emitter(), id, "default")
                .await
                .map_err(|e| e.to_string())?;
            app.wait_for_text("#bill-detail h1", |text| text.contains("Nov 1"))
                .await?;
            app.wait_for_count("#bill-lines tr.bill-line", 4).await?;
            app.screenshot("opened-from-a-notification").await?;

            // Off in Settings: the next bill shows nothing.
            app.click("header nav a[href='/settings']").await?;
            app.wait_for_count("#notify-new_bill-app", 1).await?;
            app.screenshot("notification-settings").await?;
            app.click("#notify-new_bill-app").await?;
            app.wait_for_count("#notify-new_bill-app:not(:checked)", 1)
                .await?;
            issue_bill(&server, 7_700).await?;
            let looks = looks_so_far(&app).await?;
            app.click("header nav a[href='/']").await?;
            app.click("#refresh").await?;
            // The app has looked since (and found nothing to show) before it is turned on again.
            app.wait_for_log(|log| log.matches(LOOKED).count() > looks)
                .await?;

            // On again: the bill after it shows, the one issued while off never does.
            app.click("header nav a[href='/settings']").await?;
            app.click("#notify-new_bill-app").await?;
            app.wait_for_count("#notify-new_bill-app:checked", 1)
                .await?;
            issue_bill(&server, 8_800).await?;
            app.click("header nav a[href='/']").await?;
            app.click("#refresh").await?;
            let seen = wait_for_shown(&shown, 2).await?;
            let bodies: Vec<&str> = seen.iter().map(|(_, _, body)| body.as_str()).collect();
            if seen.len() != 2 || !bodies[1].contains("USD 88.00") {
                return Err(format!("shown: {bodies:?}"));
            }
            if bodies.iter().any(|body| body.contains("USD 77.00")) {
                return Err("the bill issued while notifications were off was shown".into());
            }
            Ok(())
        }
        .await;
        let result = app.check(outcome).await;
        server.stop().await.map_err(|e| e.to_string())?;
        result
    });
}
