//! The OpenAPI 3.1 document of `/v1`, generated from the `portal-api` types and the handlers'
//! annotations. Served at `/v1/openapi.json`; a committed copy lives in `docs/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Enerpro Customer Portal API", description = "The backend API of the Enerpro customer portal. The sandbox server is its reference implementation."),
    paths(
        crate::health::health,
        crate::auth::admin_create_invitation,
        crate::auth::preview_invitation,
        crate::auth::redeem_invitation,
        crate::auth::request_signin,
        crate::auth::exchange_signin,
        crate::auth::refresh,
        crate::auth::sign_out,
        crate::account::me,
        crate::account::accounts,
        crate::account::admin_add_holder,
        crate::account::admin_remove_holder,
        crate::account::bills,
        crate::account::bill,
        crate::notifications::list,
        crate::notifications::preferences,
        crate::notifications::choose,
        crate::notifications::register_device,
        crate::notifications::admin_issue_bill,
        crate::notifications::admin_push_outbox,
        crate::autopay::settings,
        crate::autopay::choose,
        crate::autopay::start_card_setup,
        crate::autopay::remove_card,
        crate::account::bill_pdf,
        crate::account::receipt_pdf,
        crate::account::readings,
        crate::billing::admin_import,
        crate::billing::admin_payment_feed,
        crate::billing::admin_import_readings,
        crate::payments::create_payment,
        crate::payments::list_payments,
        crate::payments::get_payment,
        crate::payments::confirm_payment,
        crate::payments::cancel_payment,
        crate::payments::list_receipts,
        crate::payments::get_receipt,
        crate::payments::admin_outbox,
        crate::payments::stripe_webhook,
        crate::updates::latest,
    ),
    modifiers(&BearerSchemes)
)]
pub struct ApiDoc;

struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["access_token", "admin_key"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The document as pretty JSON (what `docs/openapi.json` holds).
pub fn document_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.to_pretty_json().unwrap_or_default() + "\n"
}
