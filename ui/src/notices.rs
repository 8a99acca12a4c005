//! Settings → Notifications: which kinds reach the customer through which channels (kept by the
//! backend, the same on every device) and how often this app looks for news.

use crate::bridge;
use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use dioxus::prelude::*;
use portal_api::ipc::{self, CheckIntervalArgs, NotificationSettings};
use portal_api::v1::{Channel, NotificationKind, NotificationPreference};
use portal_api::{ErrorBody, Text};

/// The choices, as a table of checkboxes, and the interval.
#[component]
pub fn NotificationChoices() -> Element {
    let locale = use_locale();
    let mut settings = use_signal(|| None::<Result<NotificationSettings, ErrorBody>>);
    let mut error = use_signal(|| None::<ErrorBody>);
    use_hook(move || {
        spawn(async move {
            settings.set(Some(bridge::call::<ipc::NotificationSettingsOf>().await));
        })
    });
    let mut apply = move |answer: Result<NotificationSettings, ErrorBody>| match answer {
        Ok(now) => {
            error.set(None);
            settings.set(Some(Ok(now)));
        }
        Err(failure) => error.set(Some(failure)),
    };
    let current = settings();
    rsx! {
        section { id: "notifications", aria_labelledby: "notifications-title",
            h2 { id: "notifications-title", {locale.t(Text::Notifications)} }
            match current {
                None => rsx! { Loading { text: Text::LoadingNotifications } },
                Some(Err(failure)) => rsx! { ErrorState { error: failure, id: "notifications-error" } },
                Some(Ok(now)) => rsx! {
                    table { class: "lines choices",
                        thead {
                            tr {
                                th { scope: "col", {locale.t(Text::NoticeKind)} }
                                for channel in Channel::ALL {
                                    th { scope: "col", {locale.t(channel_name(channel))} }
                                }
                            }
                        }
                        tbody {
                            for kind in NotificationKind::ALL {
                                tr {
                                    th { scope: "row", id: "kind-{kind.as_str()}", {locale.t(kind_name(kind))} }
                                    for channel in Channel::ALL {
                                        {
                                            let enabled = now.preferences.iter().any(|p| p.kind == kind && p.channel == channel && p.enabled);
                                            let id = format!("notify-{}-{}", kind.as_str(), channel.as_str());
                                            rsx! {
                                                td {
                                                    input { r#type: "checkbox", id: "{id}", checked: enabled,
                                                        "aria-labelledby": "kind-{kind.as_str()} channel-{channel.as_str()}",
                                                        onchange: move |_| {
                                                            let choice = NotificationPreference { kind, channel, enabled: !enabled };
                                                            spawn(async move { apply(bridge::invoke::<ipc::ChooseNotification>(&choice).await); });
                                                        }
                                                    }
                                                    span { id: "channel-{channel.as_str()}", class: "visually-hidden", {locale.t(channel_name(channel))} }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    label { r#for: "check-every", {locale.t(Text::CheckEvery)} }
                    select { id: "check-every",
                        onchange: move |event| {
                            if let Ok(minutes) = event.value().parse::<u32>() {
                                spawn(async move { apply(bridge::invoke::<ipc::ChooseCheckInterval>(&CheckIntervalArgs { minutes }).await); });
                            }
                        },
                        for minutes in now.choices.iter().copied() {
                            option { value: "{minutes}", selected: minutes == now.check_every_minutes, {interval(&locale, minutes)} }
                        }
                    }
                },
            }
            if let Some(failure) = error() {
                ErrorState { error: failure, id: "notification-choice-error" }
            }
        }
    }
}

fn channel_name(channel: Channel) -> Text {
    match channel {
        Channel::App => Text::ChannelApp,
        Channel::Push => Text::ChannelPush,
        Channel::Email => Text::ChannelEmail,
    }
}

fn kind_name(kind: NotificationKind) -> Text {
    match kind {
        NotificationKind::NewBill => Text::KindNewBill,
        NotificationKind::BillDueSoon => Text::KindDueSoon,
        NotificationKind::PaymentReceived => Text::KindPaid,
        NotificationKind::PaymentFailed => Text::KindFailed,
        NotificationKind::AutopayScheduled => Text::KindAutopayScheduled,
        NotificationKind::AutopaySkipped => Text::KindAutopaySkipped,
    }
}

fn interval(locale: &portal_api::ipc::UiLocale, minutes: u32) -> String {
    match minutes {
        0 => locale.t(Text::OnlyWhenOpened).to_owned(),
        60 => locale.t(Text::EveryHour).to_owned(),
        m if m % 60 == 0 => locale.fill(Text::EveryHours, &[("n", &(m / 60).to_string())]),
        m => locale.fill(Text::EveryMinutes, &[("n", &m.to_string())]),
    }
}
