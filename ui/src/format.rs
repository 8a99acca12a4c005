//! How money, dates and times read on screen, in the customer's locale: the webview's `Intl`
//! (through `format.js`), so no number or date formatting is compiled into the module. The
//! currency's minor units come from ISO 4217 (`portal_api::currency`).

use crate::i18n::Say;
use portal_api::Text;
use portal_api::ipc::UiLocale;
use portal_api::v1::{Money, Period};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/format.js")]
extern "C" {
    #[wasm_bindgen(js_name = money)]
    fn js_money(locale: &str, minor: &str, currency: &str, digits: u32) -> String;
    #[wasm_bindgen(js_name = moment)]
    fn js_moment(locale: &str, rfc3339: &str) -> String;
    #[wasm_bindgen(js_name = period)]
    fn js_period(locale: &str, start: &str, end: &str) -> String;
    #[wasm_bindgen(js_name = daysUntil)]
    fn days_until(ymd: &str) -> f64;
    #[wasm_bindgen(js_name = relativeDays)]
    fn relative_days(locale: &str, days: f64) -> String;
    #[wasm_bindgen(js_name = ago)]
    fn js_ago(locale: &str, seconds: f64) -> String;
    #[wasm_bindgen(js_name = calendar)]
    fn js_calendar(locale: &str, text: &str, style: &str) -> String;
    #[wasm_bindgen(js_name = number)]
    fn js_number(locale: &str, value: f64, digits: u32) -> String;
    #[wasm_bindgen(js_name = change)]
    fn js_change(locale: &str, percent: f64) -> String;
}

/// A usage chart's time (`YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:00`) for an axis: `Oct`,
/// `Mon 26`, `1 PM`.
pub fn axis_time(locale: &UiLocale, start: &str) -> String {
    js_calendar(&locale.tag, start, "short")
}

/// A usage chart's time in full: `October 2026`, `Monday, October 26, 2026`, `1:00 PM`.
pub fn long_time(locale: &UiLocale, start: &str) -> String {
    js_calendar(&locale.tag, start, "long")
}

/// Watt-hours as kWh: whole above 100 kWh, else with up to two decimals.
pub fn kwh(locale: &UiLocale, wh: i64) -> String {
    let kwh = wh as f64 / 1000.0;
    js_number(&locale.tag, kwh, if kwh.abs() >= 100.0 { 0 } else { 2 })
}

/// A count of whole kWh: `1,234`.
pub fn whole(locale: &UiLocale, value: i64) -> String {
    js_number(&locale.tag, value as f64, 0)
}

/// A change in percent with its sign: `+6%`.
pub fn change(locale: &UiLocale, percent: i64) -> String {
    js_change(&locale.tag, percent as f64)
}

/// An amount with its currency's symbol and minor units: `$92.75`, `92,75 US$`, `¥5,000`.
pub fn money(locale: &UiLocale, money: &Money) -> String {
    js_money(
        &locale.tag,
        &money.amount_minor.to_string(),
        &money.currency,
        portal_api::currency::minor_units(&money.currency),
    )
}

/// A moment (RFC 3339) in the device's time zone: `Nov 25, 2026, 7:18 PM`.
pub fn moment(locale: &UiLocale, rfc3339: &str) -> String {
    js_moment(&locale.tag, rfc3339)
}

/// A billing period: `Oct 1 – 31, 2026`, `1–31 oct 2026`.
pub fn period(locale: &UiLocale, period: &Period) -> String {
    js_period(&locale.tag, &period.start, &period.end)
}

/// How old cached data is: `5 minutes ago`, `hace 2 horas`.
pub fn age(locale: &UiLocale, seconds: u64) -> String {
    js_ago(&locale.tag, seconds as f64)
}

/// When a bill is due, from the device's today (`Due in 3 days`, `Overdue: was due 2 days
/// ago`), and whether it is overdue.
pub fn due(locale: &UiLocale, due_date: &str) -> (String, bool) {
    let days = days_until(due_date);
    if days.is_nan() {
        return (locale.fill(Text::DueWhen, &[("when", due_date)]), false);
    }
    let when = relative_days(&locale.tag, days);
    if days < 0.0 {
        (locale.fill(Text::OverdueWhen, &[("when", &when)]), true)
    } else {
        (locale.fill(Text::DueWhen, &[("when", &when)]), false)
    }
}

/// A card brand as the provider names it (`visa`, `amex`) as customers read it.
pub fn card_brand(locale: &UiLocale, brand: &str) -> String {
    let name = match brand.to_ascii_lowercase().as_str() {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        _ => locale.t(Text::GenericCard),
    };
    name.to_owned()
}
