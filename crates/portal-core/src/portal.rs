//! [`Portal`]: everything the app does, as one object the shell's commands forward to.
//!
//! Reads come from the cache at once ([`Portal::home`]); [`Portal::refresh`] fetches and replaces
//! them. Payments follow a state machine persisted in the cache — created (the idempotency key is
//! stored before the request is sent) → checkout opened → confirming → paid | declined | expired
//! | canceled — so a payment survives the app being killed and resumes on the next start. The
//! rules: never two checkouts for the same bills; a return link that arrives twice confirms once;
//! an unknown outcome stays open ("processing"), never "unpaid".

mod autopay;
mod bills_and_usage;
mod notices;

use crate::cache::Cache;
use crate::credentials::{Credentials, names};
use crate::session::{Session, blocking};
use crate::{ApiClient, BackendUrl, CoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_api::ErrorCode;
use portal_api::ipc::{
    AccountView, BillView, Destination, EndedOutcome, EndedPayment, FIRST_PAINT_MAX_BYTES,
    FlowState, HistoryView, HomeView, PayBlock, PayPlan, PaymentFlow, PaymentSummary,
};
use portal_api::links::DeepLink;
use portal_api::v1::{
    Bill, BillStatus, Customer, ExchangeRequest, InvitationPreview, Money, Payment, PaymentStatus,
    Receipt, RedeemInvitationRequest, SignInAccepted, SignInRequest,
};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How the core is set up by the shell.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// The backend.
    pub backend: BackendUrl,
    /// The cache file.
    pub cache_path: PathBuf,
    /// The credential-store service name (the app identifier).
    pub credential_service: String,
    /// HTTP timeouts.
    pub timeouts: crate::api::Timeouts,
}

/// The polling schedule while a payment is processing: 2 s, doubling, at most 30 s apart.
pub const POLL_FIRST: Duration = Duration::from_secs(2);
/// The longest pause between two polls.
pub const POLL_MAX: Duration = Duration::from_secs(30);

/// The client core.
pub struct Portal {
    api: ApiClient,
    session: Session,
    credentials: Credentials,
    cache: Mutex<Cache>,
    payments: tokio::sync::Mutex<()>,
    confirms: AtomicU64,
    /// What went wrong in the last refresh of the home data (`None` after a good one).
    last_problem: Mutex<Option<CoreError>>,
}

impl Portal {
    /// Opens the core: the cache (rebuilt if corrupt) and the platform credential store. A
    /// device without a usable store still opens: the cache shows, and the home view says what
    /// is missing. Blocks (files, D-Bus): call it off the UI thread.
    pub fn open(config: &PortalConfig) -> Result<Self, CoreError> {
        Self::open_with(config, Credentials::platform(&config.credential_service))
    }

    /// Opens the core with a given credential store.
    pub fn open_with(config: &PortalConfig, credentials: Credentials) -> Result<Self, CoreError> {
        let cache = Cache::open(&config.cache_path)?;
        Self::assemble(config, credentials, cache)
    }

    /// Opens the core on a cache the caller has already opened (the app reads its first screen
    /// from it before the core is ready, and the file is opened and checked once).
    pub fn open_with_cache(config: &PortalConfig, cache: Cache) -> Result<Self, CoreError> {
        Self::assemble(
            config,
            Credentials::platform(&config.credential_service),
            cache,
        )
    }

    fn assemble(
        config: &PortalConfig,
        credentials: Credentials,
        cache: Cache,
    ) -> Result<Self, CoreError> {
        let api = ApiClient::with_timeouts(config.backend.clone(), config.timeouts)?;
        Ok(Self {
            session: Session::new(api.clone(), credentials.clone()),
            api,
            credentials,
            cache: Mutex::new(cache),
            payments: tokio::sync::Mutex::new(()),
            confirms: AtomicU64::new(0),
            last_problem: Mutex::new(None),
        })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The session (for its refresh count in tests and logs).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// How many payment confirmations this core has asked the backend for.
    pub fn confirm_count(&self) -> u64 {
        self.confirms.load(Ordering::Relaxed)
    }

    /// Whether this device has a session to resume.
    pub async fn is_signed_in(&self) -> Result<bool, CoreError> {
        self.session.has_refresh_token().await
    }

    /// What the home screen shows, from the cache, at once, with the outcome of the last
    /// refresh. Asks the credential store only when nothing is cached.
    pub async fn home(&self) -> Result<HomeView, CoreError> {
        let cached = {
            let cache = self.cache();
            CachedHome::read(&cache)?
        };
        let (signed_in, store_problem) = if cached.has_customer() {
            (true, None)
        } else {
            match self.session.has_refresh_token().await {
                Ok(signed_in) => (signed_in, None),
                Err(error) => (false, Some(error)),
            }
        };
        let problem = store_problem.or_else(|| self.last_problem().clone());
        Ok(cached.view(signed_in, problem))
    }

    fn last_problem(&self) -> std::sync::MutexGuard<'_, Option<CoreError>> {
        self.last_problem
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The home screen of a signed-in customer's cache, read straight from the cache (no
    /// network, no credential store), for the app's first frame; `None` without a cached
    /// customer or a readable cache.
    pub fn first_screen(cache: &Cache) -> Option<HomeView> {
        let cached = CachedHome::read(cache).ok()?;
        cached.has_customer().then(|| cached.view(true, None))
    }

    /// The picture of the home screen saved for the view the cache holds now, for the app's first
    /// paint; `None` if none was saved for this data.
    pub fn first_paint(cache: &Cache, view: &HomeView) -> Option<String> {
        cache.first_paint(&view.revision).ok().flatten()
    }

    /// Keeps the UI's picture of the home screen for the next start, if it shows what the cache
    /// holds now (`revision`); answers whether it was kept. A picture over
    /// [`FIRST_PAINT_MAX_BYTES`] is refused.
    pub fn save_first_paint(&self, revision: &str, html: &str) -> Result<bool, CoreError> {
        if html.len() > FIRST_PAINT_MAX_BYTES {
            return Err(CoreError::coded(ErrorCode::BodyTooLarge));
        }
        let mut cache = self.cache();
        match Self::first_screen(&cache) {
            Some(view) if view.revision == revision => {
                // Every start shows the kept data again: no write when nothing changed.
                if cache.first_paint(revision)?.as_deref() != Some(html) {
                    cache.store_first_paint(revision, html)?;
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Speaks `language` to the backend from now on (its mails and the checkout follow it).
    pub fn set_language(&self, language: portal_api::Language) {
        self.api.set_language(language);
    }

    /// Drops the kept picture of the home screen: the app now speaks another language than the
    /// picture (the UI keeps a new one once it has rendered in it).
    pub fn forget_first_paint(&self) -> Result<(), CoreError> {
        self.cache().forget_first_paint()
    }

    /// Fetches the customer and their unpaid bills and replaces the cached ones. A failure to
    /// reach the backend (or the credential store) leaves the cache as it was and answers it,
    /// marked with the problem; only a failing cache is an error.
    pub async fn refresh(&self) -> Result<HomeView, CoreError> {
        let problem = match self.fetch_home().await {
            Ok(()) => None,
            Err(error @ CoreError::Cache { .. }) => return Err(error),
            Err(CoreError::NotSignedIn) => None,
            Err(error) => {
                tracing::warn!("refreshing the home data failed: {error}");
                self.forget_if_ended(&error).await;
                Some(error)
            }
        };
        *self.last_problem() = problem;
        self.home().await
    }

    /// What the pay screen shows for `chosen` bills (`None`: every payable bill), decided by the
    /// same rule as [`Portal::start_payment`]: bills already in an open payment cannot be paid
    /// again until it ends.
    pub fn pay_plan(&self, chosen: Option<&[String]>) -> Result<PayPlan, CoreError> {
        let home = CachedHome::read(&self.cache())?;
        let open = home.open.clone();
        let bills: Vec<BillView> = home
            .shown_bills()
            .into_iter()
            .filter(|bill| !bill.processing)
            .collect();
        let chosen: Vec<String> = bills
            .iter()
            .filter(|bill| chosen.is_none_or(|ids| ids.contains(&bill.id)))
            .map(|bill| bill.id.clone())
            .collect();
        let total = total(
            bills
                .iter()
                .filter(|bill| chosen.contains(&bill.id))
                .map(|bill| &bill.amount),
        );
        let offline = self
            .last_problem()
            .as_ref()
            .is_some_and(CoreError::is_connectivity);
        let blocked = pay_block(offline, bills.len(), chosen.len(), &open);
        Ok(PayPlan {
            bills,
            chosen,
            total,
            blocked,
        })
    }

    /// Fetches the person's accounts, then each account's bills (each kept with its own time,
    /// so an account fetched before a failure stays fresh).
    async fn fetch_home(&self) -> Result<(), CoreError> {
        for account in &self.fetch_accounts().await? {
            let api = self.api.in_account(Some(&account.account_number));
            let api = &api;
            let bills = self
                .session
                .call(|token| async move { api.outstanding_bills(&token).await })
                .await?;
            self.cache()
                .store_bills(&account.account_number, &bills.bills)?;
        }
        Ok(())
    }

    /// Shows one account (`None`: every account together), from the cache.
    pub async fn choose_account(&self, account: Option<&str>) -> Result<HomeView, CoreError> {
        {
            let mut cache = self.cache();
            if let Some(number) = account {
                let held = cache
                    .accounts()?
                    .is_some_and(|held| held.data.iter().any(|a| a.account_number == number));
                if !held {
                    return Err(CoreError::coded(ErrorCode::NotFound));
                }
            }
            cache.choose_account(account)?;
        }
        self.home().await
    }

    /// Every account's number, in the backend's order: the cached ones, or on a device that has
    /// none cached yet, the backend's (kept).
    async fn account_numbers(&self) -> Result<Vec<String>, CoreError> {
        let cached = numbers_of(self.cache().accounts()?);
        if !cached.is_empty() {
            return Ok(cached);
        }
        let fetched = self.fetch_accounts().await?;
        Ok(fetched
            .into_iter()
            .map(|account| account.account_number)
            .collect())
    }

    /// Fetches the person's accounts and keeps them, the cache claimed for them.
    async fn fetch_accounts(&self) -> Result<Vec<Customer>, CoreError> {
        let accounts = self
            .fetch(|token| async move { self.api.accounts(&token).await })
            .await?
            .accounts;
        let mut cache = self.cache();
        cache.claim(&accounts)?;
        cache.store_accounts(&accounts)?;
        Ok(accounts)
    }

    /// The accounts the screens show: the chosen one, or all of them.
    fn shown_accounts(&self) -> Result<Vec<String>, CoreError> {
        let cache = self.cache();
        let all = numbers_of(cache.accounts()?);
        Ok(match cache.chosen_account()? {
            Some(chosen) if all.contains(&chosen) => vec![chosen],
            _ => all,
        })
    }

    /// The client for requests about a payment flow: the account it pays from.
    fn api_of_flow(&self, flow_id: i64) -> Result<ApiClient, CoreError> {
        Ok(self
            .api
            .in_account(self.cache().flow_account(flow_id)?.as_deref()))
    }

    /// A session the backend ended (any 401 but an expired access token) leaves nothing of the
    /// customer on this device: neither its data nor its tokens, so nothing retries with them.
    /// An authenticated request; a session the backend ended is forgotten here too.
    async fn fetch<T, F, Fut>(&self, request: F) -> Result<T, CoreError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, CoreError>>,
    {
        let fetched = self.session.call(request).await;
        if let Err(error) = &fetched {
            self.forget_if_ended(error).await;
        }
        fetched
    }

    async fn forget_if_ended(&self, error: &CoreError) {
        if let CoreError::Unauthorized { .. } = error {
            tracing::warn!("the backend ended the session: {error}");
            if let Err(error) = self.cache().clear() {
                tracing::warn!("could not clear the cache after the session ended: {error}");
            }
            if let Err(error) = self.session.forget().await {
                tracing::warn!("could not delete the ended session's tokens: {error}");
            }
        }
    }

    /// Where a deep link leads. A payment-return link leads to the payment of this device it
    /// belongs to; one for a payment this device does not know is refused. A notification's
    /// payment link leads to that payment when this device started it, else to the history
    /// (its receipts).
    pub fn destination(&self, link: DeepLink) -> Result<Destination, CoreError> {
        Ok(match link {
            DeepLink::Invite { code } => Destination::Invitation { code },
            DeepLink::SignIn { code } => Destination::SignIn { code },
            DeepLink::PaymentReturn { payment } => Destination::Payment {
                flow_id: self
                    .cache()
                    .flow_by_payment(&payment)?
                    .ok_or(CoreError::UnknownPayment)?
                    .0
                    .flow_id,
            },
            DeepLink::Bill { id } => Destination::Bill { bill_id: id },
            DeepLink::Payment { id } => match self.cache().flow_by_payment(&id)? {
                Some((flow, _)) => Destination::Payment {
                    flow_id: flow.flow_id,
                },
                None => Destination::History,
            },
            // The card was saved for this account: Autopay shows it (an account this device does
            // not hold leaves the choice as it was).
            DeepLink::AutopayReturn { account } => {
                let mut cache = self.cache();
                let held = numbers_of(cache.accounts()?).contains(&account);
                if held {
                    cache.choose_account(Some(&account))?;
                }
                Destination::Autopay
            }
        })
    }

    /// Who an invitation is for.
    pub async fn preview_invitation(&self, code: &str) -> Result<InvitationPreview, CoreError> {
        self.api.preview_invitation(code).await
    }

    /// Accepts an invitation with the service postcode; signs in and loads the home data. Where
    /// someone is signed in already, the invitation's account joins their sign-in instead (one
    /// they hold already: `account_already_added`, nothing changes). The invitation is spent
    /// only once the credential store has shown it takes writes, so a failing store never uses
    /// up an invitation without keeping its session.
    pub async fn accept_invitation(
        &self,
        code: &str,
        postcode: &str,
    ) -> Result<HomeView, CoreError> {
        self.check_credentials_writable().await?;
        let request = RedeemInvitationRequest {
            code: code.to_owned(),
            postcode: postcode.trim().to_owned(),
        };
        let request = &request;
        if self.session.has_refresh_token().await? {
            let added = self
                .session
                .call(
                    |token| async move { self.api.redeem_invitation(Some(&token), request).await },
                )
                .await;
            match added {
                Ok(tokens) => {
                    self.session.replace(tokens).await?;
                    return self.refresh().await;
                }
                // The session here had ended: the invitation signs in the person it was for.
                Err(error @ CoreError::Unauthorized { .. }) => self.forget_if_ended(&error).await,
                Err(error) => return Err(error),
            }
        }
        let tokens = self.api.redeem_invitation(None, request).await?;
        self.session.start(tokens).await?;
        self.refresh().await
    }

    async fn check_credentials_writable(&self) -> Result<(), CoreError> {
        let credentials = self.credentials.clone();
        blocking(move || credentials.check_writable()).await
    }

    /// Asks for a sign-in link by email. The PKCE verifier stays in the credential store until
    /// the link comes back to this device.
    pub async fn request_signin(&self, email: &str) -> Result<SignInAccepted, CoreError> {
        let verifier = crate::random_token();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let credentials = self.credentials.clone();
        blocking(move || credentials.set(names::PKCE_VERIFIER, &verifier)).await?;
        self.api
            .request_signin(&SignInRequest {
                email: email.trim().to_owned(),
                code_challenge: challenge,
                code_challenge_method: "S256".to_owned(),
            })
            .await
    }

    /// Completes sign-in with the code from the link and this device's verifier.
    pub async fn complete_signin(&self, code: &str) -> Result<HomeView, CoreError> {
        let credentials = self.credentials.clone();
        let verifier = blocking(move || credentials.get(names::PKCE_VERIFIER))
            .await?
            .ok_or_else(|| CoreError::coded(ErrorCode::SigninNotStarted))?;
        self.check_credentials_writable().await?;
        let tokens = self
            .api
            .exchange_signin(&ExchangeRequest {
                code: code.to_owned(),
                code_verifier: verifier,
            })
            .await?;
        self.session.start(tokens).await?;
        let credentials = self.credentials.clone();
        blocking(move || credentials.delete(names::PKCE_VERIFIER)).await?;
        self.refresh().await
    }

    /// Signs out: revokes the session, deletes the tokens and every cached record. The cache is
    /// cleared even when the credential store fails.
    pub async fn sign_out(&self) -> Result<(), CoreError> {
        let ended = self.session.end().await;
        self.cache().clear()?;
        *self.last_problem() = None;
        ended
    }

    /// The cached receipts, newest first.
    pub fn receipts(&self) -> Result<Vec<Receipt>, CoreError> {
        self.cache().receipts()
    }

    /// One cached receipt.
    pub fn receipt(&self, receipt_id: &str) -> Result<Receipt, CoreError> {
        self.receipts()?
            .into_iter()
            .find(|receipt| receipt.id == receipt_id)
            .ok_or_else(|| CoreError::coded(ErrorCode::NotFound))
    }

    /// Fetches every account's receipts and replaces the cached ones; answers them all.
    pub async fn refresh_receipts(&self) -> Result<Vec<Receipt>, CoreError> {
        for account in self.account_numbers().await? {
            let api = self.api.in_account(Some(&account));
            let api = &api;
            let receipts = self
                .fetch(|token| async move { api.receipts(&token).await })
                .await?
                .receipts;
            self.cache().store_receipts(&account, &receipts)?;
        }
        self.receipts()
    }

    /// Fetches every account's payments and caches those that ended without taking money.
    async fn refresh_ended_payments(&self) -> Result<(), CoreError> {
        for account in self.account_numbers().await? {
            let api = self.api.in_account(Some(&account));
            let api = &api;
            let ended: Vec<EndedPayment> = self
                .fetch(|token| async move { api.payments(&token).await })
                .await?
                .payments
                .into_iter()
                .filter_map(|payment| {
                    Some(EndedPayment {
                        outcome: EndedOutcome::of(&payment)?,
                        payment_id: payment.id,
                        amount: payment.amount,
                        started_at: payment.created_at,
                    })
                })
                .collect();
            self.cache().store_ended_payments(&account, &ended)?;
        }
        Ok(())
    }

    /// The payment history from the cache: receipts and this device's payments under way.
    pub fn history(&self) -> Result<HistoryView, CoreError> {
        let cache = self.cache();
        Ok(HistoryView {
            receipts: cache.receipts()?,
            in_progress: cache
                .open_flows()?
                .iter()
                .map(|(flow, _)| summary(flow))
                .collect(),
            ended: cache.ended_payments()?,
            as_of: cache.receipts_as_of()?,
            problem: None,
        })
    }

    /// Fetches every receipt of the customer (a complete history on a new device) and answers
    /// the history; a failure answers the cached history with the problem.
    pub async fn refresh_history(&self) -> Result<HistoryView, CoreError> {
        let (receipts, ended) =
            tokio::join!(self.refresh_receipts(), self.refresh_ended_payments());
        let problem = match receipts.and(ended) {
            Ok(_) => None,
            Err(error @ CoreError::Cache { .. }) => return Err(error),
            Err(error) => {
                tracing::warn!("refreshing the receipts failed: {error}");
                Some(error.to_body())
            }
        };
        Ok(HistoryView {
            problem,
            ..self.history()?
        })
    }

    /// The payments started on this device, newest first.
    pub fn payment_flows(&self) -> Result<Vec<PaymentFlow>, CoreError> {
        self.cache().flows()
    }

    /// One payment started on this device.
    pub fn payment_flow(&self, flow_id: i64) -> Result<PaymentFlow, CoreError> {
        Ok(self.flow(flow_id)?.0)
    }

    /// Records whether the system browser opened the flow's checkout page; answers the flow.
    pub fn record_browser(&self, flow_id: i64, opened: bool) -> Result<PaymentFlow, CoreError> {
        self.cache().set_browser_failed(flow_id, !opened)?;
        self.payment_flow(flow_id)
    }

    fn flow(&self, flow_id: i64) -> Result<(PaymentFlow, String), CoreError> {
        self.cache().flow(flow_id)?.ok_or(CoreError::UnknownPayment)
    }

    /// Starts paying `bill_ids` in full — of one account or several, in one checkout: records the
    /// flow with its idempotency key and the account it pays from (the first bill's), asks the
    /// backend for a checkout, and returns the flow with the checkout URL to open. Bills already
    /// in an open payment return that payment instead of a second checkout.
    pub async fn start_payment(&self, bill_ids: &[String]) -> Result<PaymentFlow, CoreError> {
        let _one_at_a_time = self.payments.lock().await;
        if bill_ids.is_empty() {
            return Err(CoreError::coded(ErrorCode::NoBills));
        }
        let open = self.cache().open_flows()?;
        if let Some((flow, _)) = open
            .into_iter()
            .find(|(flow, _)| flow.bill_ids.iter().any(|bill| bill_ids.contains(bill)))
        {
            return Ok(flow);
        }
        let key = crate::random_token();
        let account = self.cache().bill_account(&bill_ids[0])?;
        let flow_id = self
            .cache()
            .insert_flow(&key, bill_ids, account.as_deref())?;
        self.create_checkout(flow_id, &key, bill_ids).await
    }

    /// Asks the backend for the flow's checkout (again: the key makes it the same payment).
    async fn create_checkout(
        &self,
        flow_id: i64,
        key: &str,
        bill_ids: &[String],
    ) -> Result<PaymentFlow, CoreError> {
        let api = self.api_of_flow(flow_id)?;
        let api = &api;
        let created = self
            .session
            .call(|token| async move { api.create_payment(&token, key, bill_ids).await })
            .await;
        match created {
            Ok(payment) => self.apply(flow_id, &payment, FlowState::CheckoutOpened),
            // Nothing is known about the outcome: keep the flow; resuming repeats the same key.
            Err(error) if error.is_connectivity() => {
                tracing::warn!("payment creation outcome unknown ({error}); will retry");
                Ok(self.flow(flow_id)?.0)
            }
            Err(CoreError::Api(body)) if body.code == ErrorCode::BillInOpenPayment => {
                self.adopt_open_payment(flow_id, bill_ids).await
            }
            Err(error) => {
                // The backend refused: nothing was created.
                self.cache().delete_flow(flow_id)?;
                self.forget_if_ended(&error).await;
                Err(error)
            }
        }
    }

    /// The bills are in a payment this device lost track of: find it and follow it.
    async fn adopt_open_payment(
        &self,
        flow_id: i64,
        bill_ids: &[String],
    ) -> Result<PaymentFlow, CoreError> {
        let api = self.api_of_flow(flow_id)?;
        let api = &api;
        let payments = self
            .session
            .call(|token| async move { api.payments(&token).await })
            .await?;
        let existing = payments.payments.into_iter().find(|p| {
            p.status == PaymentStatus::Processing && p.bill_ids.iter().any(|b| bill_ids.contains(b))
        });
        match existing {
            Some(payment) if self.cache().flow_by_payment(&payment.id)?.is_none() => {
                self.apply(flow_id, &payment, FlowState::CheckoutOpened)
            }
            Some(payment) => {
                self.cache().delete_flow(flow_id)?;
                self.cache()
                    .flow_by_payment(&payment.id)?
                    .map(|(flow, _)| flow)
                    .ok_or(CoreError::UnknownPayment)
            }
            None => {
                self.cache().delete_flow(flow_id)?;
                Err(CoreError::coded(ErrorCode::BillInOpenPayment))
            }
        }
    }

    /// Records what the backend says about a flow's payment. `open_state` is the state to show
    /// while it is still processing.
    fn apply(
        &self,
        flow_id: i64,
        payment: &Payment,
        open_state: FlowState,
    ) -> Result<PaymentFlow, CoreError> {
        let mut cache = self.cache();
        let state = match payment.status {
            PaymentStatus::Paid => {
                if let Some(receipt) = &payment.receipt {
                    let account = match cache.flow_account(flow_id)? {
                        Some(account) => account,
                        None => cache.owner()?.unwrap_or_default(),
                    };
                    cache.store_receipt(&account, receipt)?;
                }
                cache.mark_bills_paid(&payment.bill_ids)?;
                FlowState::Paid
            }
            PaymentStatus::Processing => match &payment.decline_code {
                // The customer reads the catalog's words for the code.
                Some(code) => {
                    tracing::info!("payment {} declined: {code}", payment.id);
                    cache.set_decline_code(flow_id, Some(code))?;
                    FlowState::Declined
                }
                None => open_state,
            },
            PaymentStatus::Expired => FlowState::Expired,
            PaymentStatus::Canceled => FlowState::Canceled,
        };
        let url = (!payment.checkout_url.is_empty()).then_some(payment.checkout_url.as_str());
        cache.update_flow(
            flow_id,
            Some(&payment.id),
            Some(&payment.amount),
            state,
            url,
        )?;
        cache
            .flow(flow_id)?
            .map(|(flow, _)| flow)
            .ok_or(CoreError::UnknownPayment)
    }

    /// The browser came back from checkout with `payment_id`. Confirms with the backend once;
    /// a second return link for a settled payment changes nothing.
    pub async fn payment_returned(&self, payment_id: &str) -> Result<PaymentFlow, CoreError> {
        let flow = self
            .cache()
            .flow_by_payment(payment_id)?
            .map(|(flow, _)| flow);
        let flow = flow.ok_or(CoreError::UnknownPayment)?;
        self.confirm(flow.flow_id, FlowState::Confirming).await
    }

    /// Asks the backend where the flow's payment stands and records it, keeping the flow's
    /// current open state while it is still processing. An unanswered question leaves the
    /// flow open ("processing"), never unpaid.
    pub async fn check_payment(&self, flow_id: i64) -> Result<PaymentFlow, CoreError> {
        let state = self.flow(flow_id)?.0.state;
        self.confirm(flow_id, state).await
    }

    async fn confirm(&self, flow_id: i64, open_state: FlowState) -> Result<PaymentFlow, CoreError> {
        let _one_at_a_time = self.payments.lock().await;
        let (flow, key) = self.flow(flow_id)?;
        if !flow.state.is_open() {
            return Ok(flow);
        }
        let Some(payment_id) = flow.payment_id.clone() else {
            return self.create_checkout(flow_id, &key, &flow.bill_ids).await;
        };
        let open_state = match open_state {
            FlowState::Created => FlowState::CheckoutOpened,
            other => other,
        };
        self.cache()
            .update_flow(flow_id, None, None, open_state, None)?;
        self.confirms.fetch_add(1, Ordering::Relaxed);
        let payment_ref = payment_id.as_str();
        let api = self.api_of_flow(flow_id)?;
        let api = &api;
        let confirmed = self
            .session
            .call(|token| async move { api.confirm_payment(&token, payment_ref).await })
            .await;
        match confirmed {
            Ok(payment) => {
                self.cache().set_unknown_to_backend(flow_id, false)?;
                self.apply(flow_id, &payment, open_state)
            }
            Err(error) if error.is_connectivity() => Ok(self.flow(flow_id)?.0),
            Err(error) if error.code() == ErrorCode::NotFound => {
                tracing::warn!(flow = flow_id, "the backend has no record of this payment");
                self.cache().set_unknown_to_backend(flow_id, true)?;
                Ok(self.flow(flow_id)?.0)
            }
            Err(error) => Err(error),
        }
    }

    /// Dismisses a flow whose payment the backend has no record of, so its bills can be paid
    /// again. The backend is asked once more first: a payment it knows after all is never
    /// dismissed. Answers whether the flow is gone.
    pub async fn dismiss_payment(&self, flow_id: i64) -> Result<bool, CoreError> {
        let flow = self.check_payment(flow_id).await?;
        if !flow.unknown_to_backend || !flow.state.is_open() {
            return Ok(false);
        }
        self.cache().delete_flow(flow_id)?;
        Ok(true)
    }

    /// Cancels the flow's checkout. If the customer paid meanwhile, the flow becomes paid.
    pub async fn cancel_payment(&self, flow_id: i64) -> Result<PaymentFlow, CoreError> {
        let flow = self.check_payment(flow_id).await?;
        if !flow.state.is_open() {
            return Ok(flow);
        }
        let _one_at_a_time = self.payments.lock().await;
        let Some(payment_id) = flow.payment_id.clone() else {
            return Ok(flow);
        };
        let payment_ref = payment_id.as_str();
        let api = self.api_of_flow(flow_id)?;
        let api = &api;
        let canceled = self
            .session
            .call(|token| async move { api.cancel_payment(&token, payment_ref).await })
            .await?;
        self.apply(flow_id, &canceled, FlowState::Confirming)
    }

    /// After a restart: asks about every open flow (and retries creations left unanswered).
    /// One that fails stays as it was and the others go on.
    pub async fn resume_payments(&self) -> Result<Vec<PaymentFlow>, CoreError> {
        let open = self.cache().open_flows()?;
        let mut flows = Vec::with_capacity(open.len());
        for (flow, _) in open {
            match self.check_payment(flow.flow_id).await {
                Ok(checked) => flows.push(checked),
                Err(error) => {
                    tracing::warn!("resuming payment flow {} failed: {error}", flow.flow_id);
                    flows.push(flow);
                }
            }
        }
        Ok(flows)
    }

    /// Polls a processing payment with backoff (2 s doubling to 30 s) until it settles or
    /// `limit` passes; calls `on_change` whenever its state changes. Returns the last state.
    pub async fn watch_payment(
        &self,
        flow_id: i64,
        limit: Duration,
        first_delay: Duration,
        mut on_change: impl FnMut(&PaymentFlow),
    ) -> Result<PaymentFlow, CoreError> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut delay = first_delay;
        let mut last = self.flow(flow_id)?.0;
        loop {
            let flow = self.check_payment(flow_id).await?;
            if flow != last {
                on_change(&flow);
                last = flow.clone();
            }
            if !flow.state.is_open() || tokio::time::Instant::now() + delay > deadline {
                return Ok(flow);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(POLL_MAX);
        }
    }
}

/// What the home screen is made of, as read from the cache: every account with its bills, and
/// which account is shown (`None`: all of them).
struct CachedHome {
    accounts: Vec<CachedAccount>,
    chosen: Option<String>,
    open: Vec<(PaymentFlow, String)>,
}

/// One account and its cached bills.
struct CachedAccount {
    customer: Customer,
    bills: Option<crate::cache::Cached<Vec<Bill>>>,
}

impl CachedHome {
    fn read(cache: &Cache) -> Result<Self, CoreError> {
        let customers = cache
            .accounts()?
            .map(|accounts| accounts.data)
            .unwrap_or_default();
        let mut accounts = Vec::with_capacity(customers.len());
        for customer in customers {
            let bills = cache.unpaid_bills(&customer.account_number)?;
            accounts.push(CachedAccount { customer, bills });
        }
        // One account is always shown alone; a choice of an account no longer held is no choice.
        let chosen = match accounts.as_slice() {
            [only] => Some(only.customer.account_number.clone()),
            _ => cache.chosen_account()?.filter(|chosen| {
                accounts
                    .iter()
                    .any(|a| a.customer.account_number == *chosen)
            }),
        };
        Ok(Self {
            accounts,
            chosen,
            open: cache.open_flows()?,
        })
    }

    fn has_customer(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// The accounts shown: the chosen one, or all.
    fn shown(&self) -> impl Iterator<Item = &CachedAccount> {
        self.accounts.iter().filter(|account| {
            self.chosen
                .as_ref()
                .is_none_or(|chosen| *chosen == account.customer.account_number)
        })
    }

    /// The bills of the accounts shown, account by account.
    fn shown_bills(&self) -> Vec<BillView> {
        self.shown()
            .flat_map(|account| account.bill_views(&self.open))
            .collect()
    }

    /// The view, with whether someone is signed in and the last problem, if any.
    fn view(self, signed_in: bool, problem: Option<CoreError>) -> HomeView {
        let bills = self.shown_bills();
        let as_of = self
            .shown()
            .filter_map(|account| account.bills.as_ref().map(|bills| bills.as_of.clone()))
            .min_by(|a, b| a.fetched_at.cmp(&b.fetched_at));
        let outstanding: Vec<&BillView> = bills.iter().filter(|b| !b.processing).collect();
        let offline = problem.as_ref().is_some_and(CoreError::is_connectivity);
        // Home offers to pay every outstanding bill: the pay screen's rule with all of them chosen.
        let pay_blocked = pay_block(offline, outstanding.len(), outstanding.len(), &self.open);
        let customer = self.chosen.as_ref().and_then(|chosen| {
            self.accounts
                .iter()
                .find(|account| account.customer.account_number == *chosen)
                .map(|account| account.customer.clone())
        });
        let accounts = self
            .accounts
            .iter()
            .map(|account| account.view(&self.open))
            .collect();
        let mut view = HomeView {
            signed_in,
            accounts,
            selected: self.chosen.clone(),
            customer,
            total_due: total(outstanding.iter().map(|bill| &bill.amount)),
            bills,
            as_of,
            offline,
            problem: problem.map(|error| error.to_body()),
            pay_blocked,
            revision: String::new(),
        };
        view.revision = revision(&view);
        view
    }
}

impl CachedAccount {
    fn bill_views(&self, open: &[(PaymentFlow, String)]) -> Vec<BillView> {
        self.bills
            .iter()
            .flat_map(|bills| &bills.data)
            .map(|bill| bill_view(bill, &self.customer.account_number, open))
            .collect()
    }

    /// The account in the switcher: its total due and how fresh its bills are.
    fn view(&self, open: &[(PaymentFlow, String)]) -> AccountView {
        let bills = self.bill_views(open);
        let due: Vec<&BillView> = bills.iter().filter(|bill| !bill.processing).collect();
        AccountView {
            customer: self.customer.clone(),
            total_due: total(due.iter().map(|bill| &bill.amount)),
            bills_due: u32::try_from(due.len()).unwrap_or(u32::MAX),
            as_of: self.bills.as_ref().map(|bills| bills.as_of.clone()),
        }
    }
}

/// The numbers of cached accounts.
fn numbers_of(accounts: Option<crate::cache::Cached<Vec<Customer>>>) -> Vec<String> {
    accounts
        .map(|accounts| accounts.data)
        .unwrap_or_default()
        .into_iter()
        .map(|account| account.account_number)
        .collect()
}

/// The revision of a home view: a digest of this app version and everything the view shows but
/// when it was fetched and what its last refresh met (offline, another problem, and the block
/// on paying that follows from them and the data), so a picture of the screen is never painted
/// over data it does not show, nor by another version of the UI, yet stays good across
/// refreshes that change nothing, and one taken offline is good online (the picture leaves the
/// time and the refresh's notices out; Home shows no block on paying).
fn revision(view: &HomeView) -> String {
    let timeless = HomeView {
        as_of: None,
        offline: false,
        problem: None,
        pay_blocked: None,
        accounts: view
            .accounts
            .iter()
            .map(|account| AccountView {
                as_of: None,
                ..account.clone()
            })
            .collect(),
        ..view.clone()
    };
    let mut digest = Sha256::new();
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    digest.update(serde_json::to_vec(&timeless).unwrap_or_default());
    URL_SAFE_NO_PAD.encode(&digest.finalize()[..16])
}

/// A bill of `account` as the app shows it; `open` are the payment flows still under way.
fn bill_view(bill: &Bill, account: &str, open: &[(PaymentFlow, String)]) -> BillView {
    BillView {
        id: bill.id.clone(),
        account_number: account.to_owned(),
        period: bill.period.clone(),
        due_date: bill.due_date.clone(),
        amount: bill.amount.clone(),
        processing: bill.status == BillStatus::Processing
            || open
                .iter()
                .any(|(flow, _)| flow.bill_ids.contains(&bill.id)),
    }
}

/// The sum of `amounts`, if there is at least one and all are in one currency.
fn total<'a>(mut amounts: impl Iterator<Item = &'a Money>) -> Option<Money> {
    let first = amounts.next()?.clone();
    amounts.try_fold(first, |sum, amount| {
        (amount.currency == sum.currency).then_some(())?;
        Some(Money {
            amount_minor: sum.amount_minor.checked_add(amount.amount_minor)?,
            currency: sum.currency,
        })
    })
}

/// A payment flow in a sentence.
fn summary(flow: &PaymentFlow) -> PaymentSummary {
    PaymentSummary {
        flow_id: flow.flow_id,
        amount: flow.amount.clone(),
        started_at: flow.started_at.clone(),
    }
}

/// Why paying cannot start, if it cannot — the one rule of Home and the pay screen: offline;
/// nothing payable (a payment under way holds the rest, or nothing is due); nothing chosen.
fn pay_block(
    offline: bool,
    payable: usize,
    chosen: usize,
    open: &[(PaymentFlow, String)],
) -> Option<PayBlock> {
    if offline {
        Some(PayBlock::Offline)
    } else if payable == 0 {
        Some(match open.first() {
            Some((flow, _)) => PayBlock::PaymentInProgress {
                payment: summary(flow),
            },
            None => PayBlock::NothingDue,
        })
    } else if chosen == 0 {
        Some(PayBlock::NothingChosen)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_api::ipc::AsOf;
    use portal_api::v1::Period;

    fn usd(amount_minor: i64) -> Money {
        Money {
            amount_minor,
            currency: "USD".into(),
        }
    }

    #[test]
    fn totals_add_one_currency_and_refuse_to_mix_or_overflow() {
        assert_eq!(total([usd(100), usd(250)].iter()), Some(usd(350)));
        assert_eq!(total(std::iter::empty()), None);
        let euro = Money {
            amount_minor: 1,
            currency: "EUR".into(),
        };
        assert_eq!(total([usd(1), euro].iter()), None);
        assert_eq!(total([usd(i64::MAX), usd(1)].iter()), None);
    }

    #[test]
    fn a_views_revision_changes_with_what_it_shows_but_not_with_when_it_was_fetched() {
        let bill = Bill {
            id: "bill_1".into(),
            period: Period {
                start: "2026-10-01".into(),
                end: "2026-10-31".into(),
            },
            issue_date: "2026-11-01".into(),
            due_date: "2026-11-21".into(),
            amount: usd(9_275),
            status: BillStatus::Outstanding,
        };
        let home = |bill: &Bill, fetched_at: &str, age_seconds: u64| {
            let cached = CachedHome {
                accounts: vec![CachedAccount {
                    customer: Customer {
                        name: "Jane Doe".into(),
                        account_number: "100-200-300".into(),
                        service_address: "1 Main St".into(),
                        email: "jane@example.com".into(),
                    },
                    bills: Some(crate::cache::Cached {
                        data: vec![bill.clone()],
                        as_of: AsOf {
                            fetched_at: fetched_at.into(),
                            age_seconds,
                        },
                    }),
                }],
                chosen: None,
                open: Vec::new(),
            };
            cached.view(true, None)
        };
        let now = home(&bill, "2026-11-29T10:00:00Z", 0);
        let later = home(&bill, "2026-11-29T10:00:00Z", 86_400);
        assert_eq!(now.revision, later.revision, "a day later");
        let refreshed = home(&bill, "2026-11-30T10:00:00Z", 0);
        assert_eq!(now.revision, refreshed.revision, "refreshed, unchanged");
        let changed = Bill {
            amount: usd(9_276),
            ..bill
        };
        let other = home(&changed, "2026-11-29T10:00:00Z", 0);
        assert_ne!(now.revision, other.revision, "another amount");
    }
}
