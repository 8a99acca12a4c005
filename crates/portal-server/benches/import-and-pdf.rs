//! `cargo bench -p portal-server --bench import-and-pdf`: what a billing system and a customer
//! wait for. Imports two years of one meter's hourly readings (17,520 CSV lines) over real HTTP
//! on loopback, then the same file again (nothing changes); renders the demo's October bill as
//! PDF 200 times. Prints each time (the import's goal: under a second).
#![allow(clippy::unwrap_used, clippy::expect_used)] // A failed unwrap is a failed benchmark.

use std::time::{Duration, Instant};

/// 17,520 hours of meter `m_bench` ending at the last full hour before now.
fn two_years() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let first = (now / 3600 - 17_520) * 3600;
    let time = |unix: i64| {
        time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let mut csv = String::from("meter,start,end,kwh,quality\n");
    for hour in 0..17_520_i64 {
        let start = first + hour * 3600;
        let wh = 300 + (hour % 24 - 12).abs() * 25;
        csv.push_str(&format!(
            "m_bench,{},{},{}.{:03},actual\n",
            time(start),
            time(start + 3600),
            wh / 1000,
            wh % 1000
        ));
    }
    csv
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.sqlite3");
    let mut options = portal_server::ServerOptions::new(db.clone());
    options.seed_demo = true;
    options.admin_key = Some("adm_bench".into());
    let server = portal_server::spawn_with("127.0.0.1:0", options)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let meters =
        serde_json::json!({ "meters": [{ "id": "m_bench", "account_number": "100-200-300" }] });
    let created = http
        .post(format!("{}/v1/admin/import", server.base_url()))
        .bearer_auth("adm_bench")
        .json(&meters)
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success());
    let csv = two_years();
    println!(
        "POST /v1/admin/import/readings, 17,520 hourly readings ({} KB of CSV), loopback:",
        csv.len() / 1024
    );
    for label in ["new", "again (unchanged)"] {
        let started = Instant::now();
        let response = http
            .post(format!("{}/v1/admin/import/readings", server.base_url()))
            .bearer_auth("adm_bench")
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert!(response.status().is_success(), "{label}");
        println!("  {label:<18} {:>7.1} ms", took.as_secs_f64() * 1000.0);
    }
    server.stop().await.unwrap();

    let store = portal_server::store::Store::open(&db).unwrap();
    let record = store.customer_by_account("100-200-300").unwrap().unwrap();
    let detail = store
        .bill_detail(record.id, "bill_100200300_2026_10")
        .unwrap()
        .unwrap();
    let months = store
        .monthly_usage(record.id, 1_759_276_800, 1_793_491_200)
        .unwrap();
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let pdf = portal_server::pdf::bill(&detail, &record.customer, &months, record.language);
            let took = started.elapsed();
            assert!(pdf.starts_with(b"%PDF-"));
            took
        })
        .collect();
    times.sort();
    let size = portal_server::pdf::bill(&detail, &record.customer, &months, record.language).len();
    println!(
        "bill PDF ({} months of usage, {size} bytes), 200 renders: median {:.3} ms, slowest {:.3} ms",
        months.len(),
        times[100].as_secs_f64() * 1000.0,
        times[199].as_secs_f64() * 1000.0
    );
}
