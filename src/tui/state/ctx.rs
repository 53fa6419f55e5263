//! State shared by every screen: the connection, the data loaded from m3ter, the submission log,
//! the status line, the queue of side effects, and the injected clock and uid source (fixed in
//! tests so snapshots are stable).

use super::disk::Disk;
use super::drafts::Drafts;
use super::effect::{Debounce, Effect};
use super::log::SubmissionLog;
use super::msg::Msg;
use crate::m3ter::{Account, Client, ListQuery, Meter, Product, SearchQuery};
use crate::tui::keys::Keymap;
use chrono::{DateTime, SecondsFormat, Utc};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Which server and org the TUI talks to, as a stable key: drafts and log entries carry it, so
/// two sandboxes (same org id, different databases) or two hosts never see each other's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectionKey {
    /// The base URL of a remote m3ter, or `sandbox:` and the database path of an embedded one.
    pub target: String,
    pub org: String,
}

impl ConnectionKey {
    pub fn new(target: impl Into<String>, org: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            org: org.into(),
        }
    }

    /// `target#org`, the form saved in the files.
    pub fn id(&self) -> String {
        format!("{}#{}", self.target, self.org)
    }
}

/// How long after the last keystroke the account picker searches the server.
pub const SEARCH_AFTER: Duration = Duration::from_millis(250);

/// How many of the newest accounts [`Ctx::load_accounts`] keeps for the Submit picker.
pub const ACCOUNTS_PRELOAD: usize = 200;

/// Data fetched from the server.
#[derive(Debug, Clone, Default)]
pub enum Loadable<T> {
    #[default]
    Loading,
    Loaded(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Loadable::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;
pub type UidSource = Arc<dyn Fn() -> String + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

pub struct Ctx {
    pub client: Client,
    /// What we talk to, for the title bar (e.g. `sandbox (embedded) · org 0000…`).
    pub label: String,
    /// Keys the drafts and the log by server and org.
    pub connection: ConnectionKey,
    /// The key bindings, with the user's `keys.toml` applied.
    pub keymap: Keymap,
    pub tx: UnboundedSender<Msg>,
    /// Side effects asked for by the last input or message, for the loop to carry out.
    pub effects: Vec<Effect>,
    pub clock: Clock,
    pub uids: UidSource,
    /// Where the submission log lives; `None` keeps it in memory only.
    pub data_dir: Option<PathBuf>,
    pub products: Loadable<Vec<Product>>,
    pub meters: Loadable<Vec<Meter>>,
    pub accounts: Loadable<Vec<Account>>,
    pub log: SubmissionLog,
    /// Submit panel drafts per (org, meter), kept when a panel closes.
    pub drafts: Drafts,
    /// Debounces the drafts file write (see [`super::persistence::save_drafts_later`]).
    pub drafts_save: Debounce,
    /// The drafts file could be neither read nor set aside: saving would overwrite unread data.
    pub drafts_unreadable: bool,
    /// Writes files off the UI thread, in order.
    pub disk: Disk,
    pub status: Option<Status>,
    /// An account chosen on the Accounts screen, waiting for the next Submit panel to open.
    pub preselect_account: Option<String>,
    /// Counts ticks, for the pending spinner.
    pub ticks: u64,
    /// Debounces [`Ctx::search_accounts`]: only the latest typed text is searched.
    pub account_search: Debounce,
    /// Follows accepted submissions to their outcome ([`super::follow`] drives it).
    pub following: super::following::Following,
    /// The path last typed on the Upload screen, kept for the next time it opens.
    pub last_upload_path: String,
    /// An upload still being followed after its screen was left.
    pub upload_follow: Option<super::upload_follow::UploadFollow>,
}

impl Ctx {
    pub fn new(client: Client, label: String, tx: UnboundedSender<Msg>) -> Self {
        let connection = ConnectionKey::new(client.config().api_url.clone(), client.org_id());
        Self {
            client,
            label,
            connection,
            keymap: Keymap::default(),
            disk: Disk::start(tx.clone()),
            tx,
            effects: Vec::new(),
            clock: Arc::new(Utc::now),
            uids: Arc::new(|| uuid::Uuid::new_v4().to_string()),
            data_dir: None,
            products: Loadable::Loading,
            meters: Loadable::Loading,
            accounts: Loadable::Loading,
            log: SubmissionLog::default(),
            drafts: Drafts::default(),
            drafts_save: Debounce::default(),
            drafts_unreadable: false,
            status: None,
            preselect_account: None,
            ticks: 0,
            account_search: Debounce::default(),
            following: Default::default(),
            last_upload_path: String::new(),
            upload_follow: None,
        }
    }

    pub fn org_id(&self) -> &str {
        self.client.org_id()
    }

    /// Now, as m3ter timestamps are written (`2026-01-02T03:04:05.678Z`).
    pub fn now(&self) -> String {
        (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn new_uid(&self) -> String {
        (self.uids)()
    }

    /// Asks the loop to run `fut` on a task; its message comes back through the channel.
    /// `what` names the work for tests and the trace log.
    pub fn spawn<F>(&mut self, what: &str, fut: F)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        self.effects.push(Effect::Spawn {
            what: what.to_string(),
            task: Box::pin(fut),
        });
    }

    /// Asks the loop to deliver `msg` after `after`.
    pub fn later(&mut self, after: Duration, msg: Msg) {
        self.effects.push(Effect::Later {
            after,
            msg: Box::new(msg),
        });
    }

    /// Queues a message for the app itself (handled after the current input, like any answer).
    pub fn post(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }

    /// Asks the loop to put `text` on the clipboard.
    pub fn copy(&mut self, text: String) {
        self.effects.push(Effect::Copy(text));
    }

    /// The names of the effects queued so far (for tests: what did that key start?).
    pub fn effect_names(&self) -> Vec<String> {
        self.effects.iter().map(Effect::name).collect()
    }

    pub fn info(&mut self, s: impl Into<String>) {
        self.status = Some(Status::Info(s.into()));
    }

    pub fn error(&mut self, s: impl Into<String>) {
        self.status = Some(Status::Error(s.into()));
    }

    pub fn load_products(&mut self) {
        self.products = Loadable::Loading;
        let c = self.client.clone();
        self.spawn("load products", async move {
            Msg::Products(
                c.list_all::<Product>(ListQuery::page_size(200))
                    .await
                    .map_err(|e| e.to_string()),
            )
        });
    }

    pub fn load_meters(&mut self) {
        self.meters = Loadable::Loading;
        let c = self.client.clone();
        self.spawn("load meters", async move {
            Msg::Meters(
                c.list_all::<Meter>(ListQuery::page_size(100))
                    .await
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// The newest [`ACCOUNTS_PRELOAD`] accounts (not all: an org may have 100,000); the picker
    /// finds older ones with [`Ctx::search_accounts`] as the user types.
    pub fn load_accounts(&mut self) {
        use futures::{StreamExt, TryStreamExt};
        if self.accounts.get().is_none() {
            self.accounts = Loadable::Loading;
        }
        let c = self.client.clone();
        self.spawn("load accounts", async move {
            Msg::Accounts(
                c.list::<Account>(ListQuery::page_size(100))
                    .take(ACCOUNTS_PRELOAD)
                    .try_collect()
                    .await
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// Searches the server for accounts whose code contains `text`, [`SEARCH_AFTER`] the last
    /// call (earlier calls are dropped), and merges them into [`Ctx::accounts`] via
    /// [`Msg::AccountsFound`]. Errors are ignored: the picker keeps what it has.
    pub fn search_accounts(&mut self, text: &str) {
        let text = text.trim().replace('$', "");
        let gen = self.account_search.arm();
        if !text.is_empty() {
            self.later(SEARCH_AFTER, Msg::SearchAccountsDue { gen, text });
        }
    }

    /// The delayed half of [`Ctx::search_accounts`].
    pub fn search_accounts_due(&mut self, gen: u64, text: &str) {
        if !self.account_search.due(gen) {
            return;
        }
        let c = self.client.clone();
        let q = SearchQuery {
            search_query: Some(format!("code~{text}")),
            page_size: Some(100),
            sort_by: Some("code".into()),
            sort_order: Some("ASC".into()),
            ..Default::default()
        };
        self.spawn("search accounts", async move {
            Msg::AccountsFound(
                c.search_accounts(&q)
                    .await
                    .map(|p| p.data)
                    .unwrap_or_default(),
            )
        });
    }

    /// Asks the server whether an account with exactly this code exists (the preloaded list
    /// holds only the newest accounts); the answer is [`Msg::AccountChecked`].
    pub fn check_account(&mut self, code: &str) {
        let c = self.client.clone();
        let code = code.to_string();
        self.spawn("check account", async move {
            let q = SearchQuery {
                search_query: Some(format!("code~{}", code.replace('$', ""))),
                page_size: Some(100),
                ..Default::default()
            };
            let found = c
                .search_accounts(&q)
                .await
                .map(|p| {
                    p.data
                        .into_iter()
                        .find(|a| a.code.as_deref() == Some(&code))
                        .map(Box::new)
                })
                .map_err(|e| e.to_string());
            Msg::AccountChecked { code, found }
        });
    }

    /// Adds accounts found elsewhere (search, the Accounts screen) to [`Ctx::accounts`].
    pub fn remember_accounts(&mut self, found: &[Account]) {
        if found.is_empty() {
            return;
        }
        let list = match &mut self.accounts {
            Loadable::Loaded(list) => list,
            other => {
                *other = Loadable::Loaded(Vec::new());
                match other {
                    Loadable::Loaded(list) => list,
                    _ => return,
                }
            }
        };
        for a in found {
            match list.iter_mut().find(|x| x.id == a.id) {
                Some(x) => *x = a.clone(),
                None => list.push(a.clone()),
            }
        }
    }

    /// Account codes known to exist (for the Simple mode picker).
    pub fn account_codes(&self) -> Vec<&str> {
        self.accounts
            .get()
            .map(|a| a.iter().filter_map(|a| a.code.as_deref()).collect())
            .unwrap_or_default()
    }
}
