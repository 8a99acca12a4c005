//! Several accounts under one sign-in, over real HTTP: an invitation opened where someone is
//! signed in adds its account to that person (after the postcode check), one they already hold
//! adds nothing; `X-Account` picks among their accounts, and any other account is not found on
//! every read; support staff give and take access (a partner with their own sign-in, an access
//! taken away is gone at once).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{Api, JANE, OMAR, error_code};
use portal_api::v1::{AccountList, BillList, SessionTokens};
use reqwest::StatusCode;
use serde_json::json;

const MEI: (&str, &str, &str) = ("100-200-302", "mei.chen@example.com", "78701");

async fn get_as(api: &Api, path: &str, token: &str, account: Option<&str>) -> reqwest::Response {
    let mut request = api.http.get(api.url(path)).bearer_auth(token);
    if let Some(account) = account {
        request = request.header("X-Account", account);
    }
    request.send().await.unwrap()
}

async fn accounts(api: &Api, token: &str) -> Vec<String> {
    let list: AccountList = get_as(api, "/v1/accounts", token, None)
        .await
        .json()
        .await
        .unwrap();
    list.accounts
        .into_iter()
        .map(|a| a.account_number)
        .collect()
}

async fn redeem_signed_in(api: &Api, code: &str, postcode: &str, token: &str) -> reqwest::Response {
    api.http
        .post(api.url("/v1/invitations/redeem"))
        .bearer_auth(token)
        .json(&json!({ "code": code, "postcode": postcode }))
        .send()
        .await
        .unwrap()
}

async fn holder(api: &Api, account: &str, email: &str, add: bool) -> StatusCode {
    let request = if add {
        api.http
            .post(api.url(&format!("/v1/admin/accounts/{account}/holders")))
            .json(&json!({ "email": email }))
    } else {
        api.http
            .delete(api.url(&format!("/v1/admin/accounts/{account}/holders/{email}")))
    };
    request
        .bearer_auth(api.server.admin_key())
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn an_invitation_opened_while_signed_in_adds_its_account_to_that_person() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    assert_eq!(accounts(&api, &jane.access_token).await, [JANE.0]);

    // Mei's account, invited on this device while Jane is signed in: a wrong postcode first.
    let code = api.invite(MEI).await;
    let wrong = redeem_signed_in(&api, &code, "00000", &jane.access_token).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(accounts(&api, &jane.access_token).await, [JANE.0]);
    let added = redeem_signed_in(&api, &code, MEI.2, &jane.access_token).await;
    assert_eq!(added.status(), StatusCode::OK);
    let jane: SessionTokens = added.json().await.unwrap();
    assert_eq!(accounts(&api, &jane.access_token).await, [JANE.0, MEI.0]);

    // Each account's bills by `X-Account`; without it, the account the new session was opened
    // for (the invitation's).
    let bills = |account: Option<&'static str>| {
        let (api, token) = (&api, jane.access_token.clone());
        async move {
            let list: BillList = get_as(api, "/v1/bills?status=all", &token, account)
                .await
                .json()
                .await
                .unwrap();
            list.bills.into_iter().map(|b| b.id).collect::<Vec<_>>()
        }
    };
    let meis = bills(Some(MEI.0)).await;
    assert!(!meis.is_empty() && meis.iter().all(|id| id.starts_with("bill_100200302")));
    let janes = bills(Some(JANE.0)).await;
    assert!(!janes.is_empty() && janes.iter().all(|id| id.starts_with("bill_100200300")));
    assert_eq!(bills(None).await, meis);
    let mine = get_as(&api, "/v1/me", &jane.access_token, Some(MEI.0)).await;
    let me: portal_api::v1::Customer = mine.json().await.unwrap();
    assert_eq!(me.name, "Mei Chen");

    // Another invitation for an account she holds: nothing added, the invitation still usable.
    let again = api.invite(MEI).await;
    let (status, code) =
        error_code(redeem_signed_in(&api, &again, MEI.2, &jane.access_token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "account_already_added")
    );
    assert_eq!(accounts(&api, &jane.access_token).await, [JANE.0, MEI.0]);
    assert_eq!(api.preview(&again).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_person_reaches_only_the_accounts_they_hold_on_every_read() {
    let api = Api::start().await;
    let omar = api.sign_in(OMAR).await;
    let jane_bill = "bill_100200300_2026_10";
    for path in [
        "/v1/me".to_owned(),
        "/v1/bills".to_owned(),
        format!("/v1/bills/{jane_bill}"),
        format!("/v1/bills/{jane_bill}/pdf"),
        "/v1/readings".to_owned(),
        "/v1/receipts".to_owned(),
        "/v1/payments".to_owned(),
        "/v1/notifications".to_owned(),
    ] {
        for account in [JANE.0, "999-999-999", "not an account"] {
            let response = get_as(&api, &path, &omar.access_token, Some(account)).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{path} as {account}"
            );
        }
        if !path.contains(jane_bill) {
            let own = get_as(&api, &path, &omar.access_token, Some(OMAR.0)).await;
            assert_eq!(own.status(), StatusCode::OK, "{path} of his own");
        }
    }
}

#[tokio::test]
async fn support_staff_give_and_take_access_and_a_partner_has_their_own_sign_in() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let partner = ("100-200-300", "sam.doe@example.com", "62701");

    // Not on file and not given access: no invitation for them.
    let response = api
        .http
        .post(api.url("/v1/admin/invitations"))
        .bearer_auth(api.server.admin_key())
        .json(&json!({ "account_number": partner.0, "email": partner.1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response).await.1, "email_not_on_file");

    assert_eq!(
        holder(&api, JANE.0, partner.1, true).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        holder(&api, JANE.0, partner.1, true).await,
        StatusCode::NO_CONTENT,
        "again: the same"
    );
    let sam = api.sign_in(partner).await;
    assert_eq!(accounts(&api, &sam.access_token).await, [JANE.0]);
    assert_eq!(
        accounts(&api, &jane.access_token).await,
        [JANE.0],
        "her own sign-in, untouched"
    );

    // Taken away: gone at once from the partner's reads (holding no account, the sign-in is
    // over); the email on file keeps its account.
    assert_eq!(
        holder(&api, JANE.0, partner.1, false).await,
        StatusCode::NO_CONTENT
    );
    for path in ["/v1/accounts", "/v1/bills"] {
        let (status, code) = error_code(get_as(&api, path, &sam.access_token, None).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "session_ended"),
            "{path}"
        );
    }
    assert_eq!(
        get_as(&api, "/v1/bills", &sam.access_token, Some(JANE.0))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        holder(&api, JANE.0, partner.1, false).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        holder(&api, JANE.0, JANE.1, false).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(accounts(&api, &jane.access_token).await, [JANE.0]);

    // Bad input: an address that is not one, an account that does not exist.
    assert_eq!(
        holder(&api, JANE.0, "not-an-email", true).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        holder(&api, "999-999-999", partner.1, true).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn one_checkout_pays_bills_of_two_accounts_and_one_receipt_lists_each() {
    let api = Api::start().await;
    let jane = api.sign_in(JANE).await;
    let code = api.invite(OMAR).await;
    let added = redeem_signed_in(&api, &code, OMAR.2, &jane.access_token).await;
    let jane: SessionTokens = added.json().await.unwrap();
    let (hers, his) = ("bill_100200300_2026_10", "bill_100200301_2026_10");

    // Someone holding only one of them cannot put the other's bill in a payment.
    let omar = api.sign_in(OMAR).await;
    let refused = api
        .create_payment(&omar.access_token, "mixed-1", &[his, hers])
        .await;
    let (status, code) = error_code(refused).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "unknown_bill")
    );

    let payment = api
        .new_payment(&jane.access_token, "both-1", &[hers, his])
        .await;
    assert_eq!(payment.amount.amount_minor, 10_150 + 7_310);
    api.pay_in_browser(&payment.checkout_url, common::GOOD_CARD)
        .await;
    let paid = api
        .payment_action(&jane.access_token, &payment.id, "confirm")
        .await;
    let receipt = paid.receipt.expect("a receipt");
    let lines: Vec<(Option<&str>, &str)> = receipt
        .lines
        .iter()
        .map(|line| (line.account_number.as_deref(), line.bill_id.as_str()))
        .collect();
    assert_eq!(lines, [(Some(JANE.0), hers), (Some(OMAR.0), his)]);
    // Each account's bill is paid, in each account.
    for (account, bill) in [(JANE.0, hers), (OMAR.0, his)] {
        let list: BillList = get_as(
            &api,
            "/v1/bills?status=all",
            &jane.access_token,
            Some(account),
        )
        .await
        .json()
        .await
        .unwrap();
        let status = list.bills.iter().find(|b| b.id == bill).unwrap().status;
        assert_eq!(status, portal_api::v1::BillStatus::Paid, "{bill}");
    }
}
