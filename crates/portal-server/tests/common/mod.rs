//! Helpers for the server's tests: an HTTP client that speaks the API, and a "browser" that fills
//! the hosted checkout page as a person would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.
#![allow(dead_code)] // each test file uses its own subset

use portal_api::v1::{
    Bill, BillList, CreateInvitationRequest, InvitationCreated, Outbox, Payment,
    RedeemInvitationRequest, SessionTokens,
};
use portal_server::RunningServer;
use reqwest::{Response, StatusCode, redirect};
use serde_json::Value;

pub const JANE: (&str, &str, &str) = ("100-200-300", "jane.doe@example.com", "62701");
pub const OMAR: (&str, &str, &str) = ("100-200-301", "omar.haddad@example.com", "97201");
pub const MARIA: (&str, &str, &str) = ("100-200-303", "maria.garcia@example.com", "60623");
pub const GOOD_CARD: &str = "4242 4242 4242 4242";
pub const DECLINED_CARD: &str = "4000 0000 0000 0002";

pub struct Api {
    pub server: RunningServer,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .expect("server starts");
        Self::with(server)
    }

    /// A server with the demo data, the admin key `adm_test_key`, and the options `configure`
    /// sets, on a database in a folder of its own (kept as long as the folder is).
    pub async fn start_with(
        configure: impl FnOnce(&mut portal_server::ServerOptions),
    ) -> (Self, tempfile::TempDir) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut options = portal_server::ServerOptions::new(dir.path().join("db.sqlite3"));
        options.seed_demo = true;
        options.admin_key = Some("adm_test_key".into());
        configure(&mut options);
        let server = portal_server::spawn_with("127.0.0.1:0", options)
            .await
            .expect("server starts");
        (Self::with(server), dir)
    }

    pub fn with(server: RunningServer) -> Self {
        let http = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .expect("client");
        Self { server, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub async fn invite(&self, (account, email, _): (&str, &str, &str)) -> String {
        let response = self
            .http
            .post(self.url("/v1/admin/invitations"))
            .bearer_auth(self.server.admin_key())
            .json(&CreateInvitationRequest {
                account_number: account.into(),
                email: email.into(),
            })
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: InvitationCreated = response.json().await.expect("json");
        created
            .app_link
            .split_once("code=")
            .map(|(_, code)| code.to_owned())
            .expect("a code in the link")
    }

    /// Asks who an invitation is for (the code in the body).
    /// The text of the page at `url`, as a browser gets it (the hosted checkout, the return
    /// page).
    pub async fn page(&self, url: &str) -> String {
        self.http
            .get(url)
            .send()
            .await
            .expect("the page answers")
            .text()
            .await
            .expect("a text page")
    }

    /// The sandbox's outbox (admin API).
    pub async fn outbox(&self) -> Outbox {
        self.http
            .get(self.url("/v1/admin/outbox"))
            .bearer_auth(self.server.admin_key())
            .send()
            .await
            .expect("the outbox answers")
            .json()
            .await
            .expect("an outbox")
    }

    pub async fn preview(&self, code: &str) -> Response {
        self.post(
            "/v1/invitations/preview",
            None,
            &serde_json::json!({ "code": code }),
        )
        .await
    }

    pub async fn redeem(&self, code: &str, postcode: &str) -> Response {
        let body = serde_json::to_value(RedeemInvitationRequest {
            code: code.into(),
            postcode: postcode.into(),
        })
        .expect("json");
        self.post("/v1/invitations/redeem", None, &body).await
    }

    /// Invites and signs in a customer; returns their tokens.
    pub async fn sign_in(&self, customer: (&str, &str, &str)) -> SessionTokens {
        let code = self.invite(customer).await;
        let response = self.redeem(&code, customer.2).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("tokens")
    }

    pub async fn bills(&self, token: &str, filter: &str) -> Vec<Bill> {
        let response = self
            .get(&format!("/v1/bills?status={filter}"), Some(token))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<BillList>().await.expect("bills").bills
    }

    pub async fn create_payment(&self, token: &str, key: &str, bill_ids: &[&str]) -> Response {
        self.http
            .post(self.url("/v1/payments"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({ "bill_ids": bill_ids }))
            .send()
            .await
            .expect("request")
    }

    /// Creates a payment that must succeed, and returns it.
    pub async fn new_payment(&self, token: &str, key: &str, bill_ids: &[&str]) -> Payment {
        self.create_payment(token, key, bill_ids)
            .await
            .json()
            .await
            .expect("a payment")
    }

    pub async fn payment_action(&self, token: &str, payment_id: &str, action: &str) -> Payment {
        let response = self
            .post(
                &format!("/v1/payments/{payment_id}/{action}"),
                Some(token),
                &Value::Null,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{action}");
        response.json().await.expect("payment")
    }

    /// Fills the hosted page's form as a browser would. Returns the status and, on success, the
    /// redirect target.
    pub async fn pay_in_browser(&self, checkout_url: &str, card: &str) -> (StatusCode, String) {
        let page = self.http.get(checkout_url).send().await.expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("pay-form"), "the hosted page has a card form");
        self.submit_card(checkout_url, card).await
    }

    /// Posts the card form (without loading the page first).
    pub async fn submit_card(&self, checkout_url: &str, card: &str) -> (StatusCode, String) {
        let response = self
            .http
            .post(checkout_url)
            .form(&[
                ("card_number", card),
                ("expiry", "12 / 34"),
                ("cvc", "123"),
                ("name", "Jane Doe"),
            ])
            .send()
            .await
            .expect("submit");
        let status = response.status();
        let target = match response.headers().get("location") {
            Some(location) => location.to_str().unwrap_or_default().to_owned(),
            None => response.text().await.unwrap_or_default(),
        };
        (status, target)
    }

    /// Waits (bounded) until the payment has the given status without asking to confirm.
    pub async fn wait_for_status(&self, token: &str, payment_id: &str, status: &str) -> Payment {
        for _ in 0..100 {
            let response = self
                .get(&format!("/v1/payments/{payment_id}"), Some(token))
                .await;
            let payment: Value = response.json().await.expect("payment");
            if payment["status"] == status {
                return serde_json::from_value(payment).expect("payment");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("payment {payment_id} never became {status}");
    }
}

pub async fn error_code(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("an error body");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {body}"
    );
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}
