//! Notifications: what happened to a customer's bills and payments, recorded once each, and
//! delivered through the channels the customer keeps on — the app asks for them, email goes to
//! the outbox, push goes to a queue that a [`crate::push::PushSender`] drains.
//!
//! Recording and delivery happen in the transaction that made the event (a bill imported, a
//! receipt created, a decline recorded), so an event is never told without having happened, nor
//! happened without being told. `UNIQUE (customer_id, kind, subject)` makes each event once:
//! a bill is "due soon" once, a payment "failed" once, however often the sweep looks.

use super::Store;
use super::outbox::send_mail;
use crate::error::ServerError;
use crate::mail;
use portal_api::Language;
use portal_api::links::DeepLink;
use portal_api::v1::{
    Channel, Money, Notification, NotificationKind, NotificationPreference, PushMessage,
};
use rusqlite::{Connection, OptionalExtension, params};

/// Something to tell a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The account's customer row.
    pub customer_id: i64,
    /// What happened.
    pub kind: NotificationKind,
    /// The bill it is about, if any.
    pub bill_id: Option<String>,
    /// The payment it is about, if any.
    pub payment_id: Option<String>,
    /// The bill's or the payment's amount.
    pub amount: Money,
    /// The bill's due date.
    pub due_date: Option<String>,
}

impl Event {
    /// What the event is about: its bill or its payment (one event per kind and subject).
    fn subject(&self) -> &str {
        self.bill_id
            .as_deref()
            .or(self.payment_id.as_deref())
            .unwrap_or_default()
    }

    /// The screen a notification of it opens.
    fn link(&self) -> DeepLink {
        DeepLink::for_notice(self.bill_id.as_deref(), self.payment_id.as_deref())
    }
}

/// Records `event` and delivers it through the customer's channels, unless it was recorded
/// before; answers whether it was new.
pub(super) fn notify(conn: &Connection, event: &Event, now: i64) -> Result<bool, ServerError> {
    let inserted = conn.execute(
        "INSERT INTO notifications (customer_id, kind, subject, bill_id, payment_id, amount_minor,
                                    currency, due_date, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (customer_id, kind, subject) DO NOTHING",
        params![
            event.customer_id,
            event.kind.as_str(),
            event.subject(),
            event.bill_id,
            event.payment_id,
            event.amount.amount_minor,
            event.amount.currency,
            event.due_date,
            now
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    let notification_id = conn.last_insert_rowid();
    let (email, name, language): (String, String, String) = conn.query_row(
        "SELECT email, name, language FROM customers WHERE id = ?1",
        [event.customer_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let language = Language::from_locale(&language).unwrap_or_default();
    let facts = mail::NoticeFacts {
        kind: event.kind,
        amount: &event.amount,
        due_date: event.due_date.as_deref(),
    };
    if enabled(conn, event.customer_id, event.kind, Channel::Email)? {
        let to = mail::Recipient {
            email: &email,
            name: &name,
            language,
        };
        send_mail(conn, &mail::notice(to, &facts), now)?;
    }
    if enabled(conn, event.customer_id, event.kind, Channel::Push)? {
        let (title, body) = mail::push_text(language, &facts);
        conn.execute(
            "INSERT INTO push_outbox (notification_id, platform, token, title, body, link, queued_at)
             SELECT ?1, platform, token, ?2, ?3, ?4, ?5 FROM push_devices WHERE customer_id = ?6",
            params![
                notification_id,
                title,
                body,
                event.link().app_url(),
                now,
                event.customer_id
            ],
        )?;
    }
    Ok(true)
}

/// Whether `kind` reaches `customer_id` through `channel`: their choice, else the default.
fn enabled(
    conn: &Connection,
    customer_id: i64,
    kind: NotificationKind,
    channel: Channel,
) -> Result<bool, ServerError> {
    let chosen: Option<bool> = conn
        .query_row(
            "SELECT enabled FROM notification_preferences
             WHERE customer_id = ?1 AND kind = ?2 AND channel = ?3",
            params![customer_id, kind.as_str(), channel.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(chosen.unwrap_or_else(|| channel.on_by_default(kind)))
}

/// A queued push message and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedPush {
    /// Its row.
    pub id: i64,
    /// `android` or `ios`.
    pub platform: String,
    /// The device token.
    pub token: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// The deep link it opens.
    pub link: String,
}

impl Store {
    /// Records and delivers `event` (see [`notify`]); answers whether it was new.
    pub fn notify(&self, event: &Event, now: i64) -> Result<bool, ServerError> {
        notify(&self.conn, event, now)
    }

    /// The notifications of `customer_id` after position `after` whose kind is on for the app,
    /// oldest first, among the next `limit`; and the position of the last one looked at (those
    /// turned off for the app are passed over for good: turning the kind on again later does
    /// not bring them back).
    pub fn app_notifications(
        &self,
        customer_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Notification>, i64), ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT n.id, n.kind, c.account_number, n.bill_id, n.payment_id, n.amount_minor,
                    n.currency, n.due_date, n.created_at
             FROM notifications n JOIN customers c ON c.id = n.customer_id
             WHERE n.customer_id = ?1 AND n.id > ?2
             ORDER BY n.id LIMIT ?3",
        )?;
        let rows = statement.query_map(params![customer_id, after, limit], |row| {
            let kind: String = row.get(1)?;
            Ok((
                kind,
                Notification {
                    id: row.get(0)?,
                    kind: NotificationKind::NewBill,
                    account_number: row.get(2)?,
                    bill_id: row.get(3)?,
                    payment_id: row.get(4)?,
                    amount: Money {
                        amount_minor: row.get(5)?,
                        currency: row.get(6)?,
                    },
                    due_date: row.get(7)?,
                    created_at: crate::clock::rfc3339(row.get(8)?),
                },
            ))
        })?;
        // Whether each kind is on for the app, read once, not once per notification.
        let mut on = Vec::with_capacity(NotificationKind::ALL.len());
        for kind in NotificationKind::ALL {
            if enabled(&self.conn, customer_id, kind, Channel::App)? {
                on.push(kind);
            }
        }
        let mut found = Vec::new();
        let mut last = after;
        for row in rows {
            let (kind, mut notification) = row?;
            last = notification.id;
            let Some(kind) = NotificationKind::from_name(&kind) else {
                continue;
            };
            notification.kind = kind;
            if on.contains(&kind) {
                found.push(notification);
            }
        }
        Ok((found, last))
    }

    /// Every kind through every channel for `customer_id`: their choices, else the defaults.
    pub fn notification_preferences(
        &self,
        customer_id: i64,
    ) -> Result<Vec<NotificationPreference>, ServerError> {
        let mut all = Vec::new();
        for kind in NotificationKind::ALL {
            for channel in Channel::ALL {
                all.push(NotificationPreference {
                    kind,
                    channel,
                    enabled: enabled(&self.conn, customer_id, kind, channel)?,
                });
            }
        }
        Ok(all)
    }

    /// Keeps `choices` for `customer_id`, all or none.
    pub fn set_notification_preferences(
        &mut self,
        customer_id: i64,
        choices: &[NotificationPreference],
    ) -> Result<(), ServerError> {
        let tx = self.write()?;
        for choice in choices {
            tx.execute(
                "INSERT INTO notification_preferences (customer_id, kind, channel, enabled)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (customer_id, kind, channel) DO UPDATE SET enabled = excluded.enabled",
                params![
                    customer_id,
                    choice.kind.as_str(),
                    choice.channel.as_str(),
                    choice.enabled
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Registers a phone's push token for `customer_id` (a token moves with its phone to the
    /// customer who registered it last).
    pub fn register_device(
        &self,
        customer_id: i64,
        platform: &str,
        token: &str,
        now: i64,
    ) -> Result<(), ServerError> {
        self.conn.execute(
            "INSERT INTO push_devices (token, customer_id, platform, registered_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (token) DO UPDATE SET customer_id = excluded.customer_id,
                 platform = excluded.platform, registered_at = excluded.registered_at",
            params![token, customer_id, platform, now],
        )?;
        Ok(())
    }

    /// Up to `limit` push messages not sent yet, oldest first.
    pub fn queued_pushes(&self, limit: i64) -> Result<Vec<QueuedPush>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, platform, token, title, body, link FROM push_outbox
             WHERE sent_at IS NULL AND attempts < 5 ORDER BY id LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok(QueuedPush {
                id: row.get(0)?,
                platform: row.get(1)?,
                token: row.get(2)?,
                title: row.get(3)?,
                body: row.get(4)?,
                link: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records what became of a push message: sent at `now`, or the failure (tried again on a
    /// later sweep, five times at most).
    pub fn push_result(
        &self,
        id: i64,
        result: Result<(), String>,
        now: i64,
    ) -> Result<(), ServerError> {
        match result {
            Ok(()) => self.conn.execute(
                "UPDATE push_outbox SET sent_at = ?2, attempts = attempts + 1 WHERE id = ?1",
                params![id, now],
            )?,
            Err(error) => self.conn.execute(
                "UPDATE push_outbox SET last_error = ?2, attempts = attempts + 1 WHERE id = ?1",
                params![id, error],
            )?,
        };
        Ok(())
    }

    /// Every push message, oldest first (the sandbox's push outbox).
    pub fn push_outbox(&self) -> Result<Vec<PushMessage>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.id, p.platform, p.token, n.kind, p.title, p.body, p.link, p.sent_at
             FROM push_outbox p JOIN notifications n ON n.id = p.notification_id ORDER BY p.id",
        )?;
        let rows = statement.query_map([], |row| {
            let kind: String = row.get(3)?;
            let sent_at: Option<i64> = row.get(7)?;
            Ok(PushMessage {
                id: row.get(0)?,
                platform: row.get(1)?,
                token: row.get(2)?,
                kind: NotificationKind::from_name(&kind).unwrap_or(NotificationKind::NewBill),
                title: row.get(4)?,
                body: row.get(5)?,
                link: row.get(6)?,
                sent_at: sent_at.map(crate::clock::rfc3339),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Tells each customer once about each of their unpaid bills (not in a payment under way)
    /// due from `today` to `last_day` (`YYYY-MM-DD`); answers how many were told.
    pub fn notify_due_soon(
        &self,
        today: &str,
        last_day: &str,
        now: i64,
    ) -> Result<usize, ServerError> {
        let due: Vec<Event> = {
            let mut statement = self.conn.prepare_cached(
                "SELECT b.customer_id, b.id, b.amount_minor, b.currency, b.due_date FROM bills b
                 WHERE b.paid_by IS NULL AND b.due_date >= ?1 AND b.due_date <= ?2
                   AND NOT EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                                   WHERE pb.bill_id = b.id AND p.status = ?3)
                   AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.customer_id = b.customer_id
                                   AND n.kind = 'bill_due_soon' AND n.subject = b.id)",
            )?;
            let rows = statement.query_map(
                params![today, last_day, super::StoredStatus::PROCESSING],
                |row| {
                    Ok(Event {
                        customer_id: row.get(0)?,
                        kind: NotificationKind::BillDueSoon,
                        bill_id: Some(row.get(1)?),
                        payment_id: None,
                        amount: Money {
                            amount_minor: row.get(2)?,
                            currency: row.get(3)?,
                        },
                        due_date: Some(row.get(4)?),
                    })
                },
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let mut told = 0;
        for event in &due {
            if notify(&self.conn, event, now)? {
                told += 1;
            }
        }
        Ok(told)
    }
}
