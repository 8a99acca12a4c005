//! Payments, the provider's webhook events, and receipts.

use super::Store;
use super::StoredStatus;
use super::outbox::send_mail;
use crate::clock::{rfc3339, year_of};
use crate::error::ServerError;
use crate::mail::{self, ReceiptFacts};
use crate::secrets::{hash_secret, random_id};
use portal_api::ErrorCode;
use portal_api::currency::{Unchargeable, check_chargeable};
use portal_api::v1::{
    Money, NotificationKind, Payment, PaymentStatus, Period, Receipt, ReceiptLine,
};
use rusqlite::{OptionalExtension, Transaction, params};

/// What the payment provider said about a checkout, reduced to what settling needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutOutcome {
    /// Paid: the transaction (payment intent) id, the card, and what was taken.
    Paid {
        /// The provider's transaction id.
        transaction_id: String,
        /// Card brand, e.g. `visa`.
        card_brand: String,
        /// Last four digits.
        card_last4: String,
        /// The amount taken, in minor units.
        amount_total: Option<i64>,
        /// Its currency (ISO 4217, any case).
        currency: Option<String>,
    },
    /// Still open; perhaps with the last failed attempt (a declined card).
    Open {
        /// The provider's error object for the last failed attempt, for the log.
        last_error: Option<String>,
        /// Its decline code (or error code), e.g. `insufficient_funds`.
        decline_code: Option<String>,
    },
    /// Expired unpaid.
    Expired,
    /// Completed, but the delayed payment failed: ended unpaid, with the reason.
    Failed {
        /// The provider's decline or error code.
        decline_code: String,
    },
}

/// Why a total cannot be paid by card, for the customer.
fn unchargeable(refusal: Unchargeable, currency: &str) -> ServerError {
    match refusal {
        Unchargeable::BelowMinimum(minimum) => ServerError::bad_request(
            ErrorCode::AmountTooSmall,
            format!(
                "That total is below the smallest card payment in {currency}: {}.",
                Money {
                    amount_minor: minimum,
                    currency: currency.to_owned(),
                }
                .display()
            ),
        ),
        Unchargeable::NotRoundToTen => ServerError::bad_request(
            ErrorCode::AmountNotPayableByCard,
            "That total cannot be paid by card in this currency.",
        ),
    }
}

/// A new payment's bills and amount, checked and reserved.
pub struct NewPayment {
    /// The payment id.
    pub id: String,
    /// The total.
    pub amount: Money,
    /// (bill id, period, amount) for each bill, for the provider's line items.
    pub lines: Vec<(String, Period, i64)>,
}

/// What creating a payment found.
pub enum CreateOutcome {
    /// The same key and body were seen before: this payment.
    Existing(Box<Payment>),
    /// Reserved; the checkout must now be created.
    Reserved(NewPayment),
}

impl Store {
    /// Checks the idempotency key and the bills, then reserves the bills in a new payment whose
    /// checkout is still to be created. The same key with the same bills returns the existing
    /// payment; with other bills it is a conflict.
    pub fn reserve_payment(
        &mut self,
        customer_id: i64,
        payable: &[i64],
        idempotency_key: &str,
        bill_ids: &[String],
        now: i64,
    ) -> Result<CreateOutcome, ServerError> {
        let mut sorted = bill_ids.to_vec();
        sorted.sort();
        let request_hash = hash_secret(&sorted.join(","));
        let tx = self.write()?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT id, request_hash FROM payments WHERE customer_id = ?1 AND idempotency_key = ?2",
                params![customer_id, idempotency_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((payment_id, seen_hash)) = existing {
            if seen_hash != request_hash {
                return Err(ServerError::conflict(
                    ErrorCode::IdempotencyConflict,
                    "This Idempotency-Key was already used for a different set of bills.",
                ));
            }
            let payment =
                load_payment(&tx, customer_id, &payment_id)?.ok_or(ServerError::NotFound {
                    what: "The payment",
                })?;
            return Ok(CreateOutcome::Existing(Box::new(payment)));
        }
        let mut lines = Vec::with_capacity(sorted.len());
        let mut currency: Option<String> = None;
        let mut total: i64 = 0;
        for bill_id in bill_ids {
            let row: Option<(String, String, i64, String, bool, bool, i64)> = tx
                .query_row(
                    "SELECT b.period_start, b.period_end, b.amount_minor, b.currency, b.paid_by IS NOT NULL,
                            EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                    WHERE pb.bill_id = b.id AND p.status = ?2),
                            b.customer_id
                     FROM bills b WHERE b.id = ?1",
                    params![bill_id, StoredStatus::PROCESSING],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?)),
                )
                .optional()?
                .filter(|row| payable.contains(&row.6));
            let Some((start, end, amount, bill_currency, paid, in_open_payment, _)) = row else {
                return Err(ServerError::bad_request(
                    ErrorCode::UnknownBill,
                    format!("Bill {bill_id} is not one of your bills."),
                ));
            };
            if paid {
                return Err(ServerError::conflict(
                    ErrorCode::BillAlreadyPaid,
                    format!("Bill {bill_id} is already paid."),
                ));
            }
            if in_open_payment {
                return Err(ServerError::conflict(
                    ErrorCode::BillInOpenPayment,
                    format!(
                        "Bill {bill_id} is already in a payment that has not finished. Finish or cancel that payment first."
                    ),
                ));
            }
            match &currency {
                Some(existing) if *existing != bill_currency => {
                    return Err(ServerError::bad_request(
                        ErrorCode::MixedCurrencies,
                        "Bills in different currencies must be paid separately.",
                    ));
                }
                _ => currency = Some(bill_currency),
            }
            total = total.checked_add(amount).ok_or_else(|| {
                ServerError::bad_request(
                    ErrorCode::AmountTooLarge,
                    "The total is too large to pay at once.",
                )
            })?;
            lines.push((bill_id.clone(), Period { start, end }, amount));
        }
        let currency = currency.ok_or_else(|| {
            ServerError::bad_request(ErrorCode::NoBills, "Choose at least one bill to pay.")
        })?;
        check_chargeable(total, &currency).map_err(|refusal| unchargeable(refusal, &currency))?;
        let id = random_id("pay");
        let reserved = Reserved {
            customer_id,
            idempotency_key,
            request_hash: &request_hash,
            currency: &currency,
            bills: lines
                .iter()
                .map(|(bill_id, _, amount)| (bill_id.as_str(), *amount))
                .collect(),
            autopay: false,
        };
        insert_payment(&tx, &id, &reserved, now)?;
        tx.commit()?;
        Ok(CreateOutcome::Reserved(NewPayment {
            id,
            amount: Money {
                amount_minor: total,
                currency,
            },
            lines,
        }))
    }

    /// Records the checkout the provider created for a reserved payment.
    pub fn attach_checkout(
        &self,
        payment_id: &str,
        session_id: &str,
        url: &str,
        expires_at: i64,
    ) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE payments SET checkout_session_id = ?2, checkout_url = ?3, checkout_expires_at = ?4 WHERE id = ?1",
            params![payment_id, session_id, url, expires_at],
        )?;
        Ok(())
    }

    /// Drops a reserved payment whose checkout could not be created (the bills are free again).
    pub fn abandon_reservation(&mut self, payment_id: &str) -> Result<(), ServerError> {
        let tx = self.write()?;
        tx.execute(
            "DELETE FROM payment_bills WHERE payment_id = ?1",
            [payment_id],
        )?;
        tx.execute(
            "DELETE FROM payments WHERE id = ?1 AND checkout_session_id IS NULL",
            [payment_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One of the customer's payments.
    pub fn payment(
        &mut self,
        customer_id: i64,
        payment_id: &str,
    ) -> Result<Option<Payment>, ServerError> {
        let tx = self.write()?;
        load_payment(&tx, customer_id, payment_id)
    }

    /// The payment of a checkout session (webhooks and the return page need no customer).
    pub fn payment_by_session(&self, session_id: &str) -> Result<Option<String>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM payments WHERE checkout_session_id = ?1",
                [session_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The language the customer of a payment reads (the pages the browser shows after the
    /// checkout speak it).
    pub fn payment_language(
        &self,
        payment_id: &str,
    ) -> Result<Option<portal_api::Language>, ServerError> {
        let tag: Option<String> = self
            .conn
            .query_row(
                "SELECT customers.language FROM payments JOIN customers ON customers.id = payments.customer_id
                 WHERE payments.id = ?1",
                [payment_id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(tag.map(|tag| portal_api::Language::from_locale(&tag).unwrap_or_default()))
    }

    /// The checkout session id and status of a payment.
    pub fn checkout_of(
        &self,
        customer_id: i64,
        payment_id: &str,
    ) -> Result<Option<(Option<String>, PaymentStatus)>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT checkout_session_id, status FROM payments WHERE id = ?1 AND customer_id = ?2",
                params![payment_id, customer_id],
                |row| Ok((row.get(0)?, row.get::<_, StoredStatus>(1)?.0)),
            )
            .optional()?)
    }

    /// The customer's payments, newest first.
    pub fn payments(&mut self, customer_id: i64) -> Result<Vec<Payment>, ServerError> {
        let tx = self.write()?;
        let ids: Vec<String> = {
            let mut statement = tx.prepare(
                "SELECT id FROM payments WHERE customer_id = ?1 AND checkout_session_id IS NOT NULL
                 ORDER BY created_at DESC, rowid DESC",
            )?;
            let rows = statement.query_map([customer_id], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut payments = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(payment) = load_payment(&tx, customer_id, &id)? {
                payments.push(payment);
            }
        }
        Ok(payments)
    }

    /// Applies the provider's word on a payment's checkout, idempotently. Paid: bills paid,
    /// transaction id stored, receipt and receipt mail created — once. Returns whether this call
    /// created the receipt.
    pub fn settle(
        &mut self,
        payment_id: &str,
        outcome: &CheckoutOutcome,
        now: i64,
    ) -> Result<bool, ServerError> {
        let tx = self.write()?;
        let created = match outcome {
            CheckoutOutcome::Paid {
                transaction_id,
                card_brand,
                card_last4,
                amount_total,
                currency,
            } => {
                // Paid means paid in full: the amount the provider took is the payment's.
                let (expected, expected_currency): (i64, String) = tx.query_row(
                    "SELECT amount_minor, currency FROM payments WHERE id = ?1",
                    [payment_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                let in_full = *amount_total == Some(expected)
                    && currency
                        .as_deref()
                        .is_some_and(|paid| paid.eq_ignore_ascii_case(&expected_currency));
                if !in_full {
                    return Err(ServerError::Provider(format!(
                        "the provider reports {amount_total:?} {currency:?} paid for payment {payment_id}, which is {expected} {expected_currency}: not settled"
                    )));
                }
                // The provider's "paid" wins over any local state: money was taken.
                let changed = tx.execute(
                    "UPDATE payments SET status = ?3, transaction_id = ?2, last_error = NULL,
                         decline_code = NULL
                     WHERE id = ?1 AND status != ?3",
                    params![payment_id, transaction_id, StoredStatus::PAID],
                )?;
                if changed == 1 {
                    tx.execute(
                        "UPDATE bills SET paid_by = ?1
                         WHERE paid_by IS NULL AND id IN (SELECT bill_id FROM payment_bills WHERE payment_id = ?1)",
                        [payment_id],
                    )?;
                    create_receipt(&tx, payment_id, transaction_id, card_brand, card_last4, now)?;
                }
                changed == 1
            }
            CheckoutOutcome::Open {
                last_error,
                decline_code,
            } => {
                let changed = tx.execute(
                    "UPDATE payments SET last_error = ?2, decline_code = ?4 WHERE id = ?1 AND status = ?3",
                    params![payment_id, last_error, StoredStatus::PROCESSING, decline_code],
                )?;
                if changed == 1 && (decline_code.is_some() || last_error.is_some()) {
                    tell_failed(&tx, payment_id, now)?;
                }
                false
            }
            CheckoutOutcome::Failed { decline_code } => {
                tx.execute(
                    "UPDATE payments SET status = ?2, decline_code = ?4 WHERE id = ?1 AND status = ?3",
                    params![
                        payment_id,
                        StoredStatus::EXPIRED,
                        StoredStatus::PROCESSING,
                        decline_code
                    ],
                )?;
                tell_failed(&tx, payment_id, now)?;
                false
            }
            CheckoutOutcome::Expired => {
                // An expiry the customer's cancel caused (or raced) is a cancel.
                tx.execute(
                    "UPDATE payments SET status = CASE WHEN cancel_requested = 1 THEN ?4 ELSE ?2 END
                     WHERE id = ?1 AND status = ?3",
                    params![
                        payment_id,
                        StoredStatus::EXPIRED,
                        StoredStatus::PROCESSING,
                        StoredStatus::CANCELED
                    ],
                )?;
                false
            }
        };
        tx.commit()?;
        Ok(created)
    }

    /// Expires the payments that were recorded but never linked to a checkout (the provider never
    /// answered, or the server stopped in between) since before `cutoff`: their bills are free
    /// again. Returns how many.
    pub fn expire_unlinked(&self, cutoff: i64) -> Result<usize, ServerError> {
        Ok(self.conn.execute(
            "UPDATE payments SET status = ?2
             WHERE status = ?1 AND checkout_session_id IS NULL AND autopay = 0 AND created_at <= ?3",
            params![StoredStatus::PROCESSING, StoredStatus::EXPIRED, cutoff],
        )?)
    }

    /// The payments still processing whose checkout's expiry time has passed: (payment id,
    /// checkout session id).
    pub fn overdue_checkouts(&self, now: i64) -> Result<Vec<(String, String)>, ServerError> {
        let mut statement = self.conn.prepare(
            "SELECT id, checkout_session_id FROM payments
             WHERE status = ?1 AND checkout_session_id IS NOT NULL AND checkout_expires_at <= ?2",
        )?;
        let rows = statement.query_map(params![StoredStatus::PROCESSING, now], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that the customer asked to cancel, before the provider is asked to expire the
    /// checkout: whatever order the provider's answer and its `expired` webhook then arrive in,
    /// the payment ends canceled (unless it was paid: money taken always wins).
    pub fn request_cancel(&self, payment_id: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE payments SET cancel_requested = 1 WHERE id = ?1 AND status IN (?2, ?3)",
            params![payment_id, StoredStatus::PROCESSING, StoredStatus::EXPIRED],
        )?;
        Ok(())
    }

    /// Marks a payment canceled (the customer canceled; its checkout is expired at the provider).
    pub fn cancel(&self, payment_id: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE payments SET status = ?2 WHERE id = ?1 AND status IN (?3, ?4)",
            params![
                payment_id,
                StoredStatus::CANCELED,
                StoredStatus::PROCESSING,
                StoredStatus::EXPIRED
            ],
        )?;
        Ok(())
    }

    /// Records a webhook event id; false if it was seen before.
    pub fn record_event(&self, event_id: &str, kind: &str, now: i64) -> Result<bool, ServerError> {
        Ok(self.conn.execute(
            "INSERT INTO webhook_events (id, type, received_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
            params![event_id, kind, now],
        )? == 1)
    }

    /// Whether a webhook event id was seen before.
    pub fn event_seen(&self, event_id: &str) -> Result<bool, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM webhook_events WHERE id = ?1",
                [event_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The customer's receipts, newest first.
    pub fn receipts(&mut self, customer_id: i64) -> Result<Vec<Receipt>, ServerError> {
        let tx = self.write()?;
        let ids: Vec<String> = {
            let mut statement = tx.prepare(
                "SELECT payment_id FROM receipts WHERE customer_id = ?1 ORDER BY issued_at DESC, rowid DESC",
            )?;
            let rows = statement.query_map([customer_id], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut receipts = Vec::with_capacity(ids.len());
        for payment_id in ids {
            if let Some(receipt) = load_receipt(&tx, &payment_id)? {
                receipts.push(receipt);
            }
        }
        Ok(receipts)
    }

    /// One of the customer's receipts by id.
    pub fn receipt(
        &mut self,
        customer_id: i64,
        receipt_id: &str,
    ) -> Result<Option<Receipt>, ServerError> {
        let tx = self.write()?;
        let payment_id: Option<String> = tx
            .query_row(
                "SELECT payment_id FROM receipts WHERE id = ?1 AND customer_id = ?2",
                params![receipt_id, customer_id],
                |row| row.get(0),
            )
            .optional()?;
        match payment_id {
            Some(payment_id) => load_receipt(&tx, &payment_id),
            None => Ok(None),
        }
    }
}

/// A new `processing` payment holding its bills, as [`insert_payment`] records it.
pub(super) struct Reserved<'a> {
    pub customer_id: i64,
    pub idempotency_key: &'a str,
    /// A digest of the bills (the checkout's idempotency check); empty for autopay.
    pub request_hash: &'a str,
    pub currency: &'a str,
    /// Each bill and its amount.
    pub bills: Vec<(&'a str, i64)>,
    /// Made by autopay (no checkout).
    pub autopay: bool,
}

/// Records a payment that holds its bills (a checkout's or autopay's), in `tx`.
pub(super) fn insert_payment(
    tx: &Transaction<'_>,
    id: &str,
    payment: &Reserved<'_>,
    now: i64,
) -> Result<(), ServerError> {
    let total: i64 = payment.bills.iter().map(|(_, amount)| amount).sum();
    tx.execute(
        "INSERT INTO payments (id, customer_id, idempotency_key, request_hash, amount_minor,
                               currency, status, created_at, autopay)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            payment.customer_id,
            payment.idempotency_key,
            payment.request_hash,
            total,
            payment.currency,
            StoredStatus::PROCESSING,
            now,
            payment.autopay
        ],
    )?;
    for (bill_id, amount) in &payment.bills {
        tx.execute(
            "INSERT INTO payment_bills (payment_id, bill_id, amount_minor) VALUES (?1, ?2, ?3)",
            params![id, bill_id, amount],
        )?;
    }
    Ok(())
}

pub(super) fn create_receipt(
    tx: &Transaction<'_>,
    payment_id: &str,
    transaction_id: &str,
    card_brand: &str,
    card_last4: &str,
    now: i64,
) -> Result<(), ServerError> {
    let (customer_id, total, currency): (i64, i64, String) = tx.query_row(
        "SELECT customer_id, amount_minor, currency FROM payments WHERE id = ?1",
        [payment_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let year = year_of(now);
    let issued_this_year: i64 = tx.query_row(
        "SELECT COUNT(*) FROM receipts WHERE number LIKE ?1",
        [format!("R-{year}-%")],
        |row| row.get(0),
    )?;
    let number = format!("R-{year}-{:06}", issued_this_year + 1);
    tx.execute(
        "INSERT INTO receipts (id, number, payment_id, customer_id, issued_at, total_minor, currency,
                               transaction_id, card_brand, card_last4)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            random_id("rcpt"),
            number,
            payment_id,
            customer_id,
            now,
            total,
            currency,
            transaction_id,
            card_brand,
            card_last4
        ],
    )?;
    let (email, name, language): (String, String, String) = tx.query_row(
        "SELECT email, name, language FROM customers WHERE id = ?1",
        [customer_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let total = Money {
        amount_minor: total,
        currency,
    };
    let facts = ReceiptFacts {
        number: &number,
        total: &total,
        transaction_id,
        card: (card_brand, card_last4),
    };
    let to = mail::Recipient {
        email: &email,
        name: &name,
        language: portal_api::Language::from_locale(&language).unwrap_or_default(),
    };
    send_mail(tx, &mail::receipt(to, &facts), now)?;
    let event = super::Event {
        customer_id,
        kind: NotificationKind::PaymentReceived,
        bill_id: None,
        payment_id: Some(payment_id.to_owned()),
        amount: total,
        due_date: None,
    };
    super::notifications::notify(tx, &event, now).map(|_| ())
}

/// Tells the customer, once per payment, that it did not go through.
fn tell_failed(tx: &Transaction<'_>, payment_id: &str, now: i64) -> Result<(), ServerError> {
    let (customer_id, amount_minor, currency): (i64, i64, String) = tx.query_row(
        "SELECT customer_id, amount_minor, currency FROM payments WHERE id = ?1",
        [payment_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let event = super::Event {
        customer_id,
        kind: NotificationKind::PaymentFailed,
        bill_id: None,
        payment_id: Some(payment_id.to_owned()),
        amount: Money {
            amount_minor,
            currency,
        },
        due_date: None,
    };
    super::notifications::notify(tx, &event, now).map(|_| ())
}

pub(super) fn load_payment(
    tx: &Transaction<'_>,
    customer_id: i64,
    payment_id: &str,
) -> Result<Option<Payment>, ServerError> {
    type Row = (
        String,
        i64,
        String,
        StoredStatus,
        Option<String>,
        Option<i64>,
        i64,
        Option<String>,
    );
    let row: Option<Row> = tx
        .query_row(
            "SELECT id, amount_minor, currency, status, checkout_url, checkout_expires_at, created_at,
                 COALESCE(decline_code, CASE WHEN last_error IS NOT NULL THEN 'card_declined' END)
             FROM payments WHERE id = ?1 AND customer_id = ?2",
            params![payment_id, customer_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            },
        )
        .optional()?;
    let Some((id, amount, currency, status, url, expires_at, created_at, decline_code)) = row
    else {
        return Ok(None);
    };
    let bill_ids: Vec<String> = {
        let mut statement = tx.prepare_cached(
            "SELECT bill_id FROM payment_bills WHERE payment_id = ?1 ORDER BY bill_id",
        )?;
        let rows = statement.query_map([&id], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let status = status.0;
    let receipt = if status == PaymentStatus::Paid {
        load_receipt(tx, &id)?
    } else {
        None
    };
    Ok(Some(Payment {
        id,
        status,
        amount: Money {
            amount_minor: amount,
            currency,
        },
        bill_ids,
        checkout_url: url.unwrap_or_default(),
        checkout_expires_at: expires_at.map(rfc3339).unwrap_or_default(),
        created_at: rfc3339(created_at),
        decline_code,
        receipt,
    }))
}

pub(super) fn load_receipt(
    tx: &Transaction<'_>,
    payment_id: &str,
) -> Result<Option<Receipt>, ServerError> {
    type Row = (String, String, i64, i64, String, String, String, String);
    let row: Option<Row> = tx
        .query_row(
            "SELECT id, number, issued_at, total_minor, currency, transaction_id, card_brand, card_last4
             FROM receipts WHERE payment_id = ?1",
            [payment_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            },
        )
        .optional()?;
    let Some((id, number, issued_at, total, currency, transaction_id, card_brand, card_last4)) =
        row
    else {
        return Ok(None);
    };
    let lines: Vec<ReceiptLine> = {
        let mut statement = tx.prepare_cached(
            "SELECT pb.bill_id, b.period_start, b.period_end, pb.amount_minor, c.account_number
             FROM payment_bills pb JOIN bills b ON b.id = pb.bill_id
             JOIN customers c ON c.id = b.customer_id
             WHERE pb.payment_id = ?1 ORDER BY c.account_number, b.period_start, pb.bill_id",
        )?;
        let rows = statement.query_map([payment_id], |row| {
            Ok(ReceiptLine {
                account_number: Some(row.get(4)?),
                bill_id: row.get(0)?,
                period: Period {
                    start: row.get(1)?,
                    end: row.get(2)?,
                },
                amount: Money {
                    amount_minor: row.get(3)?,
                    currency: currency.clone(),
                },
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    Ok(Some(Receipt {
        id,
        number,
        issued_at: rfc3339(issued_at),
        payment_id: payment_id.to_owned(),
        lines,
        total: Money {
            amount_minor: total,
            currency,
        },
        transaction_id,
        card_brand,
        card_last4,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(amount_total: Option<i64>, currency: Option<&str>) -> CheckoutOutcome {
        CheckoutOutcome::Paid {
            transaction_id: "pi_1".into(),
            card_brand: "visa".into(),
            card_last4: "4242".into(),
            amount_total,
            currency: currency.map(str::to_owned),
        }
    }

    /// A demo store with one payment reserved for Jane's newest bill.
    fn store_with_a_payment(folder: &std::path::Path) -> (Store, i64, NewPayment) {
        let mut store = Store::open(&folder.join("sandbox.sqlite3")).unwrap();
        crate::demo::seed(&mut store).unwrap();
        let jane = store.customer_by_account("100-200-300").unwrap().unwrap();
        let bills = store.bills(jane.id, true).unwrap();
        let CreateOutcome::Reserved(payment) = store
            .reserve_payment(jane.id, &[jane.id], "key-1", &[bills[0].id.clone()], 1_000)
            .unwrap()
        else {
            panic!("a new payment")
        };
        (store, jane.id, payment)
    }

    fn status(store: &mut Store, customer: i64, payment: &NewPayment) -> PaymentStatus {
        store
            .payment(customer, &payment.id)
            .unwrap()
            .unwrap()
            .status
    }

    #[test]
    fn the_customers_cancel_wins_over_an_expiry_in_any_order() {
        // The expiry settles before the cancel is asked for, between the request and the cancel,
        // and after the cancel.
        for order in ["expiry first", "expiry between", "expiry last"] {
            let folder = tempfile::tempdir().unwrap();
            let (mut store, jane, payment) = store_with_a_payment(folder.path());
            let expire = |store: &mut Store| {
                store
                    .settle(&payment.id, &CheckoutOutcome::Expired, 1_001)
                    .unwrap()
            };
            if order == "expiry first" {
                expire(&mut store);
            }
            store.request_cancel(&payment.id).unwrap();
            if order == "expiry between" {
                expire(&mut store);
            }
            store.cancel(&payment.id).unwrap();
            if order == "expiry last" {
                expire(&mut store);
            }
            assert_eq!(
                status(&mut store, jane, &payment),
                PaymentStatus::Canceled,
                "{order}"
            );
        }
    }

    #[test]
    fn money_taken_wins_over_a_cancel() {
        let folder = tempfile::tempdir().unwrap();
        let (mut store, jane, payment) = store_with_a_payment(folder.path());
        store.request_cancel(&payment.id).unwrap();
        let full = Some(payment.amount.amount_minor);
        store
            .settle(&payment.id, &paid(full, Some("usd")), 1_001)
            .unwrap();
        store.cancel(&payment.id).unwrap();
        assert_eq!(status(&mut store, jane, &payment), PaymentStatus::Paid);
    }

    #[test]
    fn a_payment_is_settled_only_when_paid_in_full() {
        let folder = tempfile::tempdir().unwrap();
        let (mut store, jane, payment) = store_with_a_payment(folder.path());
        let amount = payment.amount.amount_minor;
        for wrong in [
            paid(Some(amount - 1), Some("usd")),
            paid(Some(amount), Some("eur")),
            paid(None, Some("usd")),
            paid(Some(amount), None),
        ] {
            assert!(
                store.settle(&payment.id, &wrong, 1_001).is_err(),
                "{wrong:?}"
            );
            assert_eq!(
                status(&mut store, jane, &payment),
                PaymentStatus::Processing,
                "{wrong:?}"
            );
        }
        assert!(
            store
                .settle(&payment.id, &paid(Some(amount), Some("usd")), 1_002)
                .unwrap()
        );
        assert_eq!(status(&mut store, jane, &payment), PaymentStatus::Paid);
    }
}
