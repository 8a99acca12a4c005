//! Several accounts under one sign-in through the core, against the real sandbox server and a
//! real SQLite cache: an invitation opened while signed in adds its account; Home shows every
//! account together or one alone, each with its own "as of", also offline; one checkout pays
//! bills of both and its receipt names each bill's account; an account taken away by support
//! staff leaves the app and the cache at the next refresh.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{GOOD_CARD, JANE, World};
use portal_api::ErrorCode;
use portal_api::ipc::{FlowState, HomeView};
use portal_core::Portal;
use portal_core::cache::Cache;
use portal_server::simulator::fill_hosted_checkout;

const OMAR: (&str, &str, &str) = ("100-200-301", "omar.haddad@example.com", "97201");

/// Support staff give `email` access to `account` (or take it away).
async fn holders(world: &World, account: &str, email: &str, give: bool) {
    let base = format!(
        "{}/v1/admin/accounts/{account}/holders",
        world.server.base_url()
    );
    let client = reqwest::Client::new();
    let request = if give {
        client
            .post(base)
            .json(&serde_json::json!({ "email": email }))
    } else {
        client.delete(format!("{base}/{email}"))
    };
    let response = request
        .bearer_auth(world.server.admin_key())
        .send()
        .await
        .expect("the admin API answers");
    assert!(response.status().is_success(), "{}", response.status());
}

/// Jane, signed in, holding Omar's account too (given by support staff).
async fn jane_with_omars_account(world: &World) -> Portal {
    let portal = world.signed_in().await;
    holders(world, OMAR.0, JANE.1, true).await;
    portal.refresh().await.expect("a refresh");
    portal
}

fn numbers(home: &HomeView) -> Vec<&str> {
    home.accounts
        .iter()
        .map(|account| account.customer.account_number.as_str())
        .collect()
}

/// The bills Home shows, as (account, bill id).
fn bills(home: &HomeView) -> Vec<(&str, &str)> {
    home.bills
        .iter()
        .map(|bill| (bill.account_number.as_str(), bill.id.as_str()))
        .collect()
}

#[tokio::test]
async fn an_invitation_opened_while_signed_in_adds_its_account_and_home_shows_each_or_all() {
    let world = World::start().await;
    let portal = world.signed_in().await;
    let home = portal.home().await.unwrap();
    assert_eq!(numbers(&home), [JANE.0]);
    assert_eq!(
        home.selected.as_deref(),
        Some(JANE.0),
        "one account shows alone"
    );

    let code = world.invite_customer(OMAR.0, OMAR.1).await;
    let home = portal.accept_invitation(&code, OMAR.2).await.unwrap();
    assert_eq!(
        numbers(&home),
        [JANE.0, OMAR.0],
        "the same sign-in holds both"
    );
    assert_eq!(
        home.selected, None,
        "several accounts show together at first"
    );
    assert!(home.customer.is_none());
    let shown = bills(&home);
    for number in [JANE.0, OMAR.0] {
        assert!(
            shown.iter().any(|(account, _)| *account == number),
            "{number}"
        );
    }
    let sum: i64 = home
        .accounts
        .iter()
        .filter_map(|account| account.total_due.as_ref())
        .map(|due| due.amount_minor)
        .sum();
    assert_eq!(home.total_due.as_ref().unwrap().amount_minor, sum);
    assert!(home.accounts.iter().all(|account| account.as_of.is_some()));

    // The same invitation's account again: a clear refusal, nothing duplicated.
    let again = world.invite_customer(OMAR.0, OMAR.1).await;
    let refused = portal.accept_invitation(&again, OMAR.2).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::AccountAlreadyAdded);
    assert_eq!(numbers(&portal.home().await.unwrap()), [JANE.0, OMAR.0]);

    let omar = portal.choose_account(Some(OMAR.0)).await.unwrap();
    assert_eq!(omar.customer.as_ref().unwrap().name, "Omar Haddad");
    assert!(bills(&omar).iter().all(|(account, _)| *account == OMAR.0));
    assert!(!omar.bills.is_empty());
    let unknown = portal
        .choose_account(Some("999-999-999"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    assert_eq!(
        portal.home().await.unwrap().selected.as_deref(),
        Some(OMAR.0)
    );

    // Offline: the cache answers every account, switching works, each keeps its time.
    let before = portal.home().await.unwrap();
    drop(portal);
    let offline = Portal::open(&world.config_for("http://127.0.0.1:9")).unwrap();
    let home = offline.refresh().await.unwrap();
    assert!(home.offline);
    assert_eq!(home.selected.as_deref(), Some(OMAR.0), "the choice is kept");
    let all = offline.choose_account(None).await.unwrap();
    assert_eq!(numbers(&all), [JANE.0, OMAR.0]);
    assert_eq!(
        bills(&all).len(),
        bills(&home).len() + {
            let jane = offline.choose_account(Some(JANE.0)).await.unwrap();
            jane.bills.len()
        }
    );
    for (now, then) in all.accounts.iter().zip(&before.accounts) {
        assert_eq!(
            now.as_of.as_ref().map(|a| &a.fetched_at),
            then.as_of.as_ref().map(|a| &a.fetched_at),
            "an offline refresh leaves each account's time as it was"
        );
    }
}

#[tokio::test]
async fn one_checkout_pays_bills_of_two_accounts_and_the_receipt_names_each() {
    let world = World::start().await;
    let portal = jane_with_omars_account(&world).await;
    let home = portal.home().await.unwrap();
    let newest = |number: &str| {
        bills(&home)
            .into_iter()
            .find(|(account, _)| *account == number)
            .map(|(_, bill)| bill.to_owned())
            .unwrap()
    };
    let (hers, his) = (newest(JANE.0), newest(OMAR.0));

    let flow = portal
        .start_payment(&[hers.clone(), his.clone()])
        .await
        .unwrap();
    let plan = portal.pay_plan(None).unwrap();
    assert!(
        !plan
            .bills
            .iter()
            .any(|bill| bill.id == hers || bill.id == his),
        "bills in a payment under way cannot be chosen again"
    );
    fill_hosted_checkout(flow.checkout_url.as_deref().unwrap(), GOOD_CARD)
        .await
        .unwrap();
    let paid = portal
        .payment_returned(flow.payment_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(paid.state, FlowState::Paid);
    let receipt = paid.receipt.unwrap();
    let lines: Vec<(Option<&str>, &str)> = receipt
        .lines
        .iter()
        .map(|line| (line.account_number.as_deref(), line.bill_id.as_str()))
        .collect();
    assert_eq!(
        lines,
        [(Some(JANE.0), hers.as_str()), (Some(OMAR.0), his.as_str())]
    );

    let home = portal.refresh().await.unwrap();
    assert!(
        !bills(&home)
            .iter()
            .any(|(_, bill)| *bill == hers || *bill == his),
        "both paid"
    );
    let history = portal.refresh_history().await.unwrap();
    assert_eq!(
        history
            .receipts
            .iter()
            .filter(|kept| kept.id == receipt.id)
            .count(),
        1,
        "one receipt, kept once"
    );
    // Each bill's detail comes from its own account.
    let detail = portal.refresh_bill_detail(&his).await.unwrap();
    assert_eq!(detail.bill.unwrap().id, his);
}

#[tokio::test]
async fn an_account_taken_away_leaves_the_app_and_the_cache_at_the_next_refresh() {
    let world = World::start().await;
    let portal = jane_with_omars_account(&world).await;
    let home = portal.choose_account(Some(OMAR.0)).await.unwrap();
    let his = home.bills[0].id.clone();
    portal.refresh_bill_detail(&his).await.unwrap();
    let usage = portal
        .refresh_usage(&portal_api::ipc::UsageArgs {
            scale: portal_api::ipc::UsageScale::Months,
            date: None,
        })
        .await
        .unwrap();
    assert!(usage.total_wh > 0, "Omar's readings are kept");

    holders(&world, OMAR.0, JANE.1, false).await;
    let home = portal.refresh().await.unwrap();
    assert_eq!(numbers(&home), [JANE.0]);
    assert_eq!(home.selected.as_deref(), Some(JANE.0));
    assert!(bills(&home).iter().all(|(account, _)| *account == JANE.0));
    let gone = portal.bill_detail(&his).unwrap();
    assert!(gone.bill.is_none(), "nothing of the bill is left to show");
    let refused = portal.refresh_bill_detail(&his).await.unwrap_err();
    assert_eq!(
        refused.code(),
        ErrorCode::BillUnavailable,
        "a notification's bill of an account taken away is explained, not fetched"
    );

    let cache = Cache::open(&world.config().cache_path).unwrap();
    let omar = [OMAR.0.to_owned()];
    assert!(cache.unpaid_bills(OMAR.0).unwrap().is_none());
    assert_eq!(cache.bill_account(&his).unwrap(), None);
    assert_eq!(cache.hours_range(&omar).unwrap(), None);
    assert_eq!(cache.readings_as_of(&omar).unwrap(), None);
}
