//! The Enerpro portal's contract: every type that crosses a boundary, defined once.
//!
//! [`v1`] holds the HTTP API between the app and the backend (the sandbox server implements it);
//! [`ipc`] holds what the app's shell and its WebAssembly UI exchange. The crate depends on serde
//! and postcard (the IPC's binary form) alone, so it compiles for the server, the app and
//! `wasm32-unknown-unknown` alike.

pub mod currency;
pub mod errors;
pub mod i18n;
pub mod ipc;
pub mod links;
pub mod v1;

pub use errors::{ErrorCode, NextStep};
pub use i18n::{Language, Text};
pub use v1::ErrorBody;
