//! The Enerpro portal's client core: everything the app does that is not drawing a window.
//!
//! It knows nothing of Tauri, so it is tested on its own against the real sandbox server; the
//! app's shell forwards its commands to [`Portal`] in a line or two.

pub mod api;
pub mod backend;
pub mod cache;
pub mod checkout;
pub mod credentials;
pub mod deep_link;
mod error;
pub mod language;
pub mod notices;
pub mod portal;
pub mod session;
pub mod usage;

pub use api::ApiClient;
pub use backend::BackendUrl;
pub use error::{CoreError, LinkRejection};
pub use portal::{Portal, PortalConfig};

/// A URL-safe random secret of 256 bits (43 characters): idempotency keys, PKCE verifiers.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
