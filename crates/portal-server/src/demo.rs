//! Deterministic demo data for the sandbox: the same customers, bills and amounts every time,
//! in USD. Seeding twice changes nothing.

use crate::error::ServerError;
use crate::store::Store;
use portal_api::Language;
use portal_api::v1::{Bill, BillStatus, Customer, Money, Period};

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

/// Inserts the demo customers and bills (idempotent). Returns how many customers there are.
pub fn seed(store: &Store) -> Result<usize, ServerError> {
    for (account, name, email, address, postcode, language, bills) in CUSTOMERS {
        let customer = Customer {
            name: (*name).to_owned(),
            account_number: (*account).to_owned(),
            service_address: (*address).to_owned(),
            email: (*email).to_owned(),
        };
        let id = store.upsert_customer(&customer, postcode, *language)?;
        for (year, month, cents, paid) in *bills {
            let (next_year, next_month) = if *month == 12 {
                (year + 1, 1)
            } else {
                (*year, month + 1)
            };
            let bill = Bill {
                id: format!("bill_{}_{year}_{month:02}", account.replace('-', "")),
                period: Period {
                    start: format!("{year}-{month:02}-01"),
                    end: format!("{year}-{month:02}-{:02}", last_day(*year, *month)),
                },
                issue_date: format!("{next_year}-{next_month:02}-03"),
                due_date: format!("{next_year}-{next_month:02}-24"),
                amount: Money {
                    amount_minor: *cents,
                    currency: "USD".to_owned(),
                },
                status: BillStatus::Outstanding,
            };
            store.insert_bill(id, &bill)?;
            if *paid {
                store.mark_bill_paid_historically(&bill.id)?;
            }
        }
    }
    Ok(CUSTOMERS.len())
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
