//! [`Portal`]: everything the app does, as one object the shell's commands forward to.
//!
//! Reads come from the cache at once ([`Portal::home`]); [`Portal::refresh`] fetches and replaces
//! them. Payments follow a state machine persisted in the cache — created (the idempotency key is
//! stored before the request is sent) → checkout opened → confirming → paid | declined | expired
//! | canceled — so a payment survives the app being killed and resumes on the next start. The
//! rules: never two checkouts for the same bills; a return link that arrives twice confirms once;
//! an unknown outcome stays open ("processing"), never "unpaid".

use crate::cache::Cache;
use crate::credentials::{Credentials, names};
use crate::session::{Session, blocking};
use crate::{ApiClient, BackendUrl, CoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_api::ipc::{FlowState, HomeView, PaymentFlow};
use portal_api::v1::{
    ExchangeRequest, InvitationPreview, Payment, PaymentStatus, Receipt, RedeemInvitationRequest,
    SignInAccepted, SignInRequest,
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
}

impl Portal {
    /// Opens the core: the cache (rebuilt if corrupt) and the platform credential store.
    pub fn open(config: &PortalConfig) -> Result<Self, CoreError> {
        let credentials = Credentials::platform(&config.credential_service)?;
        Self::open_with(config, credentials)
    }

    /// Opens the core with a given credential store.
    pub fn open_with(config: &PortalConfig, credentials: Credentials) -> Result<Self, CoreError> {
        let api = ApiClient::with_timeouts(config.backend.clone(), config.timeouts)?;
        let cache = Cache::open(&config.cache_path)?;
        Ok(Self {
            session: Session::new(api.clone(), credentials.clone()),
            api,
            credentials,
            cache: Mutex::new(cache),
            payments: tokio::sync::Mutex::new(()),
            confirms: AtomicU64::new(0),
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

    /// What the home screen shows, from the cache, at once.
    pub fn home(&self) -> Result<HomeView, CoreError> {
        let cache = self.cache();
        Ok(HomeView {
            customer: cache.customer()?,
            bills: cache.unpaid_bills()?,
        })
    }

    /// Fetches the customer and their unpaid bills and replaces the cached ones. On failure
    /// the cache is untouched (the caller shows it with its age).
    pub async fn refresh(&self) -> Result<HomeView, CoreError> {
        self.fetch_home()
            .await
            .inspect_err(|e| self.forget_if_ended(e))?;
        self.home()
    }

    async fn fetch_home(&self) -> Result<(), CoreError> {
        let customer = self
            .session
            .call(|token| async move { self.api.me(&token).await })
            .await?;
        let bills = self
            .session
            .call(|token| async move { self.api.outstanding_bills(&token).await })
            .await?;
        let mut cache = self.cache();
        cache.claim(&customer.account_number)?;
        cache.store_customer(&customer)?;
        cache.store_bills(&bills.bills)?;
        Ok(())
    }

    /// A session the backend ended leaves nothing of the customer on this device.
    fn forget_if_ended(&self, error: &CoreError) {
        if let CoreError::Unauthorized { .. } = error
            && let Err(error) = self.cache().clear()
        {
            tracing::warn!(
                "could not clear the cache after the session ended: {}",
                error.code()
            );
        }
    }

    /// Who an invitation is for.
    pub async fn preview_invitation(&self, code: &str) -> Result<InvitationPreview, CoreError> {
        self.api.preview_invitation(code).await
    }

    /// Accepts an invitation with the service postcode; signs in and loads the home data.
    pub async fn accept_invitation(
        &self,
        code: &str,
        postcode: &str,
    ) -> Result<HomeView, CoreError> {
        let tokens = self
            .api
            .redeem_invitation(&RedeemInvitationRequest {
                code: code.to_owned(),
                postcode: postcode.trim().to_owned(),
            })
            .await?;
        self.session.start(tokens).await?;
        self.refresh().await
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
            .ok_or_else(|| {
                CoreError::Api(portal_api::ErrorBody::new(
                    "signin_not_started",
                    "This sign-in link was requested on another device (or the request was replaced). Ask for a new link here.",
                ))
            })?;
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

    /// Signs out: revokes the session, deletes the tokens and every cached record.
    pub async fn sign_out(&self) -> Result<(), CoreError> {
        self.session.end().await?;
        self.cache().clear()
    }

    /// The cached receipts, newest first.
    pub fn receipts(&self) -> Result<Vec<Receipt>, CoreError> {
        self.cache().receipts()
    }

    /// Fetches the receipts and replaces the cached ones.
    pub async fn refresh_receipts(&self) -> Result<Vec<Receipt>, CoreError> {
        let receipts = self
            .session
            .call(|token| async move { self.api.receipts(&token).await })
            .await
            .inspect_err(|e| self.forget_if_ended(e))?
            .receipts;
        self.cache().store_receipts(&receipts)?;
        Ok(receipts)
    }

    /// The payments started on this device, newest first.
    pub fn payment_flows(&self) -> Result<Vec<PaymentFlow>, CoreError> {
        self.cache().flows()
    }

    fn flow(&self, flow_id: i64) -> Result<(PaymentFlow, String), CoreError> {
        self.cache().flow(flow_id)?.ok_or(CoreError::UnknownPayment)
    }

    /// Starts paying `bill_ids` in full: records the flow with its idempotency key, asks the
    /// backend for a checkout, and returns the flow with the checkout URL to open. Bills already
    /// in an open payment return that payment instead of a second checkout.
    pub async fn start_payment(&self, bill_ids: &[String]) -> Result<PaymentFlow, CoreError> {
        let _one_at_a_time = self.payments.lock().await;
        if bill_ids.is_empty() {
            return Err(CoreError::Api(portal_api::ErrorBody::new(
                "no_bills",
                "Choose at least one bill to pay.",
            )));
        }
        let open = self.cache().open_flows()?;
        if let Some((flow, _)) = open
            .into_iter()
            .find(|(flow, _)| flow.bill_ids.iter().any(|bill| bill_ids.contains(bill)))
        {
            return Ok(flow);
        }
        let key = crate::random_token();
        let flow_id = self.cache().insert_flow(&key, bill_ids)?;
        self.create_checkout(flow_id, &key, bill_ids).await
    }

    /// Asks the backend for the flow's checkout (again: the key makes it the same payment).
    async fn create_checkout(
        &self,
        flow_id: i64,
        key: &str,
        bill_ids: &[String],
    ) -> Result<PaymentFlow, CoreError> {
        let created = self
            .session
            .call(|token| async move { self.api.create_payment(&token, key, bill_ids).await })
            .await;
        match created {
            Ok(payment) => self.apply(flow_id, &payment, FlowState::CheckoutOpened),
            // Nothing is known about the outcome: keep the flow; resuming repeats the same key.
            Err(error) if error.is_connectivity() => {
                tracing::warn!(
                    "payment creation outcome unknown ({}); will retry",
                    error.code()
                );
                Ok(self.flow(flow_id)?.0)
            }
            Err(CoreError::Api(body)) if body.code == "bill_in_open_payment" => {
                self.adopt_open_payment(flow_id, bill_ids).await
            }
            Err(error) => {
                // The backend refused: nothing was created.
                self.cache().delete_flow(flow_id)?;
                self.forget_if_ended(&error);
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
        let payments = self
            .session
            .call(|token| async move { self.api.payments(&token).await })
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
                Err(CoreError::Api(portal_api::ErrorBody::new(
                    "bill_in_open_payment",
                    "These bills are already in a payment that has not finished.",
                )))
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
        let (state, message) = match payment.status {
            PaymentStatus::Paid => {
                if let Some(receipt) = &payment.receipt {
                    cache.store_receipt(receipt)?;
                }
                cache.mark_bills_paid(&payment.bill_ids)?;
                (FlowState::Paid, None)
            }
            PaymentStatus::Processing => match &payment.last_error {
                Some(message) => (FlowState::Declined, Some(message.as_str())),
                None => (open_state, None),
            },
            PaymentStatus::Expired => (FlowState::Expired, None),
            PaymentStatus::Canceled => (FlowState::Canceled, None),
        };
        let url = (!payment.checkout_url.is_empty()).then_some(payment.checkout_url.as_str());
        cache.update_flow(
            flow_id,
            Some(&payment.id),
            Some(&payment.amount),
            state,
            url,
            message,
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
        self.cache().update_flow(
            flow_id,
            None,
            None,
            open_state,
            None,
            flow.message.as_deref(),
        )?;
        self.confirms.fetch_add(1, Ordering::Relaxed);
        let payment_ref = payment_id.as_str();
        let confirmed = self
            .session
            .call(|token| async move { self.api.confirm_payment(&token, payment_ref).await })
            .await;
        match confirmed {
            Ok(payment) => self.apply(flow_id, &payment, open_state),
            Err(error) if error.is_connectivity() => Ok(self.flow(flow_id)?.0),
            Err(error) => Err(error),
        }
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
        let canceled = self
            .session
            .call(|token| async move { self.api.cancel_payment(&token, payment_ref).await })
            .await?;
        self.apply(flow_id, &canceled, FlowState::Confirming)
    }

    /// After a restart: asks about every open flow (and retries creations left unanswered).
    pub async fn resume_payments(&self) -> Result<Vec<PaymentFlow>, CoreError> {
        let open = self.cache().open_flows()?;
        let mut flows = Vec::with_capacity(open.len());
        for (flow, _) in open {
            flows.push(self.check_payment(flow.flow_id).await?);
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
