//! Sessions: access tokens and rotating refresh tokens in families.
//!
//! A refresh token is single use. A replay normally means theft and revokes the whole family,
//! but the answer to a refresh can be lost on its way (a dropped connection, a credential store
//! that failed to save the new token): then the app replays the old token in good faith. So for
//! [`REFRESH_GRACE`] seconds after a rotation the old token is accepted again as long as its
//! successor was never used; the unused successor (and its access token) is withdrawn and a new
//! pair issued. After the grace, or once the successor was used, a replay revokes the family.

use super::Store;
use super::{ACCESS_TTL, REFRESH_GRACE, REFRESH_TTL};
use crate::error::ServerError;
use crate::secrets::{hash_secret, random_id, random_token};
use rusqlite::{OptionalExtension, Transaction, params};

/// A refresh token row with its family.
pub(super) struct RefreshRecord {
    family_id: String,
    used_at: Option<i64>,
    expires_at: i64,
    revoked_at: Option<i64>,
    successor_hash: Option<String>,
}

/// The two kinds of one-time codes that open a session.
#[derive(Debug, Clone, Copy)]
pub(super) enum OneTimeCode {
    Invitation,
    SignIn,
}

/// What an access token is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessTokenState {
    /// Valid: the session's person and the account it was opened for.
    Valid {
        /// The account the session was opened for (its default).
        account: i64,
        /// The person (their email).
        email: String,
    },
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

impl Store {
    pub(super) fn use_code_and_open_session(
        &mut self,
        kind: OneTimeCode,
        code: &str,
        customer_id: i64,
        email: &str,
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
        let tx = self.write()?;
        if tx.execute(update, params![hash_secret(code), now])? != 1 {
            return Ok(None);
        }
        let tokens = open_session(&tx, customer_id, email, now)?;
        tx.commit()?;
        Ok(Some(tokens))
    }

    /// What an access token is worth now.
    pub fn access_token_state(
        &self,
        token: &str,
        now: i64,
    ) -> Result<AccessTokenState, ServerError> {
        let found: Option<(i64, i64, Option<i64>, String)> = self
            .conn
            .query_row(
                "SELECT f.customer_id, a.expires_at, f.revoked_at, COALESCE(f.email, c.email)
                 FROM access_tokens a JOIN session_families f ON f.id = a.family_id
                 JOIN customers c ON c.id = f.customer_id
                 WHERE a.token_hash = ?1",
                [hash_secret(token)],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let state = match found {
            None => AccessTokenState::Unknown,
            Some((_, _, Some(_), _)) => AccessTokenState::Revoked,
            Some((_, expires_at, None, _)) if expires_at <= now => AccessTokenState::Expired,
            Some((account, _, None, email)) => AccessTokenState::Valid { account, email },
        };
        if matches!(state, AccessTokenState::Valid { .. }) {
            // A used access token ends its refresh token's grace (see the module header).
            self.conn.execute(
                "UPDATE access_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
                params![hash_secret(token), now],
            )?;
        }
        Ok(state)
    }

    /// Rotates a refresh token: single use; a reused one revokes its whole family, except for
    /// a replay within [`REFRESH_GRACE`] of its rotation whose successor was never used.
    pub fn refresh(&mut self, token: &str, now: i64) -> Result<RefreshOutcome, ServerError> {
        let token_hash = hash_secret(token);
        let tx = self.write()?;
        let found = tx
            .query_row(
                "SELECT r.family_id, r.used_at, r.expires_at, f.revoked_at, r.successor_hash
                 FROM refresh_tokens r JOIN session_families f ON f.id = r.family_id
                 WHERE r.token_hash = ?1",
                [&token_hash],
                |row| {
                    Ok(RefreshRecord {
                        family_id: row.get(0)?,
                        used_at: row.get(1)?,
                        expires_at: row.get(2)?,
                        revoked_at: row.get(3)?,
                        successor_hash: row.get(4)?,
                    })
                },
            )
            .optional()?;
        let Some(record) = found else {
            return Ok(RefreshOutcome::Invalid);
        };
        if record.revoked_at.is_some() || record.expires_at <= now {
            return Ok(RefreshOutcome::Invalid);
        }
        if let Some(used_at) = record.used_at {
            if !within_grace(&tx, &record, used_at, now)? {
                tx.execute(
                    "UPDATE session_families SET revoked_at = ?2 WHERE id = ?1",
                    params![record.family_id, now],
                )?;
                tx.commit()?;
                return Ok(RefreshOutcome::Replayed);
            }
            // The answer to the first rotation was lost: withdraw its unused successor.
            if let Some(successor) = &record.successor_hash {
                tx.execute(
                    "DELETE FROM access_tokens WHERE refresh_hash = ?1",
                    [successor],
                )?;
                tx.execute(
                    "DELETE FROM refresh_tokens WHERE token_hash = ?1",
                    [successor],
                )?;
            }
        } else {
            tx.execute(
                "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1",
                params![token_hash, now],
            )?;
        }
        let tokens = issue_tokens(&tx, &record.family_id, now)?;
        tx.execute(
            "UPDATE refresh_tokens SET successor_hash = ?2 WHERE token_hash = ?1",
            params![token_hash, hash_secret(&tokens.refresh_token)],
        )?;
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
}

/// Opens a new session family for the person `email`, opened for account `customer_id`, and
/// issues its first tokens.
pub(super) fn open_session(
    tx: &Transaction<'_>,
    customer_id: i64,
    email: &str,
    now: i64,
) -> Result<IssuedTokens, ServerError> {
    let family = random_id("fam");
    tx.execute(
        "INSERT INTO session_families (id, customer_id, created_at, email) VALUES (?1, ?2, ?3, ?4)",
        params![family, customer_id, now, email],
    )?;
    issue_tokens(tx, &family, now)
}

/// Whether a replayed, already rotated token is still in its grace: rotated less than
/// [`REFRESH_GRACE`] ago, and its successor never used.
fn within_grace(
    tx: &Transaction<'_>,
    record: &RefreshRecord,
    used_at: i64,
    now: i64,
) -> Result<bool, ServerError> {
    if now - used_at > REFRESH_GRACE {
        return Ok(false);
    }
    let Some(successor) = &record.successor_hash else {
        return Ok(false);
    };
    let successor_used: Option<Option<i64>> = tx
        .query_row(
            "SELECT used_at FROM refresh_tokens WHERE token_hash = ?1",
            [successor],
            |row| row.get(0),
        )
        .optional()?;
    let access_used: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM access_tokens WHERE refresh_hash = ?1 AND used_at IS NOT NULL)",
        [successor],
        |row| row.get(0),
    )?;
    Ok(matches!(successor_used, Some(None)) && !access_used)
}

/// Issues an access token and a refresh token in the family.
pub(super) fn issue_tokens(
    tx: &Transaction<'_>,
    family: &str,
    now: i64,
) -> Result<IssuedTokens, ServerError> {
    let access_token = random_token(32);
    let refresh_token = random_token(32);
    tx.execute(
        "INSERT INTO access_tokens (token_hash, family_id, expires_at, refresh_hash)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            hash_secret(&access_token),
            family,
            now + ACCESS_TTL,
            hash_secret(&refresh_token)
        ],
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
