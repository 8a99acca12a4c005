//! The UI's formats (`ui/src/format.js`), run in Node.js, whose `Intl` is ICU as the webview's is
//! (its own, newer version; the end-to-end tests read the webview's output):
//! money with each currency's symbol and minor units (USD, EUR, JPY with none, KWD with three) in
//! English and Spanish, billing periods, relative days, and inputs that cannot be read.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use std::path::Path;
use std::process::Command;

/// Runs `calls` (JavaScript expressions over the module `f`) in Node.js and returns each result.
fn formats(calls: &[&str]) -> Vec<String> {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/format.js");
    let folder = tempfile::tempdir().unwrap();
    // An .mjs copy: Node.js reads it as the ES module it is, without guessing.
    let copy = folder.path().join("format.mjs");
    std::fs::copy(&module, &copy).unwrap();
    let script = format!(
        "const f = await import({:?}); console.log(JSON.stringify([{}]));",
        copy.display().to_string(),
        calls.join(", ")
    );
    let output = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    // ICU separates some parts with no-break and thin spaces; compare them as spaces.
    results
        .into_iter()
        .map(|text| text.replace(['\u{a0}', '\u{202f}', '\u{2009}'], " "))
        .collect()
}

#[test]
fn money_has_each_currencys_symbol_and_minor_units_in_both_languages() {
    assert_eq!(
        formats(&[
            r#"f.money("en-US", "9275", "USD", 2)"#,
            r#"f.money("es-US", "9275", "USD", 2)"#,
            r#"f.money("es", "123450", "USD", 2)"#,
            r#"f.money("en", "9275", "EUR", 2)"#,
            r#"f.money("es-ES", "123450", "EUR", 2)"#,
            r#"f.money("en", "5000", "JPY", 0)"#,
            r#"f.money("es", "5000", "JPY", 0)"#,
            r#"f.money("en", "12345", "KWD", 3)"#,
            r#"f.money("es", "12345", "KWD", 3)"#,
            r#"f.money("en-US", "-500", "USD", 2)"#,
        ]),
        [
            "$92.75",
            "$92.75",
            "1234,50 US$",
            "€92.75",
            "1234,50 €",
            "¥5,000",
            "5000 JPY",
            "KWD 12.345",
            "12,345 KWD",
            "-$5.00",
        ]
    );
}

#[test]
fn periods_and_due_dates_read_as_people_say_them() {
    let [
        october_en,
        october_es,
        relative_en,
        relative_es,
        tomorrow,
        today,
    ] = formats(&[
        r#"f.period("en-US", "2026-10-01", "2026-10-31")"#,
        r#"f.period("es", "2026-10-01", "2026-10-31")"#,
        r#"f.relativeDays("en", -2)"#,
        r#"f.relativeDays("es", 3)"#,
        r#"f.relativeDays("en", 1)"#,
        r#"f.relativeDays("es", 0)"#,
    ])
    .try_into()
    .unwrap();
    assert_eq!(october_en, "Oct 1 – 31, 2026");
    assert_eq!(october_es, "1–31 oct 2026");
    assert_eq!(relative_en, "2 days ago");
    assert_eq!(relative_es, "dentro de 3 días");
    assert_eq!(tomorrow, "tomorrow");
    assert_eq!(today, "hoy");
}

#[test]
fn what_cannot_be_read_is_shown_as_sent() {
    assert_eq!(
        formats(&[
            r#"f.money("en", "abc", "USD", 2)"#,
            r#"f.money("en", "100", "NOT-A-CURRENCY", 2)"#,
            r#"f.moment("en", "yesterday-ish")"#,
            r#"f.period("en", "2026-10-31", "2026-10-01")"#,
            r#"f.period("en", "", "2026-10-01")"#,
            r#"String(f.daysUntil("not a date"))"#,
            r#"f.money("xx-invalid-locale-!!", "100", "USD", 2)"#,
        ]),
        [
            "USD abc",
            "NOT-A-CURRENCY 1.00",
            "yesterday-ish",
            "2026-10-31 – 2026-10-01",
            " – 2026-10-01",
            "NaN",
            "USD 1.00",
        ]
    );
}
