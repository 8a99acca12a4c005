//! A billing system's ways in and out, over real HTTP: bills with their lines imported all or
//! none, the same import again changing nothing, each bad input refused with its place named and
//! the database unchanged; a bill's lines read back by its customer only; the settled payments
//! paged out in the order they settled.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, GOOD_CARD, JANE, OMAR, error_code};
use portal_api::v1::{
    BillDetail, ImportReport, PaymentFeed, PaymentStatus, ReadingsReport, ReadingsView,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn line(description: &str, quantity: Option<&str>, unit: Option<&str>, cents: i64) -> Value {
    let mut line = json!({ "description": description, "amount": { "amount_minor": cents, "currency": "USD" } });
    if let Some(quantity) = quantity {
        line["quantity"] = quantity.into();
    }
    if let Some(unit) = unit {
        line["unit"] = unit.into();
    }
    line
}

/// Jane's November bill: energy, a daily fixed charge, delivery and tax, USD 96.41 in all.
fn november() -> Value {
    json!({
        "account_number": JANE.0,
        "id": "bill_import_2026_11",
        "period": { "start": "2026-11-01", "end": "2026-11-30" },
        "issue_date": "2026-12-02",
        "due_date": "2026-12-23",
        "amount": { "amount_minor": 9641, "currency": "USD" },
        "lines": [
            line("Energy at 0.1289/kWh", Some("612"), Some("kWh"), 7889),
            line("Daily fixed charge", Some("30"), Some("days"), 900),
            line("Delivery", None, None, 402),
            line("Sales tax", None, None, 450),
        ],
    })
}

/// A bill of the signed-in customer, with its lines (it must be there).
async fn bill_detail(api: &Api, token: &str, id: &str) -> BillDetail {
    let response = api.get(&format!("/v1/bills/{id}"), Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK, "{id}");
    response.json().await.unwrap()
}

fn lines_sum(detail: &BillDetail) -> i64 {
    detail.lines.iter().map(|l| l.amount.amount_minor).sum()
}

async fn import(api: &Api, body: &Value) -> reqwest::Response {
    api.http
        .post(api.url("/v1/admin/import"))
        .bearer_auth(api.server.admin_key())
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn bills_with_lines_are_imported_once_and_read_back_by_their_customer() {
    let api = Api::start().await;
    let body = json!({ "bills": [november()] });
    let report: ImportReport = import(&api, &body).await.json().await.unwrap();
    assert_eq!((report.bills_created, report.bills_unchanged), (1, 0));
    let again: ImportReport = import(&api, &body).await.json().await.unwrap();
    assert_eq!(
        (again.bills_created, again.bills_unchanged),
        (0, 1),
        "idempotent"
    );

    let jane = api.sign_in(JANE).await;
    let detail = bill_detail(&api, &jane.access_token, "bill_import_2026_11").await;
    assert_eq!(detail.bill.amount.amount_minor, 9641);
    assert_eq!(detail.lines.len(), 4);
    assert_eq!(lines_sum(&detail), detail.bill.amount.amount_minor);
    assert_eq!(detail.lines[0].quantity.as_deref(), Some("612"));
    assert_eq!(detail.lines[0].unit.as_deref(), Some("kWh"));
    // It is one of her outstanding bills now.
    let outstanding = api.bills(&jane.access_token, "outstanding").await;
    assert!(outstanding.iter().any(|b| b.id == "bill_import_2026_11"));

    // The demo bills came in through the same import: each has lines that sum to it.
    for bill in api.bills(&jane.access_token, "all").await {
        let detail = bill_detail(&api, &jane.access_token, &bill.id).await;
        assert!(!detail.lines.is_empty(), "{}", bill.id);
        assert_eq!(lines_sum(&detail), bill.amount.amount_minor, "{}", bill.id);
    }

    // Another customer's bill, or none: not found.
    let omar = api.sign_in(OMAR).await;
    let (status, code) = error_code(
        api.get("/v1/bills/bill_import_2026_11", Some(&omar.access_token))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, _) = error_code(
        api.get("/v1/bills/no_such_bill", Some(&jane.access_token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_bad_import_is_refused_with_its_place_and_nothing_is_written() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let before = api.bills(&jane.access_token, "all").await.len();
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut bill = november();
        edit(&mut bill);
        // A good bill first: the whole import is refused, the good one included.
        let mut good = november();
        good["id"] = "bill_import_good".into();
        json!({ "bills": [good, bill] })
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            bad(&|b| b["amount"]["amount_minor"] = 9700.into()),
            "bills[1].lines: they sum to USD 96.41, the bill's amount is USD 97.00",
        ),
        (
            bad(&|b| b["account_number"] = "999-999-999".into()),
            "bills[1].account_number: there is no account 999-999-999",
        ),
        (
            bad(&|b| b["lines"][2]["amount"]["currency"] = "EUR".into()),
            "bills[1].lines[2].amount.currency: EUR in a bill in USD",
        ),
        (
            bad(&|b| b["lines"][0]["quantity"] = "-612".into()),
            "bills[1].lines[0].quantity",
        ),
        (
            bad(&|b| b["due_date"] = "2026-02-30".into()),
            "bills[1].due_date: \"2026-02-30\" is not a date",
        ),
        (
            bad(&|b| b["period"]["end"] = "2026-10-31".into()),
            "bills[1].period: it ends before it starts",
        ),
        (
            bad(&|b| b["lines"] = json!([])),
            "bills[1].lines: a bill has at least one line",
        ),
        (
            bad(&|b| b["id"] = "bill_import_good".into()),
            "bills[1].id: bill_import_good is in this import twice",
        ),
        (json!({ "bills": [] }), "bills: there is nothing to import"),
    ];
    for (body, place) in cases {
        let response = import(&api, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{place}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "import_rejected", "{place}");
        assert!(
            error["message"].as_str().unwrap().starts_with(place),
            "expected {place:?}, got {}",
            error["message"]
        );
    }
    assert_eq!(api.bills(&jane.access_token, "all").await.len(), before);

    // A bill imported before may not come back with other content; the first stays as it was.
    import(&api, &json!({ "bills": [november()] })).await;
    let mut changed = november();
    changed["due_date"] = "2026-12-30".into();
    let (status, code) = error_code(import(&api, &json!({ "bills": [changed] })).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "import_rejected")
    );
    let detail = bill_detail(&api, &jane.access_token, "bill_import_2026_11").await;
    assert_eq!(detail.bill.due_date, "2026-12-23");

    // Without the admin key, or far too large: refused.
    let anonymous = api
        .http
        .post(api.url("/v1/admin/import"))
        .json(&json!({ "bills": [november()] }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let huge = format!(
        r#"{{"bills":[],"padding":"{}"}}"#,
        "x".repeat(9 * 1024 * 1024)
    );
    let too_large = api
        .http
        .post(api.url("/v1/admin/import"))
        .bearer_auth(api.server.admin_key())
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn feed(api: &Api, query: &str) -> reqwest::Response {
    api.http
        .get(api.url(&format!("/v1/admin/payments{query}")))
        .bearer_auth(api.server.admin_key())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_feed_pages_through_settled_payments_in_the_order_they_settled() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let omar = api.sign_in(OMAR).await;
    let mut paid = Vec::new();
    for (tokens, bill_index, key) in [
        (&jane, 0, "feed-1"),
        (&omar, 0, "feed-2"),
        (&jane, 1, "feed-3"),
    ] {
        let token = tokens.access_token.as_str();
        let bills = api.bills(token, "outstanding").await;
        let payment = api.new_payment(token, key, &[&bills[bill_index].id]).await;
        api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
        let confirmed = api.payment_action(token, &payment.id, "confirm").await;
        assert_eq!(confirmed.status, PaymentStatus::Paid);
        paid.push((confirmed, bills[bill_index].id.clone()));
    }

    let first: PaymentFeed = feed(&api, "?limit=2").await.json().await.unwrap();
    assert_eq!(first.payments.len(), 2);
    let cursor = first.next.clone().expect("a full page has a next cursor");
    let second: PaymentFeed = feed(&api, &format!("?after={cursor}&limit=2"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.payments.len(), 1);
    assert_eq!(second.next, None, "a short page is the last");
    let all: Vec<_> = first.payments.iter().chain(&second.payments).collect();
    for (settled, (payment, bill_id)) in all.iter().zip(&paid) {
        assert_eq!(settled.payment_id, payment.id);
        assert_eq!(settled.bill_ids, vec![bill_id.clone()]);
        assert_eq!(settled.amount, payment.amount);
        assert_eq!(
            settled.transaction_id,
            payment.receipt.as_ref().unwrap().transaction_id
        );
    }
    assert_eq!(all[1].account_number, OMAR.0);

    for bad in ["?after=abc", "?after=-1", "?limit=0", "?limit=501"] {
        let (status, code) = error_code(feed(&api, bad).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_filter"),
            "{bad}"
        );
    }
    let anonymous = api
        .http
        .get(api.url("/v1/admin/payments"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn import_readings(api: &Api, csv: String) -> reqwest::Response {
    api.http
        .post(api.url("/v1/admin/import/readings"))
        .bearer_auth(api.server.admin_key())
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap()
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Two years of hourly readings of `meter` ending at the last full hour before now: a daily
/// and a seasonal shape, every 500th estimated, one missing.
fn two_years(meter: &str) -> (String, i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let first = (now / 3600 - 17_520) * 3600;
    let mut csv = String::from("meter,start,end,kwh,quality\n");
    for hour in 0..17_520_i64 {
        let start = first + hour * 3600;
        let wh = 300 + (hour % 24 - 12).abs() * 25 + (hour / 730 % 12) * 10;
        let line = match hour {
            100 => format!(
                "{meter},{},{},,missing\n",
                rfc3339(start),
                rfc3339(start + 3600)
            ),
            h if h % 500 == 0 => format!(
                "{meter},{},{},{}.{:03},estimated\n",
                rfc3339(start),
                rfc3339(start + 3600),
                wh / 1000,
                wh % 1000
            ),
            _ => format!(
                "{meter},{},{},{}.{:03},actual\n",
                rfc3339(start),
                rfc3339(start + 3600),
                wh / 1000,
                wh % 1000
            ),
        };
        csv.push_str(&line);
    }
    (csv, first)
}

#[tokio::test]
async fn two_years_of_hourly_readings_are_imported_once_and_bad_files_are_refused_whole() {
    let api = Api::start().await;
    let meters = json!({ "meters": [{ "id": "m_100200300", "account_number": JANE.0 }] });
    let report: ImportReport = import(&api, &meters).await.json().await.unwrap();
    assert_eq!(report.meters_created, 1);
    let again: ImportReport = import(&api, &meters).await.json().await.unwrap();
    assert_eq!(again.meters_created, 0);
    let (status, code) = error_code(
        import(
            &api,
            &json!({ "meters": [{ "id": "m_100200300", "account_number": OMAR.0 }] }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "import_rejected")
    );

    let (csv, first) = two_years("m_100200300");
    let started = std::time::Instant::now();
    let response = import_readings(&api, csv.clone()).await;
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::OK);
    let created: ReadingsReport = response.json().await.unwrap();
    assert_eq!(created.readings_created, 17_520);
    println!("17,520 hourly readings imported over HTTP in {took:?} (debug build)");
    let repeated: ReadingsReport = import_readings(&api, csv).await.json().await.unwrap();
    assert_eq!(
        (repeated.readings_created, repeated.readings_unchanged),
        (0, 17_520),
        "idempotent"
    );

    // Each bad file is refused whole, naming its line: its first line is a new, good hour.
    let before = first - 3600;
    let good_line = format!(
        "m_100200300,{},{},0.250,actual",
        rfc3339(before),
        rfc3339(first)
    );
    let hour_of = |offset: i64| {
        (
            rfc3339(first + offset * 3600),
            rfc3339(first + offset * 3600 + 3600),
        )
    };
    let (a, b) = hour_of(5);
    let (future_start, future_end) = (
        rfc3339((first / 3600 + 17_530) * 3600),
        rfc3339((first / 3600 + 17_531) * 3600),
    );
    let cases = [
        (
            format!("meter,start,end,wh,quality\n{good_line}"),
            "line 1: the columns must be meter,start,end,kwh,quality",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\n{good_line}"),
            "line 3: that hour of meter m_100200300 again",
        ),
        (
            // A blank line is skipped, yet counted: the place is the line in the file.
            format!("meter,start,end,kwh,quality\n{good_line}\n\nm_999,{a},{b},0.1,actual"),
            "line 4: there is no meter m_999",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\nm_100200300,{a},{b},-0.5,actual"),
            "line 3: kwh \"-0.5\" is not a number of 0 or more",
        ),
        (
            format!(
                "meter,start,end,kwh,quality\n{good_line}\nm_100200300,{future_start},{future_end},0.1,actual"
            ),
            "line 3: the hour has not ended yet",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\nm_999,{a},{b},0.1,actual"),
            "line 3: there is no meter m_999",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\nm_100200300,{a},{b},9.999,actual"),
            "line 3: that hour of meter m_100200300 was imported before with another value",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\nm_100200300,{a},{a},0.1,actual"),
            "line 3: a reading covers one hour",
        ),
        (
            format!("meter,start,end,kwh,quality\n{good_line}\nm_100200300,{a},{b},0.1,guessed"),
            "line 3: quality \"guessed\" is not actual, estimated or missing",
        ),
    ];
    for (csv, place) in cases {
        let response = import_readings(&api, csv).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{place}");
        let error: Value = response.json().await.unwrap();
        assert!(
            error["message"].as_str().unwrap().starts_with(place),
            "expected {place:?}, got {}",
            error["message"]
        );
    }
    // Jane reads her two years back, oldest first, beside her demo meter's; Omar's answer has
    // only his own meter; a bad range is refused.
    let jane = api.sign_in(JANE).await;
    let to = first + 17_520 * 3600;
    let view: ReadingsView = api
        .get(
            &format!("/v1/readings?from={first}&to={to}"),
            Some(&jane.access_token),
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = view.meters.iter().map(|m| m.meter_id.as_str()).collect();
    assert_eq!(ids, ["MTR-100200300", "m_100200300"]);
    let hours = &view.meters[1].readings;
    assert_eq!(hours.len(), 17_520);
    assert_eq!(hours[0].start, first);
    assert!(
        hours
            .windows(2)
            .all(|pair| pair[1].start - pair[0].start == 3600)
    );
    assert_eq!(
        (hours[100].wh, hours[100].quality.as_str()),
        (None, "missing")
    );
    assert_eq!(hours[500].quality, "estimated");
    let omar = api.sign_in(OMAR).await;
    let his: ReadingsView = api
        .get("/v1/readings", Some(&omar.access_token))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = his.meters.iter().map(|m| m.meter_id.as_str()).collect();
    assert_eq!(ids, ["MTR-100200301"]);
    for bad in [
        format!("?from={to}&to={first}"),
        format!("?from={}&to={to}", first - 86_400 * 40),
    ] {
        let (status, code) = error_code(
            api.get(&format!("/v1/readings{bad}"), Some(&jane.access_token))
                .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_filter"),
            "{bad}"
        );
    }

    // The good first line of those files was never written.
    let only_good: ReadingsReport =
        import_readings(&api, format!("meter,start,end,kwh,quality\n{good_line}\n"))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(only_good.readings_created, 1);
}

/// The text of a PDF, as `pdftotext` (poppler) reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(output.status.success(), "pdftotext reads the PDF");
    String::from_utf8(output.stdout).unwrap()
}

async fn pdf(api: &Api, path: &str, token: Option<&str>) -> reqwest::Response {
    api.get(path, token).await
}

#[tokio::test]
async fn a_bill_and_a_receipt_are_pdfs_their_customer_alone_may_fetch() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let omar = api.sign_in(OMAR).await;
    let path = "/v1/bills/bill_100200300_2026_10/pdf";
    let started = std::time::Instant::now();
    let response = pdf(&api, path, Some(&jane.access_token)).await;
    println!(
        "bill PDF over HTTP in {:?} (debug build)",
        started.elapsed()
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let text = pdf_text(&response.bytes().await.unwrap());
    for expected in [
        "Jane Doe",
        "100-200-300",
        "October 1, 2026 - October 31, 2026",
        "November 24, 2026",
        "Energy",
        "Sales tax",
        "Total due",
        "USD 101.50",
        "Meter MTR-100200300",
        "Your usage, last 13 months (kWh)",
        "Oct 25",
        "Oct 26",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    // The reads agree with the energy line: the register moved by the kWh billed.
    let detail = bill_detail(&api, &jane.access_token, "bill_100200300_2026_10").await;
    let read = &detail.reads[0];
    let energy = detail
        .lines
        .iter()
        .find(|l| l.unit.as_deref() == Some("kWh"))
        .unwrap();
    assert_eq!(
        (read.current - read.previous).to_string(),
        *energy.quantity.as_ref().unwrap()
    );

    // Another customer's bill, or none signed in: nothing to read.
    let theirs = pdf(&api, path, Some(&omar.access_token)).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        pdf(&api, path, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let unknown = pdf(&api, "/v1/bills/bill_nope/pdf", Some(&jane.access_token)).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // María's bill speaks Spanish.
    let maria = api.sign_in(common::MARIA).await;
    let text = pdf_text(
        &pdf(
            &api,
            "/v1/bills/bill_100200303_2026_10/pdf",
            Some(&maria.access_token),
        )
        .await
        .bytes()
        .await
        .unwrap(),
    );
    for expected in [
        "María García",
        "Factura",
        "1 de octubre de 2026",
        "Total a pagar",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }

    // A receipt: paid, then fetched as PDF by its customer only.
    let bills = api.bills(&jane.access_token, "outstanding").await;
    let payment = api
        .new_payment(&jane.access_token, "pdf-1", &[&bills[0].id])
        .await;
    api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    let paid = api
        .payment_action(&jane.access_token, &payment.id, "confirm")
        .await;
    let receipt = paid.receipt.unwrap();
    let path = format!("/v1/receipts/{}/pdf", receipt.id);
    let response = pdf(&api, &path, Some(&jane.access_token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = pdf_text(&response.bytes().await.unwrap());
    for expected in [
        "Receipt",
        receipt.number.as_str(),
        receipt.transaction_id.as_str(),
        &receipt.total.display(),
        "•••• 4242",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let theirs = pdf(&api, &path, Some(&omar.access_token)).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
}

/// A Green Button (ESPI) feed of `hours` hourly readings from `first`, `uom` its unit code.
fn green_button(first: i64, hours: i64, uom: u32) -> String {
    let readings: String = (0..hours)
        .map(|hour| {
            let quality = if hour == 1 {
                "<espi:ReadingQuality><espi:quality>9</espi:quality></espi:ReadingQuality>"
            } else {
                ""
            };
            format!(
                "<espi:IntervalReading>{quality}<espi:timePeriod><espi:duration>3600</espi:duration><espi:start>{}</espi:start></espi:timePeriod><espi:value>{}</espi:value></espi:IntervalReading>\n",
                first + hour * 3600,
                400 + hour * 10
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
<entry><title>Usage</title><content><espi:ReadingType><espi:uom>{uom}</espi:uom><espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier><espi:intervalLength>3600</espi:intervalLength></espi:ReadingType></content></entry>
<entry><content><espi:IntervalBlock><espi:interval><espi:duration>{}</espi:duration><espi:start>{first}</espi:start></espi:interval>
{readings}</espi:IntervalBlock></content></entry>
</feed>"#,
        hours * 3600
    )
}

async fn import_feed(api: &Api, query: &str, xml: String) -> reqwest::Response {
    api.http
        .post(api.url(&format!("/v1/admin/import/readings{query}")))
        .bearer_auth(api.server.admin_key())
        .header("content-type", "application/atom+xml")
        .body(xml)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_green_button_feed_is_imported_once_and_a_bad_one_is_refused_whole() {
    let api = Api::start().await;
    let meters = json!({ "meters": [{ "id": "m_gb", "account_number": OMAR.0 }] });
    assert_eq!(import(&api, &meters).await.status(), StatusCode::OK);
    // The first day of October 2026, UTC.
    let first = 1_790_812_800;
    let feed = green_button(first, 24, 72);
    let created: ReadingsReport = import_feed(&api, "?meter=m_gb", feed.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created.readings_created, 24);
    let again: ReadingsReport = import_feed(&api, "?meter=m_gb", feed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((again.readings_created, again.readings_unchanged), (0, 24));

    let omar = api.sign_in(OMAR).await;
    let hours = day_of_meter(&api, &omar.access_token, "m_gb", first).await;
    assert_eq!(hours.len(), 24);
    assert_eq!(
        (hours[1].wh, hours[1].quality.as_str()),
        (Some(410), "estimated")
    );

    // Each bad feed is refused by its place; its good hours (the next day) are not written.
    let next_day = first + 86_400;
    let cases = [
        (
            "?meter=m_gb",
            green_button(next_day, 2, 38),
            "uom 38 is not 72",
        ),
        (
            "",
            green_button(next_day, 2, 72),
            "meter: a Green Button feed needs ?meter=",
        ),
        (
            "?meter=m_nope",
            green_button(next_day, 2, 72),
            "there is no meter m_nope",
        ),
        (
            "?meter=m_gb",
            green_button(next_day, 2, 72).replace("<espi:value>410", "<espi:value>-410"),
            "line 6: value -410 is negative",
        ),
        (
            "?meter=m_gb",
            "<feed><entry>".to_owned(),
            "not well-formed XML",
        ),
    ];
    for (query, xml, expected) in cases {
        let response = import_feed(&api, query, xml).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{expected}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "import_rejected");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected:?} in {message:?}");
    }
    // A 100 MB file is refused before it is read, as too large.
    let mut huge = String::from("meter,start,end,kwh,quality\n");
    let line = format!(
        "m_gb,{},{},0.100,actual\n",
        rfc3339(next_day),
        rfc3339(next_day + 3600)
    );
    while huge.len() < 100 * 1024 * 1024 {
        huge.push_str(&line);
    }
    let too_large = import_readings(&api, huge).await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let hours = day_of_meter(&api, &omar.access_token, "m_gb", next_day).await;
    assert!(hours.is_empty(), "nothing half-imported");
}

/// The hours of `meter` in the day from `from`, as its customer reads them.
async fn day_of_meter(
    api: &Api,
    token: &str,
    meter: &str,
    from: i64,
) -> Vec<portal_api::v1::HourReading> {
    let view: ReadingsView = api
        .get(
            &format!("/v1/readings?from={from}&to={}", from + 86_400),
            Some(token),
        )
        .await
        .json()
        .await
        .unwrap();
    view.meters
        .into_iter()
        .find(|m| m.meter_id == meter)
        .unwrap()
        .readings
}
