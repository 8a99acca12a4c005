//! Deep links and pasted text, as the app receives them from the OS or the clipboard.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let host = Some("portal.enerpro.example");
    let _ = portal_core::deep_link::parse(text, host);
    let _ = portal_core::deep_link::parse_pasted(text, host);
});
