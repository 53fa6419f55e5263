//! State shared by every screen: the connection, the data loaded from m3ter, the submission log,
//! the status line, and the injected clock and uid source (fixed in tests so snapshots are
//! stable).

use super::disk::Disk;
use super::drafts::Drafts;
use super::log::SubmissionLog;
use super::msg::Msg;
use crate::m3ter::{Account, Client, ListQuery, Meter, Product, SearchQuery};
use chrono::{DateTime, SecondsFormat, Utc};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

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
    /// What we talk to (`Connection::label`), for the title bar.
    pub label: String,
    pub tx: UnboundedSender<Msg>,
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
    /// Debounces the drafts file write (see [`super::drafts::save_later`]).
    pub drafts_gen: Arc<AtomicU64>,
    /// Writes files off the UI thread, in order.
    pub disk: Disk,
    pub status: Option<Status>,
    /// An account chosen on the Accounts screen, waiting for the next Submit panel to open.
    pub preselect_account: Option<String>,
    /// OSC 52 clipboard writes for the terminal (the loop writes them out).
    pub clipboard: Vec<String>,
    /// Counts ticks, for the pending spinner.
    pub ticks: u64,
    /// Debounces [`Ctx::search_accounts`]: only the latest typed text is searched.
    pub account_search_gen: Arc<AtomicU64>,
}

impl Ctx {
    pub fn new(client: Client, label: String, tx: UnboundedSender<Msg>) -> Self {
        Self {
            client,
            label,
            disk: Disk::start(tx.clone()),
            tx,
            clock: Arc::new(Utc::now),
            uids: Arc::new(|| uuid::Uuid::new_v4().to_string()),
            data_dir: None,
            products: Loadable::Loading,
            meters: Loadable::Loading,
            accounts: Loadable::Loading,
            log: SubmissionLog::default(),
            drafts: Drafts::default(),
            drafts_gen: Arc::default(),
            status: None,
            preselect_account: None,
            clipboard: Vec::new(),
            ticks: 0,
            account_search_gen: Arc::default(),
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

    /// Runs `fut` on a tokio task and delivers its message to the loop. Without a runtime (unit
    /// tests that drive the app by hand) nothing runs.
    pub fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = tx.send(fut.await);
            });
        }
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
        self.spawn(async move {
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
        self.spawn(async move {
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
        self.spawn(async move {
            Msg::Accounts(
                c.list::<Account>(ListQuery::page_size(100))
                    .take(ACCOUNTS_PRELOAD)
                    .try_collect()
                    .await
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// Searches the server for accounts whose code contains `text`, 250 ms after the last call
    /// (earlier calls are dropped), and merges them into [`Ctx::accounts`] via
    /// [`Msg::AccountsFound`]. Errors are ignored: the picker keeps what it has.
    pub fn search_accounts(&self, text: &str) {
        let text = text.trim().replace('$', "");
        let gen = self.account_search_gen.fetch_add(1, Ordering::SeqCst) + 1;
        if text.is_empty() {
            return;
        }
        let latest = self.account_search_gen.clone();
        let c = self.client.clone();
        self.spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            if latest.load(Ordering::SeqCst) != gen {
                return Msg::AccountsFound(Vec::new());
            }
            let q = SearchQuery {
                search_query: Some(format!("code~{text}")),
                page_size: Some(100),
                sort_by: Some("code".into()),
                sort_order: Some("ASC".into()),
                ..Default::default()
            };
            Msg::AccountsFound(
                c.search_accounts(&q)
                    .await
                    .map(|p| p.data)
                    .unwrap_or_default(),
            )
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
