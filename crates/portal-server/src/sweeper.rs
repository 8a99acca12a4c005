//! Ending the payments nobody ends: no bill stays locked in a payment for ever.
//!
//! A payment holds its bills while it is `processing`. Two kinds would hold them for ever if
//! only the app's questions settled them: a payment recorded before the provider answered and
//! never linked to a checkout (the provider hung, or the server stopped in between), and a
//! checkout left alone until after its expiry time. The sweeper runs on a timer: the first kind
//! expires [`UNLINKED_TTL`] after it was recorded; the second is settled from the provider (paid
//! if it was paid, else expired at the provider and here). In the sandbox it first lets the
//! simulator expire its overdue sessions, as Stripe does on its own, with their webhooks.

use crate::error::ServerError;
use crate::payments::{outcome_of, settle_with};
use crate::state::AppState;
use crate::store::CheckoutOutcome;
use crate::stripe::StripeError;
use std::time::Duration;

/// How long a payment may stay unlinked to a checkout before it is expired (seconds): well past
/// the time the server gives the provider to answer a create.
pub const UNLINKED_TTL: i64 = 5 * 60;

/// How often the sweeper runs unless told otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// How many days before its due date a bill is "due soon".
pub const DUE_SOON_DAYS: i64 = 3;

/// The most push messages one sweep sends.
const PUSH_BATCH: i64 = 200;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Payments never linked to a checkout, now expired.
    pub unlinked: usize,
    /// Overdue checkouts settled from the provider.
    pub overdue: usize,
    /// Customers told a bill is due soon.
    pub due_soon: usize,
    /// Push messages sent.
    pub pushed: usize,
    /// Bills autopay paid.
    pub autopaid: usize,
}

/// Runs sweeps over the server's state (and the simulator's sessions, when mounted): payments
/// nobody ends, bills due soon, push messages waiting.
#[derive(Clone)]
pub struct Sweeper {
    state: AppState,
    push: std::sync::Arc<dyn crate::push::PushSender>,
    #[cfg(feature = "simulator")]
    simulator: Option<std::sync::Arc<crate::simulator::Simulator>>,
}

impl Sweeper {
    /// A sweeper for `state`, sending push messages with `push`.
    pub fn new(
        state: AppState,
        push: std::sync::Arc<dyn crate::push::PushSender>,
        #[cfg(feature = "simulator")] simulator: Option<
            std::sync::Arc<crate::simulator::Simulator>,
        >,
    ) -> Self {
        Self {
            state,
            push,
            #[cfg(feature = "simulator")]
            simulator,
        }
    }

    /// One sweep, now. A checkout the provider cannot be asked about now is left for the next.
    pub async fn sweep(&self) -> Result<Swept, ServerError> {
        #[cfg(feature = "simulator")]
        if let Some(simulator) = &self.simulator {
            simulator.expire_due();
        }
        let now = self.state.now();
        let unlinked = self
            .state
            .db(move |store| store.expire_unlinked(now - UNLINKED_TTL))
            .await?;
        let overdue = self
            .state
            .db(move |store| store.overdue_checkouts(now))
            .await?;
        let mut settled = 0;
        for (payment_id, session_id) in overdue {
            match self.settle_overdue(&payment_id, &session_id).await {
                Ok(()) => settled += 1,
                Err(error) => {
                    tracing::warn!(payment = %payment_id, "an overdue checkout stays open for now: {error}");
                }
            }
        }
        if unlinked + settled > 0 {
            tracing::info!(unlinked, overdue = settled, "swept payments");
        }
        let autopaid = crate::autopay::run(&self.state, now).await?;
        let due_soon = self.tell_due_soon(now).await?;
        let pushed = self.send_pushes(now).await?;
        Ok(Swept {
            unlinked,
            overdue: settled,
            due_soon,
            pushed,
            autopaid,
        })
    }

    /// Tells customers about their bills due within [`DUE_SOON_DAYS`] (UTC days), once each.
    async fn tell_due_soon(&self, now: i64) -> Result<usize, ServerError> {
        let today = time::OffsetDateTime::from_unix_timestamp(now)
            .map_err(|e| ServerError::Provider(e.to_string()))?
            .date();
        let last = today + time::Duration::days(DUE_SOON_DAYS);
        let (today, last) = (today.to_string(), last.to_string());
        self.state
            .db(move |store| store.notify_due_soon(&today, &last, now))
            .await
    }

    /// Sends the push messages waiting, each recorded as sent or failed.
    async fn send_pushes(&self, now: i64) -> Result<usize, ServerError> {
        let queued = self
            .state
            .db(|store| store.queued_pushes(PUSH_BATCH))
            .await?;
        let mut sent = 0;
        for message in queued {
            let result = self.push.send(&message).await;
            if let Err(error) = &result {
                tracing::warn!(push = message.id, "a push message was not sent: {error}");
            } else {
                sent += 1;
            }
            let id = message.id;
            self.state
                .db(move |store| store.push_result(id, result, now))
                .await?;
        }
        Ok(sent)
    }

    /// Settles a checkout past its expiry: what the provider says, and if it still calls it
    /// open, expired at the provider first.
    async fn settle_overdue(&self, payment_id: &str, session_id: &str) -> Result<(), ServerError> {
        let provider = |error: StripeError| ServerError::Provider(error.to_string());
        let mut session = self
            .state
            .stripe
            .retrieve(session_id)
            .await
            .map_err(provider)?;
        if let CheckoutOutcome::Open { .. } = outcome_of(&session) {
            session = match self.state.stripe.expire(session_id).await {
                Ok(expired) => expired,
                // Completed meanwhile: the provider's latest word decides.
                Err(StripeError::Refused { .. }) => self
                    .state
                    .stripe
                    .retrieve(session_id)
                    .await
                    .map_err(provider)?,
                Err(error) => return Err(provider(error)),
            };
        }
        settle_with(&self.state, payment_id, &session).await
    }

    /// Sweeps every `interval` until the task is aborted.
    pub fn spawn(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(interval);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                timer.tick().await;
                if let Err(error) = self.sweep().await {
                    tracing::warn!("the payment sweep failed: {error}");
                }
            }
        })
    }
}

impl axum::extract::FromRef<Sweeper> for AppState {
    fn from_ref(sweeper: &Sweeper) -> Self {
        sweeper.state.clone()
    }
}

/// `POST /v1/admin/clock` (sandbox only): moves the sandbox's clock (and the simulator's)
/// forward, then sweeps at once, so what expired in the meantime has ended by the answer.
#[cfg(feature = "simulator")]
pub async fn admin_advance_clock(
    _admin: crate::state::Admin,
    axum::extract::State(sweeper): axum::extract::State<Sweeper>,
    crate::state::ApiJson(request): crate::state::ApiJson<portal_api::v1::AdvanceClockRequest>,
) -> crate::error::ApiResult<axum::Json<portal_api::v1::SandboxClock>> {
    use portal_api::v1::MAX_CLOCK_ADVANCE;
    if !(1..=MAX_CLOCK_ADVANCE).contains(&request.advance_seconds) {
        return Err(ServerError::bad_request(
            portal_api::ErrorCode::InvalidBody,
            format!(
                "advance_seconds must be 1 to {MAX_CLOCK_ADVANCE} (the clock only moves forward)."
            ),
        ));
    }
    sweeper.state.clock.advance(request.advance_seconds);
    let swept = sweeper.sweep().await?;
    Ok(axum::Json(portal_api::v1::SandboxClock {
        now: crate::clock::rfc3339(sweeper.state.now()),
        payments_ended: u32::try_from(swept.unlinked + swept.overdue).unwrap_or(u32::MAX),
    }))
}
