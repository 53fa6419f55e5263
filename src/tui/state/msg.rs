//! Messages from background tasks (and delayed ones) back to the UI loop. Tasks never touch UI
//! state: they send one of these through the channel and the app applies it on the UI task.

use super::drafts::SavedDraft;
use super::log::LogEntry;
pub use super::log::SubmitError;
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
    /// Several submissions sent in one request (log entries `ids`) got its answer.
    SubmittedMany {
        ids: Vec<u64>,
        result: Result<serde_json::Value, SubmitError>,
    },
    /// The saved log, read at start-up (newest first).
    LogLoaded(Result<Vec<LogEntry>, String>),
    /// A local file was damaged: what was set aside or skipped (an error in the status line).
    Damaged(String),
    /// Writing the log or the drafts failed (shown in the status line; memory is intact).
    WriteFailed(String),
    /// The drafts saved by earlier sessions, read at start-up.
    DraftsLoaded(Result<Vec<SavedDraft>, String>),
    /// Time to write the drafts, if nothing was typed since (the debounce generation).
    SaveDrafts(u64),
    /// Accounts were created/changed elsewhere (a measurement auto-created one, or the Accounts
    /// screen saved one): reload the shared account list.
    AccountsChanged,
    /// A line for the status bar.
    Status(String),
    /// The account picker's text settled: search the server for it if `gen` is still the
    /// latest.
    SearchAccountsDue {
        gen: u64,
        text: String,
    },
    /// Accounts matching what was typed in the Submit panel's account picker (searched on the
    /// server, so the picker works with more accounts than [`super::Ctx::accounts`] holds); the
    /// app merges them into that list.
    AccountsFound(Vec<Account>),
    /// Whether an account code exists, asked of the server (the preloaded list is only the
    /// newest accounts): `found` is the account when it does.
    AccountChecked {
        code: String,
        found: Result<Option<Box<Account>>, String>,
    },
    /// Answers for the Accounts screen: pages, saves, conflicts, deletes. (Boxed: a page of
    /// accounts is large, and every message moves through the channel.)
    AccountsScreen(Box<AcctMsg>),
    /// The follow-up of submitted measurements (its timer, its answers).
    Follow(Box<super::msg_explore::FollowMsg>),
    /// Answers for the screens of usage, events and meter details (each screen takes its own).
    Explore(Box<super::msg_explore::ExploreMsg>),
    /// The Upload screen's tasks: a directory listing, the file's check, sending, follow-up.
    Upload(Box<super::msg_upload::UploadMsg>),
}

impl Msg {
    /// A message for the Accounts screen.
    pub fn acct(m: AcctMsg) -> Self {
        Msg::AccountsScreen(Box::new(m))
    }
}

/// Where the next page of accounts starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    First,
    /// The plain list's `nextToken`.
    Token(String),
    /// Search's `fromDocument`.
    Offset(u64),
}

/// A page: the rows in the order the server sent them and where the next page starts.
pub type PageResult = Result<(Vec<Account>, Option<Cursor>), String>;

/// Answers of the Accounts screen's background tasks.
#[derive(Debug, Clone)]
pub enum AcctMsg {
    Page {
        gen: u64,
        tail: bool,
        result: PageResult,
    },
    /// The filter text settled (debounce): search if `gen` is still the latest.
    FilterDue(u64),
    Saved(Result<Account, SaveError>),
    /// The server's current version, after a save was refused as stale.
    Current(Result<Account, String>),
    Deleted {
        account: Box<Account>,
        result: Result<(), String>,
    },
    /// The detail's account fetched again (`r`).
    Reloaded(Result<Account, String>),
    /// A parent account's code, for an id the view shows.
    ParentCode {
        id: String,
        code: String,
    },
    /// The typed parent code settled: search if `gen` is still the latest.
    ParentDue {
        gen: u64,
        text: String,
    },
    /// Accounts matching the typed parent code: (id, code).
    ParentHits {
        gen: u64,
        hits: Vec<(String, String)>,
    },
}

/// Why a save failed, kept as data so it can travel in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveError {
    pub conflict: bool,
    pub field: Option<String>,
    pub message: String,
}
