//! The files a portal host serves so that phones open `https://<host>/app/…` links in the app
//! (claimed links): Android's Digital Asset Links and Apple's app-site-association, generated
//! from configuration.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_api::ErrorBody;
use portal_api::ErrorCode;
use serde_json::json;
use std::sync::Arc;

/// Which apps may open the portal host's `/app/…` links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppLinks {
    /// The Android application id, e.g. `com.enerpro.portal`.
    pub android_package: Option<String>,
    /// SHA-256 fingerprints of the Android signing certificates (`AA:BB:…`).
    pub android_cert_sha256: Vec<String>,
    /// Apple app ids, `TEAMID.com.enerpro.portal`.
    pub apple_app_ids: Vec<String>,
}

fn not_configured(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorBody::new(
            ErrorCode::NotConfigured,
            format!("This server is not configured with {what}."),
        )),
    )
        .into_response()
}

/// `GET /.well-known/assetlinks.json`
pub async fn assetlinks(State(links): State<Arc<AppLinks>>) -> Response {
    match &links.android_package {
        Some(package) if !links.android_cert_sha256.is_empty() => Json(json!([{
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {
                "namespace": "android_app",
                "package_name": package,
                "sha256_cert_fingerprints": links.android_cert_sha256,
            }
        }]))
        .into_response(),
        _ => not_configured("an Android app (--android-package and --android-cert-sha256)"),
    }
}

/// `GET /.well-known/apple-app-site-association`
pub async fn apple_app_site_association(State(links): State<Arc<AppLinks>>) -> Response {
    if links.apple_app_ids.is_empty() {
        return not_configured("an iOS app (--apple-app-id)");
    }
    Json(json!({
        "applinks": {
            "details": [{
                "appIDs": links.apple_app_ids,
                "components": [{ "/": "/app/*", "comment": "invitations, sign-in links and payment returns" }]
            }]
        }
    }))
    .into_response()
}
