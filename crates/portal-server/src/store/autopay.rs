//! Autopay's records: each account's provider customer and saved card, its choice (on or off,
//! how many days before the due date, the most one bill may be), and each bill's attempts.
//!
//! An attempt is claimed before the provider is asked: one transaction that takes the bill into
//! a new `processing` payment (marked `autopay`) and records the attempt under the primary key
//! (bill, attempt number). Two schedulers racing for the same bill cannot both claim it (one of
//! them finds the bill in an open payment, or the attempt already there), and a scheduler that
//! stops after claiming leaves a `charging` attempt that the next run charges again with the
//! same idempotency key — the provider answers the first charge instead of making a second.

use super::{Store, StoredStatus};
use crate::error::ServerError;
use portal_api::ErrorCode;
use portal_api::v1::{
    AUTOPAY_MAX_DAYS_BEFORE, AUTOPAY_MAX_LIMIT_MINOR, AutopaySettings, ChooseAutopay,
    FailedAutopay, Money, NotificationKind, SavedCard, ScheduledAutopay,
};
use rusqlite::{OptionalExtension, params};

/// The maximum an account has until the customer chooses one (minor units).
pub const DEFAULT_MAXIMUM_MINOR: i64 = 50_000;

/// A bill autopay should pay now, as found by [`Store::autopay_due`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueBill {
    /// The account.
    pub customer_id: i64,
    /// The bill.
    pub bill_id: String,
    /// Which attempt this would be (1 for the first).
    pub attempt: i64,
}

/// A claimed attempt, to be charged with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Our payment (also the idempotency key of the charge).
    pub payment_id: String,
    /// Which attempt at its bill this is (1 for the first).
    pub attempt: i64,
    /// What to charge.
    pub amount: Money,
    /// The provider's customer.
    pub provider_customer: String,
    /// The saved card.
    pub payment_method: String,
}

/// A card a setup session saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    /// The provider's id of it (`pm_…`).
    pub payment_method: String,
    /// What the customer sees of it.
    pub card: SavedCard,
}

impl Store {
    /// The provider's customer of an account, if one was created.
    pub fn provider_customer(&self, customer_id: i64) -> Result<Option<String>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT provider_customer FROM autopay_methods WHERE customer_id = ?1",
                [customer_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Remembers the setup session the customer was sent to (and the provider's customer).
    pub fn start_card_setup(
        &self,
        customer_id: i64,
        provider_customer: &str,
        session_id: &str,
        now: i64,
    ) -> Result<(), ServerError> {
        self.conn.execute(
            "INSERT INTO autopay_methods (customer_id, provider_customer, setup_session, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (customer_id) DO UPDATE SET provider_customer = excluded.provider_customer,
                 setup_session = excluded.setup_session, updated_at = excluded.updated_at",
            params![customer_id, provider_customer, session_id, now],
        )?;
        Ok(())
    }

    /// The setup session the customer was last sent to, while no card came of it.
    pub fn pending_card_setup(&self, customer_id: i64) -> Result<Option<String>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT setup_session FROM autopay_methods WHERE customer_id = ?1",
                [customer_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Forgets the setup session the customer was sent to (it ended without a card).
    pub fn forget_card_setup(&self, customer_id: i64) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE autopay_methods SET setup_session = NULL WHERE customer_id = ?1",
            [customer_id],
        )?;
        Ok(())
    }

    /// Keeps the card a setup session saved (replacing any earlier one).
    pub fn save_card(
        &self,
        customer_id: i64,
        saved: &StoredCard,
        now: i64,
    ) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE autopay_methods SET payment_method = ?2, brand = ?3, last4 = ?4, exp_month = ?5,
                 exp_year = ?6, setup_session = NULL, updated_at = ?7
             WHERE customer_id = ?1",
            params![
                customer_id,
                saved.payment_method,
                saved.card.brand,
                saved.card.last4,
                saved.card.exp_month,
                saved.card.exp_year,
                now
            ],
        )?;
        Ok(())
    }

    /// Forgets the account's saved card and turns autopay off; answers the card's provider id
    /// (to detach), or `None` when there was none.
    pub fn remove_card(
        &mut self,
        customer_id: i64,
        now: i64,
    ) -> Result<Option<String>, ServerError> {
        let tx = self.write()?;
        let method: Option<String> = tx
            .query_row(
                "SELECT payment_method FROM autopay_methods WHERE customer_id = ?1",
                [customer_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        tx.execute(
            "UPDATE autopay_methods SET payment_method = NULL, brand = NULL, last4 = NULL,
                 exp_month = NULL, exp_year = NULL, updated_at = ?2
             WHERE customer_id = ?1",
            params![customer_id, now],
        )?;
        tx.execute(
            "UPDATE autopay_enrollments SET enabled = 0, updated_at = ?2 WHERE customer_id = ?1",
            params![customer_id, now],
        )?;
        tx.commit()?;
        Ok(method)
    }

    /// Keeps the customer's choice of autopay on `today`. Turning it on needs a saved card, and
    /// from then it pays bills due from `today` (not those already overdue); the maximum is
    /// above zero and at most [`AUTOPAY_MAX_LIMIT_MINOR`]; days before the due date at most
    /// [`AUTOPAY_MAX_DAYS_BEFORE`].
    pub fn choose_autopay(
        &self,
        customer_id: i64,
        choice: &ChooseAutopay,
        today: &str,
        now: i64,
    ) -> Result<(), ServerError> {
        if !(1..=AUTOPAY_MAX_LIMIT_MINOR).contains(&choice.max_amount_minor) {
            return Err(ServerError::bad_request(
                ErrorCode::AutopayMaximumInvalid,
                format!("max_amount_minor must be 1 to {AUTOPAY_MAX_LIMIT_MINOR}."),
            ));
        }
        if choice.days_before > AUTOPAY_MAX_DAYS_BEFORE {
            return Err(ServerError::bad_request(
                ErrorCode::InvalidBody,
                format!("days_before must be 0 to {AUTOPAY_MAX_DAYS_BEFORE}."),
            ));
        }
        if choice.enabled && self.card_of(customer_id)?.is_none() {
            return Err(ServerError::conflict(
                ErrorCode::AutopayNeedsCard,
                "Save a card before turning autopay on.",
            ));
        }
        self.conn.execute(
            "INSERT INTO autopay_enrollments (customer_id, enabled, days_before, max_minor, enrolled_on, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (customer_id) DO UPDATE SET enabled = excluded.enabled,
                 days_before = excluded.days_before, max_minor = excluded.max_minor,
                 enrolled_on = CASE WHEN autopay_enrollments.enabled = 1 AND excluded.enabled = 1
                                    THEN autopay_enrollments.enrolled_on ELSE excluded.enrolled_on END,
                 updated_at = excluded.updated_at",
            params![
                customer_id,
                choice.enabled,
                choice.days_before,
                choice.max_amount_minor,
                today,
                now
            ],
        )?;
        Ok(())
    }

    /// The currency an account is billed in (its bills'; USD before any).
    pub fn account_currency(&self, customer_id: i64) -> Result<String, ServerError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE((SELECT currency FROM bills WHERE customer_id = ?1 LIMIT 1), 'USD')",
            [customer_id],
            |row| row.get(0),
        )?)
    }

    fn card_of(&self, customer_id: i64) -> Result<Option<SavedCard>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT brand, last4, exp_month, exp_year FROM autopay_methods
                 WHERE customer_id = ?1 AND payment_method IS NOT NULL",
                [customer_id],
                |row| {
                    Ok(SavedCard {
                        brand: row.get(0)?,
                        last4: row.get(1)?,
                        exp_month: row.get(2)?,
                        exp_year: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The account's autopay as the customer sees it on `today` (`YYYY-MM-DD`): the card, the
    /// choice, and the next bill it will pay.
    pub fn autopay_settings(
        &self,
        customer_id: i64,
        today: &str,
    ) -> Result<AutopaySettings, ServerError> {
        let (enabled, days_before, max_minor, enrolled_on): (bool, u32, i64, String) = self
            .conn
            .query_row(
                "SELECT enabled, days_before, max_minor, enrolled_on FROM autopay_enrollments
                 WHERE customer_id = ?1",
                [customer_id],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?
            .unwrap_or((false, 0, DEFAULT_MAXIMUM_MINOR, String::new()));
        let currency = self.account_currency(customer_id)?;
        let card = self.card_of(customer_id)?;
        let next = if enabled && card.is_some() {
            self.conn
                .query_row(
                    "SELECT b.id, b.amount_minor, b.currency,
                            MAX(date(b.due_date, '-' || ?2 || ' days'), ?3), b.amount_minor > ?4
                     FROM bills b
                     WHERE b.customer_id = ?1 AND b.paid_by IS NULL AND b.due_date >= ?6
                       AND NOT EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                       WHERE pb.bill_id = b.id AND p.status = ?5)
                     ORDER BY b.due_date, b.id LIMIT 1",
                    params![
                        customer_id,
                        days_before,
                        today,
                        max_minor,
                        StoredStatus::PROCESSING,
                        enrolled_on
                    ],
                    |row| {
                        Ok(ScheduledAutopay {
                            bill_id: row.get(0)?,
                            amount: Money {
                                amount_minor: row.get(1)?,
                                currency: row.get(2)?,
                            },
                            on: row.get(3)?,
                            above_maximum: row.get(4)?,
                        })
                    },
                )
                .optional()?
        } else {
            None
        };
        let failed = self
            .conn
            .query_row(
                "SELECT a.bill_id, p.amount_minor, p.currency, p.created_at, a.next_try_at
                 FROM autopay_attempts a JOIN payments p ON p.id = a.payment_id
                 JOIN bills b ON b.id = a.bill_id
                 WHERE p.customer_id = ?1 AND a.state = 'failed' AND b.paid_by IS NULL
                 ORDER BY p.created_at DESC, a.attempt DESC LIMIT 1",
                [customer_id],
                |row| {
                    Ok(FailedAutopay {
                        bill_id: row.get(0)?,
                        amount: Money {
                            amount_minor: row.get(1)?,
                            currency: row.get(2)?,
                        },
                        at: crate::clock::rfc3339(row.get(3)?),
                        retry_on: row.get::<_, Option<i64>>(4)?.map(crate::clock::day),
                    })
                },
            )
            .optional()?;
        Ok(AutopaySettings {
            card,
            enabled,
            days_before,
            max_amount: Money {
                amount_minor: max_minor,
                currency,
            },
            next,
            failed,
        })
    }

    /// The bills autopay should try now (`today`, `YYYY-MM-DD`; `now`, Unix seconds): of
    /// accounts with autopay on and a card, due since it was turned on, unpaid and in no open
    /// payment, due within the
    /// account's days before, not above its maximum, with no attempt under way or paid, and —
    /// after a failed attempt — only once its retry time has come (none comes after the last).
    pub fn autopay_due(&self, today: &str, now: i64) -> Result<Vec<DueBill>, ServerError> {
        let mut statement = self.conn.prepare(
            "SELECT b.customer_id, b.id,
                    (SELECT COUNT(*) FROM autopay_attempts a WHERE a.bill_id = b.id) + 1
             FROM bills b
             JOIN autopay_enrollments e ON e.customer_id = b.customer_id AND e.enabled = 1
             JOIN autopay_methods m ON m.customer_id = b.customer_id AND m.payment_method IS NOT NULL
             WHERE b.paid_by IS NULL AND b.due_date >= e.enrolled_on
               AND date(b.due_date, '-' || e.days_before || ' days') <= ?1
               AND b.amount_minor <= e.max_minor
               AND NOT EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                               WHERE pb.bill_id = b.id AND p.status = ?2)
               AND NOT EXISTS (SELECT 1 FROM autopay_attempts a WHERE a.bill_id = b.id
                               AND (a.state IN ('charging', 'paid')
                                    OR (a.state = 'failed' AND (a.next_try_at IS NULL OR a.next_try_at > ?3))))
             ORDER BY b.due_date, b.id",
        )?;
        let due = statement
            .query_map(params![today, StoredStatus::PROCESSING, now], |row| {
                Ok(DueBill {
                    customer_id: row.get(0)?,
                    bill_id: row.get(1)?,
                    attempt: row.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(due)
    }

    /// Claims an attempt at a due bill: in one immediate transaction, takes the bill into a new
    /// autopay payment and records the attempt. `None` when someone else claimed it first, or it
    /// is no longer payable.
    pub fn claim_autopay(
        &mut self,
        due: &DueBill,
        now: i64,
    ) -> Result<Option<Claimed>, ServerError> {
        let tx = self.write()?;
        let bill: Option<(i64, String, String, String)> = tx
            .query_row(
                "SELECT b.amount_minor, b.currency, m.provider_customer, m.payment_method
                 FROM bills b JOIN autopay_methods m ON m.customer_id = b.customer_id
                 WHERE b.id = ?1 AND b.customer_id = ?2 AND b.paid_by IS NULL
                   AND m.payment_method IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                   WHERE pb.bill_id = b.id AND p.status = ?3)
                   AND NOT EXISTS (SELECT 1 FROM autopay_attempts a WHERE a.bill_id = b.id AND a.attempt >= ?4)",
                params![due.bill_id, due.customer_id, StoredStatus::PROCESSING, due.attempt],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let Some((amount_minor, currency, provider_customer, payment_method)) = bill else {
            return Ok(None);
        };
        let payment_id = crate::secrets::random_id("pay");
        let key = format!("autopay-{}-{}", due.bill_id, due.attempt);
        let reserved = super::payments::Reserved {
            customer_id: due.customer_id,
            idempotency_key: &key,
            request_hash: "",
            currency: &currency,
            bills: vec![(&due.bill_id, amount_minor)],
            autopay: true,
        };
        super::payments::insert_payment(&tx, &payment_id, &reserved, now)?;
        tx.execute(
            "INSERT INTO autopay_attempts (bill_id, attempt, payment_id, state, started_at)
             VALUES (?1, ?2, ?3, 'charging', ?4)",
            params![due.bill_id, due.attempt, payment_id, now],
        )?;
        tx.commit()?;
        Ok(Some(Claimed {
            payment_id,
            attempt: due.attempt,
            amount: Money {
                amount_minor,
                currency,
            },
            provider_customer,
            payment_method,
        }))
    }

    /// Attempts left `charging` since before `before` (a scheduler stopped between claiming and
    /// recording), to be charged again with their own idempotency keys.
    pub fn unfinished_autopay(&self, before: i64) -> Result<Vec<Claimed>, ServerError> {
        let mut statement = self.conn.prepare(
            "SELECT a.payment_id, a.attempt, p.amount_minor, p.currency, m.provider_customer,
                    COALESCE(m.payment_method, '')
             FROM autopay_attempts a JOIN payments p ON p.id = a.payment_id
             JOIN autopay_methods m ON m.customer_id = p.customer_id
             WHERE a.state = 'charging' AND a.started_at <= ?1",
        )?;
        let unfinished = statement
            .query_map([before], |row| {
                Ok(Claimed {
                    payment_id: row.get(0)?,
                    attempt: row.get(1)?,
                    amount: Money {
                        amount_minor: row.get(2)?,
                        currency: row.get(3)?,
                    },
                    provider_customer: row.get(4)?,
                    payment_method: row.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(unfinished)
    }

    /// Tells customers with autopay on about their bills (once each): an automatic payment in
    /// `notice_days` or fewer (the day it will be paid, as the notification's date), and a bill
    /// above their maximum once its payment day has come. Answers how many were told.
    pub fn tell_autopay(
        &self,
        today: &str,
        notice_days: u32,
        now: i64,
    ) -> Result<usize, ServerError> {
        let events: Vec<super::Event> = {
            let mut statement = self.conn.prepare(
                "SELECT b.customer_id, b.id, b.amount_minor, b.currency,
                        date(b.due_date, '-' || e.days_before || ' days') AS pay_day,
                        b.amount_minor > e.max_minor, b.due_date
                 FROM bills b
                 JOIN autopay_enrollments e ON e.customer_id = b.customer_id AND e.enabled = 1
                 JOIN autopay_methods m ON m.customer_id = b.customer_id AND m.payment_method IS NOT NULL
                 WHERE b.paid_by IS NULL AND b.due_date >= e.enrolled_on
                   AND date(b.due_date, '-' || (e.days_before + ?2) || ' days') <= ?1
                   AND NOT EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                   WHERE pb.bill_id = b.id AND p.status = ?3)",
            )?;
            let rows = statement.query_map(
                params![today, notice_days, StoredStatus::PROCESSING],
                |row| {
                    let pay_day: String = row.get(4)?;
                    let above: bool = row.get(5)?;
                    let due_date: String = row.get(6)?;
                    Ok((
                        super::Event {
                            customer_id: row.get(0)?,
                            kind: if above {
                                NotificationKind::AutopaySkipped
                            } else {
                                NotificationKind::AutopayScheduled
                            },
                            bill_id: Some(row.get(1)?),
                            payment_id: None,
                            amount: Money {
                                amount_minor: row.get(2)?,
                                currency: row.get(3)?,
                            },
                            due_date: Some(if above { due_date } else { pay_day.clone() }),
                        },
                        pay_day,
                    ))
                },
            )?;
            rows.collect::<Result<Vec<_>, _>>()?
                .into_iter()
                // Coming: before its day; above the maximum: once its day has come.
                .filter(|(event, pay_day)| match event.kind {
                    NotificationKind::AutopaySkipped => pay_day.as_str() <= today,
                    _ => pay_day.as_str() > today,
                })
                .map(|(event, _)| event)
                .collect()
        };
        let mut told = 0;
        for event in &events {
            if self.notify(event, now)? {
                told += 1;
            }
        }
        Ok(told)
    }

    /// Records how an attempt ended: paid, or failed with the provider's code and when (if ever)
    /// the bill is tried again. The payment itself is settled through [`Store::settle`].
    pub fn finish_autopay(
        &self,
        payment_id: &str,
        failure: Option<&str>,
        next_try_at: Option<i64>,
    ) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE autopay_attempts SET state = ?2, failure = ?3, next_try_at = ?4
             WHERE payment_id = ?1 AND state = 'charging'",
            params![
                payment_id,
                if failure.is_some() { "failed" } else { "paid" },
                failure,
                next_try_at
            ],
        )?;
        Ok(())
    }
}
