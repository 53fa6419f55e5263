//! Messages from background tasks back to the UI loop. Tasks never touch UI state: they send one
//! of these through the channel and the app applies it on the UI task.

use super::log::LogEntry;
use crate::m3ter::{Account, Meter, Product};

#[derive(Debug, Clone)]
pub enum Msg {
    Products(Result<Vec<Product>, String>),
    /// Every meter of the org (product meters and global ones); screens filter.
    Meters(Result<Vec<Meter>, String>),
    Accounts(Result<Vec<Account>, String>),
    /// A submission (log entry `id`) got its answer.
    Submitted {
        id: u64,
        result: Result<serde_json::Value, SubmitError>,
    },
    /// The saved log, read at start-up (newest first).
    LogLoaded(Result<Vec<LogEntry>, String>),
    /// Writing the log or the drafts failed (shown in the status line; memory is intact).
    WriteFailed(String),
    /// The drafts saved by earlier sessions, read at start-up.
    DraftsLoaded(Result<Vec<crate::tui::drafts::SavedDraft>, String>),
    /// Time to write the drafts, if nothing was typed since (the debounce generation).
    SaveDrafts(u64),
    /// Accounts were created/changed elsewhere (a measurement auto-created one, or the Accounts
    /// screen saved one): reload the shared account list.
    AccountsChanged,
    /// A line for the status bar.
    Status(String),
    /// Accounts matching what was typed in the Submit panel's account picker (searched on the
    /// server, so the picker works with more accounts than [`crate::tui::state::Ctx::accounts`]
    /// holds); the app merges them into that list.
    AccountsFound(Vec<Account>),
    /// Answers for the Accounts screen (issue 6): pages, saves, conflicts, deletes.
    /// (Boxed: a page of accounts is large, and every message moves through the channel.)
    AccountsScreen(Box<crate::tui::accounts::AcctMsg>),
}

impl Msg {
    /// A message for the Accounts screen.
    pub fn acct(m: crate::tui::accounts::AcctMsg) -> Self {
        Msg::AccountsScreen(Box::new(m))
    }
}

/// Why a submission failed: the HTTP status when the server answered, and its message.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubmitError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub message: String,
}

impl From<crate::m3ter::Error> for SubmitError {
    fn from(e: crate::m3ter::Error) -> Self {
        match &e {
            crate::m3ter::Error::Api {
                status, message, ..
            } => SubmitError {
                status: Some(*status),
                message: message.clone(),
            },
            other => SubmitError {
                status: None,
                message: other.to_string(),
            },
        }
    }
}
