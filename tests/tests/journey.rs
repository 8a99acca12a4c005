//! The customer journey in the real window: invitation → postcode → account and bills → choose
//! two → Pay → the hosted checkout "in the browser" (a stand-in program that pays like a person
//! and opens the return link) → the receipt → those bills paid, the third still due.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_core::credentials::{Credentials, names};
use portal_e2e::{
    App, DEV_IDENTIFIER, Launch, finish, invitation_link, launch_second_instance, run,
};

const FAKE_BROWSER: &str = env!("CARGO_BIN_EXE_fake-browser");

#[test]
fn invitation_to_receipt_in_the_real_window() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
        let browser_log =
            std::env::temp_dir().join(format!("fake-browser-{}.log", std::process::id()));
        let mut app = App::launch(Launch {
            name: "journey",
            backend: &server.base_url(),
            args: vec![link.clone()],
            env: vec![
                ("BROWSER".into(), FAKE_BROWSER.into()),
                ("FAKE_BROWSER_MODE".into(), "pay-and-return".into()),
                ("FAKE_BROWSER_LOG".into(), browser_log.display().to_string()),
            ],
            home: None,
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#invited-name", |text| text == "Jane Doe")
                .await?;
            app.type_into("#postcode", "62701").await?;
            app.screenshot("invitation-postcode").await?;
            app.click("#accept").await?;

            app.wait_for_text("#customer-title", |text| text == "Jane Doe")
                .await?;
            app.wait_for_text("#account-number", |text| text == "100-200-300")
                .await?;
            app.wait_for_count("li.bill", 3).await?;
            app.wait_for_text("#total-due", |text| text == "$278.37")
                .await?;
            app.screenshot("home").await?;

            app.click("#go-pay").await?;
            app.wait_for_count("input[type=checkbox]", 3).await?;
            app.click("label.choice:last-of-type input").await?;
            app.wait_for_text("#pay-total", |text| text == "$194.25")
                .await?;
            app.screenshot("pay").await?;
            app.click("#pay-now").await?;

            let title = app
                .wait_for_text("#payment-title", |text| text == "Payment received")
                .await;
            if let Err(error) = title {
                let log = std::fs::read_to_string(&browser_log).unwrap_or_default();
                return Err(format!("{error}\nfake browser log:\n{log}"));
            }
            app.wait_for_text("#transaction-id", |text| text.starts_with("pi_"))
                .await?;
            app.wait_for_text("#card", |text| text == "Visa ending 4242")
                .await?;
            app.wait_for_text("#receipt-total", |text| text == "$194.25")
                .await?;
            app.screenshot("receipt").await?;

            app.click("#back-home").await?;
            app.wait_for_count("li.bill", 1).await?;
            app.wait_for_text("#total-due", |text| text == "$84.12")
                .await?;
            app.screenshot("home-after-payment").await?;

            // The whole journey is in the log, and nothing secret is.
            let log = app
                .wait_for_log(|text| {
                    ["accept_invitation", "start_payment", "payment_flow"]
                        .iter()
                        .all(|name| text.contains(&format!("command {name} ok")))
                })
                .await?;
            let code = link.split("code=").nth(1).ok_or("no code in the link")?;
            let refresh_token = Credentials::platform(DEV_IDENTIFIER)
                .get(names::REFRESH_TOKEN)
                .map_err(|e| e.to_string())?
                .ok_or("no refresh token stored")?;
            // The invitation opened again while signed in: used, and the way home.
            launch_second_instance(&link)?;
            app.wait_for_text("#invitation h1", |text| {
                text == "This invitation cannot be used"
            })
            .await?;
            app.wait_for_text("#invitation-error", |text| {
                text.contains("already been used")
            })
            .await?;
            app.wait_for_text("#invitation-error a", |text| text == "Back to your bills")
                .await?;
            app.screenshot("invitation-used-while-signed-in").await?;
            for (what, secret) in [
                ("the invitation code", code),
                ("the refresh token", refresh_token.as_str()),
                ("the card number", "4242 4242 4242 4242"),
                ("the card number", "4242424242424242"),
                ("a bearer token", "Bearer "),
            ] {
                if log.contains(secret) {
                    return Err(format!("{what} reached the log"));
                }
            }
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

/// The journey again for a Spanish-speaking customer in Illinois: the device's language is
/// Spanish (`LANG`), its time zone Chicago's (`TZ`). Every screen speaks Spanish, money reads as
/// in the United States, and the receipt's time is the device's local time, not UTC.
#[test]
fn the_journey_in_spanish_with_the_receipt_in_the_devices_time_zone() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
        let mut app = App::launch(Launch {
            name: "journey-es",
            backend: &server.base_url(),
            args: vec![link],
            env: vec![
                ("LANG".into(), "es_US.UTF-8".into()),
                ("TZ".into(), "America/Chicago".into()),
                ("BROWSER".into(), FAKE_BROWSER.into()),
                ("FAKE_BROWSER_MODE".into(), "pay-and-return".into()),
            ],
            home: None,
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#invitation h1", |text| text == "Ha recibido una invitación")
                .await?;
            app.wait_for_text("#accept", |text| text == "Aceptar invitación")
                .await?;
            let lang = app.execute("return document.documentElement.lang", vec![]).await?;
            assert_eq!(lang, "es", "the page says its language");
            app.type_into("#postcode", "6270").await?;
            app.click("#accept").await?;
            app.wait_for_text("#accept-error", |text| {
                text.contains("no coincide con la dirección de servicio")
                    && text.contains("Le quedan 4 intentos.")
            })
            .await?;
            app.screenshot("invitation-wrong-postcode").await?;
            app.replace_text("#postcode", "62701").await?;
            app.click("#accept").await?;

            app.wait_for_text("#bills-title", |text| text == "Facturas pendientes")
                .await?;
            app.wait_for_count("li.bill", 3).await?;
            app.wait_for_text("#total-due", |text| text == "$278.37")
                .await?;
            app.wait_for_text("li.bill .due", |text| text.starts_with("Vencida: venció hace "))
                .await?;
            // "1–31 de oct de 2026" (the exact words are ICU's, whose versions differ slightly).
            app.wait_for_text("li.bill .period", |text| {
                text.starts_with('1') && text.contains("oct") && text.ends_with("2026")
            })
            .await?;
            app.screenshot("home").await?;

            app.click("#go-pay").await?;
            app.wait_for_text("#pay h1", |text| text == "Pagar facturas")
                .await?;
            app.wait_for_text("#pay-now", |text| text == "Pagar en el navegador")
                .await?;
            app.click("#pay-now").await?;
            app.wait_for_text("#payment-title", |text| text == "Pago recibido")
                .await?;
            app.wait_for_text("#card", |text| text == "Visa terminada en 4242")
                .await?;
            app.wait_for_text("#receipt-total", |text| text == "$278.37")
                .await?;
            let shown = app.wait_for_text("#receipt-date", |text| !text.is_empty()).await?;
            let issued_at = app
                .element("#receipt-date")
                .await?
                .attr("datetime")
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the receipt's time has no datetime")?;
            let in_chicago = app
                .execute(
                    "return new Intl.DateTimeFormat('es-US', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Chicago'}).format(new Date(arguments[0]))",
                    vec![issued_at.clone().into()],
                )
                .await?;
            // WebDriver reads no-break spaces (which ICU puts around "a. m.") as plain ones.
            let in_chicago = in_chicago
                .as_str()
                .unwrap_or_default()
                .replace(['\u{a0}', '\u{202f}'], " ");
            assert_eq!(
                shown, in_chicago,
                "the receipt of {issued_at} shows Chicago's local time"
            );
            app.screenshot("receipt").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    })
}
