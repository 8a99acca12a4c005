//! Several accounts under one sign-in, in the real window: Jane, signed in, opens an invitation
//! to Omar's account, which joins her sign-in; Home shows both together with the total across
//! them, the switcher shows each alone (at desktop width and at 360 px); one checkout pays the
//! bills of both and the one receipt names each bill's account; once support staff take Omar's
//! account away, a link to its bill opens Home with why, refreshed without that account.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{
    App, JANE_ACCOUNT, OMAR_ACCOUNT, invitation_link, launch_second_instance, run, set_holder,
    signed_in_with_browser,
};

const FAKE_BROWSER: &str = env!("CARGO_BIN_EXE_fake-browser");

/// What sticks out sideways of the page, if anything (the elements reaching past its width).
async fn sticking_out(app: &App) -> portal_e2e::TestResult<Option<String>> {
    let found = app
        .execute(
            "const width = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth <= width) return null;
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > width + 0.5)
               .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)
               .join(', ') || ('the page: ' + document.documentElement.scrollWidth + ' > ' + width + ', overflowing ' + [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + e.scrollWidth + '/' + e.clientWidth).join(', '));",
            vec![],
        )
        .await?;
    Ok(found.as_str().map(str::to_owned))
}

/// Chooses `value` in the account switcher as a person does (the option clicked).
async fn switch_to(app: &App, value: &str) -> portal_e2e::TestResult {
    app.element("#account-switcher")
        .await?
        .select_by_value(value)
        .await
        .map_err(|e| e.to_string())
}

#[test]
fn two_accounts_one_sign_in_switched_and_paid_in_one_checkout() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, log) =
            signed_in_with_browser(&server, "accounts", FAKE_BROWSER, "pay-and-return", None)
                .await?;
        let outcome = async {
            if app.is_present("#account-switcher").await {
                return Err("one account needs no switcher".into());
            }

            // Omar's invitation opened while Jane is signed in: his account joins her sign-in.
            let omars = invitation_link(&server, OMAR_ACCOUNT, "omar.haddad@example.com").await?;
            launch_second_instance(&omars)?;
            app.wait_for_text("#invited-name", |text| text == "Omar Haddad")
                .await?;
            app.type_into("#postcode", "97201").await?;
            app.click("#accept").await?;
            app.wait_for_text("#accounts-title", |text| text == "Your accounts")
                .await?;
            app.wait_for_count("li.account", 2).await?;
            app.wait_for_count("li.bill", 4).await?;
            app.wait_for_text("#accounts-total", |text| text == "$351.47")
                .await?;
            app.wait_for_text("#total-due", |text| text == "$351.47")
                .await?;
            app.screenshot("accounts-combined").await?;

            switch_to(&app, OMAR_ACCOUNT).await?;
            app.wait_for_text("#customer-title", |text| text == "Omar Haddad")
                .await?;
            app.wait_for_count("li.bill", 1).await?;
            app.wait_for_text("#total-due", |text| text == "$73.10")
                .await?;
            app.screenshot("account-switcher").await?;

            app.client
                .set_window_size(360, 740)
                .await
                .map_err(|e| e.to_string())?;
            app.wait_for_text("#customer-title", |text| text == "Omar Haddad")
                .await?;
            app.screenshot("account-switcher-360px").await?;
            if let Some(wide) = sticking_out(&app).await? {
                return Err(format!("one account scrolls sideways at 360 px: {wide}"));
            }
            switch_to(&app, "").await?;
            app.wait_for_count("li.account", 2).await?;
            app.wait_for_count("li.bill", 4).await?;
            app.screenshot("accounts-combined-360px").await?;
            if let Some(wide) = sticking_out(&app).await? {
                return Err(format!("the combined view scrolls sideways at 360 px: {wide}"));
            }
            app.client
                .set_window_size(1000, 760)
                .await
                .map_err(|e| e.to_string())?;

            // One checkout for every bill of both accounts; one receipt naming each account.
            app.click("#go-pay").await?;
            app.wait_for_count("#pay input[type=checkbox]:checked", 4)
                .await?;
            app.wait_for_count("#pay .bill-account", 4).await?;
            app.wait_for_text("#pay-total", |text| text == "$351.47")
                .await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |text| text == "Payment received")
                .await?;
            app.wait_for_text("#receipt-total", |text| text == "$351.47")
                .await?;
            app.wait_for_count("#receipt td.receipt-account", 4).await?;
            let accounts = app
                .execute(
                    "return [...document.querySelectorAll('#receipt td.receipt-account')].map(e => e.textContent)",
                    vec![],
                )
                .await?;
            let mut named: Vec<String> = serde_json::from_value(accounts).map_err(|e| e.to_string())?;
            named.dedup();
            if named != [JANE_ACCOUNT, OMAR_ACCOUNT] {
                return Err(format!("the receipt names the accounts {named:?}"));
            }
            app.screenshot("receipt-two-accounts").await?;
            let opened = portal_e2e::opened_urls(&log);
            if opened.len() != 1 {
                return Err(format!("{} checkouts opened, not one", opened.len()));
            }

            // Support staff take Omar's account away from Jane: a link to one of its bills (a
            // notification's) opens Home with why, refreshed without the account.
            set_holder(&server, OMAR_ACCOUNT, "jane.doe@example.com", false).await?;
            launch_second_instance("com.enerpro.portal://bill?id=bill_100200301_2026_09")?;
            app.wait_for_text("#notice", |text| {
                text.contains("no longer on any of your accounts")
            })
            .await?;
            app.wait_for_text("#customer-title", |text| text == "Jane Doe")
                .await?;
            app.screenshot("removed-account-link").await?;
            if app.is_present("#account-switcher").await {
                return Err("the account taken away is still in the switcher".into());
            }
            Ok(())
        }
        .await;
        app.check(outcome).await
    });
}
