//! The sandbox's SQLite database: schema, migrations and every query.
//!
//! One connection behind a mutex: SQLite serialises writers anyway, and the sandbox's load is a
//! handful of devices. Handlers reach it through [`crate::state::AppState::db`], which runs the
//! closure on tokio's blocking pool. Multi-row changes run in transactions, so a request either
//! changes everything it should or nothing.

use crate::clock::{rfc3339, year_of};
use crate::error::ServerError;
use crate::secrets::{hash_secret, random_id, random_token};
use portal_api::ErrorCode;
use portal_api::v1::{
    Bill, BillStatus, Customer, Money, OutboxMessage, Payment, PaymentStatus, Period, Receipt,
    ReceiptLine,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    account_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    service_address TEXT NOT NULL,
    postcode TEXT NOT NULL
);
CREATE TABLE bills (
    id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    paid_by TEXT -- the payment that paid it, or 'historical' for bills paid before the portal
);
CREATE INDEX bills_customer ON bills(customer_id, period_start DESC);
CREATE TABLE invitations (
    code_hash TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE signin_codes (
    code_hash TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE session_families (
    id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES session_families(id),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES session_families(id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing', 'paid', 'expired', 'canceled')),
    checkout_session_id TEXT UNIQUE,
    checkout_url TEXT,
    checkout_expires_at INTEGER,
    transaction_id TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);
CREATE TABLE payment_bills (
    payment_id TEXT NOT NULL REFERENCES payments(id),
    bill_id TEXT NOT NULL REFERENCES bills(id),
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_bills_bill ON payment_bills(bill_id);
CREATE TABLE receipts (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    payment_id TEXT NOT NULL UNIQUE REFERENCES payments(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    issued_at INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    card_brand TEXT NOT NULL,
    card_last4 TEXT NOT NULL
);
CREATE TABLE webhook_events (id TEXT PRIMARY KEY, type TEXT NOT NULL, received_at INTEGER NOT NULL);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_email TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
"#];

/// How long an access token lives (seconds).
pub const ACCESS_TTL: i64 = 15 * 60;
/// How long a refresh token lives (seconds).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;

/// The database.
pub struct Store {
    conn: Connection,
}

/// A customer row with the fields the server needs internally.
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    /// Row id.
    pub id: i64,
    /// Service postcode (never sent to the app).
    pub postcode: String,
    /// The public fields.
    pub customer: Customer,
}

/// An invitation row.
#[derive(Debug, Clone)]
pub struct InvitationRecord {
    /// The invited customer.
    pub customer_id: i64,
    /// The invited address.
    pub email: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Set once redeemed.
    pub used_at: Option<i64>,
}

/// A sign-in code row.
#[derive(Debug, Clone)]
pub struct SigninCodeRecord {
    /// The customer it signs in.
    pub customer_id: i64,
    /// The PKCE S256 challenge it is bound to.
    pub code_challenge: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Set once used.
    pub used_at: Option<i64>,
}

/// A refresh token row with its family.
struct RefreshRecord {
    family_id: String,
    used_at: Option<i64>,
    expires_at: i64,
    revoked_at: Option<i64>,
}

/// The two kinds of one-time codes that open a session.
#[derive(Debug, Clone, Copy)]
enum OneTimeCode {
    Invitation,
    SignIn,
}

/// What an access token is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessTokenState {
    /// Valid: the customer's row id.
    Valid(i64),
    /// Past its lifetime: refresh.
    Expired,
    /// Its session was ended (sign-out, or a replayed refresh token).
    Revoked,
    /// Never issued here.
    Unknown,
}

/// What a refresh attempt found.
pub enum RefreshOutcome {
    /// New tokens were issued.
    Rotated(IssuedTokens),
    /// The token had been used before: the whole family is now revoked.
    Replayed,
    /// Unknown, expired or revoked.
    Invalid,
}

/// Freshly issued tokens, in the clear (only here, on their way to the client).
pub struct IssuedTokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// What the payment provider said about a checkout, reduced to what settling needs.
#[derive(Debug, Clone)]
pub enum CheckoutOutcome {
    /// Paid: the transaction (payment intent) id and the card.
    Paid {
        /// The provider's transaction id.
        transaction_id: String,
        /// Card brand, e.g. `visa`.
        card_brand: String,
        /// Last four digits.
        card_last4: String,
    },
    /// Still open; perhaps with the last failed attempt's message (a declined card).
    Open {
        /// The provider's message for the last failed attempt.
        last_error: Option<String>,
    },
    /// Expired unpaid.
    Expired,
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
    /// Opens (creating if needed) the database file and migrates it (see `portal_sqlite`).
    pub fn open(path: &Path) -> Result<Self, ServerError> {
        let conn =
            portal_sqlite::open(path, MIGRATIONS).map_err(|error| ServerError::DatabaseOpen {
                path: path.display().to_string(),
                reason: error.to_string(),
            })?;
        Ok(Self { conn })
    }

    // ----- settings ------------------------------------------------------------------------

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, ServerError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    // ----- customers and bills -------------------------------------------------------------

    /// Inserts a customer unless the account number exists; returns its id.
    pub fn upsert_customer(&self, customer: &Customer, postcode: &str) -> Result<i64, ServerError> {
        self.conn.execute(
            "INSERT INTO customers (account_number, name, email, service_address, postcode)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_number) DO NOTHING",
            params![
                customer.account_number,
                customer.name,
                customer.email,
                customer.service_address,
                postcode
            ],
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM customers WHERE account_number = ?1",
            [&customer.account_number],
            |row| row.get(0),
        )?)
    }

    /// Inserts a bill unless its id exists; `paid` bills get a historical paid marker.
    pub fn insert_bill(&self, customer_id: i64, bill: &Bill) -> Result<(), ServerError> {
        self.conn.execute(
            "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date,
                                amount_minor, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            params![
                bill.id,
                customer_id,
                bill.period.start,
                bill.period.end,
                bill.issue_date,
                bill.due_date,
                bill.amount.amount_minor,
                bill.amount.currency
            ],
        )?;
        Ok(())
    }

    /// Inserts `count` outstanding USD 10.00 bills `bill_load_N` for a load-test customer, in one
    /// transaction.
    pub fn insert_bills_in_bulk(
        &mut self,
        customer_id: i64,
        count: u32,
    ) -> Result<(), ServerError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date, amount_minor, currency)
                 VALUES (?1, ?2, '2026-10-01', '2026-10-31', '2026-11-03', '2026-11-24', 1000, 'USD')
                 ON CONFLICT (id) DO NOTHING",
            )?;
            for index in 0..count {
                insert.execute(params![format!("bill_load_{index}"), customer_id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks seeded historical bills paid without a payment (paid before the portal existed).
    pub fn mark_bill_paid_historically(&self, bill_id: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE bills SET paid_by = 'historical' WHERE id = ?1 AND paid_by IS NULL",
            [bill_id],
        )?;
        Ok(())
    }

    fn customer_where(
        &self,
        condition: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<Option<CustomerRecord>, ServerError> {
        let sql = format!(
            "SELECT id, postcode, name, account_number, service_address, email FROM customers WHERE {condition}"
        );
        Ok(self
            .conn
            .query_row(&sql, [value], |row| {
                Ok(CustomerRecord {
                    id: row.get(0)?,
                    postcode: row.get(1)?,
                    customer: Customer {
                        name: row.get(2)?,
                        account_number: row.get(3)?,
                        service_address: row.get(4)?,
                        email: row.get(5)?,
                    },
                })
            })
            .optional()?)
    }

    /// A customer by row id.
    pub fn customer(&self, id: i64) -> Result<Option<CustomerRecord>, ServerError> {
        self.customer_where("id = ?1", &id)
    }

    /// A customer by account number.
    pub fn customer_by_account(
        &self,
        account: &str,
    ) -> Result<Option<CustomerRecord>, ServerError> {
        self.customer_where("account_number = ?1", &account)
    }

    /// A customer by email (case-insensitive).
    pub fn customer_by_email(&self, email: &str) -> Result<Option<CustomerRecord>, ServerError> {
        self.customer_where("email = ?1", &email)
    }

    /// A customer's bills, newest period first; only outstanding and processing ones if asked.
    pub fn bills(&self, customer_id: i64, unpaid_only: bool) -> Result<Vec<Bill>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT b.id, b.period_start, b.period_end, b.issue_date, b.due_date, b.amount_minor,
                    b.currency, b.paid_by IS NOT NULL,
                    EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                            WHERE pb.bill_id = b.id AND p.status = 'processing')
             FROM bills b WHERE b.customer_id = ?1 AND (?2 = 0 OR b.paid_by IS NULL)
             ORDER BY b.period_start DESC, b.id",
        )?;
        let rows = statement.query_map(params![customer_id, unpaid_only], |row| {
            let paid: bool = row.get(7)?;
            let processing: bool = row.get(8)?;
            Ok(Bill {
                id: row.get(0)?,
                period: Period {
                    start: row.get(1)?,
                    end: row.get(2)?,
                },
                issue_date: row.get(3)?,
                due_date: row.get(4)?,
                amount: Money {
                    amount_minor: row.get(5)?,
                    currency: row.get(6)?,
                },
                status: if paid {
                    BillStatus::Paid
                } else if processing {
                    BillStatus::Processing
                } else {
                    BillStatus::Outstanding
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ----- invitations and sign-in ---------------------------------------------------------

    /// Stores a new invitation; returns its code (stored only hashed).
    pub fn create_invitation(
        &self,
        customer_id: i64,
        email: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String, ServerError> {
        let code = random_token(32);
        self.conn.execute(
            "INSERT INTO invitations (code_hash, customer_id, email, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash_secret(&code), customer_id, email, now, now + ttl],
        )?;
        Ok(code)
    }

    /// An invitation by its code.
    pub fn invitation(&self, code: &str) -> Result<Option<InvitationRecord>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT customer_id, email, expires_at, used_at FROM invitations WHERE code_hash = ?1",
                [hash_secret(code)],
                |row| {
                    Ok(InvitationRecord {
                        customer_id: row.get(0)?,
                        email: row.get(1)?,
                        expires_at: row.get(2)?,
                        used_at: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Marks an invitation used and opens a session, atomically; `None` if it was used meanwhile.
    pub fn redeem_invitation(
        &mut self,
        code: &str,
        customer_id: i64,
        now: i64,
    ) -> Result<Option<IssuedTokens>, ServerError> {
        self.use_code_and_open_session(OneTimeCode::Invitation, code, customer_id, now)
    }

    /// Stores a one-time sign-in code bound to a PKCE challenge; returns the code.
    pub fn create_signin_code(
        &self,
        customer_id: i64,
        challenge: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String, ServerError> {
        let code = random_token(32);
        self.conn.execute(
            "INSERT INTO signin_codes (code_hash, customer_id, code_challenge, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![hash_secret(&code), customer_id, challenge, now + ttl],
        )?;
        Ok(code)
    }

    /// A sign-in code, if it exists.
    pub fn signin_code(&self, code: &str) -> Result<Option<SigninCodeRecord>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT customer_id, code_challenge, expires_at, used_at FROM signin_codes WHERE code_hash = ?1",
                [hash_secret(code)],
                |row| {
                    Ok(SigninCodeRecord {
                        customer_id: row.get(0)?,
                        code_challenge: row.get(1)?,
                        expires_at: row.get(2)?,
                        used_at: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Uses a sign-in code and opens a session, atomically; `None` if it was used meanwhile.
    pub fn redeem_signin_code(
        &mut self,
        code: &str,
        customer_id: i64,
        now: i64,
    ) -> Result<Option<IssuedTokens>, ServerError> {
        self.use_code_and_open_session(OneTimeCode::SignIn, code, customer_id, now)
    }

    fn use_code_and_open_session(
        &mut self,
        kind: OneTimeCode,
        code: &str,
        customer_id: i64,
        now: i64,
    ) -> Result<Option<IssuedTokens>, ServerError> {
        let update = match kind {
            OneTimeCode::Invitation => {
                "UPDATE invitations SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL"
            }
            OneTimeCode::SignIn => {
                "UPDATE signin_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL"
            }
        };
        let tx = self.conn.transaction()?;
        if tx.execute(update, params![hash_secret(code), now])? != 1 {
            return Ok(None);
        }
        let tokens = open_session(&tx, customer_id, now)?;
        tx.commit()?;
        Ok(Some(tokens))
    }

    // ----- sessions ------------------------------------------------------------------------

    /// What an access token is worth now.
    pub fn access_token_state(
        &self,
        token: &str,
        now: i64,
    ) -> Result<AccessTokenState, ServerError> {
        let found: Option<(i64, i64, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT f.customer_id, a.expires_at, f.revoked_at
                 FROM access_tokens a JOIN session_families f ON f.id = a.family_id
                 WHERE a.token_hash = ?1",
                [hash_secret(token)],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        Ok(match found {
            None => AccessTokenState::Unknown,
            Some((_, _, Some(_))) => AccessTokenState::Revoked,
            Some((_, expires_at, None)) if expires_at <= now => AccessTokenState::Expired,
            Some((customer, _, None)) => AccessTokenState::Valid(customer),
        })
    }

    /// Rotates a refresh token: single use; a reused one revokes its whole family.
    pub fn refresh(&mut self, token: &str, now: i64) -> Result<RefreshOutcome, ServerError> {
        let tx = self.conn.transaction()?;
        let found = tx
            .query_row(
                "SELECT r.family_id, r.used_at, r.expires_at, f.revoked_at
                 FROM refresh_tokens r JOIN session_families f ON f.id = r.family_id
                 WHERE r.token_hash = ?1",
                [hash_secret(token)],
                |row| {
                    Ok(RefreshRecord {
                        family_id: row.get(0)?,
                        used_at: row.get(1)?,
                        expires_at: row.get(2)?,
                        revoked_at: row.get(3)?,
                    })
                },
            )
            .optional()?;
        let Some(RefreshRecord {
            family_id: family,
            used_at,
            expires_at,
            revoked_at,
        }) = found
        else {
            return Ok(RefreshOutcome::Invalid);
        };
        if revoked_at.is_some() || expires_at <= now {
            return Ok(RefreshOutcome::Invalid);
        }
        if used_at.is_some() {
            tx.execute(
                "UPDATE session_families SET revoked_at = ?2 WHERE id = ?1",
                params![family, now],
            )?;
            tx.commit()?;
            return Ok(RefreshOutcome::Replayed);
        }
        tx.execute(
            "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1",
            params![hash_secret(token), now],
        )?;
        let tokens = issue_tokens(&tx, &family, now)?;
        tx.commit()?;
        Ok(RefreshOutcome::Rotated(tokens))
    }

    /// Revokes the family of a refresh token (sign-out). Unknown tokens are ignored.
    pub fn revoke_family_of(&self, refresh_token: &str, now: i64) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE session_families SET revoked_at = ?2
             WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?1)",
            params![hash_secret(refresh_token), now],
        )?;
        Ok(())
    }

    // ----- payments ------------------------------------------------------------------------

    /// Checks the idempotency key and the bills, then reserves the bills in a new payment whose
    /// checkout is still to be created. The same key with the same bills returns the existing
    /// payment; with other bills it is a conflict.
    pub fn reserve_payment(
        &mut self,
        customer_id: i64,
        idempotency_key: &str,
        bill_ids: &[String],
        now: i64,
    ) -> Result<CreateOutcome, ServerError> {
        let mut sorted = bill_ids.to_vec();
        sorted.sort();
        let request_hash = hash_secret(&sorted.join(","));
        let tx = self.conn.transaction()?;
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
            let row: Option<(String, String, i64, String, bool, bool)> = tx
                .query_row(
                    "SELECT b.period_start, b.period_end, b.amount_minor, b.currency, b.paid_by IS NOT NULL,
                            EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                    WHERE pb.bill_id = b.id AND p.status = 'processing')
                     FROM bills b WHERE b.id = ?1 AND b.customer_id = ?2",
                    params![bill_id, customer_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)),
                )
                .optional()?;
            let Some((start, end, amount, bill_currency, paid, in_open_payment)) = row else {
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
        let id = random_id("pay");
        tx.execute(
            "INSERT INTO payments (id, customer_id, idempotency_key, request_hash, amount_minor, currency, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'processing', ?7)",
            params![id, customer_id, idempotency_key, request_hash, total, currency, now],
        )?;
        for (bill_id, _, amount) in &lines {
            tx.execute(
                "INSERT INTO payment_bills (payment_id, bill_id, amount_minor) VALUES (?1, ?2, ?3)",
                params![id, bill_id, amount],
            )?;
        }
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
        let tx = self.conn.transaction()?;
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
        let tx = self.conn.transaction()?;
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

    /// The customer a payment belongs to.
    pub fn payment_owner(&self, payment_id: &str) -> Result<Option<i64>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT customer_id FROM payments WHERE id = ?1",
                [payment_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The checkout session id and status of a payment.
    pub fn checkout_of(
        &self,
        customer_id: i64,
        payment_id: &str,
    ) -> Result<Option<(Option<String>, String)>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT checkout_session_id, status FROM payments WHERE id = ?1 AND customer_id = ?2",
                params![payment_id, customer_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// The customer's payments, newest first.
    pub fn payments(&mut self, customer_id: i64) -> Result<Vec<Payment>, ServerError> {
        let tx = self.conn.transaction()?;
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
        let tx = self.conn.transaction()?;
        let created = match outcome {
            CheckoutOutcome::Paid {
                transaction_id,
                card_brand,
                card_last4,
            } => {
                // The provider's "paid" wins over any local state: money was taken.
                let changed = tx.execute(
                    "UPDATE payments SET status = 'paid', transaction_id = ?2, last_error = NULL
                     WHERE id = ?1 AND status != 'paid'",
                    params![payment_id, transaction_id],
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
            CheckoutOutcome::Open { last_error } => {
                tx.execute(
                    "UPDATE payments SET last_error = ?2 WHERE id = ?1 AND status = 'processing'",
                    params![payment_id, last_error],
                )?;
                false
            }
            CheckoutOutcome::Expired => {
                tx.execute(
                    "UPDATE payments SET status = 'expired' WHERE id = ?1 AND status = 'processing'",
                    [payment_id],
                )?;
                false
            }
        };
        tx.commit()?;
        Ok(created)
    }

    /// Marks a payment canceled (its checkout was expired at the provider).
    pub fn cancel(&self, payment_id: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE payments SET status = 'canceled' WHERE id = ?1 AND status = 'processing'",
            [payment_id],
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

    // ----- receipts ------------------------------------------------------------------------

    /// The customer's receipts, newest first.
    pub fn receipts(&mut self, customer_id: i64) -> Result<Vec<Receipt>, ServerError> {
        let tx = self.conn.transaction()?;
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
        let tx = self.conn.transaction()?;
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

    // ----- outbox --------------------------------------------------------------------------

    /// Writes a mail to the outbox.
    pub fn send_mail(
        &self,
        to: &str,
        kind: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> Result<(), ServerError> {
        send_mail(&self.conn, to, kind, subject, body, now)
    }

    /// The outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxMessage>, ServerError> {
        let mut statement = self.conn.prepare(
            "SELECT id, to_email, kind, subject, body, created_at FROM outbox ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(OutboxMessage {
                id: row.get(0)?,
                to: row.get(1)?,
                kind: row.get(2)?,
                subject: row.get(3)?,
                body: row.get(4)?,
                created_at: rfc3339(row.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn send_mail(
    conn: &Connection,
    to: &str,
    kind: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), ServerError> {
    conn.execute(
        "INSERT INTO outbox (to_email, kind, subject, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![to, kind, subject, body, now],
    )?;
    Ok(())
}

/// Opens a new session family for the customer and issues its first tokens.
fn open_session(
    tx: &Transaction<'_>,
    customer_id: i64,
    now: i64,
) -> Result<IssuedTokens, ServerError> {
    let family = random_id("fam");
    tx.execute(
        "INSERT INTO session_families (id, customer_id, created_at) VALUES (?1, ?2, ?3)",
        params![family, customer_id, now],
    )?;
    issue_tokens(tx, &family, now)
}

fn issue_tokens(tx: &Transaction<'_>, family: &str, now: i64) -> Result<IssuedTokens, ServerError> {
    let access_token = random_token(32);
    let refresh_token = random_token(32);
    tx.execute(
        "INSERT INTO access_tokens (token_hash, family_id, expires_at) VALUES (?1, ?2, ?3)",
        params![hash_secret(&access_token), family, now + ACCESS_TTL],
    )?;
    tx.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES (?1, ?2, ?3)",
        params![hash_secret(&refresh_token), family, now + REFRESH_TTL],
    )?;
    Ok(IssuedTokens {
        access_token,
        refresh_token,
    })
}

fn create_receipt(
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
    let email: String = tx.query_row(
        "SELECT email FROM customers WHERE id = ?1",
        [customer_id],
        |row| row.get(0),
    )?;
    let total = Money {
        amount_minor: total,
        currency,
    };
    let body = format!(
        "Thank you for your payment.\n\nReceipt {number}\nTotal paid: {}\nTransaction: {transaction_id}\nCard: {card_brand} ending {card_last4}\n\nThe receipt is also in the Enerpro app under Payments.",
        total.display()
    );
    send_mail(
        tx,
        &email,
        "receipt",
        &format!("Your Enerpro receipt {number}"),
        &body,
        now,
    )
}

fn load_payment(
    tx: &Transaction<'_>,
    customer_id: i64,
    payment_id: &str,
) -> Result<Option<Payment>, ServerError> {
    type Row = (
        String,
        i64,
        String,
        String,
        Option<String>,
        Option<i64>,
        i64,
        Option<String>,
    );
    let row: Option<Row> = tx
        .query_row(
            "SELECT id, amount_minor, currency, status, checkout_url, checkout_expires_at, created_at, last_error
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
    let Some((id, amount, currency, status, url, expires_at, created_at, last_error)) = row else {
        return Ok(None);
    };
    let bill_ids: Vec<String> = {
        let mut statement = tx.prepare_cached(
            "SELECT bill_id FROM payment_bills WHERE payment_id = ?1 ORDER BY bill_id",
        )?;
        let rows = statement.query_map([&id], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let status = match status.as_str() {
        "paid" => PaymentStatus::Paid,
        "expired" => PaymentStatus::Expired,
        "canceled" => PaymentStatus::Canceled,
        _ => PaymentStatus::Processing,
    };
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
        last_error,
        receipt,
    }))
}

fn load_receipt(tx: &Transaction<'_>, payment_id: &str) -> Result<Option<Receipt>, ServerError> {
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
            "SELECT pb.bill_id, b.period_start, b.period_end, pb.amount_minor
             FROM payment_bills pb JOIN bills b ON b.id = pb.bill_id
             WHERE pb.payment_id = ?1 ORDER BY b.period_start, pb.bill_id",
        )?;
        let rows = statement.query_map([payment_id], |row| {
            Ok(ReceiptLine {
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
