//! What the customer is told and how: their notifications for the app, their choices of kind
//! and channel, their phones' push tokens; and, for support staff, a bill issued on demand (so
//! a "new bill" can be seen on a device) and the sandbox's push outbox.

use crate::error::{ApiResult, ServerError};
use crate::state::{Admin, ApiJson, AppState, SignedIn};
use axum::Json;
use axum::extract::{Path, Query, State};
use portal_api::ErrorCode;
use portal_api::v1::{
    Bill, ErrorBody, IssueBillRequest, NotificationList, NotificationPreferences, PushOutbox,
    RegisterDevice,
};
use serde::Deserialize;

/// The most notifications one answer carries.
pub const NOTIFICATIONS_PAGE: i64 = 100;

/// The notification list's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct After {
    /// The `next` of the previous answer; from the first notification without it.
    pub after: Option<i64>,
}

/// `GET /v1/notifications?after=…`: the customer's notifications whose kind is on for the app,
/// oldest first; the app shows each once and asks again with `next`.
#[utoipa::path(get, path = "/v1/notifications", tag = "customer", params(After),
    responses((status = 200, body = NotificationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn list(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    Query(query): Query<After>,
) -> ApiResult<Json<NotificationList>> {
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidFilter,
            "after: the `next` of an earlier answer",
        ));
    }
    state
        .db(move |store| {
            let (notifications, next) =
                store.app_notifications(customer_id, after, NOTIFICATIONS_PAGE)?;
            Ok(Json(NotificationList {
                notifications,
                next,
            }))
        })
        .await
}

/// `GET /v1/notification-preferences`: every kind through every channel, on or off.
#[utoipa::path(get, path = "/v1/notification-preferences", tag = "customer",
    responses((status = 200, body = NotificationPreferences), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn preferences(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
) -> ApiResult<Json<NotificationPreferences>> {
    state
        .db(move |store| {
            Ok(Json(NotificationPreferences {
                preferences: store.notification_preferences(customer_id)?,
            }))
        })
        .await
}

/// `PUT /v1/notification-preferences`: keeps the choices sent (the others stay as they are) and
/// answers them all. An unknown kind or channel refuses the whole request.
#[utoipa::path(put, path = "/v1/notification-preferences", tag = "customer",
    request_body = NotificationPreferences,
    responses((status = 200, body = NotificationPreferences), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn choose(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    ApiJson(chosen): ApiJson<NotificationPreferences>,
) -> ApiResult<Json<NotificationPreferences>> {
    state
        .db(move |store| {
            store.set_notification_preferences(customer_id, &chosen.preferences)?;
            Ok(Json(NotificationPreferences {
                preferences: store.notification_preferences(customer_id)?,
            }))
        })
        .await
}

/// `POST /v1/devices`: a phone's push token (FCM on Android, APNs on iOS), so notifications
/// reach it through the push channel.
#[utoipa::path(post, path = "/v1/devices", tag = "customer", request_body = RegisterDevice,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("access_token" = [])))]
pub async fn register_device(
    SignedIn(customer_id): SignedIn,
    State(state): State<AppState>,
    ApiJson(device): ApiJson<RegisterDevice>,
) -> ApiResult<axum::http::StatusCode> {
    if !matches!(device.platform.as_str(), "android" | "ios") {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidBody,
            "platform: android or ios",
        ));
    }
    let shaped = (8..=4096).contains(&device.token.len())
        && device.token.bytes().all(|b| b.is_ascii_graphic());
    if !shaped {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidBody,
            "token: the platform's registration token (8 to 4096 printable characters)",
        ));
    }
    let now = state.now();
    state
        .db(move |store| store.register_device(customer_id, &device.platform, &device.token, now))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /v1/admin/accounts/{account}/bills` (support staff): issues the account's next monthly
/// bill now — the month after its latest bill, issued today, due in `due_in_days` — through the
/// import, so its customer gets a "new bill" notification like any imported bill.
#[utoipa::path(post, path = "/v1/admin/accounts/{account}/bills", tag = "admin",
    params(("account" = String, Path, description = "The account number")),
    request_body = IssueBillRequest,
    responses((status = 200, body = Bill), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_issue_bill(
    _admin: Admin,
    State(state): State<AppState>,
    Path(account): Path<String>,
    ApiJson(request): ApiJson<IssueBillRequest>,
) -> ApiResult<Json<Bill>> {
    let cents = request.amount_minor.unwrap_or(9_480);
    if !(5_000..=50_000).contains(&cents) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidBody,
            "amount_minor: 5000 to 50000 (USD 50.00 to 500.00)",
        ));
    }
    let due_in_days = request.due_in_days.unwrap_or(21);
    if !(0..=60).contains(&due_in_days) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidBody,
            "due_in_days: 0 to 60",
        ));
    }
    let now = state.now();
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| ServerError::Provider(e.to_string()))?
        .date();
    state
        .db(move |store| {
            let not_found = || ServerError::NotFound {
                what: "The account",
            };
            let record = store.customer_by_account(&account)?.ok_or_else(not_found)?;
            let latest = store.bills(record.id, false)?.into_iter().next();
            // The month after the latest bill's; the month before this one without a bill.
            let (year, month) = latest
                .and_then(|bill| {
                    let year: i32 = bill.period.start.get(0..4)?.parse().ok()?;
                    let month: u8 = bill.period.start.get(5..7)?.parse().ok()?;
                    Some(if month == 12 {
                        (year + 1, 1)
                    } else {
                        (year, month + 1)
                    })
                })
                .unwrap_or_else(|| {
                    let previous = today.replace_day(1).unwrap_or(today) - time::Duration::days(1);
                    (previous.year(), u8::from(previous.month()))
                });
            let mut bill = crate::demo::demo_bill(&account, year, month, cents);
            bill.issue_date = today.to_string();
            bill.due_date = (today + time::Duration::days(due_in_days)).to_string();
            match store.import(&[(record.id, &bill)], &[], Some(now))? {
                Ok(_) => {}
                Err(_) => {
                    return Err(ServerError::bad_request(
                        ErrorCode::ImportRejected,
                        format!("{} was issued before", bill.id),
                    ));
                }
            }
            store
                .bills(record.id, false)?
                .into_iter()
                .find(|issued| issued.id == bill.id)
                .map(Json)
                .ok_or_else(not_found)
        })
        .await
}

/// `GET /v1/admin/push-outbox` (support staff): every push message, oldest first — in the
/// sandbox, what would have reached the phones.
#[utoipa::path(get, path = "/v1/admin/push-outbox", tag = "admin",
    responses((status = 200, body = PushOutbox), (status = 401, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_push_outbox(
    _admin: Admin,
    State(state): State<AppState>,
) -> ApiResult<Json<PushOutbox>> {
    state
        .db(|store| {
            Ok(Json(PushOutbox {
                messages: store.push_outbox()?,
            }))
        })
        .await
}
