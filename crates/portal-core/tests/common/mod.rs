//! Helpers for the core's tests: a sandbox server on an ephemeral port, a temporary cache, and
//! the real OS credential store under a service name of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.
#![allow(dead_code)] // each test file uses its own subset

use portal_core::api::Timeouts;
use portal_core::credentials::Credentials;
use portal_core::{BackendUrl, Portal, PortalConfig};
use portal_server::RunningServer;
use portal_server::simulator::fill_hosted_checkout;
use std::time::Duration;

pub const JANE: (&str, &str, &str) = ("100-200-300", "jane.doe@example.com", "62701");
pub const GOOD_CARD: &str = "4242 4242 4242 4242";
pub const DECLINED_CARD: &str = "4000 0000 0000 0002";

/// One test's world: a server, a cache folder, a credential-store service name.
pub struct World {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub service: String,
}

impl World {
    pub async fn start() -> Self {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .expect("server starts");
        Self {
            server,
            dir: tempfile::tempdir().expect("temp dir"),
            service: format!("com.enerpro.portal.test.{}", portal_core::random_token()),
        }
    }

    pub fn config_for(&self, backend: &str) -> PortalConfig {
        PortalConfig {
            backend: BackendUrl::parse(backend).expect("loopback URL"),
            cache_path: self.dir.path().join("cache.sqlite3"),
            credential_service: self.service.clone(),
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(2),
                create_payment: Duration::from_secs(4),
            },
        }
    }

    pub fn config(&self) -> PortalConfig {
        self.config_for(&self.server.base_url())
    }

    /// A core as the app opens it (a new one plays "the app restarted").
    pub fn portal(&self) -> Portal {
        Portal::open(&self.config()).expect("the core opens")
    }

    pub fn credentials(&self) -> Credentials {
        Credentials::platform(&self.service)
    }

    /// Creates an invitation for Jane with the admin API and returns its code.
    pub async fn invite(&self) -> String {
        self.invite_customer(JANE.0, JANE.1).await
    }

    /// Creates an invitation with the admin API and returns its code.
    pub async fn invite_customer(&self, account: &str, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/admin/invitations", self.server.base_url()))
            .bearer_auth(self.server.admin_key())
            .json(&serde_json::json!({"account_number": account, "email": email}))
            .send()
            .await
            .expect("invite");
        let created: serde_json::Value = response.json().await.expect("json");
        created["app_link"]
            .as_str()
            .and_then(|link| link.split_once("code="))
            .map(|(_, code)| code.to_owned())
            .expect("a code")
    }

    /// A portal signed in as Jane.
    pub async fn signed_in(&self) -> Portal {
        let portal = self.portal();
        let code = self.invite().await;
        portal
            .accept_invitation(&code, JANE.2)
            .await
            .expect("the invitation is accepted");
        portal
    }
}

/// Starts paying the newest cached bill; returns the bill and the flow as started.
pub async fn start_paying_newest_bill(portal: &Portal) -> (String, portal_api::ipc::PaymentFlow) {
    let bill = portal.home().await.expect("home data").bills[0].id.clone();
    let flow = portal
        .start_payment(std::slice::from_ref(&bill))
        .await
        .expect("a checkout");
    (bill, flow)
}

/// Starts paying the newest cached bill and pays it in the hosted checkout (the browser does not
/// come back by itself); returns the flow as started.
pub async fn pay_newest_bill(portal: &Portal) -> portal_api::ipc::PaymentFlow {
    let (_, flow) = start_paying_newest_bill(portal).await;
    fill_hosted_checkout(
        flow.checkout_url.as_deref().expect("a checkout URL"),
        GOOD_CARD,
    )
    .await
    .expect("the hosted checkout answers");
    flow
}

/// Asserts that neither the credential store nor the cache holds anything of the customer.
pub async fn assert_nothing_left(world: &World, portal: &Portal) {
    let token = world
        .credentials()
        .get(portal_core::credentials::names::REFRESH_TOKEN);
    assert!(token.expect("the store answers").is_none(), "no token left");
    let home = portal.home().await.expect("the cache answers");
    assert!(
        home.customer.is_none() && home.bills.is_empty() && home.as_of.is_none(),
        "no customer data left"
    );
    assert!(!portal.is_signed_in().await.expect("the store answers"));
}

impl Drop for World {
    fn drop(&mut self) {
        // Leave nothing in the OS credential store.
        let credentials = Credentials::platform(&self.service);
        let _ = credentials.delete(portal_core::credentials::names::REFRESH_TOKEN);
        let _ = credentials.delete(portal_core::credentials::names::PKCE_VERIFIER);
    }
}

/// The ids of the bills the core has cached as unpaid, newest first.
pub async fn cached_bill_ids(portal: &Portal) -> Vec<String> {
    portal
        .home()
        .await
        .expect("home data")
        .bills
        .into_iter()
        .map(|bill| bill.id)
        .collect()
}
