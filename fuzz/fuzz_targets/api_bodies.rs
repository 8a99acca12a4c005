//! The API's JSON bodies, as the server decodes them, and the amount rules applied to what
//! decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_api::v1::{
    AdvanceClockRequest, CreateInvitationRequest, CreatePaymentRequest, ExchangeRequest, Money,
    PreviewInvitationRequest, RedeemInvitationRequest, RefreshRequest, SignInRequest,
    SignOutRequest,
};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<CreatePaymentRequest>(data);
    let _ = serde_json::from_slice::<RedeemInvitationRequest>(data);
    let _ = serde_json::from_slice::<PreviewInvitationRequest>(data);
    let _ = serde_json::from_slice::<SignInRequest>(data);
    let _ = serde_json::from_slice::<ExchangeRequest>(data);
    let _ = serde_json::from_slice::<RefreshRequest>(data);
    let _ = serde_json::from_slice::<SignOutRequest>(data);
    let _ = serde_json::from_slice::<CreateInvitationRequest>(data);
    let _ = serde_json::from_slice::<AdvanceClockRequest>(data);
    if let Ok(money) = serde_json::from_slice::<Money>(data) {
        let _ = money.display();
        let _ = portal_api::currency::check_chargeable(money.amount_minor, &money.currency);
    }
});
