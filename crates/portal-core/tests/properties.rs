//! Properties of the core's parsers of outside input: whatever the backend answers, and
//! whatever text reaches the app as a link or a paste, the core answers a typed value or a
//! typed error — never a panic — and what it accepts is what was meant.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_api::ErrorCode;
use portal_api::v1::{Bill, BillList, BillStatus, Money, Period};
use portal_core::CoreError;
use portal_core::api::decode_answer;
use portal_core::deep_link::{parse, parse_pasted};
use proptest::prelude::*;

const HOST: Option<&str> = Some("portal.enerpro.example");

fn bill() -> impl Strategy<Value = Bill> {
    (
        "[a-z0-9_]{1,24}",
        any::<i64>(),
        "[A-Z]{3}",
        prop_oneof![
            Just(BillStatus::Outstanding),
            Just(BillStatus::Processing),
            Just(BillStatus::Paid)
        ],
    )
        .prop_map(|(id, amount_minor, currency, status)| Bill {
            id,
            period: Period {
                start: "2026-10-01".into(),
                end: "2026-10-31".into(),
            },
            issue_date: "2026-11-01".into(),
            due_date: "2026-11-21".into(),
            amount: Money {
                amount_minor,
                currency,
            },
            status,
        })
}

proptest! {
    #[test]
    fn any_answer_is_a_value_or_a_typed_error(
        status in 0u16..1100,
        retry_after in proptest::option::of(".{0,12}"),
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let _ = decode_answer::<BillList>(status, retry_after.as_deref(), &body);
    }

    #[test]
    fn a_bill_list_the_backend_sends_is_read_as_sent(bills in proptest::collection::vec(bill(), 0..20)) {
        let sent = BillList { bills };
        let body = serde_json::to_vec(&sent).unwrap();
        prop_assert_eq!(decode_answer::<BillList>(200, None, &body).unwrap(), sent);
    }

    #[test]
    fn error_answers_keep_their_code_and_never_their_text_for_the_customer(
        status in prop_oneof![Just(400u16), Just(401), Just(404), Just(409), Just(410), Just(429)],
        message in ".{0,200}",
        retry_after in 0u64..100_000,
    ) {
        let body = serde_json::to_vec(&portal_api::ErrorBody::new(ErrorCode::WrongPostcode, message.clone())).unwrap();
        let error = decode_answer::<BillList>(status, Some(&retry_after.to_string()), &body).unwrap_err();
        match status {
            401 => prop_assert!(matches!(error, CoreError::Unauthorized { .. }), "401: {:?}", error),
            429 => prop_assert!(
                matches!(error, CoreError::RateLimited { retry_after: waited, .. } if waited == retry_after),
                "429: {:?}", error
            ),
            _ => prop_assert_eq!(error.code(), ErrorCode::WrongPostcode),
        }
        // What the customer reads comes from the catalog, whatever the backend wrote.
        let said = error.to_body().message;
        prop_assert!(message.len() < 12 || !said.contains(&message));
    }

    #[test]
    fn server_failures_are_never_read_as_data(status in 500u16..600, body in ".{0,100}") {
        let answer = decode_answer::<BillList>(status, None, body.as_bytes());
        prop_assert!(matches!(answer, Err(CoreError::Server { .. })), "{:?}", answer);
    }

    #[test]
    fn pasted_text_is_a_link_a_code_or_a_typed_refusal(text in "\\PC{0,400}") {
        match parse_pasted(&text, HOST) {
            Ok(_) => prop_assert!(!text.trim().is_empty()),
            Err(error) => prop_assert!(error.code().as_str().starts_with("link_")),
        }
        let _ = parse(&text, HOST);
    }
}
