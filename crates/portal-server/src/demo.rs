//! Deterministic demo data for the sandbox: the same customers, bills and amounts every time,
//! in USD. Seeding twice changes nothing.

use crate::error::ServerError;
use crate::store::{Reading, Store};
use portal_api::Language;
use portal_api::v1::{BillLine, Customer, ImportedBill, ImportedMeter, MeterRead, Money, Period};
use std::collections::HashMap;

/// One demo customer: (account, name, email, address, postcode, language,
/// [(year, month, cents, paid)]).
type DemoCustomer = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Language,
    &'static [(i32, u8, i64, bool)],
);

/// The demo customers. Jane has three bills due (the README's walkthrough pays them); María
/// reads Spanish (her invitation, mails and checkout are in Spanish).
pub const CUSTOMERS: &[DemoCustomer] = &[
    (
        "100-200-300",
        "Jane Doe",
        "jane.doe@example.com",
        "12 Orchard Lane, Springfield, IL 62701",
        "62701",
        Language::English,
        &[
            (2026, 6, 7_865, true),
            (2026, 7, 9_120, true),
            (2026, 8, 8_412, false),
            (2026, 9, 9_275, false),
            (2026, 10, 10_150, false),
        ],
    ),
    (
        "100-200-301",
        "Omar Haddad",
        "omar.haddad@example.com",
        "48 River Road, Portland, OR 97201",
        "97201",
        Language::English,
        &[
            (2026, 7, 6_230, true),
            (2026, 8, 5_980, true),
            (2026, 9, 6_045, true),
            (2026, 10, 7_310, false),
        ],
    ),
    (
        "100-200-302",
        "Mei Chen",
        "mei.chen@example.com",
        "7 Hilltop Court, Austin, TX 78701",
        "78701",
        Language::English,
        &[
            (2026, 8, 11_480, true),
            (2026, 9, 12_905, true),
            (2026, 10, 13_220, true),
        ],
    ),
    (
        "100-200-303",
        "María García",
        "maria.garcia@example.com",
        "2301 S Pulaski Rd, Chicago, IL 60623",
        "60623",
        Language::Spanish,
        &[
            (2026, 8, 7_455, true),
            (2026, 9, 8_190, false),
            (2026, 10, 9_635, false),
        ],
    ),
];

fn last_day(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Inserts the demo customers and their bills, through the import path (so every bill has
/// lines that sum to it), idempotent. Returns how many customers there are.
pub fn seed(store: &mut Store) -> Result<usize, ServerError> {
    for (account, name, email, address, postcode, language, bills) in CUSTOMERS {
        let customer = Customer {
            name: (*name).to_owned(),
            account_number: (*account).to_owned(),
            service_address: (*address).to_owned(),
            email: (*email).to_owned(),
        };
        let id = store.upsert_customer(&customer, postcode, *language)?;
        let mut imported: Vec<ImportedBill> = bills
            .iter()
            .map(|(year, month, cents, _)| demo_bill(account, *year, *month, *cents))
            .collect();
        let meter = ImportedMeter {
            id: meter_id(account),
            account_number: (*account).to_owned(),
        };
        let usage = DemoUsage::new(account, &imported);
        for bill in &mut imported {
            bill.reads = usage.reads(&meter.id, bill);
        }
        let with_customer: Vec<(i64, &ImportedBill)> =
            imported.iter().map(|bill| (id, bill)).collect();
        if let Err(conflict) = store.import(&with_customer, &[(id, &meter)], None)? {
            return Err(ServerError::bad_request(
                portal_api::ErrorCode::ImportRejected,
                format!("the demo bills conflict with stored ones: {conflict:?}"),
            ));
        }
        for (bill, (_, _, _, paid)) in imported.iter().zip(bills.iter()) {
            if *paid {
                store.mark_bill_paid_historically(&bill.id)?;
            }
        }
        if !store.meter_has_readings(&meter.id)?
            && store.import_readings(&usage.readings(&meter.id))?.is_err()
        {
            return Err(ServerError::bad_request(
                portal_api::ErrorCode::ImportRejected,
                "the demo readings conflict with stored ones",
            ));
        }
    }
    Ok(CUSTOMERS.len())
}

/// The demo meter of an account.
pub fn meter_id(account: &str) -> String {
    format!("MTR-{}", account.replace('-', ""))
}

/// The first hour of demo usage: 2024-11-01T00:00:00Z.
pub const USAGE_START: i64 = 1_730_419_200;
/// The hours of demo usage: two years, to 2026-11-01T00:00:00Z.
pub const USAGE_HOURS: i64 = 17_520;

/// Two years of an account's hourly usage, deterministic: a daily shape (low at night, a
/// morning bump, an evening peak), a seasonal one (summer cooling, winter heating) and a little
/// noise; the hours 02:00–04:59 of the 11th missing in January, May and September, and the
/// 20th estimated in March, June, September and December. A billed month's hours are scaled so
/// they sum exactly to the bill's kWh; the register advances by each month's whole kWh.
struct DemoUsage {
    /// Watt-hours (none when missing) and quality of each hour from [`USAGE_START`].
    hours: Vec<(Option<i64>, &'static str)>,
    /// The register (whole kWh) at the start of each month, by (year, month), and at the end.
    registers: HashMap<(i32, u8), i64>,
}

impl DemoUsage {
    fn new(account: &str, bills: &[ImportedBill]) -> Self {
        let seed = account
            .bytes()
            .fold(0x9E37_79B9_u64, |hash, byte| mix(hash ^ u64::from(byte)));
        // kWh a billed month must sum to: its Energy line.
        let billed: HashMap<(i32, u8), i64> = bills
            .iter()
            .filter_map(|bill| {
                let kwh = bill
                    .lines
                    .iter()
                    .find(|line| line.unit.as_deref() == Some("kWh"))?;
                let kwh: i64 = kwh.quantity.as_deref()?.parse().ok()?;
                Some((year_month(&bill.period.start)?, kwh))
            })
            .collect();
        let mut hours = Vec::with_capacity(USAGE_HOURS as usize);
        let mut months: Vec<((i32, u8), std::ops::Range<usize>)> = Vec::new();
        for index in 0..USAGE_HOURS {
            let Ok(at) = time::OffsetDateTime::from_unix_timestamp(USAGE_START + index * 3600)
            else {
                break;
            };
            let month = (at.year(), u8::from(at.month()));
            match months.last_mut() {
                Some((last, range)) if *last == month => range.end += 1,
                _ => months.push((month, hours.len()..hours.len() + 1)),
            }
            let (day, hour) = (at.day(), at.hour());
            let quality = match (month.1, day, hour) {
                (1 | 5 | 9, 11, 2..=4) => "missing",
                (3 | 6 | 9 | 12, 20, _) => "estimated",
                _ => "actual",
            };
            let season = 1.0
                + 0.35 * (std::f64::consts::TAU * (f64::from(at.ordinal()) - 200.0) / 365.0).cos()
                + 0.2 * (std::f64::consts::TAU * (f64::from(at.ordinal()) - 15.0) / 365.0).cos();
            let daily = [
                0.55, 0.5, 0.45, 0.45, 0.45, 0.55, 0.8, 1.2, 1.15, 0.9, 0.8, 0.8, 0.85, 0.85, 0.85,
                0.9, 1.1, 1.45, 1.8, 1.85, 1.7, 1.4, 1.0, 0.7,
            ][usize::from(hour)];
            let noise = 0.85 + 0.3 * (mix(seed ^ index as u64) % 1000) as f64 / 1000.0;
            let wh = (520.0 * season * daily * noise).round() as i64;
            hours.push(((quality != "missing").then_some(wh), quality));
        }
        let mut registers = HashMap::new();
        let mut register = 10_000 + (seed % 30_000) as i64;
        for (month, range) in months {
            registers.insert(month, register);
            let sum: i64 = hours[range.clone()].iter().filter_map(|(wh, _)| *wh).sum();
            let kwh = match billed.get(&month) {
                Some(kwh) => {
                    scale(&mut hours[range], *kwh * 1000, sum);
                    *kwh
                }
                None => sum / 1000,
            };
            register += kwh;
        }
        registers.insert((2026, 11), register);
        Self { hours, registers }
    }

    /// The readings of `meter`.
    fn readings(&self, meter: &str) -> Vec<Reading> {
        (0_i64..)
            .zip(&self.hours)
            .map(|(index, (wh, quality))| Reading {
                meter_id: meter.to_owned(),
                start: USAGE_START + index * 3600,
                wh: *wh,
                quality,
            })
            .collect()
    }

    /// The reads of a (whole-month) bill's period on `meter`: the registers at its start and at
    /// the next month's start.
    fn reads(&self, meter: &str, bill: &ImportedBill) -> Vec<MeterRead> {
        let Some((year, month)) = year_month(&bill.period.start) else {
            return Vec::new();
        };
        let next = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        match (
            self.registers.get(&(year, month)),
            self.registers.get(&next),
        ) {
            (Some(previous), Some(current)) => vec![MeterRead {
                meter_id: meter.to_owned(),
                previous: *previous,
                current: *current,
                estimated: false,
            }],
            _ => Vec::new(),
        }
    }
}

/// Scales present hours (summing to `sum`) so they sum exactly to `target`.
fn scale(hours: &mut [(Option<i64>, &'static str)], target: i64, sum: i64) {
    if sum <= 0 {
        return;
    }
    let mut total = 0;
    for (wh, _) in hours.iter_mut() {
        if let Some(value) = wh {
            *value = *value * target / sum;
            total += *value;
        }
    }
    // What integer division left over goes to the last hours, one Wh each.
    let mut left = target - total;
    for (wh, _) in hours.iter_mut().rev() {
        if left <= 0 {
            break;
        }
        if let Some(value) = wh {
            *value += 1;
            left -= 1;
        }
    }
}

/// `YYYY-MM` of a `YYYY-MM-DD` date.
fn year_month(date: &str) -> Option<(i32, u8)> {
    Some((date.get(0..4)?.parse().ok()?, date.get(5..7)?.parse().ok()?))
}

/// A step of SplitMix64: deterministic noise.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bill of `cents` for a month, with lines as a utility itemizes them: a daily fixed charge,
/// delivery, sales tax, and the energy, which takes what is left (so they sum exactly); issued
/// on the 3rd of the next month, due on the 24th.
pub fn demo_bill(account: &str, year: i32, month: u8, cents: i64) -> ImportedBill {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let days = last_day(year, month);
    let usd = |amount_minor| Money {
        amount_minor,
        currency: "USD".to_owned(),
    };
    let fixed = i64::from(days) * 30;
    let tax = cents * 6 / 106;
    let delivery = (cents - fixed - tax) / 5;
    let energy = cents - fixed - tax - delivery;
    // At 12.89 cents a kWh, rounded to whole kWh.
    let kwh = (energy * 100 + 644) / 1289;
    let line = |description: &str, quantity: Option<String>, unit: Option<&str>, amount| BillLine {
        description: description.to_owned(),
        quantity,
        unit: unit.map(str::to_owned),
        amount: usd(amount),
    };
    ImportedBill {
        account_number: account.to_owned(),
        id: format!("bill_{}_{year}_{month:02}", account.replace('-', "")),
        period: Period {
            start: format!("{year}-{month:02}-01"),
            end: format!("{year}-{month:02}-{days:02}"),
        },
        issue_date: format!("{next_year}-{next_month:02}-03"),
        due_date: format!("{next_year}-{next_month:02}-24"),
        amount: usd(cents),
        lines: vec![
            line("Energy", Some(kwh.to_string()), Some("kWh"), energy),
            line(
                "Daily fixed charge",
                Some(days.to_string()),
                Some("days"),
                fixed,
            ),
            line("Delivery", None, None, delivery),
            line("Sales tax", None, None, tax),
        ],
        reads: Vec::new(),
    }
}

/// The load-test customer's account number.
pub const LOAD_TEST_ACCOUNT: &str = "900-000-000";
/// The load-test customer's email.
pub const LOAD_TEST_EMAIL: &str = "load.test@example.com";

/// Adds a load-test customer with `bills` outstanding bills of USD 10.00 (for benchmarks that
/// create many payments). Idempotent.
pub fn seed_load_test(store: &mut Store, bills: u32) -> Result<(), ServerError> {
    let customer = Customer {
        name: "Load Test".to_owned(),
        account_number: LOAD_TEST_ACCOUNT.to_owned(),
        service_address: "1 Benchmark Way, Testville".to_owned(),
        email: LOAD_TEST_EMAIL.to_owned(),
    };
    let id = store.upsert_customer(&customer, "00000", Language::English)?;
    store.insert_bills_in_bulk(id, bills)
}
