//! The notifications this device shows and the customer's choices of them.

use super::Portal;
use crate::CoreError;
use crate::notices::FIRST_CHECK_WINDOW;
use portal_api::v1::{Notification, NotificationPreference, NotificationPreferences};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

impl Portal {
    /// The notifications to show now: those after the last one this device showed (on its
    /// first check, only those of the last day). They are remembered as shown before they are
    /// answered, so none is shown twice, even if the app stops while showing them.
    pub async fn new_notifications(&self) -> Result<Vec<Notification>, CoreError> {
        let shown = self.cache().notices_shown_up_to()?;
        let after = shown.unwrap_or(0);
        let mut notifications = Vec::new();
        let mut next = after;
        for account in self.account_numbers().await? {
            let api = self.api.in_account(Some(&account));
            let api = &api;
            let list = self
                .fetch(|token| async move { api.notifications(&token, after).await })
                .await?;
            next = next.max(list.next);
            notifications.extend(list.notifications);
        }
        notifications.sort_by_key(|notification| notification.id);
        notifications.dedup_by_key(|notification| notification.id);
        self.cache().set_notices_shown_up_to(next)?;
        if shown.is_some() {
            return Ok(notifications);
        }
        let since = OffsetDateTime::now_utc().unix_timestamp() - FIRST_CHECK_WINDOW;
        Ok(notifications
            .into_iter()
            .filter(|notification| {
                OffsetDateTime::parse(&notification.created_at, &Rfc3339)
                    .is_ok_and(|at| at.unix_timestamp() >= since)
            })
            .collect())
    }

    /// Which kinds reach the customer through which channels (from the backend: the same
    /// choices on every device).
    pub async fn notification_preferences(&self) -> Result<Vec<NotificationPreference>, CoreError> {
        Ok(self
            .fetch(|token| async move { self.api.notification_preferences(&token).await })
            .await?
            .preferences)
    }

    /// Turns one kind through one channel on or off; answers every choice.
    pub async fn choose_notification(
        &self,
        choice: NotificationPreference,
    ) -> Result<Vec<NotificationPreference>, CoreError> {
        let chosen = NotificationPreferences {
            preferences: vec![choice],
        };
        let chosen = &chosen;
        // The customer chooses for themselves: the choice applies to every account they hold.
        let mut preferences = Vec::new();
        for account in self.account_numbers().await? {
            let api = self.api.in_account(Some(&account));
            let api = &api;
            preferences = self
                .fetch(|token| async move { api.choose_notifications(&token, chosen).await })
                .await?
                .preferences;
        }
        Ok(preferences)
    }
}
