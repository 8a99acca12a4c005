//! The app at a phone's width (360 px) and used with the keyboard alone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{App, finish, run, start_with_invitation};

/// Whether the page is wider than the window (something would scroll sideways).
async fn overflows(app: &App) -> portal_e2e::TestResult<bool> {
    let answer = app
        .client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(answer.as_bool().unwrap_or(true))
}

#[test]
fn at_360_pixels_with_the_keyboard_alone_the_invitation_and_home_work() {
    run(async {
        let (server, mut app) = start_with_invitation("narrow").await?;
        let outcome = async {
            app.client.set_window_size(360, 740).await.map_err(|e| e.to_string())?;
            app.wait_for_text("#invited-name", |t| t == "Jane Doe").await?;
            if overflows(&app).await? {
                return Err("the invitation screen scrolls sideways at 360 px".into());
            }
            // Keyboard only: type the postcode and press Enter to accept.
            app.type_into("#postcode", "62701\u{E007}").await?;
            app.wait_for_text("#customer-title", |t| t == "Jane Doe").await?;
            app.wait_for_count("li.bill", 3).await?;
            if overflows(&app).await? {
                return Err("the home screen scrolls sideways at 360 px".into());
            }
            app.screenshot("home-360px").await?;
            // Every control on the home screen is reachable with Tab and shows its focus.
            let focusable = app
                .client
                .execute(
                    "return Array.from(document.querySelectorAll('a[href], button, input')).every(e => e.tabIndex >= 0);",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            if focusable.as_bool() != Some(true) {
                return Err("a control is out of the Tab order".into());
            }
            // Moving to another screen names it in the title, puts the focus on its heading and
            // marks the current nav item.
            app.click("nav a[href='/history']").await?;
            app.wait_for_text("#history h1", |t| t == "Payments").await?;
            let started = std::time::Instant::now();
            loop {
                let state = app
                    .client
                    .execute(
                        "return [document.title, document.activeElement.tagName + ' ' + document.activeElement.textContent, \
                         document.querySelector('nav a[aria-current=page]') && document.querySelector('nav a[aria-current=page]').textContent];",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if state == serde_json::json!(["Payments · Enerpro", "H1 Payments", "Payments"]) {
                    break;
                }
                if started.elapsed() > portal_e2e::PATIENCE {
                    return Err(format!("title, focus and current nav item: {state}"));
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}
