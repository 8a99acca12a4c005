//! The session in the real window: an offline start from the cache, the picture of the home
//! screen painted at the next start, and sign-out followed by a passwordless sign-in with a link
//! from the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_core::cache::Cache;
use portal_core::credentials::{Credentials, names};
use portal_e2e::{
    App, DEV_IDENTIFIER, Launch, finish, invitation_link, launch_second_instance,
    launch_with_invitation, run, wait_for_outbox,
};
use portal_server::{ServerOptions, spawn_with};

fn options(dir: &std::path::Path) -> ServerOptions {
    let mut options = ServerOptions::new(dir.join("sandbox.sqlite3"));
    options.seed_demo = true;
    options.admin_key = Some("adm_e2e_session".into());
    options
}

/// The demo sandbox with its data in `dir`, and the app opened with Jane's invitation, its
/// home folder in `dir` too (so a later launch with it plays "the same device, restarted").
async fn open_invitation(
    dir: &std::path::Path,
    name: &str,
) -> Result<(portal_server::RunningServer, std::path::PathBuf, App), String> {
    let home = dir.join("home");
    let server = spawn_with("127.0.0.1:0", options(dir))
        .await
        .map_err(|e| e.to_string())?;
    let app = launch_with_invitation(&server, name, Some(home.clone())).await?;
    Ok((server, home, app))
}

#[test]
fn an_offline_start_shows_the_cache_with_its_age_and_refresh_works_when_the_server_is_back() {
    run(async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (server, home, mut app) = open_invitation(dir.path(), "online").await?;
        let address = server.address().to_string();
        let backend = server.base_url();
        let signed_in = app.accept_invitation("Jane Doe", "62701").await;
        app.check(signed_in).await?;
        server.stop().await.map_err(|e| e.to_string())?;

        let mut app = App::launch(Launch {
            name: "offline",
            backend: &backend,
            args: vec![],
            env: vec![],
            home: Some(home),
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#customer-title", |t| t == "Jane Doe")
                .await?;
            app.wait_for_count("li.bill", 3).await?;
            app.wait_for_text("#offline", |t| t.contains("You are offline"))
                .await?;
            app.wait_for_text("#as-of", |t| t.starts_with("As of "))
                .await?;
            app.screenshot("offline-home").await?;
            app.click("#go-pay").await?;
            app.wait_for_text("#pay-blocked", |t| t.contains("offline"))
                .await?;
            let pay = app
                .client
                .find(fantoccini::Locator::Css("#pay-now"))
                .await
                .map_err(|e| e.to_string())?;
            if pay
                .attr("disabled")
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err("Pay is enabled while offline".into());
            }
            app.screenshot("offline-pay").await?;

            let server = spawn_with(&address, options(dir.path()))
                .await
                .map_err(|e| e.to_string())?;
            app.click("header a.brand").await?;
            app.click("#refresh").await?;
            app.wait_for_text("#as-of", |t| t.ends_with("(now)"))
                .await?;
            for _ in 0..50 {
                if !app.is_present("#offline").await {
                    return server.stop().await.map_err(|e| e.to_string());
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err("the offline banner stayed after the server came back".into())
        }
        .await;
        app.check(outcome).await
    });
}

/// The picture of the home screen kept in the cache of the app's data folder under `home`, if
/// it shows what the cache holds.
fn kept_picture(home: &std::path::Path) -> Option<String> {
    let cache = Cache::open(&home.join("data").join(DEV_IDENTIFIER).join("cache.sqlite3")).ok()?;
    let view = portal_core::Portal::first_screen(&cache)?;
    portal_core::Portal::first_paint(&cache, &view)
}

/// The launch marks of a timings file, in the order they were recorded.
fn marks(file: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn the_next_start_paints_the_kept_picture_of_the_home_screen_before_the_ui_has_loaded() {
    run(async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (server, home, mut app) = open_invitation(dir.path(), "picture-kept").await?;
        let kept = async {
            app.accept_invitation("Jane Doe", "62701").await?;
            app.wait_for_count("li.bill", 3).await?;
            let deadline = std::time::Instant::now() + portal_e2e::PATIENCE;
            loop {
                if let Some(picture) = kept_picture(&home) {
                    return Ok(picture);
                }
                if std::time::Instant::now() > deadline {
                    return Err("no picture of the home screen was kept".to_owned());
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        .await;
        let picture = match kept {
            Ok(picture) => {
                app.close().await?;
                picture
            }
            Err(error) => return app.check(Err(error)).await,
        };
        for shown in ["Jane Doe", "100-200-300", "Outstanding bills", "Total due"] {
            if !picture.contains(shown) {
                return Err(format!("the kept picture lacks {shown:?}: {picture}"));
            }
        }
        if picture.matches("class=\"bill\"").count() != 3 || picture.contains("As of") {
            return Err(format!(
                "the kept picture is not the home screen's: {picture}"
            ));
        }

        let timings = dir.path().join("timings.txt");
        let mut app = App::launch(Launch {
            name: "picture-painted",
            backend: &server.base_url(),
            args: vec![],
            env: vec![(
                "ENERPRO_TIMINGS_FILE".to_owned(),
                timings.display().to_string(),
            )],
            home: Some(home),
        })
        .await?;
        let outcome = async {
            // The UI's own render, then the picture out of the page.
            app.wait_for_count("#main li.bill", 3).await?;
            app.wait_for_count("#first-paint", 0).await?;
            app.screenshot("rendered-after-the-picture").await?;
            let order = marks(&timings);
            let at = |mark: &str| order.iter().position(|seen| seen == mark);
            match (at("first_paint_shown"), at("wasm_started")) {
                (Some(painted), Some(started)) if painted < started => Ok(()),
                _ => Err(format!("the picture was not painted first: {order:?}")),
            }
        }
        .await;
        let result = app.check(outcome).await;
        server.stop().await.map_err(|e| e.to_string())?;
        result
    });
}

#[test]
fn sign_out_leaves_nothing_and_a_sign_in_link_from_the_outbox_signs_in_again() {
    run(async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (server, home, mut app) = open_invitation(dir.path(), "signout").await?;
        let outcome = async {
            app.accept_invitation("Jane Doe", "62701").await?;
            app.click("a[href='/settings']").await?;
            app.wait_for_text("#signed-in-as", |t| t.contains("Jane Doe"))
                .await?;
            app.screenshot("settings").await?;
            app.click("#sign-out").await?;
            app.wait_for_text("#welcome h1", |t| t.contains("Welcome"))
                .await?;

            // Not a byte of the customer in any file of the app's data folder (the cache, its
            // write-ahead log and shared memory, set-aside copies, the logs).
            let data = home.join("data").join(DEV_IDENTIFIER);
            let files = files_under(&data);
            if !files.iter().any(|path| path.ends_with("cache.sqlite3")) {
                return Err(format!("no cache among the files of {}", data.display()));
            }
            for path in files {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                for secret in ["Jane Doe", "jane.doe@example.com", "100-200-300"] {
                    if bytes
                        .windows(secret.len())
                        .any(|window| window == secret.as_bytes())
                    {
                        return Err(format!("{secret} is still in {}", path.display()));
                    }
                }
            }

            let credentials = Credentials::platform(DEV_IDENTIFIER);
            if credentials
                .get(names::REFRESH_TOKEN)
                .map_err(|e| e.to_string())?
                .is_some()
            {
                return Err("a refresh token is left in the credential store".into());
            }
            let cache = Cache::open(&home.join("data").join(DEV_IDENTIFIER).join("cache.sqlite3"))
                .map_err(|e| e.to_string())?;
            let left = (
                cache.owner().map_err(|e| e.to_string())?,
                cache.accounts().map_err(|e| e.to_string())?.is_some(),
                cache
                    .unpaid_bills(portal_e2e::JANE_ACCOUNT)
                    .map_err(|e| e.to_string())?
                    .is_some(),
                cache.receipts().map_err(|e| e.to_string())?.len(),
                cache.flows().map_err(|e| e.to_string())?.len(),
            );
            if left != (None, false, false, 0, 0) {
                return Err(format!(
                    "the cache still holds the customer's data: {left:?}"
                ));
            }

            app.click("#go-signin").await?;
            app.type_into("#email", "jane.doe@example.com").await?;
            app.click("#send-link").await?;
            app.wait_for_text("#check-email", |t| t.contains("sign-in link is on its way"))
                .await?;
            app.screenshot("check-email").await?;
            let mail = wait_for_outbox(&server, "signin", 1).await?;
            let body = mail
                .last()
                .and_then(|m| m["body"].as_str())
                .ok_or("no sign-in mail")?
                .to_owned();
            let start = body
                .find("com.enerpro.portal://signin?code=")
                .ok_or("no sign-in link in the mail")?;
            let link: String = body[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            launch_second_instance(&link)?;
            app.wait_for_text("#customer-title", |t| t == "Jane Doe")
                .await?;
            app.wait_for_count("li.bill", 3).await?;
            Ok(())
        }
        .await;
        finish(app, server, outcome).await
    });
}

#[test]
fn support_staff_switch_the_backend_in_settings_and_it_applies_at_the_next_start() {
    run(async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let home = dir.path().join("home");
        let first = spawn_with("127.0.0.1:0", options(dir.path()))
            .await
            .map_err(|e| e.to_string())?;
        let second_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let second = spawn_with("127.0.0.1:0", options(second_dir.path()))
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&first, "100-200-300", "jane.doe@example.com").await?;
        let mut app = App::launch(Launch {
            name: "switch",
            backend: &first.base_url(),
            args: vec![link],
            env: vec![],
            home: Some(home.clone()),
        })
        .await?;
        let switched = async {
            app.accept_invitation("Jane Doe", "62701").await?;
            app.click("a[href='/settings']").await?;
            app.wait_for_text("#current-backend", |t| t.starts_with(&first.base_url()))
                .await?;
            app.click("input[value='custom']").await?;
            app.type_into("#custom-backend", &second.base_url()).await?;
            app.click("#save-backend").await?;
            app.wait_for_text("#backend-saved", |t| t.contains(&second.base_url()))
                .await?;
            app.screenshot("backend-saved").await?;
            Ok(())
        }
        .await;
        app.check(switched).await?;
        // Started again with no override: the saved choice applies, and nobody is signed in.
        let app = App::launch(Launch {
            name: "switched",
            backend: "",
            args: vec![],
            env: vec![],
            home: Some(home),
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#welcome h1", |t| t.contains("Welcome"))
                .await?;
            app.click("a[href='/settings']").await?;
            app.wait_for_text("#current-backend", |t| t.starts_with(&second.base_url()))
                .await?;
            Ok(())
        }
        .await;
        let result = app.check(outcome).await;
        first.stop().await.map_err(|e| e.to_string())?;
        second.stop().await.map_err(|e| e.to_string())?;
        result
    });
}

#[test]
fn a_language_chosen_in_settings_applies_at_once_and_is_kept_for_the_next_start() {
    run(async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let home = dir.path().join("home");
        let server = spawn_with("127.0.0.1:0", options(dir.path()))
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
        let english_device = || vec![("LANG".to_owned(), "en_US.UTF-8".to_owned())];
        let mut app = App::launch(Launch {
            name: "language",
            backend: &server.base_url(),
            args: vec![link],
            env: english_device(),
            home: Some(home.clone()),
        })
        .await?;
        let chosen = async {
            app.accept_invitation("Jane Doe", "62701").await?;
            app.click("a[href='/settings']").await?;
            app.element("#language")
                .await?
                .select_by_value("es")
                .await
                .map_err(|e| e.to_string())?;
            app.wait_for_text("#settings h1", |t| t == "Configuración")
                .await?;
            app.wait_for_text("header nav a", |t| t == "Facturas")
                .await?;
            app.screenshot("spanish-chosen").await?;
            Ok(())
        }
        .await;
        app.check(chosen).await?;
        // The device still speaks English; the choice is kept.
        let app = App::launch(Launch {
            name: "language-kept",
            backend: &server.base_url(),
            args: vec![],
            env: english_device(),
            home: Some(home),
        })
        .await?;
        let outcome = async {
            app.wait_for_text("#bills-title", |t| t == "Facturas pendientes")
                .await?;
            app.click("a[href='/settings']").await?;
            app.element("#language")
                .await?
                .select_by_value("device")
                .await
                .map_err(|e| e.to_string())?;
            app.wait_for_text("#settings h1", |t| t == "Settings")
                .await?;
            Ok(())
        }
        .await;
        let result = app.check(outcome).await;
        server.stop().await.map_err(|e| e.to_string())?;
        result
    });
}

/// Every file below `folder`.
fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
