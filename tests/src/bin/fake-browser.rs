//! A stand-in for the system browser in end-to-end tests, installed as `$BROWSER` for the app
//! under test (xdg-open hands it the URL). It behaves like a person at the hosted checkout:
//!
//! - `FAKE_BROWSER_MODE=pay-and-return` (default): pays with `FAKE_BROWSER_CARD`, follows the
//!   redirect to the backend's return page, and opens the app link found there with `gio open`,
//!   as a browser hands a link to the desktop;
//! - `pay-and-close`: pays, then the browser is closed before the redirect;
//! - `close`: closes the browser without paying;
//! - `decline-and-return`: pays with a declined card, then follows "Cancel and return";
//! - `save-declining-card`: saves 4000 0000 0000 0341 (every later charge of it is declined) on
//!   a card-saving page, and returns like `pay-and-return`;
//! - `broken`: no browser can be started (exits with a failure at once);
//! - `broken-slowly`: as `broken`, after two seconds (a busy machine's launcher, or one trying
//!   several browsers in turn, answers after the app has shown the checkout as open).
//!
//! Several modes separated by commas apply to successive openings (the first opening uses the
//! first mode, …), so a test can decline first and pay on the retry; `xdg-open`'s further
//! tries to open a page this stand-in failed to show are part of that opening. Every step is
//! appended to `FAKE_BROWSER_LOG`, which also counts the openings.

use portal_server::simulator::{HostedOutcome, fill_hosted_checkout};
use std::io::Write;
use std::process::ExitCode;

fn log(line: &str) {
    if let Some(path) = std::env::var_os("FAKE_BROWSER_LOG")
        && let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    {
        let _ = writeln!(file, "{line}");
    }
}

fn app_link_in(page: &str) -> Option<String> {
    let start = page.find("com.enerpro.portal://")?;
    let link: String = page[start..]
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | '<' | ' '))
        .collect();
    Some(link)
}

fn cancel_link_in(page: &str) -> Option<String> {
    let marker = "id=\"cancel\" href=\"";
    let start = page.find(marker)? + marker.len();
    Some(
        page[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
            .replace("&amp;", "&"),
    )
}

async fn open_app(page_url: &str) -> Result<(), String> {
    let page = reqwest::get(page_url)
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let link = app_link_in(&page).ok_or("no app link on the return page")?;
    // As a browser does: hand the link to the desktop, which starts the registered handler
    // (the app registers itself in development builds), which hands it to the running app.
    log(&format!("opening {link} with gio"));
    let status = std::process::Command::new("gio")
        .args(["open", &link])
        .status()
        .map_err(|e| e.to_string())?;
    log(&format!("gio open exited with {status}"));
    if status.success() {
        Ok(())
    } else {
        Err(format!("the desktop could not open {link}"))
    }
}

/// One opening of a page, as logged.
struct Opening {
    page: String,
    mode: String,
    /// The `xdg-open` process that started this stand-in (0: none found).
    launcher: u32,
}

/// The openings logged so far.
fn previous_openings() -> Vec<Opening> {
    std::env::var_os("FAKE_BROWSER_LOG")
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("opened "))
        .filter_map(|rest| {
            let (page, rest) = rest.split_once(" (mode ")?;
            let (mode, launcher) = rest.trim_end_matches(')').split_once(", launcher ")?;
            Some(Opening {
                page: page.to_owned(),
                mode: mode.to_owned(),
                launcher: launcher.parse().ok()?,
            })
        })
        .collect()
}

/// The nearest `xdg-open` among this process's ancestors (0 if none): when a browser cannot be
/// started, `xdg-open` tries the next way to open the page (`sensible-browser`, which starts
/// `$BROWSER` again), so the openings under one `xdg-open` are one attempt.
fn launcher() -> u32 {
    let mut pid = std::process::id();
    while let Some(parent) = portal_e2e::parent_of(pid).filter(|parent| *parent > 1) {
        let name = std::fs::read_to_string(format!("/proc/{parent}/comm")).unwrap_or_default();
        if name.trim() == "xdg-open" {
            return parent;
        }
        pid = parent;
    }
    0
}

/// Whether an opening of `page` by `launcher` is that launcher's next try after `last`, its
/// opening of the same page that failed.
fn continues(last: &Opening, page: &str, launcher: u32) -> bool {
    launcher != 0
        && last.launcher == launcher
        && last.page == page
        && last.mode.starts_with("broken")
}

/// The mode of this opening of `url` by `launcher`: the next of `modes`, or the mode of the
/// attempt it continues.
fn mode_for(url: &str, launcher: u32, modes: &[&str], previous: &[Opening]) -> String {
    if let Some(last) = previous.last()
        && continues(last, url, launcher)
    {
        return last.mode.clone();
    }
    let attempts = usize::from(!previous.is_empty())
        + previous
            .windows(2)
            .filter(|pair| !continues(&pair[0], &pair[1].page, pair[1].launcher))
            .count();
    modes
        .get(attempts)
        .or(modes.last())
        .copied()
        .unwrap_or("pay-and-return")
        .to_owned()
}

async fn browse(url: &str) -> Result<(), String> {
    let modes = std::env::var("FAKE_BROWSER_MODE").unwrap_or_else(|_| "pay-and-return".into());
    let modes: Vec<&str> = modes.split(',').map(str::trim).collect();
    let launcher = launcher();
    let mode = mode_for(url, launcher, &modes, &previous_openings());
    let card = std::env::var("FAKE_BROWSER_CARD").unwrap_or_else(|_| "4242 4242 4242 4242".into());
    log(&format!("opened {url} (mode {mode}, launcher {launcher})"));
    match mode.as_str() {
        "close" => Ok(()),
        "broken" => Err("this stand-in plays a missing browser".into()),
        "broken-slowly" => {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            Err("this stand-in plays a missing browser, found missing late".into())
        }
        "pay-and-close" => fill_hosted_checkout(url, &card)
            .await
            .map(|outcome| log(&format!("{outcome:?}"))),
        "decline-and-return" => match fill_hosted_checkout(url, "4000 0000 0000 0002").await? {
            HostedOutcome::Refused(_, page) => {
                let cancel = cancel_link_in(&page).ok_or("no cancel link on the page")?;
                open_app(&cancel).await
            }
            other => Err(format!("expected a decline, got {other:?}")),
        },
        other => {
            let card = if other == "save-declining-card" {
                "4000 0000 0000 0341"
            } else {
                &card
            };
            pay_and_return(url, card).await
        }
    }
}

/// Fills the hosted page with `card` and hands the return page's app link to the desktop.
async fn pay_and_return(url: &str, card: &str) -> Result<(), String> {
    match fill_hosted_checkout(url, card).await? {
        HostedOutcome::Redirected(to) => open_app(&to).await,
        other => Err(format!("payment did not go through: {other:?}")),
    }
}

fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        log("no URL given");
        return ExitCode::FAILURE;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(browse(&url)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log(&format!("failed: {error}"));
            ExitCode::FAILURE
        }
    }
}
