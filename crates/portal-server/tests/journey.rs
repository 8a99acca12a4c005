//! The customer journey through the API alone, over real HTTP: invite → redeem → me → bills →
//! create payment → the hosted page filled as a browser would → return page → confirm → receipt.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, DECLINED_CARD, GOOD_CARD, JANE, error_code};
use portal_api::v1::{
    BillStatus, Customer, InvitationPreview, Payment, PaymentList, PaymentStatus, ReceiptList,
    SessionTokens,
};
use reqwest::StatusCode;

#[tokio::test]
async fn the_whole_journey_pays_two_bills_and_makes_one_receipt() {
    let api = Api::start().await;

    // 1. Invite: the links come back and the mail is in the outbox.
    let code = api.invite(JANE).await;
    let outbox = api.outbox().await;
    let invitation_mail = outbox
        .messages
        .iter()
        .find(|m| m.kind == "invitation")
        .expect("an invitation mail");
    assert_eq!(invitation_mail.to, JANE.1);
    assert!(
        invitation_mail
            .body
            .contains(&format!("com.enerpro.portal://invite?code={code}"))
    );
    assert!(invitation_mail.body.contains(&format!(
        "https://portal.enerpro.example/app/invite?code={code}"
    )));

    // 2. Who is it for, then redeem with the postcode.
    let preview: InvitationPreview = api.preview(&code).await.json().await.unwrap();
    assert_eq!(preview.masked_email, "j***@example.com");
    assert_eq!(preview.account_name, "Jane Doe");
    let response = api.redeem(&code, "62701").await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: SessionTokens = response.json().await.unwrap();
    assert_eq!(tokens.expires_in, 900);
    let token = tokens.access_token.as_str();

    // 3. Customer info and outstanding bills.
    let me: Customer = api.get("/v1/me", Some(token)).await.json().await.unwrap();
    assert_eq!(me.account_number, "100-200-300");
    assert_eq!(me.service_address, "12 Orchard Lane, Springfield, IL 62701");
    let bills = api.bills(token, "outstanding").await;
    assert_eq!(bills.len(), 3);
    assert!(
        bills
            .iter()
            .all(|b| b.status == BillStatus::Outstanding && b.amount.currency == "USD")
    );
    assert_eq!(api.bills(token, "all").await.len(), 5);

    // 4. Pay two of them: the server computes the amount.
    let (first, second, third) = (&bills[0], &bills[1], &bills[2]);
    let response = api
        .create_payment(token, "key-1", &[&first.id, &second.id])
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let payment: Payment = response.json().await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
    assert_eq!(
        payment.amount.amount_minor,
        first.amount.amount_minor + second.amount.amount_minor
    );
    assert!(
        payment
            .checkout_url
            .starts_with(&api.url("/sim/checkout/cs_test_"))
    );
    let statuses: Vec<BillStatus> = api
        .bills(token, "outstanding")
        .await
        .iter()
        .map(|b| b.status)
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == BillStatus::Processing)
            .count(),
        2
    );

    // 5. The hosted page shows the total; a good card redirects to the backend's return page.
    let page = api.page(&payment.checkout_url).await;
    assert!(page.contains("Enerpro Utilities") && page.contains(&payment.amount.display()));
    let (status, location) = api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with(&api.url("/checkout/return?session_id=cs_test_")),
        "{location}"
    );
    let return_page = api.page(&location).await;
    let app_link = format!("com.enerpro.portal://payment/return?payment={}", payment.id);
    assert!(
        return_page.contains(&format!("url={app_link}")),
        "automatic redirect"
    );
    assert!(
        return_page.contains(&format!("href=\"{app_link}\"")),
        "visible link"
    );

    // 6. Confirm: paid, with the transaction id and a receipt.
    let confirmed = api.payment_action(token, &payment.id, "confirm").await;
    assert_eq!(confirmed.status, PaymentStatus::Paid);
    let receipt = confirmed.receipt.clone().expect("a receipt");
    assert!(receipt.number.starts_with("R-") && receipt.transaction_id.starts_with("pi_"));
    assert_eq!(
        (receipt.card_brand.as_str(), receipt.card_last4.as_str()),
        ("visa", "4242")
    );
    assert_eq!(receipt.total, payment.amount);
    assert_eq!(receipt.lines.len(), 2);
    assert_eq!(
        receipt
            .lines
            .iter()
            .map(|l| l.amount.amount_minor)
            .sum::<i64>(),
        receipt.total.amount_minor
    );

    // Confirming again gives the same receipt.
    let again = api.payment_action(token, &payment.id, "confirm").await;
    assert_eq!(again.receipt, Some(receipt.clone()));

    // 7. The bills are paid, the third still due; history and receipts list it; mail sent.
    let outstanding = api.bills(token, "outstanding").await;
    assert_eq!(outstanding.len(), 1);
    assert_eq!(outstanding[0].id, third.id);
    let all = api.bills(token, "all").await;
    assert!(
        all.iter()
            .filter(|b| b.id == first.id || b.id == second.id)
            .all(|b| b.status == BillStatus::Paid)
    );
    let history: PaymentList = api
        .get("/v1/payments", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.payments.len(), 1);
    let receipts: ReceiptList = api
        .get("/v1/receipts", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipts.receipts, vec![receipt.clone()]);
    let fetched: portal_api::v1::Receipt = api
        .get(&format!("/v1/receipts/{}", receipt.id), Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, receipt);
    let outbox = api.outbox().await;
    assert_eq!(
        outbox
            .messages
            .iter()
            .filter(|m| m.kind == "receipt")
            .count(),
        1
    );
    // The webhook arrives too (it was not held): still one receipt.
    assert!(
        api.server
            .wait_for_webhooks(1, std::time::Duration::from_secs(10))
            .await,
        "the checkout.session.completed webhook reached the backend"
    );
    let receipts: ReceiptList = api
        .get("/v1/receipts", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipts.receipts.len(), 1);
}

#[tokio::test]
async fn a_declined_card_keeps_the_checkout_open_and_a_good_card_then_pays() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let payment: Payment = api.new_payment(&token, "k", &[&bills[0].id]).await;

    let (status, page) = api
        .pay_in_browser(&payment.checkout_url, DECLINED_CARD)
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert!(
        page.contains("Your card was declined."),
        "the page says why"
    );
    let after_decline = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(after_decline.status, PaymentStatus::Processing);
    assert_eq!(
        after_decline.decline_code.as_deref(),
        Some("generic_decline"),
        "the provider's code, never its text"
    );

    let (status, _) = api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let paid = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.decline_code, None);
}

#[tokio::test]
async fn malformed_card_details_are_refused_with_a_message_and_nothing_changes() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let payment: Payment = api.new_payment(&token, "k", &[&bills[0].id]).await;
    for (card, expected) in [
        ("1234", "card number is invalid"),
        ("4242 4242 4242 4241", "card number is invalid"),
    ] {
        let (status, page) = api.pay_in_browser(&payment.checkout_url, card).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        assert!(page.contains(expected), "{card}: {page}");
    }
    let still = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(
        (still.status, still.decline_code),
        (PaymentStatus::Processing, None)
    );
}

#[tokio::test]
async fn an_expired_checkout_frees_the_bills_for_a_new_payment() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let payment: Payment = api.new_payment(&token, "k1", &[&bills[0].id]).await;
    api.server.advance_clock(2 * 3600);
    // The access token expired too: sign in again (a new invitation).
    let token = api.sign_in(JANE).await.access_token;
    let expired = api.payment_action(&token, &payment.id, "confirm").await;
    assert_eq!(expired.status, PaymentStatus::Expired);
    let page = api.page(&payment.checkout_url).await;
    assert!(page.contains("expired"));
    assert_eq!(
        api.bills(&token, "outstanding").await[0].status,
        BillStatus::Outstanding
    );
    let again = api.create_payment(&token, "k2", &[&bills[0].id]).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn canceling_expires_the_checkout_and_frees_the_bills() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let payment: Payment = api.new_payment(&token, "k1", &[&bills[0].id]).await;
    let canceled = api.payment_action(&token, &payment.id, "cancel").await;
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    let (status, _) = api.submit_card(&payment.checkout_url, GOOD_CARD).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a canceled checkout takes no card"
    );
    assert_eq!(
        api.create_payment(&token, "k2", &[&bills[0].id])
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn canceling_after_the_customer_paid_records_the_payment_as_paid() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let payment: Payment = api.new_payment(&token, "k1", &[&bills[0].id]).await;
    api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    let answer = api.payment_action(&token, &payment.id, "cancel").await;
    assert_eq!(
        answer.status,
        PaymentStatus::Paid,
        "a paid payment is never shown as unpaid"
    );
    assert!(answer.receipt.is_some());
}

#[tokio::test]
async fn idempotency_keys_return_the_same_payment_or_a_conflict() {
    let api = Api::start().await;
    let token = api.sign_in(JANE).await.access_token;
    let bills = api.bills(&token, "outstanding").await;
    let first = api
        .create_payment(&token, "same-key", &[&bills[0].id, &bills[1].id])
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Payment = first.json().await.unwrap();
    // Same key, same bills (any order): the same payment.
    let replay = api
        .create_payment(&token, "same-key", &[&bills[1].id, &bills[0].id])
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.json::<Payment>().await.unwrap().id, first.id);
    // Same key, other bills: conflict.
    let (status, code) = error_code(
        api.create_payment(&token, "same-key", &[&bills[2].id])
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "idempotency_conflict")
    );
    // Another key, a bill already in the open payment: not charged twice.
    let (status, code) = error_code(
        api.create_payment(&token, "other-key", &[&bills[0].id])
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "bill_in_open_payment")
    );
    let history: PaymentList = api
        .get("/v1/payments", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.payments.len(), 1);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_the_committed_copy_is_current() {
    let api = Api::start().await;
    let served = api
        .get("/v1/openapi.json", None)
        .await
        .text()
        .await
        .unwrap();
    let generated = portal_server::openapi::document_json();
    assert_eq!(served, generated);
    let document: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    assert!(document["paths"]["/v1/payments"]["post"].is_object());
    // At run time: a test binary may have been built in another clone sharing the target folder.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let committed_path = format!("{manifest_dir}/../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p portal-server --test journey` and commit it"
    );
}

/// The outbox's mails of `kind`, newest last.
async fn mails(api: &Api, kind: &str) -> Vec<portal_api::v1::OutboxMessage> {
    let outbox = api.outbox().await;
    outbox
        .messages
        .into_iter()
        .filter(|m| m.kind == kind)
        .collect()
}

#[tokio::test]
async fn a_customer_who_reads_spanish_gets_spanish_mails_and_a_spanish_checkout() {
    let api = Api::start().await;
    // María is seeded as a Spanish reader: her invitation is in Spanish.
    let maria = ("100-200-303", "maria.garcia@example.com", "60623");
    api.invite(maria).await;
    let invitation = mails(&api, "invitation")
        .await
        .pop()
        .expect("an invitation");
    assert_eq!(invitation.subject, "Su invitación al portal de Enerpro");
    assert!(invitation.body.starts_with("Hola, María García:"));

    // Jane reads English until her app speaks Spanish (Accept-Language on redeeming).
    let jane_code = api.invite(JANE).await;
    assert_eq!(
        mails(&api, "invitation").await.pop().unwrap().subject,
        "Your invitation to the Enerpro portal"
    );
    let redeemed: SessionTokens = api
        .http
        .post(api.url("/v1/invitations/redeem"))
        .header("Accept-Language", "es-US,es;q=0.9,en;q=0.5")
        .json(&serde_json::json!({ "code": jane_code, "postcode": JANE.2 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = redeemed.access_token.as_str();
    let bills = api.bills(token, "outstanding").await;
    // The payment is created without a language: the stored one (Spanish now) applies.
    let payment = api.new_payment(token, "es-key", &[&bills[0].id]).await;
    let page = api.page(&payment.checkout_url).await;
    assert!(
        page.contains(r#"<html lang="es">"#)
            && page.contains("Número de tarjeta")
            && page.contains("Factura de electricidad del"),
        "{page}"
    );
    let (_, location) = api.pay_in_browser(&payment.checkout_url, GOOD_CARD).await;
    let return_page = api.page(&location).await;
    assert!(
        return_page.contains(r#"<html lang="es">"#) && return_page.contains("Pago recibido"),
        "{return_page}"
    );
    let paid = api.payment_action(token, &payment.id, "confirm").await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    let receipt = mails(&api, "receipt").await.pop().expect("a receipt mail");
    assert!(
        receipt.subject.starts_with("Su recibo de Enerpro R-")
            && receipt.body.contains("Gracias por su pago."),
        "{receipt:?}"
    );

    // A sign-in link asked for by an English app comes in English, even for María.
    let response = api
        .http
        .post(api.url("/v1/auth/signin"))
        .header("Accept-Language", "en-GB")
        .json(&serde_json::json!({
            "email": maria.1,
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let signin = loop {
        if let Some(mail) = mails(&api, "signin").await.pop() {
            break mail;
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in mail");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(signin.subject, "Your Enerpro sign-in link");
}
