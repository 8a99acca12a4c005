//! The Enerpro portal's client core: everything the app does that is not drawing a window.
//!
//! It knows nothing of Tauri, so it is tested on its own against the real sandbox server; the
//! app's shell forwards its commands here in a line or two.

pub mod api;
pub mod backend;
pub mod deep_link;
mod error;

pub use api::ApiClient;
pub use backend::BackendUrl;
pub use error::{CoreError, LinkRejection};
