//! Backend answers as the core reads them: the first two bytes are the HTTP status, the rest
//! the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_api::v1::{BillList, Customer, Payment, PaymentList, ReceiptList, SessionTokens};
use portal_core::api::decode_answer;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]) % 1000, rest),
        _ => (200, data),
    };
    let _ = decode_answer::<BillList>(status, None, body);
    let _ = decode_answer::<Customer>(status, Some("30"), body);
    let _ = decode_answer::<Payment>(status, None, body);
    let _ = decode_answer::<PaymentList>(status, None, body);
    let _ = decode_answer::<ReceiptList>(status, None, body);
    let _ = decode_answer::<SessionTokens>(status, None, body);
});
