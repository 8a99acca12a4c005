//! Payments in the real window, against the sandbox's hosted checkout: a declined card, a
//! browser closed before the redirect, a checkout abandoned and canceled, the app killed
//! mid-checkout.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{App, Launch, finish, opened_urls, outbox, run, signed_in_with_browser};
use portal_server::simulator::{HostedOutcome, fill_hosted_checkout};

const FAKE_BROWSER: &str = env!("CARGO_BIN_EXE_fake-browser");

async fn signed_in_app(
    name: &str,
    server: &portal_server::RunningServer,
    modes: &str,
    home: Option<std::path::PathBuf>,
) -> portal_e2e::TestResult<(App, std::path::PathBuf)> {
    signed_in_with_browser(server, name, FAKE_BROWSER, modes, home).await
}

/// The payment link the screen offers to copy, checked to be the server's checkout.
async fn payment_link(
    app: &App,
    server: &portal_server::RunningServer,
) -> portal_e2e::TestResult<String> {
    let link = app
        .element("#checkout-link")
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no payment link to copy")?;
    if link.starts_with(&server.base_url()) {
        Ok(link)
    } else {
        Err(format!("unexpected payment link {link}"))
    }
}

#[test]
fn a_declined_card_is_shown_after_the_return_and_a_good_card_then_pays() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, _log) = signed_in_app(
            "declined",
            &server,
            "decline-and-return,pay-and-return",
            None,
        )
        .await?;
        let outcome = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Your card was not accepted")
                .await?;
            app.wait_for_text("#payment-message", |t| {
                t.contains("Your card was not accepted")
            })
            .await?;
            app.screenshot("declined").await?;
            app.click("#open-checkout").await?;
            app.wait_for_text("#payment-title", |t| t == "Payment received")
                .await?;
            app.wait_for_text("#card", |t| t == "Visa ending 4242")
                .await?;
            app.screenshot("paid-after-retry").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn a_browser_closed_before_the_redirect_is_resolved_by_polling() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, _log) =
            signed_in_app("closed-after-paying", &server, "pay-and-close", None).await?;
        let outcome = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            // No return link ever comes; the webhook settles it on the server; the app polls.
            app.wait_for_polled_text("#payment-title", |t| t == "Payment received")
                .await?;
            app.wait_for_text("#transaction-id", |t| t.starts_with("pi_"))
                .await?;
            app.screenshot("paid-by-polling").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

/// Deletes the sandbox's processing payments, as a backend restored from an older backup would
/// have lost them.
fn forget_every_open_payment(server: &portal_server::RunningServer) -> portal_e2e::TestResult {
    let db = rusqlite::Connection::open(server.db_path()).map_err(|e| e.to_string())?;
    db.execute_batch(
        "DELETE FROM payment_bills WHERE payment_id IN (SELECT id FROM payments WHERE status = 'processing');
         DELETE FROM payments WHERE status = 'processing';",
    )
    .map_err(|e| e.to_string())
}

#[test]
fn a_checkout_closed_without_paying_stays_processing_and_cancel_frees_the_bills() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, _log) = signed_in_app("closed-unpaid", &server, "close", None).await?;
        let outcome = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Finish paying in your browser")
                .await?;
            for button in ["#open-checkout", "#check-now", "#cancel-payment"] {
                if !app.is_present(button).await {
                    return Err(format!("{button} is missing while processing"));
                }
            }
            app.click("a[href='/']").await?;
            app.click("#go-pay").await?;
            app.wait_for_text("#pay-blocked", |t| t.contains("still processing"))
                .await?;
            app.screenshot("pay-blocked-while-processing").await?;
            app.click("#pay a").await?;
            app.click("#check-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Finish paying in your browser")
                .await?;
            app.click("#cancel-payment").await?;
            app.wait_for_text("#payment-title", |t| t == "Payment canceled")
                .await?;
            app.click("#back-home").await?;
            app.click("#go-pay").await?;
            app.wait_for_count("input[type=checkbox]", 3).await?;
            if app.is_present("#pay-blocked").await {
                return Err("the bills are still blocked after canceling".into());
            }
            // The history says what became of it.
            app.click("a[href='/history']").await?;
            app.wait_for_text("ul.ended li", |t| t.contains("Canceled, nothing charged"))
                .await?;
            app.screenshot("history-with-a-canceled-attempt").await?;

            // A payment the backend then has no record of (restored from an older backup): the
            // customer dismisses it and can pay the bills again.
            app.click("a[href='/']").await?;
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Finish paying in your browser")
                .await?;
            forget_every_open_payment(&server)?;
            app.click("#check-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Payment not found")
                .await?;
            app.screenshot("payment-not-found").await?;
            app.click("#dismiss-payment").await?;
            app.wait_for_text("#customer-title", |t| t == "Jane Doe")
                .await?;
            app.click("#go-pay").await?;
            app.wait_for_count("input[type=checkbox]", 3).await?;
            if app.is_present("#pay-blocked").await {
                return Err("the bills are still blocked after dismissing".into());
            }
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn an_app_killed_during_checkout_resumes_and_shows_the_receipt_with_one_charge() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let home = std::env::temp_dir().join(format!("enerpro-e2e-killed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let (app, log) = signed_in_app("killed", &server, "close", Some(home.clone())).await?;
        let opened = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Finish paying in your browser")
                .await?;
            Ok(())
        }
        .await;
        app.check(opened).await?;
        // The app is gone; the customer finishes paying in the browser that is still open.
        let url = opened_urls(&log)
            .pop()
            .ok_or("the checkout was never opened")?;
        match fill_hosted_checkout(&url, "4242 4242 4242 4242").await? {
            HostedOutcome::Redirected(_) => {}
            other => return Err(format!("the payment did not go through: {other:?}")),
        }
        let mut app = App::launch(Launch {
            name: "killed-restart",
            backend: &server.base_url(),
            args: vec![],
            env: vec![],
            home: Some(home),
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#customer-title", |t| t == "Jane Doe")
                .await?;
            app.wait_for_text("#no-bills", |t| t.contains("Nothing is due"))
                .await?;
            app.click("a[href='/history']").await?;
            app.wait_for_count("ul.receipts li", 1).await?;
            app.click("ul.receipts a").await?;
            app.wait_for_text("#receipt-total", |t| t == "$278.37")
                .await?;
            app.screenshot("receipt-after-restart").await?;
            let receipts = outbox(&server, "receipt").await?;
            if receipts.len() != 1 {
                return Err(format!(
                    "expected one charge, the outbox has {} receipts",
                    receipts.len()
                ));
            }
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn with_no_browser_the_customer_copies_the_payment_link_and_the_app_follows_the_payment() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (mut app, _log) = signed_in_app("no-browser", &server, "broken", None).await?;
        let outcome = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |t| t == "Open the payment page")
                .await?;
            let page = app.wait_for_text("#payment", |t| !t.is_empty()).await?;
            if page.contains("open in your browser") || page.contains("Launcher") {
                return Err(format!("the screen claims or explains too much: {page}"));
            }
            let link = payment_link(&app, &server).await?;
            app.click("#copy-link").await?;
            app.wait_for_text("#copy-link", |t| t != "Copy payment link")
                .await?;
            app.screenshot("no-browser").await?;
            // The customer opens the link in a browser of their own and pays.
            match fill_hosted_checkout(&link, "4242 4242 4242 4242").await? {
                HostedOutcome::Redirected(_) => {}
                other => return Err(format!("the payment did not go through: {other:?}")),
            }
            // No return link reaches the app: it learns of the payment by polling.
            app.wait_for_polled_text("#payment-title", |t| t == "Payment received")
                .await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn a_browser_launcher_failing_late_still_gives_the_customer_the_payment_link() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let (app, _log) = signed_in_app("late-no-browser", &server, "broken-slowly", None).await?;
        let outcome = async {
            app.click("#go-pay").await?;
            app.click("#pay-now").await?;
            // The launcher answers two seconds after the checkout was shown as open.
            app.wait_for_text("#payment-title", |t| t == "Open the payment page")
                .await?;
            payment_link(&app, &server).await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}
