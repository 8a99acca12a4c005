//! The local cache: what the app shows at once, before (or without) the network.
//!
//! One SQLite file (WAL, busy timeout, migrations recorded in `PRAGMA user_version`, owner-only
//! permissions). Each dataset — customer, bills, receipts — is replaced whole in one transaction
//! with its `fetched_at`, so a reader sees the old set or the new one, never a mix. The cache
//! belongs to one person, who may hold several accounts: [`Cache::claim`] wipes it when another
//! person signs in. Every record names its account, and each account's bills and readings have
//! their own `fetched_at`; an account no longer among the person's leaves nothing behind
//! ([`Cache::store_accounts`]). Payment flows live here too, because they must survive the app
//! being killed mid-checkout.
//!
//! A file that is not a database, is corrupt, or comes from a newer app is moved aside
//! (`*.corrupt-<unix time>`), the cache rebuilt, and the broken copy deleted (it may hold a
//! customer's data): the cache is a copy of the backend, so nothing is lost that a refresh cannot
//! bring back — except open payment flows, which the backend's payment list recovers on the next
//! resume. Sign-out leaves nothing on disk: `secure_delete` is on and the write-ahead log is
//! truncated after the wipe.

use crate::CoreError;
use crate::usage::Hour;
use portal_api::ipc::{AsOf, EndedPayment, FlowState, PaymentFlow};
use portal_api::v1::{
    Bill, BillDetail, BillStatus, Customer, MeterReadings, Money, Period, Receipt,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE owner (id INTEGER PRIMARY KEY CHECK (id = 1), account_number TEXT NOT NULL);
CREATE TABLE datasets (name TEXT PRIMARY KEY, fetched_at INTEGER NOT NULL);
CREATE TABLE customer (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL,
    account_number TEXT NOT NULL, service_address TEXT NOT NULL, email TEXT NOT NULL);
CREATE TABLE bills (id TEXT PRIMARY KEY, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
    issue_date TEXT NOT NULL, due_date TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL);
CREATE INDEX bills_by_status ON bills(status, period_start DESC);
CREATE TABLE receipts (id TEXT PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE payment_flows (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE,
    bill_ids TEXT NOT NULL, payment_id TEXT UNIQUE, amount_minor INTEGER, currency TEXT,
    state TEXT NOT NULL, checkout_url TEXT, message TEXT, updated_at INTEGER NOT NULL);
"#,
    r#"
ALTER TABLE payment_flows ADD COLUMN started_at INTEGER;
ALTER TABLE payment_flows ADD COLUMN browser_failed INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
CREATE TABLE ended_payments (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, json TEXT NOT NULL);
-- The backend answered that it has no such payment (a restored backup, a sweep of another kind).
ALTER TABLE payment_flows ADD COLUMN unknown_to_backend INTEGER NOT NULL DEFAULT 0;
-- The provider's decline code of the last failed attempt.
ALTER TABLE payment_flows ADD COLUMN decline_code TEXT;
"#,
    r#"
-- The UI's picture of the home screen (HTML) and the revision of the view it shows.
CREATE TABLE first_paint (id INTEGER PRIMARY KEY CHECK (id = 1), revision TEXT NOT NULL,
    html TEXT NOT NULL);
"#,
    r#"
-- Bills as their detail screen shows them (lines, reads), each with when it was fetched.
CREATE TABLE bill_details (bill_id TEXT PRIMARY KEY, json TEXT NOT NULL,
    fetched_at INTEGER NOT NULL);
-- Hourly readings of every meter, by hour first: the charts read ranges of hours.
CREATE TABLE readings (start INTEGER NOT NULL, meter_id TEXT NOT NULL, wh INTEGER,
    quality TEXT NOT NULL, PRIMARY KEY (start, meter_id)) WITHOUT ROWID;
"#,
    r#"
-- The last notification this device showed (the backend's position), so none shows twice.
CREATE TABLE notices (id INTEGER PRIMARY KEY CHECK (id = 1), shown_up_to INTEGER NOT NULL);
"#,
    r#"
-- Several accounts under one sign-in: every account the person holds, in the backend's order,
-- instead of one customer; every record names its account (the owner's, for what was cached).
CREATE TABLE accounts (account_number TEXT PRIMARY KEY, position INTEGER NOT NULL,
    name TEXT NOT NULL, service_address TEXT NOT NULL, email TEXT NOT NULL);
INSERT INTO accounts SELECT account_number, 0, name, service_address, email FROM customer;
DROP TABLE customer;
UPDATE datasets SET name = 'accounts' WHERE name = 'customer';
UPDATE datasets SET name = name || ':' || (SELECT account_number FROM owner)
    WHERE name IN ('bills', 'readings') AND EXISTS (SELECT 1 FROM owner);
ALTER TABLE bills ADD COLUMN account_number TEXT NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN account_number TEXT NOT NULL DEFAULT '';
ALTER TABLE ended_payments ADD COLUMN account_number TEXT NOT NULL DEFAULT '';
ALTER TABLE bill_details ADD COLUMN account_number TEXT NOT NULL DEFAULT '';
ALTER TABLE readings ADD COLUMN account_number TEXT NOT NULL DEFAULT '';
UPDATE bills SET account_number = COALESCE((SELECT account_number FROM owner), '');
UPDATE receipts SET account_number = COALESCE((SELECT account_number FROM owner), '');
UPDATE ended_payments SET account_number = COALESCE((SELECT account_number FROM owner), '');
UPDATE bill_details SET account_number = COALESCE((SELECT account_number FROM owner), '');
UPDATE readings SET account_number = COALESCE((SELECT account_number FROM owner), '');
-- The account a payment was made from (the backend's payment belongs to it).
ALTER TABLE payment_flows ADD COLUMN account_number TEXT;
-- The account the customer chose to see; NULL: every account together.
CREATE TABLE selection (id INTEGER PRIMARY KEY CHECK (id = 1), account_number TEXT);
"#,
];

/// The tables whose records each name their account.
const PER_ACCOUNT: &[&str] = &[
    "accounts",
    "bills",
    "receipts",
    "ended_payments",
    "bill_details",
    "readings",
];

/// Dataset names; bills and readings are kept per account (`bills:<account number>`).
const ACCOUNTS: &str = "accounts";
const BILLS: &str = "bills";
const RECEIPTS: &str = "receipts";
const ENDED_PAYMENTS: &str = "ended_payments";
const READINGS: &str = "readings";

/// Data from the cache, with when it was fetched from the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached<T> {
    /// The data.
    pub data: T,
    /// When it was fetched.
    pub as_of: AsOf,
}

/// The cache file.
pub struct Cache {
    conn: Connection,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `unix` seconds as RFC 3339 (UTC); empty if out of range.
pub(crate) fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|moment| moment.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The dataset of one account.
fn of(dataset: &str, account: &str) -> String {
    format!("{dataset}:{account}")
}

/// Account numbers as a JSON array, which queries read with `json_each`.
fn numbers(accounts: &[String]) -> Result<String, CoreError> {
    to_json(&accounts)
}

fn cached<T>(data: T, fetched_at: i64) -> Cached<T> {
    Cached {
        data,
        as_of: AsOf {
            fetched_at: rfc3339(fetched_at),
            age_seconds: u64::try_from(now().saturating_sub(fetched_at)).unwrap_or(0),
        },
    }
}

fn state_name(state: FlowState) -> &'static str {
    match state {
        FlowState::Created => "created",
        FlowState::CheckoutOpened => "checkout_opened",
        FlowState::Confirming => "confirming",
        FlowState::Declined => "declined",
        FlowState::Paid => "paid",
        FlowState::Expired => "expired",
        FlowState::Canceled => "canceled",
    }
}

fn state_from(name: &str) -> FlowState {
    match name {
        "created" => FlowState::Created,
        "checkout_opened" => FlowState::CheckoutOpened,
        "declined" => FlowState::Declined,
        "paid" => FlowState::Paid,
        "expired" => FlowState::Expired,
        "canceled" => FlowState::Canceled,
        // Anything unreadable stays open: an unknown outcome is "processing", never "unpaid".
        _ => FlowState::Confirming,
    }
}

fn status_name(status: BillStatus) -> &'static str {
    match status {
        BillStatus::Outstanding => "outstanding",
        BillStatus::Processing => "processing",
        BillStatus::Paid => "paid",
    }
}

impl Cache {
    /// Opens the cache at `path`, rebuilding it if it is unreadable.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        match Self::try_open(path) {
            Ok(cache) => Ok(cache),
            Err(error) => {
                let aside = path.with_extension(format!("corrupt-{}", now()));
                tracing::warn!(
                    "the cache at {} is unusable ({error}); moving it to {} and starting afresh",
                    path.display(),
                    aside.display()
                );
                for suffix in ["", "-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{suffix}", path.display()));
                    if from.exists() {
                        let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                        std::fs::rename(&from, &to).map_err(|e| CoreError::Cache {
                            detail: format!("cannot move the broken cache aside: {e}"),
                        })?;
                    }
                }
                let rebuilt = Self::try_open(path).map_err(|e| CoreError::Cache {
                    detail: e.to_string(),
                })?;
                // The broken copy may still hold a customer's data: gone once the new one works.
                for suffix in ["", "-wal", "-shm"] {
                    let aside = PathBuf::from(format!("{}{suffix}", aside.display()));
                    if let Err(error) = std::fs::remove_file(&aside)
                        && error.kind() != std::io::ErrorKind::NotFound
                    {
                        tracing::warn!("could not delete {}: {error}", aside.display());
                    }
                }
                Ok(rebuilt)
            }
        }
    }

    fn try_open(path: &Path) -> Result<Self, portal_sqlite::OpenError> {
        let conn = portal_sqlite::open(path, MIGRATIONS)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Deleted records are overwritten, not just unlinked from the page (sign-out).
        conn.pragma_update(None, "secure_delete", true)?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        if check != "ok" {
            return Err(portal_sqlite::OpenError::Sqlite(
                rusqlite::Error::InvalidQuery,
            ));
        }
        Ok(Self { conn })
    }

    /// Makes the cache belong to the person holding `accounts`, wiping another person's data
    /// first. It stays theirs while the account it was claimed for is among them; otherwise it is
    /// wiped and claimed for the first (another person on this device holds other accounts).
    pub fn claim(&mut self, accounts: &[Customer]) -> Result<(), CoreError> {
        let owner = self.owner()?;
        let held = |number: &str| accounts.iter().any(|a| a.account_number == number);
        let Some(first) = accounts.first() else {
            return Ok(());
        };
        if owner.as_deref().is_some_and(held) {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        wipe(&tx)?;
        tx.execute(
            "INSERT INTO owner (id, account_number) VALUES (1, ?1)",
            [&first.account_number],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The account the cache was claimed for.
    pub fn owner(&self) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row("SELECT account_number FROM owner WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Deletes every customer record (sign-out).
    ///
    /// Nothing of the customer stays on disk: `secure_delete` overwrites the freed pages, and the
    /// write-ahead log (which still holds the old pages) is checkpointed and truncated.
    pub fn clear(&mut self) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        wipe(&tx)?;
        tx.commit()?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn fetched_at(&self, dataset: &str) -> Result<Option<i64>, CoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT fetched_at FROM datasets WHERE name = ?1",
                [dataset],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Keeps the picture of the home screen (`html`) of the view with `revision`, replacing any.
    pub fn store_first_paint(&mut self, revision: &str, html: &str) -> Result<(), CoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO first_paint (id, revision, html) VALUES (1, ?1, ?2)",
            params![revision, html],
        )?;
        Ok(())
    }

    /// The picture of the home screen, if it shows the view with `revision`.
    pub fn first_paint(&self, revision: &str) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT html FROM first_paint WHERE id = 1 AND revision = ?1",
                [revision],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Drops the picture of the home screen (it shows another language than the app now speaks).
    pub fn forget_first_paint(&mut self) -> Result<(), CoreError> {
        self.conn.execute("DELETE FROM first_paint", [])?;
        Ok(())
    }

    /// Replaces the person's accounts, in the backend's order. Everything cached of an account
    /// no longer among them goes with it, and a choice of it falls back to every account.
    pub fn store_accounts(&mut self, accounts: &[Customer]) -> Result<(), CoreError> {
        let held = numbers(
            &accounts
                .iter()
                .map(|account| account.account_number.clone())
                .collect::<Vec<_>>(),
        )?;
        let tx = self.conn.transaction()?;
        for table in PER_ACCOUNT {
            tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE account_number NOT IN (SELECT value FROM json_each(?1))"
                ),
                [&held],
            )?;
        }
        tx.execute(
            "DELETE FROM datasets WHERE instr(name, ':') > 0
                 AND substr(name, instr(name, ':') + 1) NOT IN (SELECT value FROM json_each(?1))",
            [&held],
        )?;
        tx.execute(
            "UPDATE selection SET account_number = NULL
             WHERE account_number NOT IN (SELECT value FROM json_each(?1))",
            [&held],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO accounts (account_number, position, name, service_address, email)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (position, account) in accounts.iter().enumerate() {
                insert.execute(params![
                    account.account_number,
                    i64::try_from(position).unwrap_or(i64::MAX),
                    account.name,
                    account.service_address,
                    account.email
                ])?;
            }
        }
        mark_fetched(&tx, ACCOUNTS)?;
        tx.commit()?;
        Ok(())
    }

    /// The person's accounts, in the backend's order, with when they were fetched.
    pub fn accounts(&self) -> Result<Option<Cached<Vec<Customer>>>, CoreError> {
        let Some(fetched_at) = self.fetched_at(ACCOUNTS)? else {
            return Ok(None);
        };
        let mut statement = self.conn.prepare_cached(
            "SELECT name, account_number, service_address, email FROM accounts
             ORDER BY position, account_number",
        )?;
        let accounts = statement
            .query_map([], |row| {
                Ok(Customer {
                    name: row.get(0)?,
                    account_number: row.get(1)?,
                    service_address: row.get(2)?,
                    email: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(cached(accounts, fetched_at)))
    }

    /// The account the customer chose to see; `None`: every account together.
    pub fn chosen_account(&self) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT account_number FROM selection WHERE id = 1",
                [],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Remembers which account the customer chose to see (`None`: every account).
    pub fn choose_account(&mut self, account: Option<&str>) -> Result<(), CoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO selection (id, account_number) VALUES (1, ?1)",
            [account],
        )?;
        Ok(())
    }

    /// The account a bill belongs to, as far as the cache knows: its unpaid bills, kept bill
    /// details, and receipt lines.
    pub fn bill_account(&self, bill_id: &str) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT account_number FROM bills WHERE id = ?1
                 UNION ALL SELECT account_number FROM bill_details WHERE bill_id = ?1
                 UNION ALL SELECT json_extract(line.value, '$.account_number')
                     FROM receipts, json_each(receipts.json, '$.lines') AS line
                     WHERE json_extract(line.value, '$.bill_id') = ?1
                         AND json_extract(line.value, '$.account_number') IS NOT NULL
                 LIMIT 1",
                [bill_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Replaces an account's unpaid bills, atomically.
    pub fn store_bills(&mut self, account: &str, bills: &[Bill]) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM bills WHERE account_number = ?1", [account])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO bills (id, period_start, period_end, issue_date, due_date, amount_minor, currency, status, account_number)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for bill in bills {
                insert.execute(params![
                    bill.id,
                    bill.period.start,
                    bill.period.end,
                    bill.issue_date,
                    bill.due_date,
                    bill.amount.amount_minor,
                    bill.amount.currency,
                    status_name(bill.status),
                    account
                ])?;
            }
        }
        mark_fetched(&tx, &of(BILLS, account))?;
        tx.commit()?;
        Ok(())
    }

    /// An account's cached unpaid bills (outstanding and processing), newest period first, with
    /// their age.
    pub fn unpaid_bills(&self, account: &str) -> Result<Option<Cached<Vec<Bill>>>, CoreError> {
        let Some(fetched_at) = self.fetched_at(&of(BILLS, account))? else {
            return Ok(None);
        };
        let mut statement = self.conn.prepare_cached(
            "SELECT id, period_start, period_end, issue_date, due_date, amount_minor, currency, status
             FROM bills WHERE account_number = ?1 AND status IN ('outstanding', 'processing')
             ORDER BY period_start DESC, id",
        )?;
        let bills = statement
            .query_map([account], |row| {
                let status: String = row.get(7)?;
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
                    status: if status == "processing" {
                        BillStatus::Processing
                    } else {
                        BillStatus::Outstanding
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(cached(bills, fetched_at)))
    }

    /// Marks cached bills as paid (after a receipt), until the next refresh replaces them.
    pub fn mark_bills_paid(&mut self, bill_ids: &[String]) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        for id in bill_ids {
            tx.execute("UPDATE bills SET status = 'paid' WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces an account's receipts, atomically.
    pub fn store_receipts(&mut self, account: &str, receipts: &[Receipt]) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM receipts WHERE account_number = ?1", [account])?;
        for receipt in receipts {
            insert_receipt(&tx, account, receipt)?;
        }
        mark_fetched(&tx, RECEIPTS)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces an account's payment attempts that ended without taking money, atomically.
    pub fn store_ended_payments(
        &mut self,
        account: &str,
        ended: &[EndedPayment],
    ) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM ended_payments WHERE account_number = ?1",
            [account],
        )?;
        for payment in ended {
            tx.execute(
                "INSERT OR REPLACE INTO ended_payments (id, started_at, json, account_number)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    payment.payment_id,
                    payment.started_at,
                    to_json(payment)?,
                    account
                ],
            )?;
        }
        mark_fetched(&tx, ENDED_PAYMENTS)?;
        tx.commit()?;
        Ok(())
    }

    /// The payment attempts that ended without taking money, newest first.
    pub fn ended_payments(&self) -> Result<Vec<EndedPayment>, CoreError> {
        self.json_rows("SELECT json FROM ended_payments ORDER BY started_at DESC, id")
    }

    /// Adds (or replaces) one receipt of `account`.
    pub fn store_receipt(&mut self, account: &str, receipt: &Receipt) -> Result<(), CoreError> {
        insert_receipt(&self.conn, account, receipt)
    }

    /// When the receipts were last fetched whole, if ever.
    pub fn receipts_as_of(&self) -> Result<Option<AsOf>, CoreError> {
        Ok(self
            .fetched_at(RECEIPTS)?
            .map(|fetched_at| cached((), fetched_at).as_of))
    }

    /// The cached receipts, newest first.
    pub fn receipts(&self) -> Result<Vec<Receipt>, CoreError> {
        self.json_rows("SELECT json FROM receipts ORDER BY issued_at DESC, id")
    }

    /// The records a query's one `json` column holds; rows that no longer decode (written by
    /// another version) are skipped, since a refresh brings them back.
    fn json_rows<T: serde::de::DeserializeOwned>(&self, sql: &str) -> Result<Vec<T>, CoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut records = Vec::new();
        for json in rows {
            if let Ok(record) = serde_json::from_str(&json?) {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// The receipt of a payment, if cached.
    pub fn receipt_for(&self, payment_id: &str) -> Result<Option<Receipt>, CoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM receipts WHERE payment_id = ?1",
                [payment_id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
    }

    // ----- payment flows ---------------------------------------------------------------------

    /// Records a new flow from `account` with its idempotency key, before anything is sent.
    pub fn insert_flow(
        &mut self,
        key: &str,
        bill_ids: &[String],
        account: Option<&str>,
    ) -> Result<i64, CoreError> {
        let bills = serde_json::to_string(bill_ids).map_err(|e| CoreError::Cache {
            detail: e.to_string(),
        })?;
        self.conn.execute(
            "INSERT INTO payment_flows (idempotency_key, bill_ids, state, updated_at, started_at, account_number)
             VALUES (?1, ?2, 'created', ?3, ?3, ?4)",
            params![key, bills, now(), account],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The account a flow pays from (`None`: the session's own, for flows of earlier versions).
    pub fn flow_account(&self, flow_id: i64) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT account_number FROM payment_flows WHERE id = ?1",
                [flow_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Updates a flow after the backend answered.
    pub fn update_flow(
        &mut self,
        flow_id: i64,
        payment_id: Option<&str>,
        amount: Option<&Money>,
        state: FlowState,
        checkout_url: Option<&str>,
    ) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE payment_flows SET payment_id = COALESCE(?2, payment_id),
                 amount_minor = COALESCE(?3, amount_minor), currency = COALESCE(?4, currency),
                 state = ?5, checkout_url = COALESCE(?6, checkout_url), updated_at = ?7
             WHERE id = ?1",
            params![
                flow_id,
                payment_id,
                amount.map(|a| a.amount_minor),
                amount.map(|a| a.currency.clone()),
                state_name(state),
                checkout_url,
                now()
            ],
        )?;
        Ok(())
    }

    /// Records whether the system browser could be opened on the flow's checkout page.
    pub fn set_browser_failed(&mut self, flow_id: i64, failed: bool) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE payment_flows SET browser_failed = ?2 WHERE id = ?1",
            params![flow_id, failed],
        )?;
        Ok(())
    }

    /// Records whether the backend says it has no record of the flow's payment.
    pub fn set_unknown_to_backend(&mut self, flow_id: i64, unknown: bool) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE payment_flows SET unknown_to_backend = ?2 WHERE id = ?1",
            params![flow_id, unknown],
        )?;
        Ok(())
    }

    /// Records the provider's decline code of the flow's last failed attempt.
    pub fn set_decline_code(&mut self, flow_id: i64, code: Option<&str>) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE payment_flows SET decline_code = ?2 WHERE id = ?1",
            params![flow_id, code],
        )?;
        Ok(())
    }

    /// Forgets a flow the backend never recorded (refused before anything was created).
    pub fn delete_flow(&mut self, flow_id: i64) -> Result<(), CoreError> {
        self.conn
            .execute("DELETE FROM payment_flows WHERE id = ?1", [flow_id])?;
        Ok(())
    }

    /// A flow and its idempotency key.
    pub fn flow(&self, flow_id: i64) -> Result<Option<(PaymentFlow, String)>, CoreError> {
        self.flows_where("id = ?1", &[&flow_id])
            .map(|mut flows| flows.pop())
    }

    /// The flow of a backend payment.
    pub fn flow_by_payment(
        &self,
        payment_id: &str,
    ) -> Result<Option<(PaymentFlow, String)>, CoreError> {
        self.flows_where("payment_id = ?1", &[&payment_id])
            .map(|mut flows| flows.pop())
    }

    /// Flows that may still change, oldest first.
    pub fn open_flows(&self) -> Result<Vec<(PaymentFlow, String)>, CoreError> {
        self.flows_where(
            "state IN ('created', 'checkout_opened', 'confirming', 'declined')",
            &[],
        )
    }

    /// All flows, newest first.
    pub fn flows(&self) -> Result<Vec<PaymentFlow>, CoreError> {
        let mut flows: Vec<PaymentFlow> = self
            .flows_where("1 = 1", &[])?
            .into_iter()
            .map(|(flow, _)| flow)
            .collect();
        flows.reverse();
        Ok(flows)
    }

    fn flows_where(
        &self,
        condition: &str,
        parameters: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(PaymentFlow, String)>, CoreError> {
        let sql = format!(
            "SELECT id, idempotency_key, bill_ids, payment_id, amount_minor, currency, state, checkout_url,
                 COALESCE(started_at, updated_at), browser_failed, unknown_to_backend,
                 decline_code
             FROM payment_flows WHERE {condition} ORDER BY id"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map(parameters, |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, i64>(8)?,
                row.get::<_, bool>(9)?,
                row.get::<_, bool>(10)?,
                row.get::<_, Option<String>>(11)?,
            ))
        })?;
        let mut flows = Vec::new();
        for row in rows {
            let (
                flow_id,
                key,
                bills,
                payment_id,
                amount,
                currency,
                state,
                checkout_url,
                started_at,
                browser_failed,
                unknown_to_backend,
                decline_code,
            ) = row?;
            let state = state_from(&state);
            let receipt = match &payment_id {
                Some(id) => self.receipt_for(id)?,
                None => None,
            };
            flows.push((
                PaymentFlow {
                    flow_id,
                    payment_id,
                    bill_ids: serde_json::from_str(&bills).unwrap_or_default(),
                    amount: amount.zip(currency).map(|(amount_minor, currency)| Money {
                        amount_minor,
                        currency,
                    }),
                    state,
                    checkout_url,
                    started_at: rfc3339(started_at),
                    browser_failed,
                    unknown_to_backend,
                    decline: decline_code
                        .filter(|_| state == FlowState::Declined)
                        .map(|code| portal_api::ErrorCode::for_decline(&code)),
                    receipt,
                },
                key,
            ));
        }
        Ok(flows)
    }
}

impl Cache {
    /// Keeps a bill's detail (of `account`), replacing the one kept before.
    pub fn store_bill_detail(
        &mut self,
        account: &str,
        detail: &BillDetail,
    ) -> Result<(), CoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO bill_details (bill_id, json, fetched_at, account_number)
             VALUES (?1, ?2, ?3, ?4)",
            params![detail.bill.id, to_json(detail)?, now(), account],
        )?;
        Ok(())
    }

    /// A kept bill detail, with its age.
    pub fn bill_detail(&self, bill_id: &str) -> Result<Option<Cached<BillDetail>>, CoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT json, fetched_at FROM bill_details WHERE bill_id = ?1",
                [bill_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((json, fetched_at)) = row else {
            return Ok(None);
        };
        // A detail this version cannot read is as good as none: the next fetch replaces it.
        Ok(serde_json::from_str(&json)
            .ok()
            .map(|detail| cached(detail, fetched_at)))
    }

    /// Replaces an account's cached readings with `meters`' hours, atomically.
    pub fn store_readings(
        &mut self,
        account: &str,
        meters: &[MeterReadings],
    ) -> Result<(), CoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM readings WHERE account_number = ?1", [account])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO readings (start, meter_id, wh, quality, account_number)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for meter in meters {
                for hour in &meter.readings {
                    insert.execute(params![
                        hour.start,
                        meter.meter_id,
                        hour.wh,
                        hour.quality,
                        account
                    ])?;
                }
            }
        }
        mark_fetched(&tx, &of(READINGS, account))?;
        tx.commit()?;
        Ok(())
    }

    /// When the readings of `accounts` were fetched: the oldest of their times, if any was.
    pub fn readings_as_of(&self, accounts: &[String]) -> Result<Option<AsOf>, CoreError> {
        let mut oldest = None;
        for account in accounts {
            if let Some(fetched_at) = self.fetched_at(&of(READINGS, account))? {
                oldest = Some(oldest.map_or(fetched_at, |oldest: i64| oldest.min(fetched_at)));
            }
        }
        Ok(oldest.map(|fetched_at| cached((), fetched_at).as_of))
    }

    /// The hours in `from..to` (Unix seconds) of `accounts`, every meter summed, oldest first.
    pub fn hours(&self, accounts: &[String], from: i64, to: i64) -> Result<Vec<Hour>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT start, COALESCE(SUM(wh), 0), MAX(quality = 'estimated'),
                    MAX(wh IS NULL)
             FROM readings WHERE start >= ?1 AND start < ?2
                 AND account_number IN (SELECT value FROM json_each(?3))
             GROUP BY start ORDER BY start",
        )?;
        let rows = statement.query_map(params![from, to, numbers(accounts)?], |row| {
            Ok(Hour {
                start: row.get(0)?,
                wh: row.get(1)?,
                estimated: row.get(2)?,
                missing: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first and last cached hour of `accounts`, if any.
    pub fn hours_range(&self, accounts: &[String]) -> Result<Option<(i64, i64)>, CoreError> {
        Ok(self.conn.query_row(
            "SELECT MIN(start), MAX(start) FROM readings
             WHERE account_number IN (SELECT value FROM json_each(?1))",
            [numbers(accounts)?],
            |row| {
                Ok(row
                    .get::<_, Option<i64>>(0)?
                    .zip(row.get::<_, Option<i64>>(1)?))
            },
        )?)
    }

    /// The cached readings of `accounts` as CSV, in the backend's import format
    /// (`meter,start,end,kwh,quality`), meter by meter, oldest first.
    pub fn readings_csv(&self, accounts: &[String]) -> Result<String, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT meter_id, start, wh, quality FROM readings
             WHERE account_number IN (SELECT value FROM json_each(?1))
             ORDER BY meter_id, start",
        )?;
        let mut csv = String::from("meter,start,end,kwh,quality\n");
        let mut rows = statement.query([numbers(accounts)?])?;
        while let Some(row) = rows.next()? {
            let (meter, start, wh, quality): (String, i64, Option<i64>, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            let kwh = wh
                .map(|wh| format!("{}.{:03}", wh / 1000, wh % 1000))
                .unwrap_or_default();
            csv.push_str(&format!(
                "{meter},{},{},{kwh},{quality}\n",
                rfc3339(start),
                rfc3339(start + 3600)
            ));
        }
        Ok(csv)
    }
}

impl Cache {
    /// The backend's position of the last notification this device showed, if it showed any.
    pub fn notices_shown_up_to(&self) -> Result<Option<i64>, CoreError> {
        Ok(self
            .conn
            .query_row("SELECT shown_up_to FROM notices WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Remembers that every notification up to `position` was shown.
    pub fn set_notices_shown_up_to(&mut self, position: i64) -> Result<(), CoreError> {
        self.conn.execute(
            "INSERT INTO notices (id, shown_up_to) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET shown_up_to = MAX(shown_up_to, excluded.shown_up_to)",
            [position],
        )?;
        Ok(())
    }
}

fn wipe(tx: &rusqlite::Transaction<'_>) -> Result<(), rusqlite::Error> {
    tx.execute_batch(
        "DELETE FROM owner; DELETE FROM datasets; DELETE FROM accounts; DELETE FROM bills;
         DELETE FROM receipts; DELETE FROM payment_flows; DELETE FROM ended_payments;
         DELETE FROM first_paint; DELETE FROM bill_details; DELETE FROM readings;
         DELETE FROM notices; DELETE FROM selection;",
    )
}

fn mark_fetched(tx: &rusqlite::Transaction<'_>, dataset: &str) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT OR REPLACE INTO datasets (name, fetched_at) VALUES (?1, ?2)",
        params![dataset, now()],
    )?;
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> Result<String, CoreError> {
    serde_json::to_string(value).map_err(|e| CoreError::Cache {
        detail: e.to_string(),
    })
}

fn insert_receipt(conn: &Connection, account: &str, receipt: &Receipt) -> Result<(), CoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO receipts (id, payment_id, issued_at, json, account_number)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            receipt.id,
            receipt.payment_id,
            receipt.issued_at,
            to_json(receipt)?,
            account
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache written by the version before several accounts (one customer, its bills and
    /// readings) opens with everything in place, now as that customer's account.
    #[test]
    fn a_cache_of_one_customer_upgrades_to_their_account() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache.sqlite3");
        {
            let before = &MIGRATIONS[..MIGRATIONS.len() - 1];
            let conn = portal_sqlite::open(&path, before).expect("the old cache");
            conn.execute_batch(
                "INSERT INTO owner VALUES (1, '100-200-300');
                 INSERT INTO customer VALUES (1, 'Jane Doe', '100-200-300', '1 Main St', 'j@example.com');
                 INSERT INTO bills VALUES ('bill_1', '2026-10-01', '2026-10-31', '2026-11-01',
                     '2026-11-21', 9275, 'USD', 'outstanding');
                 INSERT INTO readings VALUES (1730419200, 'MTR-1', 500, 'actual');
                 INSERT INTO datasets VALUES ('customer', 1), ('bills', 2), ('readings', 3);",
            )
            .expect("old records");
        }
        let cache = Cache::open(&path).expect("the upgraded cache");
        let accounts = cache.accounts().expect("accounts").expect("cached");
        assert_eq!(accounts.data.len(), 1);
        assert_eq!(accounts.data[0].name, "Jane Doe");
        let bills = cache
            .unpaid_bills("100-200-300")
            .expect("bills")
            .expect("cached");
        assert_eq!(bills.data[0].id, "bill_1");
        assert_eq!(bills.as_of.fetched_at, rfc3339(2));
        let jane = ["100-200-300".to_owned()];
        assert_eq!(
            cache.hours_range(&jane).expect("range"),
            Some((1_730_419_200, 1_730_419_200))
        );
        assert_eq!(
            cache
                .readings_as_of(&jane)
                .expect("as of")
                .map(|a| a.fetched_at),
            Some(rfc3339(3))
        );
        assert_eq!(cache.chosen_account().expect("choice"), None);
    }
}
