//! The `Stripe-Signature` header with its payload: the first line is the header, the rest the
//! payload.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, payload) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let _ = portal_server::stripe::verify_signature(&header, payload, "whsec_fuzz", 1_790_000_000);
});
