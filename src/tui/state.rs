//! State shared by every screen: the connection, the data loaded from m3ter, the submission log,
//! the status line, and the injected clock and uid source (fixed in tests so snapshots are
//! stable).

use super::log::SubmissionLog;
use super::msg::Msg;
use crate::m3ter::{Account, Client, ListQuery, Meter, Product};
use chrono::{DateTime, SecondsFormat, Utc};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

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
    pub status: Option<Status>,
    /// An account chosen on the Accounts screen, waiting for the next Submit panel to open.
    pub preselect_account: Option<String>,
    /// OSC 52 clipboard writes for the terminal (the loop writes them out).
    pub clipboard: Vec<String>,
    /// Counts ticks, for the pending spinner.
    pub ticks: u64,
}

impl Ctx {
    pub fn new(client: Client, label: String, tx: UnboundedSender<Msg>) -> Self {
        Self {
            client,
            label,
            tx,
            clock: Arc::new(Utc::now),
            uids: Arc::new(|| uuid::Uuid::new_v4().to_string()),
            data_dir: None,
            products: Loadable::Loading,
            meters: Loadable::Loading,
            accounts: Loadable::Loading,
            log: SubmissionLog::default(),
            status: None,
            preselect_account: None,
            clipboard: Vec::new(),
            ticks: 0,
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

    pub fn load_accounts(&mut self) {
        if self.accounts.get().is_none() {
            self.accounts = Loadable::Loading;
        }
        let c = self.client.clone();
        self.spawn(async move {
            Msg::Accounts(
                c.list_all::<Account>(ListQuery::page_size(100))
                    .await
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// Account codes known to exist (for the Simple mode picker).
    pub fn account_codes(&self) -> Vec<&str> {
        self.accounts
            .get()
            .map(|a| a.iter().filter_map(|a| a.code.as_deref()).collect())
            .unwrap_or_default()
    }
}
