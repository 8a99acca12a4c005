//! How dates and times read on screen.

/// `2026-11-26T01:02:03Z` → `2026-11-26 01:02 UTC`.
pub fn moment(rfc3339: &str) -> String {
    let trimmed = rfc3339.trim_end_matches('Z');
    match trimmed.split_once('T') {
        Some((date, time)) => format!("{date} {} UTC", time.get(..5).unwrap_or(time)),
        None => rfc3339.to_owned(),
    }
}

/// A billing period `2026-10-01`–`2026-10-31` as `2026-10-01 – 2026-10-31`.
pub fn period(period: &portal_api::v1::Period) -> String {
    format!("{} – {}", period.start, period.end)
}

/// How old cached data is, in words.
pub fn age(seconds: u64) -> String {
    match seconds {
        0..=59 => "just now".to_owned(),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// A card brand as the provider names it (`visa`, `amex`) as customers read it.
pub fn card_brand(brand: &str) -> String {
    match brand.to_ascii_lowercase().as_str() {
        "visa" => "Visa".to_owned(),
        "mastercard" => "Mastercard".to_owned(),
        "amex" => "American Express".to_owned(),
        "discover" => "Discover".to_owned(),
        "diners" => "Diners Club".to_owned(),
        "jcb" => "JCB".to_owned(),
        "unionpay" => "UnionPay".to_owned(),
        _ => "Card".to_owned(),
    }
}
