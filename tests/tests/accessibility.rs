//! The app at a phone's width (360 px) and used with the keyboard alone; and an axe-core audit
//! (WCAG 2.1 A and AA) of every screen and state in the real window, in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{
    App, Launch, OMAR_ACCOUNT, finish, invitation_link, run, set_holder, start_with_invitation,
};

const FAKE_BROWSER: &str = env!("CARGO_BIN_EXE_fake-browser");

/// axe-core's script (npm, pinned in package.json), injected into the page by WebDriver.
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("no axe-core at {path:?} (cargo xtask setup installs it): {error}")
    })
}

/// Runs axe-core on the page as it is now; answers one line per WCAG 2.1 A/AA violation
/// (rule, impact, the first elements), prefixed with `screen`.
async fn audit(app: &App, axe: &str, screen: &str) -> portal_e2e::TestResult<Vec<String>> {
    let loaded = app
        .execute(&format!("{axe}\n;return typeof axe;"), vec![])
        .await?;
    if loaded != "object" {
        return Err(format!("axe-core did not load on {screen}: {loaded}"));
    }
    let report = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(result => done(result.violations.map(v =>
                 v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
               .catch(error => done(['axe failed: ' + error]));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let violations: Vec<String> = serde_json::from_value(report).map_err(|e| e.to_string())?;
    Ok(violations
        .into_iter()
        .map(|violation| format!("{screen}: {violation}"))
        .collect())
}

/// Waits until the page shows `count` of `css` (the screen or state is there), then audits it
/// as `screen`.
async fn audit_when(
    app: &App,
    axe: &str,
    css: &str,
    count: usize,
    screen: &str,
) -> portal_e2e::TestResult<Vec<String>> {
    app.wait_for_count(css, count).await?;
    audit(app, axe, screen).await
}

/// Walks every screen and state a customer meets, in the device language `lang`, auditing each:
/// invitation (and a wrong postcode), home, a bill, usage (and its table), pay, a payment
/// waiting for the browser, receipt, history, settings, connection, home offline, welcome,
/// sign-in.
async fn audit_every_screen(lang: &str, dark: bool, name: &str) -> portal_e2e::TestResult {
    let axe = axe_source();
    let server = portal_server::spawn("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let browser_log = work.path().join("fake-browser.log");
    let mut app = App::launch(Launch {
        name,
        backend: &server.base_url(),
        args: vec![link],
        env: vec![
            ("LANG".into(), lang.into()),
            ("BROWSER".into(), FAKE_BROWSER.into()),
            // The first checkout is left open (the customer has not paid yet); the second pays.
            ("FAKE_BROWSER_MODE".into(), "close,pay-and-return".into()),
            ("FAKE_BROWSER_LOG".into(), browser_log.display().to_string()),
            // GTK's dark variant: WebKit answers `prefers-color-scheme: dark` with it.
            (
                "GTK_THEME".into(),
                if dark { "Adwaita:dark" } else { "Adwaita" }.into(),
            ),
        ],
        home: None,
    })
    .await?;
    let mut found = Vec::new();
    let outcome = async {
        app.wait_for_count("#invited-name", 1).await?;
        let scheme = app
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches",
                vec![],
            )
            .await?;
        if scheme.as_bool() != Some(dark) {
            return Err(format!(
                "the page's colour scheme is not the one asked (dark: {dark})"
            ));
        }
        // First, proof that the audit reports what it should: an image without a text.
        let probe_image =
            r#"document.body.insertAdjacentHTML('beforeend', '<img id="axe-probe" src="data:,">')"#;
        app.execute(probe_image, vec![]).await?;
        let probe = audit(&app, &axe, "probe").await?;
        if !probe
            .iter()
            .any(|violation| violation.contains("image-alt"))
        {
            return Err(format!(
                "axe did not report an image without alt text: {probe:?}"
            ));
        }
        app.execute("document.getElementById('axe-probe').remove()", vec![])
            .await?;
        found.extend(audit(&app, &axe, "invitation").await?);
        app.screenshot("invitation").await?;
        app.type_into("#postcode", "00000").await?;
        app.click("#accept").await?;
        found.extend(
            audit_when(&app, &axe, "#accept-error", 1, "invitation, wrong postcode").await?,
        );
        app.replace_text("#postcode", "62701").await?;
        app.click("#accept").await?;
        found.extend(audit_when(&app, &axe, "li.bill", 3, "home").await?);
        app.screenshot("home").await?;
        app.click("li.bill a.period").await?;
        found.extend(audit_when(&app, &axe, "#bill-lines tr.bill-line", 4, "bill detail").await?);
        app.click("header nav a[href='/usage']").await?;
        found.extend(audit_when(&app, &axe, "#usage-chart rect.bar", 24, "usage").await?);
        app.click("#usage-table summary").await?;
        found.extend(audit_when(&app, &axe, "#usage-table[open]", 1, "usage as a table").await?);
        app.click("header nav a[href='/']").await?;
        app.wait_for_count("li.bill", 3).await?;
        app.click("#go-pay").await?;
        found.extend(audit_when(&app, &axe, "input[type=checkbox]", 3, "pay").await?);
        app.click("#pay-now").await?;
        found.extend(audit_when(&app, &axe, "#open-checkout", 1, "payment, checkout open").await?);
        app.click("#open-checkout").await?;
        found.extend(audit_when(&app, &axe, "#receipt", 1, "payment received, receipt").await?);
        app.click("header nav a[href='/history']").await?;
        found.extend(audit_when(&app, &axe, "ul.receipts li", 1, "history").await?);
        app.click("header nav a[href='/settings']").await?;
        found.extend(audit_when(&app, &axe, "#language", 1, "settings").await?);
        app.click("#go-autopay").await?;
        found.extend(audit_when(&app, &axe, "#autopay-form", 1, "automatic payments").await?);
        app.click("header nav a[href='/settings']").await?;
        // Settings is laid out once what sits above the link has loaded (the app's facts, then
        // the notification choices): a click before that can land where the link was.
        app.wait_for_count("#notifications table", 1).await?;
        app.click("a[href='/status']").await?;
        found.extend(audit_when(&app, &axe, "#status.ok", 1, "connection").await?);
        // Jane holds Omar's account too: Home shows both together, then one through the switcher.
        set_holder(&server, OMAR_ACCOUNT, "jane.doe@example.com", true).await?;
        app.click("header nav a[href='/']").await?;
        app.click("#refresh").await?;
        found.extend(audit_when(&app, &axe, "li.account", 2, "home, several accounts").await?);
        app.element("#account-switcher")
            .await?
            .select_by_value(OMAR_ACCOUNT)
            .await
            .map_err(|e| e.to_string())?;
        found.extend(audit_when(&app, &axe, "#customer-title", 1, "home, one of several").await?);
        Ok::<_, String>(())
    }
    .await;
    let outcome = match outcome {
        Ok(()) => {
            // Offline: the server is gone; the cached home says so.
            server.stop().await.map_err(|e| e.to_string())?;
            async {
                app.click("header nav a[href='/']").await?;
                app.click("#refresh").await?;
                found.extend(audit_when(&app, &axe, "#offline", 1, "home, offline").await?);
                app.click("header nav a[href='/settings']").await?;
                app.click("#sign-out").await?;
                found.extend(audit_when(&app, &axe, "#welcome", 1, "welcome").await?);
                app.click("#go-signin").await?;
                found.extend(audit_when(&app, &axe, "#signin", 1, "sign-in").await?);
                if found.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "WCAG 2.1 A/AA violations ({lang}, dark: {dark}):\n{}",
                        found.join("\n")
                    ))
                }
            }
            .await
        }
        Err(error) => {
            let _ = server.stop().await;
            Err(error)
        }
    };
    app.check(outcome).await
}

#[test]
fn every_screen_passes_an_axe_audit_in_english() {
    run(audit_every_screen("en_US.UTF-8", false, "axe-en"));
}

#[test]
fn every_screen_passes_an_axe_audit_in_spanish() {
    run(audit_every_screen("es_US.UTF-8", false, "axe-es"));
}

#[test]
fn every_screen_passes_an_axe_audit_in_the_dark_theme() {
    run(audit_every_screen("en_US.UTF-8", true, "axe-dark"));
}

/// Whether the page is wider than the window (something would scroll sideways).
async fn overflows(app: &App) -> portal_e2e::TestResult<bool> {
    let answer = app
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await?;
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
                let state = app.execute(
                        "return [document.title, document.activeElement.tagName + ' ' + document.activeElement.textContent, \
                         document.querySelector('nav a[aria-current=page]') && document.querySelector('nav a[aria-current=page]').textContent];",
                        vec![],
                    ).await?;
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
