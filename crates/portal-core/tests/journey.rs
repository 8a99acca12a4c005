//! The customer journey through the core alone, against the real sandbox server, a real SQLite
//! cache and the real OS credential store; completing the hosted page over HTTP as a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{
    DECLINED_CARD, GOOD_CARD, JANE, World, assert_nothing_left, cached_bill_ids, pay_newest_bill,
    start_paying_newest_bill,
};
use portal_api::ErrorCode;
use portal_api::ipc::FlowState;
use portal_core::Portal;
use portal_core::cache::Cache;
use portal_core::credentials::names;
use portal_server::simulator::{HostedOutcome, fill_hosted_checkout};
use std::time::Duration;

#[tokio::test]
async fn invitation_to_receipt_and_sign_out_through_the_core() {
    let world = World::start().await;
    let portal = world.portal();
    assert!(!portal.is_signed_in().await.unwrap());
    assert!(
        portal.home().await.unwrap().customer.is_none(),
        "nothing cached yet"
    );

    let code = world.invite().await;
    let preview = portal.preview_invitation(&code).await.unwrap();
    assert_eq!(
        (preview.masked_email.as_str(), preview.account_name.as_str()),
        ("j***@example.com", "Jane Doe")
    );
    let home = portal.accept_invitation(&code, " 62701 ").await.unwrap();
    assert!(portal.is_signed_in().await.unwrap());
    assert!(
        world
            .credentials()
            .get(names::REFRESH_TOKEN)
            .unwrap()
            .is_some(),
        "refresh token in the OS store"
    );
    let customer = home.customer.unwrap();
    assert_eq!(customer.account_number, JANE.0);
    let bills = home.bills;
    assert_eq!(bills.len(), 3);

    let chosen = vec![bills[0].id.clone(), bills[1].id.clone()];
    let flow = portal.start_payment(&chosen).await.unwrap();
    assert_eq!(flow.state, FlowState::CheckoutOpened);
    assert_eq!(
        flow.amount.as_ref().unwrap().amount_minor,
        bills[0].amount.amount_minor + bills[1].amount.amount_minor
    );
    let home = portal.home().await.unwrap();
    assert_eq!(
        home.bills.len(),
        3,
        "the cache still shows them until refreshed"
    );

    let outcome = fill_hosted_checkout(flow.checkout_url.as_deref().unwrap(), GOOD_CARD)
        .await
        .unwrap();
    assert!(
        matches!(outcome, HostedOutcome::Redirected(ref to) if to.contains("/checkout/return"))
    );
    let payment_id = flow.payment_id.clone().unwrap();
    let paid = portal.payment_returned(&payment_id).await.unwrap();
    assert_eq!(paid.state, FlowState::Paid);
    let receipt = paid.receipt.clone().unwrap();
    assert_eq!(
        (receipt.card_brand.as_str(), receipt.card_last4.as_str()),
        ("visa", "4242")
    );
    assert!(receipt.transaction_id.starts_with("pi_"));

    let remaining = portal.home().await.unwrap().bills;
    assert_eq!(
        remaining.len(),
        1,
        "paid bills leave the cached list at once"
    );
    let refreshed = portal.refresh().await.unwrap().bills;
    assert_eq!(refreshed.len(), 1);
    assert!(!refreshed[0].processing);
    assert_eq!(portal.receipts().unwrap(), vec![receipt.clone()]);
    assert_eq!(portal.refresh_receipts().await.unwrap(), vec![receipt]);

    portal.sign_out().await.unwrap();
    assert_nothing_left(&world, &portal).await;
    assert!(portal.receipts().unwrap().is_empty() && portal.payment_flows().unwrap().is_empty());
    let signed_out = portal.refresh().await.unwrap();
    assert!(!signed_out.signed_in && signed_out.customer.is_none() && signed_out.problem.is_none());
}

#[tokio::test]
async fn a_declined_card_is_shown_and_a_good_card_then_pays() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let bill = portal.home().await.unwrap().bills[0].id.clone();
    let flow = portal.start_payment(&[bill]).await.unwrap();
    let url = flow.checkout_url.clone().unwrap();
    assert!(matches!(
        fill_hosted_checkout(&url, DECLINED_CARD).await.unwrap(),
        HostedOutcome::Refused(402, _)
    ));
    let declined = portal.check_payment(flow.flow_id).await.unwrap();
    assert_eq!(declined.state, FlowState::Declined);
    assert_eq!(declined.decline, Some(ErrorCode::CardDeclined));
    // A decline with a reason the customer can act on is said in the catalog's words for it.
    fill_hosted_checkout(&url, "4000 0000 0000 9995")
        .await
        .unwrap();
    let short_of_funds = portal.check_payment(flow.flow_id).await.unwrap();
    assert_eq!(
        short_of_funds.decline,
        Some(ErrorCode::CardInsufficientFunds)
    );
    assert!(
        ErrorCode::CardInsufficientFunds
            .message(portal_api::Language::English)
            .contains("funds are not available")
    );
    assert!(
        serde_json::to_string(&declined)
            .unwrap()
            .find("declined.")
            .is_none(),
        "the provider's own words never reach the UI"
    );
    assert!(matches!(
        fill_hosted_checkout(&url, GOOD_CARD).await.unwrap(),
        HostedOutcome::Redirected(_)
    ));
    let paid = portal
        .payment_returned(flow.payment_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(paid.state, FlowState::Paid);
}

#[tokio::test]
async fn the_same_bills_never_get_a_second_checkout_and_a_canceled_one_frees_them() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let bills = cached_bill_ids(&portal).await;
    let first = portal.start_payment(&bills[..2]).await.unwrap();
    let again = portal.start_payment(&bills[1..3]).await.unwrap();
    assert_eq!(
        again.flow_id, first.flow_id,
        "an overlapping selection returns the open payment"
    );
    assert_eq!(again.payment_id, first.payment_id);

    let canceled = portal.cancel_payment(first.flow_id).await.unwrap();
    assert_eq!(canceled.state, FlowState::Canceled);
    let fresh = portal.start_payment(&bills[..2]).await.unwrap();
    assert_ne!(fresh.payment_id, first.payment_id);
    assert_eq!(fresh.state, FlowState::CheckoutOpened);
}

#[tokio::test]
async fn a_killed_app_resumes_after_the_webhook_settled_it_with_one_receipt() {
    let world = World::start().await;
    let bills: Vec<String>;
    let payment_id;
    {
        let portal = world.signed_in().await;
        bills = cached_bill_ids(&portal).await;
        let flow = portal.start_payment(&bills[..1]).await.unwrap();
        payment_id = flow.payment_id.clone().unwrap();
        // The customer pays; the browser never comes back; the app is killed.
        fill_hosted_checkout(flow.checkout_url.as_deref().unwrap(), GOOD_CARD)
            .await
            .unwrap();
    }
    // The webhook reaches the backend meanwhile.
    assert!(
        world
            .server
            .wait_for_webhooks(1, Duration::from_secs(10))
            .await,
        "the webhook reached the backend"
    );

    let restarted = world.portal();
    assert!(
        restarted.is_signed_in().await.unwrap(),
        "the session resumes without asking"
    );
    let flows = restarted.resume_payments().await.unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].state, FlowState::Paid);
    assert_eq!(flows[0].payment_id.as_deref(), Some(payment_id.as_str()));
    let receipts = restarted.refresh_receipts().await.unwrap();
    assert_eq!(receipts.len(), 1, "one charge, one receipt");
    assert_eq!(Some(&receipts[0]), flows[0].receipt.as_ref());
}

#[tokio::test]
async fn a_return_link_that_arrives_twice_confirms_once() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let flow = pay_newest_bill(&portal).await;
    let payment_id = flow.payment_id.unwrap();
    let first = portal.payment_returned(&payment_id).await.unwrap();
    let second = portal.payment_returned(&payment_id).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(portal.confirm_count(), 1);
    assert_eq!(
        portal
            .payment_returned("pay_unknown")
            .await
            .unwrap_err()
            .code(),
        ErrorCode::UnknownPayment
    );
}

#[tokio::test]
async fn watching_a_processing_payment_polls_until_it_is_paid() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let bill = portal.home().await.unwrap().bills[0].id.clone();
    let flow = portal.start_payment(&[bill]).await.unwrap();
    let url = flow.checkout_url.clone().unwrap();
    let paying = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        fill_hosted_checkout(&url, GOOD_CARD).await
    });
    let mut changes = Vec::new();
    let settled = portal
        .watch_payment(
            flow.flow_id,
            Duration::from_secs(20),
            Duration::from_millis(100),
            |f| changes.push(f.state),
        )
        .await
        .unwrap();
    paying.await.unwrap().unwrap();
    assert_eq!(settled.state, FlowState::Paid);
    assert_eq!(changes.last(), Some(&FlowState::Paid));
    assert!(portal.confirm_count() >= 2, "it polled while processing");
}

#[tokio::test]
async fn an_expired_checkout_is_reported_and_frees_the_bills() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let (bill, flow) = start_paying_newest_bill(&portal).await;
    world.server.advance_clock(2 * 3600);
    let expired = portal.check_payment(flow.flow_id).await.unwrap();
    assert_eq!(expired.state, FlowState::Expired);
    assert_eq!(
        portal.start_payment(&[bill]).await.unwrap().state,
        FlowState::CheckoutOpened
    );
}

#[tokio::test]
async fn a_new_device_gets_the_whole_payment_history_from_the_backend() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let flow = pay_newest_bill(&portal).await;
    let paid = portal
        .payment_returned(flow.payment_id.as_deref().unwrap())
        .await
        .unwrap();
    let receipt = paid.receipt.unwrap();

    // The same customer on a device whose cache has never seen the payment.
    let mut fresh = world.config();
    fresh.cache_path = world
        .config()
        .cache_path
        .with_file_name("other-device.sqlite3");
    let other = portal_core::Portal::open(&fresh).unwrap();
    assert!(other.history().unwrap().receipts.is_empty());
    let history = other.refresh_history().await.unwrap();
    assert_eq!(history.receipts, vec![receipt]);
    assert!(history.problem.is_none() && history.as_of.is_some());
}

#[tokio::test]
async fn resuming_goes_on_past_a_payment_that_cannot_be_checked() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    // A flow whose payment the backend does not know (e.g. from another backend).
    {
        let mut cache = portal_core::cache::Cache::open(&world.config().cache_path).unwrap();
        let lost = cache
            .insert_flow("lost-key", &["bill_lost".to_owned()], None)
            .unwrap();
        cache
            .update_flow(
                lost,
                Some("pay_unknown_to_the_backend"),
                None,
                FlowState::CheckoutOpened,
                None,
            )
            .unwrap();
    }
    let flow = pay_newest_bill(&portal).await;

    let flows = portal.resume_payments().await.unwrap();
    assert_eq!(flows.len(), 2, "both are reported");
    let resumed = flows.iter().find(|f| f.flow_id == flow.flow_id).unwrap();
    assert_eq!(resumed.state, FlowState::Paid, "the good one was checked");
}

#[tokio::test]
async fn after_sign_out_no_file_of_the_cache_holds_the_customer() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let flow = pay_newest_bill(&portal).await;
    portal
        .payment_returned(flow.payment_id.as_deref().unwrap())
        .await
        .unwrap();
    let home = portal.refresh().await.unwrap();
    assert!(
        portal
            .save_first_paint(&home.revision, "<h1>Jane Doe</h1><p>Orchard Lane</p>")
            .unwrap(),
        "a picture of the home screen is kept, and must go with the rest"
    );
    portal.sign_out().await.unwrap();
    // While the app keeps running, and after it is closed.
    assert_no_file_holds_jane(&world, "signed out");
    drop(portal);
    assert_no_file_holds_jane(&world, "closed");
}

#[tokio::test]
async fn the_picture_of_the_home_screen_is_painted_only_over_the_data_it_shows() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let home = portal.refresh().await.unwrap();
    let picture = "<section><h1>Jane Doe</h1></section>";
    assert!(portal.save_first_paint(&home.revision, picture).unwrap());

    // Bad input: a revision the cache does not hold, an empty one, a picture too big to keep.
    assert!(
        !portal
            .save_first_paint("not-a-revision", "<p>other</p>")
            .unwrap()
    );
    assert!(!portal.save_first_paint("", "<p>other</p>").unwrap());
    let huge = "x".repeat(portal_api::ipc::FIRST_PAINT_MAX_BYTES + 1);
    let refused = portal.save_first_paint(&home.revision, &huge).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::BodyTooLarge);

    // A start that finds the backend unreachable shows the same data: its picture (the UI
    // leaves the offline notice out) is as good.
    let offline = Portal::open(&world.config_for("http://127.0.0.1:9")).unwrap();
    let offline_home = offline.refresh().await.unwrap();
    assert!(offline_home.offline);
    assert_eq!(offline_home.revision, home.revision);
    assert!(
        offline
            .save_first_paint(&offline_home.revision, picture)
            .unwrap()
    );
    drop(offline);

    // The next start: the same data gets its picture.
    let path = world.config().cache_path;
    drop(portal);
    let cache = Cache::open(&path).unwrap();
    let first = Portal::first_screen(&cache).expect("a signed-in cache has a first screen");
    assert_eq!(first.revision, home.revision);
    assert_eq!(
        Portal::first_paint(&cache, &first).as_deref(),
        Some(picture)
    );
    drop(cache);

    // A bill changes (a payment under way): the picture no longer shows the data.
    let portal = world.portal();
    start_paying_newest_bill(&portal).await;
    let cache = Cache::open(&path).unwrap();
    let changed = Portal::first_screen(&cache).unwrap();
    assert_ne!(changed.revision, home.revision);
    assert_eq!(Portal::first_paint(&cache, &changed), None);
}

fn assert_no_file_holds_jane(world: &World, moment: &str) {
    for entry in std::fs::read_dir(world.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [
            "Jane Doe",
            "jane.doe@example.com",
            "100-200-300",
            "Orchard Lane",
        ] {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{secret} is still in {} ({moment})",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn attempts_that_took_no_money_appear_in_the_history_with_how_they_ended() {
    use portal_api::ipc::EndedOutcome;
    let world = World::start().await;
    let portal = world.signed_in().await;
    let bills = cached_bill_ids(&portal).await;
    assert!(portal.refresh_history().await.unwrap().ended.is_empty());

    // Canceled by the customer.
    let canceled = portal.start_payment(&bills[..1]).await.unwrap();
    portal.cancel_payment(canceled.flow_id).await.unwrap();
    // A declined card, then the checkout left to expire: the sweeper ends it, no app asks.
    let declined = portal.start_payment(&bills[1..2]).await.unwrap();
    fill_hosted_checkout(declined.checkout_url.as_deref().unwrap(), DECLINED_CARD)
        .await
        .unwrap();
    portal.check_payment(declined.flow_id).await.unwrap();
    // Left alone, unpaid.
    let expired = portal.start_payment(&bills[2..3]).await.unwrap();
    world.server.advance_clock(2 * 3600);
    world.server.sweep_now().await.unwrap();

    let history = portal.refresh_history().await.unwrap();
    assert!(history.problem.is_none(), "{:?}", history.problem);
    let outcome_of = |flow: &portal_api::ipc::PaymentFlow| {
        history
            .ended
            .iter()
            .find(|ended| Some(&ended.payment_id) == flow.payment_id.as_ref())
            .map(|ended| ended.outcome)
    };
    assert_eq!(outcome_of(&canceled), Some(EndedOutcome::Canceled));
    assert_eq!(outcome_of(&declined), Some(EndedOutcome::Declined));
    assert_eq!(outcome_of(&expired), Some(EndedOutcome::Expired));
    assert!(history.receipts.is_empty(), "nothing was charged");
    // The cache keeps them for the next start, offline.
    assert_eq!(portal.history().unwrap().ended, history.ended);
}

#[tokio::test]
async fn a_payment_the_backend_has_no_record_of_can_be_dismissed_and_its_bills_paid_again() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let (bill, flow) = start_paying_newest_bill(&portal).await;
    // A payment the backend knows is never dismissed.
    assert!(!portal.dismiss_payment(flow.flow_id).await.unwrap());
    assert!(portal.payment_flow(flow.flow_id).is_ok());

    // The backend lost it (restored from a backup taken before it).
    let db = rusqlite::Connection::open(world.server.db_path()).unwrap();
    let payment_id = flow.payment_id.clone().unwrap();
    db.execute(
        "DELETE FROM payment_bills WHERE payment_id = ?1",
        [&payment_id],
    )
    .unwrap();
    db.execute("DELETE FROM payments WHERE id = ?1", [&payment_id])
        .unwrap();

    let checked = portal.check_payment(flow.flow_id).await.unwrap();
    assert!(checked.unknown_to_backend && checked.state.is_open());
    let same = portal
        .start_payment(std::slice::from_ref(&bill))
        .await
        .unwrap();
    assert_eq!(
        same.flow_id, flow.flow_id,
        "its bills stay in it until the customer dismisses it"
    );
    assert!(portal.dismiss_payment(flow.flow_id).await.unwrap());
    assert!(portal.payment_flow(flow.flow_id).is_err());
    let again = portal.start_payment(&[bill]).await.unwrap();
    assert_eq!(again.state, FlowState::CheckoutOpened);
}
