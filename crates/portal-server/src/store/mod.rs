//! The sandbox's SQLite database: schema, migrations, and one room per area — [`customers`]
//! (customers and invitations, sign-in codes), [`sessions`], [`bills`], [`payments`] (payments,
//! webhook events, receipts) and [`outbox`].
//!
//! One connection behind a mutex: SQLite serialises writers anyway, and the sandbox's load is a
//! handful of devices. Handlers reach it through [`crate::state::AppState::db`], which runs the
//! closure on tokio's blocking pool. Multi-row changes run in transactions, so a request either
//! changes everything it should or nothing.

mod autopay;
mod bills;
mod customers;
mod notifications;
mod outbox;
mod payments;
mod sessions;

pub use autopay::{Claimed, DueBill, StoredCard};
pub use bills::{ImportConflict, Reading};
pub use customers::{CustomerRecord, InvitationRecord, SigninCodeRecord};
pub use notifications::{Event, QueuedPush};
pub use payments::{CheckoutOutcome, CreateOutcome, NewPayment};
pub use sessions::{AccessTokenState, IssuedTokens, RefreshOutcome};

use crate::error::ServerError;
use portal_api::v1::PaymentStatus;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql};
use std::path::Path;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
-- The customer asked to cancel: an expiry that races the cancel ends as canceled.
ALTER TABLE payments ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- Wrong postcodes tried against an invitation: at MAX_POSTCODE_FAILURES it is spent.
ALTER TABLE invitations ADD COLUMN failed_postcodes INTEGER NOT NULL DEFAULT 0;
-- Refresh rotation grace: the token issued in exchange for this one (hashed), and the refresh
-- token each access token was issued with, so that an unused successor can be withdrawn whole.
ALTER TABLE refresh_tokens ADD COLUMN successor_hash TEXT;
ALTER TABLE access_tokens ADD COLUMN refresh_hash TEXT;
ALTER TABLE access_tokens ADD COLUMN used_at INTEGER;
-- The provider's decline code of the last failed attempt (the app says it from its catalog).
ALTER TABLE payments ADD COLUMN decline_code TEXT;
"#,
    r#"
-- The customer's language (a BCP 47 primary tag the app speaks: en, es): mails, the checkout.
ALTER TABLE customers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
"#,
    r#"
-- A bill's charges, in order; they sum to the bill's amount (checked on import).
CREATE TABLE bill_lines (
    bill_id TEXT NOT NULL REFERENCES bills(id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT,
    unit TEXT,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (bill_id, position)
);
"#,
    r#"
-- An account's meters, and their hourly readings in watt-hours (actual, estimated or missing).
CREATE TABLE meters (
    id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id)
);
CREATE TABLE readings (
    meter_id TEXT NOT NULL REFERENCES meters(id),
    start INTEGER NOT NULL,
    wh INTEGER,
    quality TEXT NOT NULL CHECK (quality IN ('actual', 'estimated', 'missing')),
    PRIMARY KEY (meter_id, start)
) WITHOUT ROWID;
"#,
    r#"
-- A bill's meter reads: each meter's register (whole kWh) at the period's start and end.
CREATE TABLE bill_reads (
    bill_id TEXT NOT NULL REFERENCES bills(id),
    position INTEGER NOT NULL,
    meter_id TEXT NOT NULL REFERENCES meters(id),
    previous INTEGER NOT NULL,
    current INTEGER NOT NULL,
    estimated INTEGER NOT NULL,
    PRIMARY KEY (bill_id, position)
);
"#,
    r#"
-- What each customer was told about, once per kind and subject (a bill or a payment).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('new_bill', 'bill_due_soon', 'payment_received', 'payment_failed')),
    subject TEXT NOT NULL,
    bill_id TEXT,
    payment_id TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    due_date TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (customer_id, kind, subject)
);
-- The customer's choices; a kind and channel without a row has its default.
CREATE TABLE notification_preferences (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('app', 'push', 'email')),
    enabled INTEGER NOT NULL,
    PRIMARY KEY (customer_id, kind, channel)
);
-- Phones' push tokens, and the push messages queued for them (sent by the push sender).
CREATE TABLE push_devices (
    token TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    platform TEXT NOT NULL CHECK (platform IN ('android', 'ios')),
    registered_at INTEGER NOT NULL
);
CREATE TABLE push_outbox (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    platform TEXT NOT NULL,
    token TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
"#,
    r#"
-- A person (by email) holds the accounts whose email on file is theirs, and those support staff
-- gave them access to; several people may hold one account. A session belongs to a person.
CREATE TABLE holdings (
    email TEXT NOT NULL COLLATE NOCASE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (email, customer_id)
);
ALTER TABLE session_families ADD COLUMN email TEXT;
UPDATE session_families
   SET email = (SELECT email FROM customers WHERE customers.id = session_families.customer_id);
ALTER TABLE signin_codes ADD COLUMN email TEXT;
"#,
    r#"
-- Autopay (#17): each account's customer at the payment provider and its saved card, its choice,
-- and each bill's attempts (the claim that stops two schedulers charging one bill twice).
CREATE TABLE autopay_methods (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    provider_customer TEXT NOT NULL,
    payment_method TEXT,
    brand TEXT,
    last4 TEXT,
    exp_month INTEGER,
    exp_year INTEGER,
    setup_session TEXT,
    updated_at INTEGER NOT NULL
);
CREATE TABLE autopay_enrollments (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    enabled INTEGER NOT NULL,
    days_before INTEGER NOT NULL,
    max_minor INTEGER NOT NULL,
    -- The day autopay was last turned on: it pays bills due from then, not ones already overdue.
    enrolled_on TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE autopay_attempts (
    bill_id TEXT NOT NULL REFERENCES bills(id),
    attempt INTEGER NOT NULL,
    payment_id TEXT NOT NULL UNIQUE REFERENCES payments(id),
    state TEXT NOT NULL CHECK (state IN ('charging', 'paid', 'failed')),
    failure TEXT,
    next_try_at INTEGER,
    started_at INTEGER NOT NULL,
    PRIMARY KEY (bill_id, attempt)
);
-- A payment autopay made (no checkout: the sweeper's unlinked-payment expiry leaves it alone).
ALTER TABLE payments ADD COLUMN autopay INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- Autopay's notices: two more kinds. SQLite cannot change a CHECK, so the table is rebuilt with
-- the same rows and ids, and the push messages (the one table referring to it) with it: they are
-- kept aside, their table dropped, the notifications swapped, and they come back.
CREATE TABLE notifications_new (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('new_bill', 'bill_due_soon', 'payment_received', 'payment_failed',
                                       'autopay_scheduled', 'autopay_skipped')),
    subject TEXT NOT NULL,
    bill_id TEXT,
    payment_id TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    due_date TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (customer_id, kind, subject)
);
INSERT INTO notifications_new SELECT * FROM notifications;
CREATE TEMP TABLE push_outbox_kept AS SELECT * FROM push_outbox;
DROP TABLE push_outbox;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE TABLE push_outbox (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    platform TEXT NOT NULL,
    token TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
INSERT INTO push_outbox SELECT * FROM temp.push_outbox_kept;
DROP TABLE temp.push_outbox_kept;
"#,
];

/// How long an access token lives (seconds).
pub const ACCESS_TTL: i64 = 15 * 60;
/// How long a refresh token lives (seconds).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;
/// How long after a rotation the previous refresh token is accepted again, as long as its
/// successor has not been used (seconds): the answer to the first refresh may have been lost.
pub const REFRESH_GRACE: i64 = 30;
/// Wrong postcodes an invitation survives in total; the last one spends it.
pub const MAX_POSTCODE_FAILURES: u32 = 5;

/// The database.
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). With
    /// several server instances on one database (two schedulers), a transaction that reads
    /// before it writes then waits its turn (the busy timeout) instead of failing with
    /// `SQLITE_BUSY` when another instance wrote in between.
    pub(crate) fn write(&mut self) -> Result<rusqlite::Transaction<'_>, rusqlite::Error> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Opens (creating if needed) the database file and migrates it (see `portal_sqlite`).
    pub fn open(path: &Path) -> Result<Self, ServerError> {
        let conn =
            portal_sqlite::open(path, MIGRATIONS).map_err(|error| ServerError::DatabaseOpen {
                path: path.display().to_string(),
                reason: error.to_string(),
            })?;
        Ok(Self { conn })
    }

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
}

/// A payment's status as the database stores it: the API's enum, written as its wire name (the
/// schema's CHECK constraint lists the same four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredStatus(pub PaymentStatus);

impl StoredStatus {
    /// Still waiting for the provider.
    pub const PROCESSING: Self = Self(PaymentStatus::Processing);
    /// Paid at the provider.
    pub const PAID: Self = Self(PaymentStatus::Paid);
    /// The checkout expired unpaid.
    pub const EXPIRED: Self = Self(PaymentStatus::Expired);
    /// Canceled by the customer.
    pub const CANCELED: Self = Self(PaymentStatus::Canceled);

    fn name(self) -> &'static str {
        match self.0 {
            PaymentStatus::Processing => "processing",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Canceled => "canceled",
        }
    }
}

impl ToSql for StoredStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for StoredStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        [Self::PROCESSING, Self::PAID, Self::EXPIRED, Self::CANCELED]
            .into_iter()
            .find(|status| value.as_str().is_ok_and(|text| text == status.name()))
            .ok_or(FromSqlError::InvalidType)
    }
}

#[cfg(test)]
mod tests {
    /// A database from before autopay's notices keeps its notifications, and the push messages
    /// that refer to them, through the rebuild of the notifications table.
    #[test]
    fn notifications_survive_the_table_rebuilt_for_autopay_notices() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            let before = &super::MIGRATIONS[..super::MIGRATIONS.len() - 1];
            let conn = portal_sqlite::open(&path, before).unwrap();
            conn.execute_batch(
                "INSERT INTO customers (id, account_number, name, email, service_address, postcode)
                     VALUES (1, '100-200-300', 'Jane Doe', 'jane@example.com', '1 Main St', '62701');
                 INSERT INTO notifications (id, customer_id, kind, subject, amount_minor, currency, created_at)
                     VALUES (7, 1, 'new_bill', 'bill_1', 9275, 'USD', 1);
                 INSERT INTO push_outbox (notification_id, platform, token, title, body, link, queued_at)
                     VALUES (7, 'android', 't', 'New bill', 'b', 'l', 1);",
            )
            .unwrap();
        }
        let store = super::Store::open(&path).unwrap();
        let kept: (i64, String) = store
            .conn
            .query_row("SELECT id, kind FROM notifications", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(kept, (7, "new_bill".to_owned()));
        let pushed: i64 = store
            .conn
            .query_row("SELECT notification_id FROM push_outbox", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(pushed, 7);
        store
            .conn
            .execute(
                "INSERT INTO notifications (customer_id, kind, subject, amount_minor, currency, created_at)
                 VALUES (1, 'autopay_scheduled', 'bill_1', 9275, 'USD', 2)",
                [],
            )
            .unwrap();
    }

    use super::*;

    #[test]
    fn statuses_round_trip_through_sqlite_and_unknown_text_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        for status in [
            StoredStatus::PROCESSING,
            StoredStatus::PAID,
            StoredStatus::EXPIRED,
            StoredStatus::CANCELED,
        ] {
            let back: StoredStatus = conn
                .query_row("SELECT ?1", [status], |row| row.get(0))
                .unwrap();
            assert_eq!(back, status);
        }
        let unknown = conn.query_row("SELECT 'refunded'", [], |row| row.get::<_, StoredStatus>(0));
        assert!(unknown.is_err());
    }
}
