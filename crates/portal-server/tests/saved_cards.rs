//! Saved cards and off-session charges (autopay's provider side), through the Stripe adapter
//! against the sandbox's simulator: a card saved on the hosted setup page (a Checkout Session in
//! `setup` mode), read back through its SetupIntent; charged without the customer with an
//! idempotency key, so a repeat is the same charge; Stripe's test cards for the failing paths;
//! a detached card no longer charged.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use portal_server::simulator::{HostedOutcome, fill_hosted_checkout};
use portal_server::stripe::{
    ApiError, Expandable, NewSetup, OffSessionCharge, PaymentIntent, StripeClient, StripeError,
};

const GOOD: &str = "4242 4242 4242 4242";
const DECLINED_LATER: &str = "4000 0000 0000 0341";
const NEEDS_AUTHENTICATION: &str = "4000 0027 6000 3184";

fn setup(customer: &str) -> NewSetup {
    NewSetup {
        customer: customer.into(),
        client_reference_id: "setup_test".into(),
        success_url:
            "https://portal.enerpro.example/autopay/return?session_id={CHECKOUT_SESSION_ID}".into(),
        cancel_url: "https://portal.enerpro.example/autopay/cancel".into(),
        locale: "en",
        currency: "usd".into(),
    }
}

/// Saves `card` on the hosted setup page for a new customer; answers (customer, card id).
async fn saved(provider: &StripeClient, card: &str, key: &str) -> (String, String) {
    let customer = provider
        .create_customer(
            "jane.doe@example.com",
            "100-200-300",
            &format!("{key}-customer"),
        )
        .await
        .unwrap();
    let session = provider
        .create_setup(&setup(&customer.id), &format!("{key}-setup"))
        .await
        .unwrap();
    assert_eq!(session.status.as_deref(), Some("open"));
    let outcome = fill_hosted_checkout(session.url.as_deref().unwrap(), card)
        .await
        .unwrap();
    let HostedOutcome::Redirected(to) = outcome else {
        panic!("{card} was not saved: {outcome:?}");
    };
    assert!(to.contains(&session.id), "{to}");
    let session = provider.retrieve_setup(&session.id).await.unwrap();
    assert_eq!(session.status.as_deref(), Some("complete"));
    let Some(Expandable::Object(intent)) = session.setup_intent else {
        panic!("the setup intent is expanded");
    };
    assert_eq!(intent.status.as_deref(), Some("succeeded"));
    let Some(Expandable::Object(method)) = intent.payment_method else {
        panic!("the card is expanded");
    };
    assert_eq!(method.customer.as_deref(), Some(customer.id.as_str()));
    let card_details = method.card.unwrap();
    assert_eq!(card_details.last4.as_deref(), Some(&card[card.len() - 4..]));
    assert_eq!(
        (card_details.exp_month, card_details.exp_year),
        (Some(12), Some(2034))
    );
    (customer.id, method.id)
}

fn charge(customer: &str, method: &str, amount: i64) -> OffSessionCharge {
    OffSessionCharge {
        amount,
        currency: "usd".into(),
        customer: customer.into(),
        payment_method: method.into(),
        payment_id: "pay_autopay_test".into(),
    }
}

fn refusal(result: Result<PaymentIntent, StripeError>) -> (u16, ApiError) {
    match result {
        Err(StripeError::Refused { status, error }) => (status, *error),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_saved_card_is_charged_off_session_once_per_key() {
    let server = portal_server::spawn("127.0.0.1:0").await.unwrap();
    let provider = StripeClient::new(server.provider_config().clone()).unwrap();
    let (customer, method) = saved(&provider, GOOD, "good").await;

    let paid = provider
        .charge_off_session(&charge(&customer, &method, 10_150), "autopay-bill-1")
        .await
        .unwrap();
    assert_eq!(paid.status.as_deref(), Some("succeeded"));
    let Some(Expandable::Object(latest)) = paid.latest_charge else {
        panic!("the charge is expanded");
    };
    let card = latest.payment_method_details.unwrap().card.unwrap();
    assert_eq!(
        (card.brand.as_deref(), card.last4.as_deref()),
        (Some("visa"), Some("4242"))
    );

    // The same key again (a crash before recording it, a second scheduler): the same charge.
    let again = provider
        .charge_off_session(&charge(&customer, &method, 10_150), "autopay-bill-1")
        .await
        .unwrap();
    assert_eq!(again.id, paid.id);
    let (status, error) = refusal(
        provider
            .charge_off_session(&charge(&customer, &method, 99_999), "autopay-bill-1")
            .await,
    );
    assert_eq!(
        (status, error.kind.as_deref()),
        (400, Some("idempotency_error"))
    );

    // Below the currency's minimum, someone else's card, a card taken off.
    let (status, error) = refusal(
        provider
            .charge_off_session(&charge(&customer, &method, 20), "autopay-small")
            .await,
    );
    assert_eq!(
        (status, error.code.as_deref()),
        (400, Some("amount_too_small"))
    );
    let (status, _) = refusal(
        provider
            .charge_off_session(
                &charge("cus_someone_else", &method, 10_150),
                "autopay-other",
            )
            .await,
    );
    assert_eq!(status, 400);
    provider.detach(&method).await.unwrap();
    let (status, _) = refusal(
        provider
            .charge_off_session(&charge(&customer, &method, 10_150), "autopay-bill-2")
            .await,
    );
    assert_eq!(status, 400, "a detached card is not charged");
    assert_eq!(
        server.off_session_charges(),
        1,
        "one charge took money, whatever was repeated"
    );
}

#[tokio::test]
async fn the_failing_test_cards_save_but_their_charges_fail_as_stripe_says() {
    let server = portal_server::spawn("127.0.0.1:0").await.unwrap();
    let provider = StripeClient::new(server.provider_config().clone()).unwrap();
    for (card, code, decline_code) in [
        (DECLINED_LATER, "card_declined", "generic_decline"),
        (
            NEEDS_AUTHENTICATION,
            "authentication_required",
            "authentication_required",
        ),
    ] {
        let (customer, method) = saved(&provider, card, code).await;
        let (status, error) = refusal(
            provider
                .charge_off_session(&charge(&customer, &method, 7_310), &format!("{code}-1"))
                .await,
        );
        assert_eq!(status, 402, "{card}");
        assert_eq!(
            (
                error.kind.as_deref(),
                error.code.as_deref(),
                error.decline_code.as_deref()
            ),
            (Some("card_error"), Some(code), Some(decline_code)),
            "{card}"
        );
        assert!(
            error
                .payment_intent
                .is_some_and(|intent| intent.id.starts_with("pi_"))
        );
    }
    assert_eq!(server.off_session_charges(), 0);

    // A card declined outright is not saved; a setup needs a customer the provider knows.
    let customer = provider
        .create_customer(
            "omar.haddad@example.com",
            "100-200-301",
            "declined-customer",
        )
        .await
        .unwrap();
    let session = provider
        .create_setup(&setup(&customer.id), "declined-setup")
        .await
        .unwrap();
    let outcome = fill_hosted_checkout(session.url.as_deref().unwrap(), "4000 0000 0000 0002")
        .await
        .unwrap();
    assert!(
        matches!(outcome, HostedOutcome::Refused(402, _)),
        "{outcome:?}"
    );
    let refused = provider
        .create_setup(&setup("cus_unknown"), "unknown-setup")
        .await;
    assert!(matches!(
        refused,
        Err(StripeError::Refused { status: 400, .. })
    ));
}
