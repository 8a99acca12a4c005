//! What the payment provider sends: checkout sessions (and what they mean for a payment) and
//! webhook events.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(session) = serde_json::from_slice::<portal_server::stripe::CheckoutSession>(data) {
        let _ = portal_server::payments::outcome_of(&session);
    }
    let _ = serde_json::from_slice::<portal_server::stripe::Event>(data);
});
