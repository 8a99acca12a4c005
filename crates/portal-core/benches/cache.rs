//! The cache's speed: what the home screen waits for before it can draw.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Benchmark code: a failed unwrap is a failed run.
//!
//! `cargo bench -p portal-core --bench cache` (numbers in docs/NUMBERS.md).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use portal_api::ipc::UsageScale;
use portal_api::v1::{Bill, BillStatus, Customer, HourReading, MeterReadings, Money, Period};
use portal_core::cache::Cache;
use portal_core::usage::Calendar;
use std::hint::black_box;

const BILLS: usize = 10_000;

fn bills(count: usize) -> Vec<Bill> {
    (0..count)
        .map(|index| Bill {
            id: format!("bill_{index:05}"),
            period: Period {
                start: format!("20{:02}-{:02}-01", 10 + index / 12 % 80, index % 12 + 1),
                end: format!("20{:02}-{:02}-28", 10 + index / 12 % 80, index % 12 + 1),
            },
            issue_date: "2026-11-03".into(),
            due_date: "2026-11-24".into(),
            amount: Money {
                amount_minor: 1_000 + i64::try_from(index).unwrap_or(0),
                currency: "USD".into(),
            },
            // One bill in a hundred is unpaid, as on a long-lived account.
            status: if index % 100 == 0 {
                BillStatus::Outstanding
            } else {
                BillStatus::Paid
            },
        })
        .collect()
}

fn customer() -> Customer {
    Customer {
        name: "Jane Doe".into(),
        account_number: "100-200-300".into(),
        service_address: "12 Orchard Lane, Springfield, IL 62701".into(),
        email: "jane.doe@example.com".into(),
    }
}

fn cache_benchmarks(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.sqlite3");
    let all = bills(BILLS);

    c.bench_function("upsert 10,000 bills (one atomic replace)", |b| {
        let mut cache = Cache::open(&path).expect("cache");
        b.iter(|| {
            cache
                .store_bills("100-200-300", black_box(&all))
                .expect("stored")
        });
    });

    let mut cache = Cache::open(&path).expect("cache");
    cache.claim(&[customer()]).expect("claimed");
    cache.store_accounts(&[customer()]).expect("accounts");
    cache.store_bills("100-200-300", &all).expect("bills");
    c.bench_function("read outstanding bills from a cache of 10,000", |b| {
        b.iter(|| black_box(cache.unpaid_bills("100-200-300").expect("read")));
    });
    drop(cache);

    c.bench_function(
        "open the cache and read the home screen (accounts + outstanding bills)",
        |b| {
            b.iter_batched(
                || (),
                |()| {
                    let cache = Cache::open(&path).expect("cache");
                    black_box((
                        cache.accounts().expect("accounts"),
                        cache.unpaid_bills("100-200-300").expect("bills"),
                    ))
                },
                BatchSize::SmallInput,
            );
        },
    );
}

/// Two years of one meter's hourly readings, from 2024-11-01T00:00Z.
fn two_years() -> Vec<MeterReadings> {
    let readings = (0..17_520_i64)
        .map(|hour| HourReading {
            start: 1_730_419_200 + hour * 3600,
            wh: Some(300 + hour % 24 * 40),
            quality: "actual".into(),
        })
        .collect();
    vec![MeterReadings {
        meter_id: "MTR-100200300".into(),
        readings,
    }]
}

/// The usage screen's work: two years of readings kept, read back, and the months chart (24
/// months of hours summed in the device's calendar) prepared from the cache.
fn usage_benchmarks(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.sqlite3");
    let meters = two_years();
    let account = ["100-200-300".to_owned()];
    let mut cache = Cache::open(&path).expect("cache");
    c.bench_function("store 17,520 hourly readings (one atomic replace)", |b| {
        b.iter(|| {
            cache
                .store_readings("100-200-300", black_box(&meters))
                .expect("stored")
        });
    });
    c.bench_function("read 17,520 hourly readings", |b| {
        b.iter(|| black_box(cache.hours(&account, 0, i64::MAX).expect("read")));
    });
    let calendar = Calendar::named("America/Chicago");
    c.bench_function(
        "prepare the months chart from the cache (24 months of hours)",
        |b| {
            b.iter(|| {
                let range = cache
                    .hours_range(&account)
                    .expect("range")
                    .expect("readings");
                let (from, to) = calendar
                    .span(UsageScale::Months, None, range.1)
                    .expect("span");
                let hours = cache.hours(&account, from, to).expect("hours");
                black_box(calendar.chart(&hours, UsageScale::Months, None, range))
            });
        },
    );
}

criterion_group!(benches, cache_benchmarks, usage_benchmarks);
criterion_main!(benches);
