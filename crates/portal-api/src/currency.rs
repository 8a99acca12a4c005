//! What ISO 4217 and the payment provider say about each currency: how many minor units it
//! has (zero-decimal JPY, three-decimal KWD, two for most), and the smallest amount a card
//! payment may be (Stripe's minimum charge per settlement currency).
//!
//! Amounts travel everywhere as integers in the currency's minor unit; this table is the one
//! place that knows what a minor unit is.

/// Currencies without a minor unit (ISO 4217 exponent 0), as Stripe lists them.
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

/// Currencies with three decimals (ISO 4217 exponent 3). Stripe takes them only in multiples of
/// ten minor units.
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Stripe's minimum charge, in minor units, for the currencies it lists one for.
const MINIMUM_CHARGE: &[(&str, i64)] = &[
    ("USD", 50),
    ("AED", 200),
    ("AUD", 50),
    ("BGN", 100),
    ("BRL", 50),
    ("CAD", 50),
    ("CHF", 50),
    ("CZK", 1500),
    ("DKK", 250),
    ("EUR", 50),
    ("GBP", 30),
    ("HKD", 400),
    ("HUF", 17500),
    ("INR", 50),
    ("JPY", 50),
    ("MXN", 1000),
    ("MYR", 200),
    ("NOK", 300),
    ("NZD", 50),
    ("PLN", 200),
    ("RON", 200),
    ("SEK", 300),
    ("SGD", 50),
    ("THB", 1000),
];

/// How many decimal digits the currency's minor unit has (2 unless the table says otherwise).
pub fn minor_units(currency: &str) -> u32 {
    let code = currency.to_ascii_uppercase();
    if ZERO_DECIMAL.contains(&code.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// Why an amount cannot be charged by card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchargeable {
    /// Below the provider's minimum charge for the currency (in minor units).
    BelowMinimum(i64),
    /// A three-decimal amount that is not a multiple of ten minor units.
    NotRoundToTen,
}

/// Whether `amount_minor` of `currency` can be charged by card.
pub fn check_chargeable(amount_minor: i64, currency: &str) -> Result<(), Unchargeable> {
    let code = currency.to_ascii_uppercase();
    let minimum = MINIMUM_CHARGE
        .iter()
        .find(|(listed, _)| *listed == code)
        .map_or(1, |(_, minimum)| *minimum);
    if amount_minor < minimum {
        return Err(Unchargeable::BelowMinimum(minimum));
    }
    if minor_units(&code) == 3 && amount_minor % 10 != 0 {
        return Err(Unchargeable::NotRoundToTen);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_units("USD"), 2);
        assert_eq!(minor_units("jpy"), 0);
        assert_eq!(minor_units("KWD"), 3);
        assert_eq!(minor_units("XYZ"), 2);
    }

    #[test]
    fn amounts_below_the_minimum_or_unround_three_decimal_ones_are_not_chargeable() {
        assert_eq!(check_chargeable(50, "usd"), Ok(()));
        assert_eq!(
            check_chargeable(49, "USD"),
            Err(Unchargeable::BelowMinimum(50))
        );
        assert_eq!(
            check_chargeable(29, "GBP"),
            Err(Unchargeable::BelowMinimum(30))
        );
        assert_eq!(check_chargeable(50, "JPY"), Ok(()));
        assert_eq!(check_chargeable(1_000, "KWD"), Ok(()));
        assert_eq!(
            check_chargeable(1_005, "KWD"),
            Err(Unchargeable::NotRoundToTen)
        );
        assert_eq!(check_chargeable(1, "ISK"), Ok(()));
        assert_eq!(
            check_chargeable(0, "ISK"),
            Err(Unchargeable::BelowMinimum(1))
        );
    }
}
