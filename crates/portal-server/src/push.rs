//! Sending push notifications to phones: the queue in the database (`push_outbox`, filled in
//! the transaction that made each event) is drained by a [`PushSender`] on every sweep.
//!
//! The sandbox's sender is [`SandboxPush`]: nothing leaves the machine, and the messages stay
//! in the push outbox (`GET /v1/admin/push-outbox`) for support staff and tests to read. A
//! production server plugs in FCM (Android) and APNs (iOS) senders here.

use crate::store::QueuedPush;
use std::future::Future;
use std::pin::Pin;

/// What sending one message answers: sent, or why not (tried again on a later sweep).
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A way to deliver push messages to phones.
pub trait PushSender: Send + Sync {
    /// Delivers `message` to its device.
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a>;
}

/// The sandbox's push: every message counts as sent, and stays readable in the push outbox.
#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxPush;

impl PushSender for SandboxPush {
    fn send<'a>(&'a self, message: &'a QueuedPush) -> Sent<'a> {
        Box::pin(async move {
            tracing::info!(
                platform = %message.platform,
                title = %message.title,
                "push written to the sandbox's push outbox"
            );
            Ok(())
        })
    }
}
