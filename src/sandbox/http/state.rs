//! [`App`], the state every handler shares, and how handlers reach the database: each call
//! runs on tokio's blocking pool, reads on a pooled read connection, writes in a transaction on
//! the writer.

use super::error::{ApiError, ApiResult};
use super::host::AllowedHosts;
use super::ingest_state::IngestState;
use super::tokens::Tokens;
use crate::sandbox::config::SandboxConfig;
use crate::sandbox::db::{Db, IngestQueue, Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub config: Arc<SandboxConfig>,
    pub store: Arc<Store>,
    pub tokens: Arc<Tokens>,
    pub hosts: Arc<AllowedHosts>,
    pub ingest: Arc<IngestState>,
}

impl App {
    /// `bound` is the address the server listens on (its port is the one `Host` must carry);
    /// the enrichment thread starts over `queue`.
    pub fn new(
        config: SandboxConfig,
        store: Store,
        queue: IngestQueue,
        bound: std::net::SocketAddr,
    ) -> Self {
        let store = Arc::new(store);
        let ingest = IngestState::start(
            store.clone(),
            queue,
            config.org_id.clone(),
            config.strict_ingest,
            config.rate_limit,
        );
        Self {
            hosts: Arc::new(AllowedHosts::new(bound, &config.allow_hosts)),
            config: Arc::new(config),
            store,
            tokens: Arc::new(Tokens::default()),
            ingest: Arc::new(ingest),
        }
    }

    /// Runs `f` on a read connection.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Db) -> ApiResult<T> + Send + 'static,
    {
        let (store, org) = (Arc::clone(&self.store), self.config.org_id.clone());
        blocking(move || store.read(&org, f)).await
    }

    /// Runs `f` in a transaction on the writer; commits when it returns `Ok`.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Db) -> ApiResult<T> + Send + 'static,
    {
        let (store, org) = (Arc::clone(&self.store), self.config.org_id.clone());
        blocking(move || store.write(&org, f)).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("sandbox worker failed: {e}")))?
}
