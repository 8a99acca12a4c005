//! Every answer the core gives the UI crosses the IPC in the contract's binary form
//! (`portal_api::ipc::encode`) and arrives unchanged: the views as the real sandbox and a real
//! cache produce them (with their absent values: a bill line without a quantity, a chart bar
//! without readings, a flow without a receipt yet), and the errors with and without the tries
//! left. A field skipped when serialized would shift every field after it and fail here.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::World;
use portal_api::ipc::{UsageArgs, UsageScale, decode, encode};
use portal_api::{ErrorBody, ErrorCode};
use portal_core::CoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Asserts that `outcome`, sent as a command's answer, is decoded by the UI as it was.
fn crosses<T: Serialize + DeserializeOwned + PartialEq + Debug>(outcome: Result<T, CoreError>) {
    let bytes = encode(&outcome).expect("the answer encodes");
    let expected = outcome.map_err(|error| error.to_body());
    assert_eq!(decode::<Result<T, ErrorBody>>(&bytes), Some(expected));
}

#[tokio::test]
async fn every_view_and_error_reaches_the_ui_unchanged() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    crosses(portal.refresh().await);
    crosses(portal.home().await);
    crosses(portal.pay_plan(None));

    let home = portal.home().await.unwrap();
    let bill = &home.bills[0].id;
    crosses(portal.bill_detail(bill));
    let detail = portal.refresh_bill_detail(bill).await.unwrap();
    assert!(!detail.lines.is_empty() && !detail.reads.is_empty());
    crosses(Ok(detail));

    for (scale, date) in [
        (UsageScale::Months, None),
        (UsageScale::Week, Some("2026-10-14")),
        // The demo's 11 September has hours without a reading.
        (UsageScale::Day, Some("2026-09-11")),
    ] {
        let args = UsageArgs {
            scale,
            date: date.map(str::to_owned),
        };
        crosses(portal.refresh_usage(&args).await);
    }

    crosses(portal.payment_flows());
    let flow = common::pay_newest_bill(&portal).await;
    crosses(Ok(flow.clone()));
    crosses(portal.check_payment(flow.flow_id).await);
    crosses(portal.refresh_history().await);
    crosses(portal.refresh_receipts().await);
    crosses(portal.autopay().await);
    crosses(portal.notification_preferences().await);
    crosses(Ok(None::<String>));

    // Errors: a code alone, a code with the tries left, one the UI does not know yet.
    crosses::<()>(Err(CoreError::coded(ErrorCode::Offline)));
    crosses::<()>(Err(CoreError::Api(
        ErrorBody::for_customer(ErrorCode::WrongPostcode).with_attempts_left(Some(2)),
    )));
    crosses::<()>(portal.refresh_bill_detail("bill_nope").await.map(|_| ()));
    let unknown = encode(&Err::<(), _>(ErrorBody::new(ErrorCode::Unknown, "?"))).unwrap();
    assert_eq!(
        decode::<Result<(), ErrorBody>>(&unknown).map(|answer| answer.map_err(|e| e.code)),
        Some(Err(ErrorCode::Unknown))
    );

    // Bytes that are not an answer (another version's shell, a cut-off global) decode to
    // nothing, which the UI shows as its bridge error.
    let home_bytes = encode(&Ok::<_, ErrorBody>(home)).unwrap();
    for bad in [&[][..], &[7][..], &home_bytes[..home_bytes.len() / 2]] {
        assert_eq!(
            decode::<Result<portal_api::ipc::HomeView, ErrorBody>>(bad),
            None
        );
    }
}
