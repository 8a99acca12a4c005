//! `cargo bench -p portal-server --bench signin-timing`: how long `POST /v1/auth/signin` takes
//! to answer for an email with an account and for one without, over real HTTP on loopback.
//! Prints the median and the 90th percentile of each; they should be the same within noise
//! (the answer does not wait for the lookup or the mail), so an attacker timing the answers
//! cannot tell which emails have an account.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A failed unwrap is a failed benchmark.

use portal_server::limits::WINDOW;
use std::time::{Duration, Instant};

const ROUNDS: usize = 300;

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let mut options = portal_server::ServerOptions::new(dir.path().join("bench.sqlite3"));
    options.seed_demo = true;
    options.admin_key = Some("adm_bench".into());
    // Loopback is the "proxy", so each request can come from its own forwarded address.
    options.trusted_proxy = Some(std::net::Ipv4Addr::LOCALHOST.into());
    let server = portal_server::spawn_with("127.0.0.1:0", options)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/v1/auth/signin", server.base_url());
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let mut known = Vec::with_capacity(ROUNDS);
    let mut unknown = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        if round % 3 == 0 {
            // Three requests per email per window: move past the window.
            server.advance_clock(WINDOW + 1);
        }
        for (email, times) in [
            ("jane.doe@example.com".to_owned(), &mut known),
            (format!("nobody{round}@example.com"), &mut unknown),
        ] {
            let started = Instant::now();
            let response = http
                .post(&url)
                .header(
                    "x-forwarded-for",
                    format!("10.0.{}.{}", round / 250, round % 250),
                )
                .json(&serde_json::json!({
                    "email": email,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202, "{email}");
            times.push(started.elapsed());
        }
    }
    println!("POST /v1/auth/signin, {ROUNDS} requests each, loopback:");
    for (label, times) in [("email with an account", known), ("unknown email", unknown)] {
        let (median, p90) = percentiles(times);
        println!(
            "  {label:<22} median {:>7.1} µs   p90 {:>7.1} µs",
            micros(median),
            micros(p90)
        );
    }
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    (times[times.len() / 2], times[times.len() * 9 / 10])
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
