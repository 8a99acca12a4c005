//! What the backend tells a customer, over real HTTP: a bill issued by support staff is told in
//! the app, by email and by push, once; a bill due in three days is told once however often the
//! sweep looks; a payment received or declined is told; each customer sees only their own; the
//! customer's choices turn kinds and channels off; bad input is refused and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, DECLINED_CARD, GOOD_CARD, JANE, OMAR, error_code};
use portal_api::v1::{
    Bill, Channel, NotificationKind, NotificationList, NotificationPreferences, PushOutbox,
};
use reqwest::StatusCode;
use serde_json::json;

async fn notifications(api: &Api, token: &str, after: i64) -> NotificationList {
    let response = api
        .get(&format!("/v1/notifications?after={after}"), Some(token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn issue_bill(api: &Api, account: &str, body: serde_json::Value) -> reqwest::Response {
    api.http
        .post(api.url(&format!("/v1/admin/accounts/{account}/bills")))
        .bearer_auth(api.server.admin_key())
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn push_outbox(api: &Api) -> PushOutbox {
    api.http
        .get(api.url("/v1/admin/push-outbox"))
        .bearer_auth(api.server.admin_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn mails_of_kind(api: &Api, kind: &str) -> usize {
    api.outbox()
        .await
        .messages
        .iter()
        .filter(|mail| mail.kind == kind)
        .count()
}

#[tokio::test]
async fn a_new_bill_is_told_in_the_app_by_email_and_by_push_once() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let omar = api.sign_in(OMAR).await;
    let registered = api
        .post(
            "/v1/devices",
            Some(&jane.access_token),
            &json!({ "platform": "android", "token": "fcm:jane-phone-0001" }),
        )
        .await;
    assert_eq!(registered.status(), StatusCode::NO_CONTENT);
    let start = notifications(&api, &jane.access_token, 0).await;
    assert!(
        start.notifications.is_empty(),
        "the demo's history is not news"
    );

    let response = issue_bill(&api, JANE.0, json!({ "amount_minor": 8_800 })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bill: Bill = response.json().await.unwrap();
    assert_eq!(
        bill.id, "bill_100200300_2026_11",
        "the month after her latest bill"
    );
    assert_eq!(bill.amount.amount_minor, 8_800);

    let told = notifications(&api, &jane.access_token, 0).await;
    assert_eq!(told.notifications.len(), 1);
    let notice = &told.notifications[0];
    assert_eq!(notice.kind, NotificationKind::NewBill);
    assert_eq!(notice.bill_id.as_deref(), Some(bill.id.as_str()));
    assert_eq!(notice.due_date.as_deref(), Some(bill.due_date.as_str()));
    assert_eq!(told.next, notice.id);
    let again = notifications(&api, &jane.access_token, told.next).await;
    assert!(
        again.notifications.is_empty(),
        "after `next`, nothing twice"
    );
    assert!(
        notifications(&api, &omar.access_token, 0)
            .await
            .notifications
            .is_empty(),
        "Omar is not told about Jane's bill"
    );
    assert_eq!(mails_of_kind(&api, "new_bill").await, 1);

    // The sweep sends the queued push.
    api.server.sweep_now().await.unwrap();
    let pushed = push_outbox(&api).await.messages;
    assert_eq!(pushed.len(), 1);
    let push = &pushed[0];
    assert_eq!(
        (push.platform.as_str(), push.token.as_str()),
        ("android", "fcm:jane-phone-0001")
    );
    assert_eq!(push.kind, NotificationKind::NewBill);
    assert_eq!(
        push.link,
        format!("com.enerpro.portal://bill?id={}", bill.id)
    );
    assert!(push.title == "New bill" && push.body.contains("USD 88.00"));
    assert!(push.sent_at.is_some());
    api.server.sweep_now().await.unwrap();
    assert_eq!(push_outbox(&api).await.messages.len(), 1, "sent once");

    // Bad input: an unknown account, amounts and due dates out of range; nothing issued.
    for (account, body, status) in [
        ("999-999-999", json!({}), StatusCode::NOT_FOUND),
        (
            JANE.0,
            json!({ "amount_minor": 10 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            JANE.0,
            json!({ "due_in_days": 100 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            JANE.0,
            json!({ "due_in_days": -1 }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        assert_eq!(issue_bill(&api, account, body).await.status(), status);
    }
    let anonymous = api
        .http
        .post(api.url(&format!("/v1/admin/accounts/{}/bills", JANE.0)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        notifications(&api, &jane.access_token, 0)
            .await
            .notifications
            .len(),
        1
    );
    for (device, expected) in [
        (
            json!({ "platform": "windows", "token": "abcdefgh12" }),
            "platform",
        ),
        (json!({ "platform": "ios", "token": "short" }), "token"),
        (
            json!({ "platform": "ios", "token": "has spaces in it" }),
            "token",
        ),
    ] {
        let (status, code) = error_code(
            api.post("/v1/devices", Some(&jane.access_token), &device)
                .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_body"),
            "{expected}"
        );
    }
}

#[tokio::test]
async fn due_soon_and_payments_are_told_once_each() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let response = issue_bill(&api, JANE.0, json!({ "due_in_days": 2 })).await;
    let bill: Bill = response.json().await.unwrap();
    for _ in 0..3 {
        api.server.sweep_now().await.unwrap();
    }
    let kinds: Vec<NotificationKind> = notifications(&api, &jane.access_token, 0)
        .await
        .notifications
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(
        kinds,
        [NotificationKind::NewBill, NotificationKind::BillDueSoon]
    );
    assert_eq!(mails_of_kind(&api, "bill_due_soon").await, 1);

    // A declined attempt, then the same bill paid.
    let payment = api
        .new_payment(&jane.access_token, "tell-1", &[&bill.id])
        .await;
    api.submit_card(&payment.checkout_url, DECLINED_CARD).await;
    api.payment_action(&jane.access_token, &payment.id, "confirm")
        .await;
    api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    api.payment_action(&jane.access_token, &payment.id, "confirm")
        .await;
    let told = notifications(&api, &jane.access_token, 0)
        .await
        .notifications;
    let kinds: Vec<NotificationKind> = told.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::NewBill,
            NotificationKind::BillDueSoon,
            NotificationKind::PaymentFailed,
            NotificationKind::PaymentReceived
        ]
    );
    assert_eq!(told[3].payment_id.as_deref(), Some(payment.id.as_str()));
    assert_eq!(told[3].amount, payment.amount);
    // The receipt is the mail of a payment received; a failure is mailed.
    assert_eq!(mails_of_kind(&api, "payment_received").await, 0);
    assert_eq!(mails_of_kind(&api, "payment_failed").await, 1);
    // A paid bill is no longer due soon.
    api.server.sweep_now().await.unwrap();
    assert_eq!(
        notifications(&api, &jane.access_token, 0)
            .await
            .notifications
            .len(),
        4
    );
}

#[tokio::test]
async fn a_customer_turns_kinds_and_channels_off_and_unknown_ones_are_refused() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let defaults: NotificationPreferences = api
        .get("/v1/notification-preferences", Some(&jane.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        defaults.preferences.len(),
        18,
        "six kinds through three channels"
    );
    let default_of = |kind, channel| {
        defaults
            .preferences
            .iter()
            .find(|p| p.kind == kind && p.channel == channel)
            .unwrap()
            .enabled
    };
    assert!(default_of(NotificationKind::NewBill, Channel::App));
    assert!(!default_of(
        NotificationKind::PaymentReceived,
        Channel::Email
    ));

    let off = json!({ "preferences": [
        { "kind": "new_bill", "channel": "app", "enabled": false },
        { "kind": "new_bill", "channel": "email", "enabled": false },
        { "kind": "new_bill", "channel": "push", "enabled": false },
    ]});
    let put = |body: serde_json::Value| {
        let api = &api;
        let token = jane.access_token.clone();
        async move {
            api.http
                .put(api.url("/v1/notification-preferences"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let answer: NotificationPreferences = put(off).await.json().await.unwrap();
    assert!(
        answer
            .preferences
            .iter()
            .filter(|p| p.kind == NotificationKind::NewBill)
            .all(|p| !p.enabled)
    );
    api.post(
        "/v1/devices",
        Some(&jane.access_token),
        &json!({ "platform": "ios", "token": "a1b2c3d4e5f60718293a4b5c6d7e8f90" }),
    )
    .await;
    issue_bill(&api, JANE.0, json!({})).await;
    api.server.sweep_now().await.unwrap();
    let while_off = notifications(&api, &jane.access_token, 0).await;
    assert!(while_off.notifications.is_empty());
    assert_eq!(mails_of_kind(&api, "new_bill").await, 0);
    assert!(push_outbox(&api).await.messages.is_empty());
    // Turned on again, what was passed over while off does not come back.
    let on = json!({ "preferences": [{ "kind": "new_bill", "channel": "app", "enabled": true }] });
    assert_eq!(put(on).await.status(), StatusCode::OK);
    let later = notifications(&api, &jane.access_token, while_off.next).await;
    assert!(later.notifications.is_empty(), "{later:?}");
    let off =
        json!({ "preferences": [{ "kind": "new_bill", "channel": "app", "enabled": false }] });
    assert_eq!(put(off).await.status(), StatusCode::OK);

    // An unknown kind or channel refuses the whole update.
    for bad in [
        json!({ "preferences": [
            { "kind": "due_soon", "channel": "app", "enabled": false },
            { "kind": "power_cut", "channel": "app", "enabled": true },
        ]}),
        json!({ "preferences": [{ "kind": "new_bill", "channel": "sms", "enabled": true }] }),
        json!({ "preferences": [{ "kind": "new_bill", "channel": "app" }] }),
    ] {
        let (status, code) = error_code(put(bad).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_body")
        );
    }
    let after: NotificationPreferences = api
        .get("/v1/notification-preferences", Some(&jane.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, answer, "nothing of a refused update was kept");
}
