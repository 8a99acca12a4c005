//! A bill explained and usage charted, in the real window: a bill's lines sum to the amount Home
//! shows; its PDF, saved through the system's save dialog (answered with the keyboard, as a
//! person would), holds the account and the total; the usage screen shows 24 monthly bars and
//! the hours of a chosen day, with the day's missing hours marked, and exports every hour as
//! CSV; and with the backend gone, the usage is still there, from the cache.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_e2e::{App, Launch, TestResult, invitation_link, run};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The sum of the minor units of every element `css` (its `data-minor`).
async fn minor_units(app: &App, css: &str) -> TestResult<i64> {
    let sum = app
        .execute(
            "return [...document.querySelectorAll(arguments[0])].reduce((sum, cell) => sum + Number(cell.dataset.minor), 0)",
            vec![css.into()],
        )
        .await?;
    sum.as_i64()
        .ok_or_else(|| format!("no minor units in {css}: {sum}"))
}

/// Answers the save dialog titled `title` with `path`, as a person does: focus on the dialog,
/// the file name typed over the suggestion, Enter.
fn answer_save_dialog(title: &str, path: &Path) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let found = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", title])
            .output()
            .map_err(|e| format!("xdotool (apt xdotool) runs: {e}"))?;
        let ids = String::from_utf8_lossy(&found.stdout);
        if let Some(id) = ids.lines().next() {
            break id.to_owned();
        }
        if Instant::now() > deadline {
            return Err(format!("no save dialog titled {title:?} appeared"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let xdotool = |args: &[&str]| {
        Command::new("xdotool")
            .args(args)
            .status()
            .map_err(|e| e.to_string())
            .and_then(|status| {
                status
                    .success()
                    .then_some(())
                    .ok_or_else(|| format!("xdotool {args:?} failed"))
            })
    };
    xdotool(&["windowfocus", "--sync", &window])?;
    xdotool(&["key", "--window", &window, "ctrl+a"])?;
    xdotool(&[
        "type",
        "--window",
        &window,
        "--delay",
        "5",
        &path.display().to_string(),
    ])?;
    xdotool(&["key", "--window", &window, "Return"])
}

/// The text of a PDF, as `pdftotext` (poppler-utils) reads it.
fn pdf_text(path: &Path) -> TestResult<String> {
    let output = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| format!("pdftotext runs: {e}"))?;
    if !output.status.success() {
        return Err(format!("pdftotext could not read {path:?}"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn a_bill_explained_its_pdf_saved_and_usage_charted_offline_too() {
    run(async {
        let server = portal_server::spawn("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let link = invitation_link(&server, "100-200-300", "jane.doe@example.com").await?;
        let work = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut app = App::launch(Launch {
            name: "bills",
            backend: &server.base_url(),
            args: vec![link],
            // The device's calendar is UTC, the demo usage's: its months are the bills'.
            env: vec![("TZ".into(), "UTC".into())],
            home: None,
        })
        .await?;
        let outcome = async {
            app.wait_for_count("#invited-name", 1).await?;
            // The first picture of a session can show an earlier frame: this one is not kept.
            app.screenshot("invitation").await?;
            app.accept_invitation("Jane Doe", "62701").await?;
            let october = "li.bill[data-bill='bill_100200300_2026_10']";
            let shown = app
                .wait_for_text(&format!("{october} .amount"), |text| !text.is_empty())
                .await?;
            app.click(&format!("{october} a.period")).await?;

            // The bill's lines sum to what Home showed.
            app.wait_for_count("#bill-lines tr.bill-line", 4).await?;
            let total = app
                .wait_for_text("#bill-total", |text| !text.is_empty())
                .await?;
            if total != shown {
                return Err(format!("the bill says {total}, Home said {shown}"));
            }
            let lines = minor_units(&app, "#bill-lines tbody .amount").await?;
            let amount = minor_units(&app, "#bill-total").await?;
            if lines != amount || amount != 10_150 {
                return Err(format!("the lines sum to {lines}, the bill is {amount}"));
            }
            app.wait_for_text("#bill-reads", |text| text.contains("MTR-100200300"))
                .await?;
            app.wait_for_text("#bill-kwh", |text| text.contains("kWh"))
                .await?;
            app.screenshot("bill-detail").await?;

            // Download PDF: the save dialog, answered with a path of the customer's choice.
            let saved = work.path().join("my-october-bill.pdf");
            app.click("#download-pdf").await?;
            answer_save_dialog("Save your bill", &saved)?;
            app.wait_for_text("#pdf-saved", |text| text.contains("my-october-bill.pdf"))
                .await?;
            let text = pdf_text(&saved)?;
            for expected in ["100-200-300", "USD 101.50", "Jane Doe"] {
                if !text.contains(expected) {
                    return Err(format!("the saved PDF lacks {expected:?}:\n{text}"));
                }
            }

            // Usage: 12 months beside the 12 before.
            app.click("header nav a[href='/usage']").await?;
            app.wait_for_count("#usage-chart rect.bar", 24).await?;
            app.wait_for_count("#usage-chart rect.bar.this-year", 12)
                .await?;
            app.wait_for_text("#usage-total", |text| text.contains("kWh"))
                .await?;
            app.screenshot("usage-months").await?;

            // Export CSV: every hour of the two years, in the import's format.
            let exported = work.path().join("usage.csv");
            app.click("#export-csv").await?;
            answer_save_dialog("Save your usage", &exported)?;
            app.wait_for_text("#csv-saved", |text| text.contains("usage.csv"))
                .await?;
            let csv = std::fs::read_to_string(&exported).map_err(|e| e.to_string())?;
            if !csv.starts_with("meter,start,end,kwh,quality\n") || csv.lines().count() != 17_521
            {
                return Err(format!("the exported CSV has {} lines", csv.lines().count()));
            }

            // A chosen day, hour by hour: the 11th's three hours without a reading marked.
            app.click("#scale-day").await?;
            app.wait_for_count("#usage-heading", 1).await?;
            app.execute(
                "const day = document.getElementById('usage-day');
                 day.value = '2026-09-11';
                 day.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![],
            )
            .await?;
            app.wait_for_text("#usage-heading", |text| text.contains("September 11, 2026"))
                .await?;
            app.wait_for_count("#usage-chart rect.bar", 24).await?;
            app.wait_for_count("#usage-chart rect.bar.missing", 3)
                .await?;
            app.screenshot("usage-day").await?;

            // At a phone's width: the chart fits, nothing scrolls sideways.
            app.client
                .set_window_size(360, 740)
                .await
                .map_err(|e| e.to_string())?;
            app.click("#scale-months").await?;
            app.wait_for_count("#usage-chart rect.bar", 24).await?;
            app.screenshot("usage-months-360px").await?;
            let wide = app
                .execute(
                    "return document.documentElement.scrollWidth > document.documentElement.clientWidth",
                    vec![],
                )
                .await?;
            if wide.as_bool() != Some(false) {
                return Err("the usage screen scrolls sideways at 360 px".into());
            }
            app.client
                .back()
                .await
                .map_err(|e| e.to_string())?;
            app.wait_for_count("#bill-lines tr.bill-line", 4).await?;
            app.screenshot("bill-detail-360px").await?;
            app.client
                .forward()
                .await
                .map_err(|e| e.to_string())?;

            // The backend gone: the usage is still there, marked offline.
            server.stop().await.map_err(|e| e.to_string())?;
            app.click("header nav a[href='/']").await?;
            app.wait_for_count("li.bill", 3).await?;
            app.click("header nav a[href='/usage']").await?;
            app.wait_for_count("#usage-problem", 1).await?;
            app.wait_for_count("#usage-chart rect.bar", 24).await?;
            app.screenshot("usage-offline").await?;
            Ok(())
        }
        .await;
        app.check(outcome).await
    });
}
