//! Deterministic demo data for the sandbox: the same customers, bills and amounts every time,
//! in USD. Seeding twice changes nothing.

use crate::error::ServerError;
use crate::store::Store;
use portal_api::Language;
use portal_api::v1::{BillLine, Customer, ImportedBill, Money, Period};

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
        let imported: Vec<ImportedBill> = bills
            .iter()
            .map(|(year, month, cents, _)| demo_bill(account, *year, *month, *cents))
            .collect();
        let with_customer: Vec<(i64, &ImportedBill)> =
            imported.iter().map(|bill| (id, bill)).collect();
        if let Err(conflict) = store.import(&with_customer, &[])? {
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
    }
    Ok(CUSTOMERS.len())
}

/// A demo bill of `cents` for a month, with lines as a utility itemizes them: a daily fixed
/// charge, delivery, sales tax, and the energy, which takes what is left (so they sum exactly).
fn demo_bill(account: &str, year: i32, month: u8, cents: i64) -> ImportedBill {
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
