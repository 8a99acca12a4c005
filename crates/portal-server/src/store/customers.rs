//! Customers, their invitations and sign-in codes.

use super::Store;
use super::sessions::{IssuedTokens, OneTimeCode};
use crate::error::ServerError;
use crate::secrets::{hash_secret, random_token};
use portal_api::Language;
use portal_api::v1::Customer;
use rusqlite::{OptionalExtension, params};

/// A customer row with the fields the server needs internally.
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    /// Row id.
    pub id: i64,
    /// Service postcode (never sent to the app).
    pub postcode: String,
    /// The language the customer reads: their mails and the checkout.
    pub language: Language,
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
    /// Wrong postcodes tried so far.
    pub failed_postcodes: u32,
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
    /// The person it signs in (their accounts; `customer_id` is the first).
    pub email: String,
}

impl Store {
    /// Inserts a customer who reads `language` unless the account number exists; returns its id.
    pub fn upsert_customer(
        &self,
        customer: &Customer,
        postcode: &str,
        language: Language,
    ) -> Result<i64, ServerError> {
        self.conn.execute(
            "INSERT INTO customers (account_number, name, email, service_address, postcode, language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (account_number) DO NOTHING",
            params![
                customer.account_number,
                customer.name,
                customer.email,
                customer.service_address,
                postcode,
                language.tag()
            ],
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM customers WHERE account_number = ?1",
            [&customer.account_number],
            |row| row.get(0),
        )?)
    }

    pub(super) fn customer_where(
        &self,
        condition: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<Option<CustomerRecord>, ServerError> {
        let sql = format!(
            "SELECT id, postcode, name, account_number, service_address, email, language FROM customers WHERE {condition}"
        );
        Ok(self
            .conn
            .query_row(&sql, [value], |row| {
                let language: String = row.get(6)?;
                Ok(CustomerRecord {
                    id: row.get(0)?,
                    postcode: row.get(1)?,
                    language: Language::from_locale(&language).unwrap_or_default(),
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

    /// Keeps the language the customer now reads (the app's, or staff's choice).
    pub fn set_customer_language(&self, id: i64, language: Language) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE customers SET language = ?1 WHERE id = ?2",
            params![language.tag(), id],
        )?;
        Ok(())
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

    /// The accounts `email` holds: those with it on file, and those support staff gave it
    /// access to; oldest first.
    pub fn held_accounts(&self, email: &str) -> Result<Vec<CustomerRecord>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id FROM customers WHERE email = ?1 COLLATE NOCASE
             UNION SELECT customer_id FROM holdings WHERE email = ?1 ORDER BY 1",
        )?;
        let ids = statement
            .query_map([email], |row| row.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut accounts = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(record) = self.customer(id)? {
                accounts.push(record);
            }
        }
        Ok(accounts)
    }

    /// Whether `email` holds account `customer_id`.
    pub fn holds(&self, email: &str, customer_id: i64) -> Result<bool, ServerError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?2 AND email = ?1 COLLATE NOCASE)
                 OR EXISTS (SELECT 1 FROM holdings WHERE email = ?1 AND customer_id = ?2)",
            params![email, customer_id],
            |row| row.get(0),
        )?)
    }

    /// Gives `email` access to account `customer_id` (support staff); answers whether it is new.
    pub fn add_holder(&self, customer_id: i64, email: &str, now: i64) -> Result<bool, ServerError> {
        Ok(self.conn.execute(
            "INSERT INTO holdings (email, customer_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (email, customer_id) DO NOTHING",
            params![email, customer_id, now],
        )? == 1)
    }

    /// Takes the access support staff gave `email` to account `customer_id` away; answers
    /// whether there was one (the email on file keeps its account).
    pub fn remove_holder(&self, customer_id: i64, email: &str) -> Result<bool, ServerError> {
        Ok(self.conn.execute(
            "DELETE FROM holdings WHERE email = ?1 AND customer_id = ?2",
            params![email, customer_id],
        )? == 1)
    }

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
                "SELECT customer_id, email, expires_at, used_at, failed_postcodes
                 FROM invitations WHERE code_hash = ?1",
                [hash_secret(code)],
                |row| {
                    Ok(InvitationRecord {
                        customer_id: row.get(0)?,
                        email: row.get(1)?,
                        expires_at: row.get(2)?,
                        used_at: row.get(3)?,
                        failed_postcodes: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Counts a wrong postcode against an invitation; returns the failures so far.
    pub fn record_wrong_postcode(&self, code: &str) -> Result<u32, ServerError> {
        Ok(self.conn.query_row(
            "UPDATE invitations SET failed_postcodes = failed_postcodes + 1
             WHERE code_hash = ?1 RETURNING failed_postcodes",
            [hash_secret(code)],
            |row| row.get(0),
        )?)
    }

    /// Marks an invitation used and opens a session, atomically; `None` if it was used meanwhile.
    pub fn redeem_invitation(
        &mut self,
        code: &str,
        customer_id: i64,
        email: &str,
        now: i64,
    ) -> Result<Option<IssuedTokens>, ServerError> {
        self.use_code_and_open_session(OneTimeCode::Invitation, code, customer_id, email, now)
    }

    /// Stores a one-time sign-in code bound to a PKCE challenge; returns the code.
    pub fn create_signin_code(
        &self,
        customer_id: i64,
        email: &str,
        challenge: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String, ServerError> {
        let code = random_token(32);
        self.conn.execute(
            "INSERT INTO signin_codes (code_hash, customer_id, code_challenge, expires_at, email)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash_secret(&code), customer_id, challenge, now + ttl, email],
        )?;
        Ok(code)
    }

    /// A sign-in code, if it exists.
    pub fn signin_code(&self, code: &str) -> Result<Option<SigninCodeRecord>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.customer_id, s.code_challenge, s.expires_at, s.used_at,
                        COALESCE(s.email, c.email)
                 FROM signin_codes s JOIN customers c ON c.id = s.customer_id
                 WHERE s.code_hash = ?1",
                [hash_secret(code)],
                |row| {
                    Ok(SigninCodeRecord {
                        customer_id: row.get(0)?,
                        code_challenge: row.get(1)?,
                        expires_at: row.get(2)?,
                        used_at: row.get(3)?,
                        email: row.get(4)?,
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
        email: &str,
        now: i64,
    ) -> Result<Option<IssuedTokens>, ServerError> {
        self.use_code_and_open_session(OneTimeCode::SignIn, code, customer_id, email, now)
    }
}
