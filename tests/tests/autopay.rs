//! Autopay in the real window: Jane saves a card on the provider's hosted setup page (the test's
//! stand-in browser fills it and hands the return link back to the app), refuses a maximum of 0,
//! turns autopay on; a new bill shows as the next automatic payment; the sandbox's clock moved to
//! its day pays it without her, and its receipt is in the app's payment history. Then a card whose
//! charges are declined: the next automatic payment fails, and Autopay says so. And a card page
//! no browser can open: the customer is told, and the next try saves the card.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{JANE_ACCOUNT, admin_post, opened_urls, run, signed_in_with_browser};

const FAKE_BROWSER: &str = env!("CARGO_BIN_EXE_fake-browser");

#[test]
fn a_saved_card_pays_a_bill_on_its_day_without_the_customer() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, log) = signed_in_with_browser(
            &server,
            "autopay",
            FAKE_BROWSER,
            "pay-and-return,save-declining-card",
            None,
        )
        .await?;
        let outcome = async {
            app.click("#home-autopay").await?;
            app.wait_for_count("#no-card", 1).await?;
            app.wait_for_count("#autopay-off", 1).await?;

            // The card is saved in the browser, never typed into the app.
            app.click("#save-card").await?;
            app.wait_for_text("#saved-card", |text| {
                text == "Visa ending 4242, expires 12/2034"
            })
            .await?;
            let opened = opened_urls(&log);
            if opened.len() != 1 || !opened[0].contains("/sim/checkout/") {
                return Err(format!("the card page opened as {opened:?}"));
            }

            // Bad input: a maximum of 0. Then on, two days before, at most 300.
            app.click("#autopay-enabled").await?;
            app.element("#autopay-when")
                .await?
                .select_by_value("2")
                .await
                .map_err(|e| e.to_string())?;
            app.replace_text("#autopay-maximum", "0").await?;
            app.click("#autopay-save").await?;
            app.wait_for_text("#autopay-error", |text| {
                text.contains("Choose a maximum above zero")
            })
            .await?;
            app.replace_text("#autopay-maximum", "300").await?;
            app.click("#autopay-save").await?;
            app.wait_for_count("#autopay-saved", 1).await?;

            // A new bill: the next automatic payment, two days before its due date.
            admin_post(
                &server,
                &format!("/v1/admin/accounts/{JANE_ACCOUNT}/bills"),
                serde_json::json!({"amount_minor": 12_000, "due_in_days": 10}),
            )
            .await?;
            app.click("header nav a[href='/']").await?;
            app.click("#home-autopay").await?;
            app.wait_for_text("#autopay-next", |text| {
                text.starts_with("Next automatic payment: $120.00 on")
            })
            .await?;
            app.screenshot("autopay").await?;

            // The sandbox's clock at the payment's day: paid without Jane.
            admin_post(
                &server,
                "/v1/admin/clock",
                serde_json::json!({"advance_seconds": 8 * 24 * 3600}),
            )
            .await?;
            app.click("header nav a[href='/history']").await?;
            app.wait_for_text("ul.receipts", |text| text.contains("$120.00"))
                .await?;
            app.screenshot("autopay-receipt").await?;
            if server.off_session_charges() != 1 {
                return Err(format!(
                    "{} off-session charges, not one",
                    server.off_session_charges()
                ));
            }

            // Another card, whose charges are declined: the next bill's automatic payment fails,
            // and Autopay says so, with when it is tried again.
            app.click("header nav a[href='/']").await?;
            app.click("#home-autopay").await?;
            app.click("#save-card").await?;
            app.wait_for_text("#saved-card", |text| text.starts_with("Visa ending 0341"))
                .await?;
            admin_post(
                &server,
                &format!("/v1/admin/accounts/{JANE_ACCOUNT}/bills"),
                serde_json::json!({"amount_minor": 9_000, "due_in_days": 10}),
            )
            .await?;
            admin_post(
                &server,
                "/v1/admin/clock",
                serde_json::json!({"advance_seconds": 8 * 24 * 3600}),
            )
            .await?;
            app.click("header nav a[href='/']").await?;
            app.click("#home-autopay").await?;
            app.wait_for_text("#autopay-failed", |text| {
                text.contains("Your automatic payment of $90.00 did not go through. It will be tried again on")
            })
            .await?;
            app.screenshot("autopay-failed").await?;
            Ok(())
        }
        .await;
        app.check(outcome).await
    });
}

#[test]
fn a_card_page_no_browser_can_open_is_explained_and_the_next_try_saves_the_card() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (app, log) = signed_in_with_browser(
            &server,
            "autopay-no-browser",
            FAKE_BROWSER,
            "broken,pay-and-return",
            None,
        )
        .await?;
        let outcome = async {
            app.click("#home-autopay").await?;
            app.click("#save-card").await?;
            app.wait_for_text("#autopay-error", |text| {
                text.contains("The page to save your card could not be opened in your web browser")
            })
            .await?;
            app.wait_for_count("#finish-in-browser", 0).await?;
            app.wait_for_count("#no-card", 1).await?;

            app.click("#save-card").await?;
            app.wait_for_text("#saved-card", |text| {
                text == "Visa ending 4242, expires 12/2034"
            })
            .await?;
            app.wait_for_count("#autopay-error", 0).await?;
            // Each click opened the card page (the failing one through xdg-open's fallbacks).
            let opened = opened_urls(&log);
            if opened.len() < 2 || !opened.iter().all(|url| url.contains("/sim/checkout/")) {
                return Err(format!("the card page opened as {opened:?}"));
            }
            Ok(())
        }
        .await;
        app.check(outcome).await
    });
}
