//! The outbox: the sandbox's stand-in for sending email.

use super::Store;
use crate::clock::rfc3339;
use crate::error::ServerError;
use crate::mail::Mail;
use portal_api::v1::OutboxMessage;
use rusqlite::{Connection, params};

impl Store {
    /// Writes a mail to the outbox.
    pub fn send_mail(&self, mail: &Mail, now: i64) -> Result<(), ServerError> {
        send_mail(&self.conn, mail, now)
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

/// Writes a mail to the outbox on `conn` (a transaction's, so a mail is kept with what it says).
pub(super) fn send_mail(conn: &Connection, mail: &Mail, now: i64) -> Result<(), ServerError> {
    conn.execute(
        "INSERT INTO outbox (to_email, kind, subject, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![mail.to, mail.kind, mail.subject, mail.body, now],
    )?;
    Ok(())
}
