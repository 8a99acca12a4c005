//! The real app window, the real sandbox server: launching, deep links, single instance.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{
    App, Launch, finish, invitation_link, launch_second_instance, run, spawn_app,
    spawned_app_errors, start_with_invitation, start_with_server,
};

fn connected_text() -> String {
    format!(
        "Connected to {} {}",
        portal_server::SERVER_NAME,
        env!("CARGO_PKG_VERSION")
    )
}

#[test]
fn shows_the_connected_server_then_a_clear_error_when_it_stops() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let address = server.address().to_string();
        let backend = server.base_url();
        let mut app = App::launch(Launch {
            name: "connect",
            backend: &backend,
            args: vec![],
            env: vec![],
            home: None,
        })
        .await?;
        let outcome = async {
            app.click("a[href='/settings']").await?;
            // Once what sits above the link has loaded (the app's facts), it stays put: a click
            // before that can land where the link was.
            app.wait_for_count("#version", 1).await?;
            app.click("a[href='/status']").await?;
            app.wait_for_text("#status", |text| text == connected_text())
                .await?;
            app.screenshot("connected").await?;

            server.stop().await.map_err(|e| e.to_string())?;
            app.click("#retry").await?;
            let error = app
                .wait_for_text("#status-error", |text| !text.is_empty())
                .await?;
            if !error.contains("Cannot reach Enerpro") {
                return Err(format!("unclear error after the server stopped: {error:?}"));
            }
            app.screenshot("server-down").await?;

            let server = portal_server::spawn(&address)
                .await
                .map_err(|e| e.to_string())?;
            app.click("#retry").await?;
            app.wait_for_text("#status", |text| text == connected_text())
                .await?;
            server.stop().await.map_err(|e| e.to_string())
        }
        .await;
        app.check(outcome).await
    });
}

#[test]
fn an_invitation_link_at_launch_opens_the_invitation_for_that_customer() {
    run(async {
        let (server, mut app) = start_with_invitation("invite-cold").await?;
        let outcome = async {
            app.wait_for_text("#invited-name", |text| text == "Jane Doe")
                .await?;
            app.wait_for_text("#invited-email", |text| text == "j***@example.com")
                .await?;
            app.screenshot("invitation").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn when_the_link_does_not_reach_the_app_the_customer_pastes_it_or_its_code() {
    run(async {
        let (server, mut app) = start_with_server("paste", Vec::new()).await?;
        let outcome = async {
            app.wait_for_text("#welcome h1", |text| text.contains("Welcome"))
                .await?;
            // Not a code: explained, nothing opened.
            app.type_into("#pasted-link", "my code is 1234").await?;
            app.click("#paste-continue").await?;
            app.wait_for_text("#notice", |text| {
                text.contains("neither an Enerpro link nor an invitation code")
            })
            .await?;
            if app.is_present("#invitation").await {
                return Err("pasted text that is no code opened the invitation screen".into());
            }
            // The bare code from the invitation link (what iOS users paste when the launch URL
            // was dropped): the invitation opens.
            let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
            let code = link
                .split_once("code=")
                .map(|(_, code)| code.to_owned())
                .ok_or_else(|| format!("no code in {link}"))?;
            app.click("#notice button").await?;
            app.replace_text("#pasted-link", &format!("  {code} "))
                .await?;
            app.click("#paste-continue").await?;
            app.wait_for_text("#invited-name", |text| text == "Jane Doe")
                .await?;
            app.screenshot("pasted-code").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn a_second_launch_with_a_link_reaches_the_first_window() {
    run(async {
        let (server, mut app) = start_with_server("invite-warm", vec![]).await?;
        let outcome = async {
            app.wait_for_text("#welcome h1", |text| text.contains("Welcome"))
                .await?;
            let link = invitation_link(&server, "100-200-301", "omar.haddad@example.com").await?;
            let took = launch_second_instance(&link)?;
            println!("the second instance handed over and exited in {took:?}");
            app.wait_for_text("#invited-name", |text| text == "Omar Haddad")
                .await?;
            let windows = app.window_count().await?;
            if windows != 1 {
                return Err(format!("expected one window, found {windows}"));
            }
            app.screenshot("invitation-from-second-launch").await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn malformed_and_foreign_links_show_a_message_and_change_nothing() {
    run(async {
        let long_link = format!("com.enerpro.portal://invite?code={}", "A".repeat(10_000));
        let (server, mut app) =
            start_with_server("bad-links", vec!["com.enerpro.portal://nope".into()]).await?;
        let outcome = async {
            // Cold start with an unknown link: a message, and the normal screen behind it.
            app.wait_for_text("#notice", |text| text.contains("not one this app knows")).await?;
            app.wait_for_text("#welcome h1", |text| text.contains("Welcome")).await?;
            app.screenshot("unknown-link").await?;

            let cases: [(&str, &str); 4] = [
                ("com.enerpro.portal://invite?code=", "code is missing"),
                ("http://example.com", "does not belong"),
                (&long_link, "far too long"),
                ("com.enerpro.portal://invite?code=Zk3q9X_v-2mNpL8sQw4RtA&backend=https://evil.example", "never has"),
            ];
            for (link, expected) in cases {
                app.click("#notice button").await?;
                launch_second_instance(link)?;
                app.wait_for_text("#notice", |text| text.contains(expected)).await?;
                if app.is_present("#invitation").await {
                    return Err(format!("{link:.60} navigated to the invitation screen"));
                }
                app.wait_for_text("#welcome h1", |text| text.contains("Welcome")).await?;
            }
            app.screenshot("foreign-link").await?;
            if app.window_count().await? != 1 {
                return Err("a bad link opened another window".into());
            }
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn opening_a_link_right_after_closing_the_app_always_opens_it() {
    const ROUNDS: usize = 6;
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let backend = server.base_url();
        let home = std::env::temp_dir().join(format!("enerpro-e2e-reopen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        for round in 1..=ROUNDS {
            let app = App::launch(Launch {
                name: "reopen",
                backend: &backend,
                args: vec![],
                env: vec![],
                home: Some(home.clone()),
            })
            .await?;
            app.wait_for_text("#welcome h1", |text| text.contains("Welcome"))
                .await?;
            let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
            // The customer closes the window and, while that app is still exiting, opens the
            // link: the desktop starts the app with it.
            app.client
                .close_window()
                .await
                .map_err(|e| format!("round {round}: closing the window: {e}"))?;
            let mut reopened = spawn_app(&home, &backend, &link)?;
            let opened = app
                .wait_for_log(|log| log.matches("deep link accepted: invite").count() == round)
                .await;
            let still_running = reopened.try_wait().map_err(|e| e.to_string())?;
            let _ = reopened.kill();
            let _ = reopened.wait();
            drop(app);
            match (opened, still_running) {
                (Ok(_), None) => {}
                (_, Some(status)) => {
                    let errors =
                        std::fs::read_to_string(spawned_app_errors(&home)).unwrap_or_default();
                    return Err(format!(
                        "round {round}: the app opened with the link exited ({status}) instead of opening it; its error output:\n{errors}"
                    ));
                }
                (Err(error), None) => return Err(format!("round {round}: {error}")),
            }
        }
        server.stop().await.map_err(|e| e.to_string())
    });
}
