//! Autopay of the account the customer is looking at (the one shown on Home; the first when all
//! are shown): its saved card, its choice, its next payment — always from the backend, which
//! keeps them; the card itself is saved on the provider's page in the system browser.

use super::Portal;
use crate::CoreError;
use portal_api::ErrorCode;
use portal_api::ipc::{AutopayChoice, AutopayView};
use portal_api::v1::{AUTOPAY_MAX_LIMIT_MINOR, AutopaySettings, ChooseAutopay, Customer, Money};

impl Portal {
    /// The account Autopay is about: the one shown, else the first.
    fn autopay_account(&self) -> Result<Customer, CoreError> {
        let cache = self.cache();
        let accounts = cache
            .accounts()?
            .map(|cached| cached.data)
            .unwrap_or_default();
        let chosen = cache.chosen_account()?;
        accounts
            .iter()
            .find(|account| Some(&account.account_number) == chosen.as_ref())
            .or(accounts.first())
            .cloned()
            .ok_or(CoreError::NotSignedIn)
    }

    /// Autopay as the backend keeps it.
    pub async fn autopay(&self) -> Result<AutopayView, CoreError> {
        let account = self.autopay_account()?;
        let api = self.api.in_account(Some(&account.account_number));
        let api = &api;
        let settings = self
            .fetch(|token| async move { api.autopay(&token).await })
            .await?;
        Ok(view(account, settings))
    }

    /// Keeps the customer's choice; the maximum as typed (`300`, `300.00`) in the account's
    /// currency.
    pub async fn choose_autopay(&self, choice: &AutopayChoice) -> Result<AutopayView, CoreError> {
        let account = self.autopay_account()?;
        let current = self.autopay().await?;
        let currency = &current.settings.max_amount.currency;
        let max_amount_minor = parse_amount(&choice.maximum, currency)
            .filter(|minor| (1..=AUTOPAY_MAX_LIMIT_MINOR).contains(minor))
            .ok_or_else(|| CoreError::coded(ErrorCode::AutopayMaximumInvalid))?;
        let chosen = ChooseAutopay {
            enabled: choice.enabled,
            days_before: choice.days_before,
            max_amount_minor,
        };
        let chosen = &chosen;
        let api = self.api.in_account(Some(&account.account_number));
        let api = &api;
        let settings = self
            .fetch(|token| async move { api.choose_autopay(&token, chosen).await })
            .await?;
        Ok(view(account, settings))
    }

    /// The provider's page where the customer saves a card for the account.
    pub async fn card_setup_url(&self) -> Result<String, CoreError> {
        let account = self.autopay_account()?;
        let api = self.api.in_account(Some(&account.account_number));
        let api = &api;
        Ok(self
            .fetch(|token| async move { api.start_card_setup(&token).await })
            .await?
            .setup_url)
    }

    /// Removes the saved card (autopay turns off).
    pub async fn remove_card(&self) -> Result<AutopayView, CoreError> {
        let account = self.autopay_account()?;
        let api = self.api.in_account(Some(&account.account_number));
        let api = &api;
        self.fetch(|token| async move { api.remove_card(&token).await })
            .await?;
        self.autopay().await
    }
}

/// The screen of `account`'s autopay, its maximum written as the customer types one.
fn view(account: Customer, settings: AutopaySettings) -> AutopayView {
    let maximum = typed_amount(&settings.max_amount);
    AutopayView {
        account,
        settings,
        maximum,
    }
}

/// An amount as the customer types one: `500.00` (no symbol, no grouping).
fn typed_amount(money: &Money) -> String {
    let digits = portal_api::currency::minor_units(&money.currency);
    let scale = 10_i64.pow(digits);
    let (whole, fraction) = (money.amount_minor / scale, money.amount_minor % scale);
    if digits == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:0width$}", width = digits as usize)
    }
}

/// An amount as typed (`300`, `300.5`, `1,300.00`) in minor units of `currency`; `None` when it
/// is not one (letters, a sign, more decimals than the currency has).
fn parse_amount(text: &str, currency: &str) -> Option<i64> {
    let digits = portal_api::currency::minor_units(currency);
    let text = text.trim().replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let shaped = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= usize::try_from(digits).ok()?;
    if !shaped {
        return None;
    }
    let scale = 10_i64.checked_pow(digits)?;
    let padded = format!("{fraction:0<width$}", width = usize::try_from(digits).ok()?);
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::{parse_amount, typed_amount};
    use portal_api::v1::Money;

    #[test]
    fn amounts_as_typed_are_read_in_minor_units_or_refused() {
        assert_eq!(parse_amount("300", "USD"), Some(30_000));
        assert_eq!(parse_amount(" 300.5 ", "USD"), Some(30_050));
        assert_eq!(parse_amount("1,300.00", "USD"), Some(130_000));
        assert_eq!(parse_amount("500", "JPY"), Some(500));
        let usd = |amount_minor| Money {
            amount_minor,
            currency: "USD".into(),
        };
        assert_eq!(typed_amount(&usd(50_000)), "500.00");
        assert_eq!(typed_amount(&usd(30_050)), "300.50");
        assert_eq!(
            parse_amount(&typed_amount(&usd(12_345)), "USD"),
            Some(12_345)
        );
        for bad in [
            "",
            "-5",
            "3.005",
            "abc",
            "1e3",
            ".5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_amount(bad, "USD"), None, "{bad:?}");
        }
    }
}
