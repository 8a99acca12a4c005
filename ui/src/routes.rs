//! The screens, as the router's routes. Built with dioxus's `wasm-split` feature, the router
//! puts each screen's component behind a split point (a loader named after the screen, hence
//! the lint allowed here): the screen's code is a module of its own that the webview fetches
//! and compiles when the screen is first shown (`xtask/src/split.rs`).
#![allow(non_snake_case)]

use crate::Layout;
use crate::account::{Invitation, Settings, SignIn, SignInComplete, Status};
use crate::autopay::Autopay;
use crate::bill::BillDetail;
use crate::home::{Home, Pay};
use crate::payment::{History, Processing, ReceiptView};
use crate::usage::Usage;
use dioxus::prelude::*;
use portal_api::Text;

/// The screens.
#[derive(Debug, Clone, PartialEq, Routable)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Layout)]
        /// The account and what is due (or the welcome screen).
        #[route("/")]
        Home {},
        /// Choosing bills and paying them.
        #[route("/pay")]
        Pay {},
        /// One bill: its lines, reads and PDF.
        #[route("/bill/:bill_id")]
        BillDetail {
            /// The bill's id.
            bill_id: String,
        },
        /// Usage charts.
        #[route("/usage")]
        Usage {},
        /// An invitation, by its code.
        #[route("/invite/:code")]
        Invitation {
            /// The invitation code.
            code: String,
        },
        /// Asking for a sign-in link.
        #[route("/signin")]
        SignIn {},
        /// Completing sign-in with a link's code.
        #[route("/signin/:code")]
        SignInComplete {
            /// The sign-in code.
            code: String,
        },
        /// A payment of this device.
        #[route("/payment/:flow_id")]
        Processing {
            /// The local payment flow.
            flow_id: i64,
        },
        /// One receipt.
        #[route("/receipt/:receipt_id")]
        ReceiptView {
            /// The receipt's id.
            receipt_id: String,
        },
        /// Receipts and payments under way.
        #[route("/history")]
        History {},
        /// The account, the server, updates; sign out.
        #[route("/settings")]
        Settings {},
        /// Whether the backend answers.
        #[route("/status")]
        Status {},
        /// Automatic payments of the account shown.
        #[route("/autopay")]
        Autopay {},
}

impl Route {
    /// The screen's name, for the window title.
    pub fn title(&self) -> Text {
        match self {
            Self::Home {} => Text::YourBills,
            Self::Pay {} => Text::PayBills,
            Self::BillDetail { .. } => Text::BillWindow,
            Self::Usage {} => Text::Usage,
            Self::Invitation { .. } => Text::InvitationTitle,
            Self::SignIn {} => Text::SignIn,
            Self::SignInComplete { .. } => Text::SigningIn,
            Self::Processing { .. } => Text::Payment,
            Self::ReceiptView { .. } => Text::Receipt,
            Self::History {} => Text::Payments,
            Self::Settings {} => Text::Settings,
            Self::Status {} => Text::Connection,
            Self::Autopay {} => Text::AutopayTitle,
        }
    }
}
