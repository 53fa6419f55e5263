//! [`IngestState`]: what the ingest handlers share — the durable queue, the enrichment thread's
//! bell, the mode and the rate limits.

use super::error::{ApiError, ApiResult};
use super::rate_limit::RateLimits;
use crate::sandbox::db::{IngestQueue, Store};
use crate::sandbox::enrich::{spawn_worker, Bell, WorkerGuard};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct IngestState {
    pub queue: Arc<IngestQueue>,
    pub bell: Arc<Bell>,
    pub strict: bool,
    pub limits: Option<Arc<RateLimits>>,
    store: Arc<Store>,
    org: String,
    /// Stops the enrichment thread when the server's state is dropped.
    _guard: WorkerGuard,
}

impl IngestState {
    /// Starts the enrichment thread over `queue` (it first finishes what a previous run left).
    pub fn start(
        store: Arc<Store>,
        queue: IngestQueue,
        org: String,
        strict: bool,
        rate_limit: bool,
    ) -> Self {
        let queue = Arc::new(queue);
        let bell = Arc::new(Bell::default());
        spawn_worker(store.clone(), queue.clone(), org.clone(), bell.clone());
        Self {
            queue,
            bell: bell.clone(),
            strict,
            limits: rate_limit.then(|| Arc::new(RateLimits::default())),
            store,
            org,
            _guard: WorkerGuard(bell),
        }
    }

    /// Appends a raw batch (`{"measurements": [...]}`) and returns once it is durable
    /// (blocking: call it on the blocking pool), then wakes the enrichment.
    pub fn append_blocking(
        &self,
        org: &str,
        received: &str,
        source: &str,
        body: Vec<u8>,
    ) -> ApiResult<()> {
        self.queue
            .append(org, received, source, body)
            .map_err(|e| ApiError::internal(format!("could not store the batch durably: {e}")))?;
        self.bell.ring();
        Ok(())
    }

    /// Appends a raw batch (`{"measurements": [...]}`) and returns once it is durable.
    pub async fn append(
        &self,
        org: &str,
        received: &str,
        source: &str,
        body: Vec<u8>,
    ) -> ApiResult<()> {
        let (q, org, received, source) = (
            self.queue.clone(),
            org.to_string(),
            received.to_string(),
            source.to_string(),
        );
        tokio::task::spawn_blocking(move || q.append(&org, &received, &source, body))
            .await
            .map_err(|e| ApiError::internal(format!("sandbox worker failed: {e}")))?
            .map_err(|e| ApiError::internal(format!("could not store the batch durably: {e}")))?;
        self.bell.ring();
        Ok(())
    }

    /// Waits (up to `limit`) until every batch acknowledged before the call is enriched.
    pub async fn settle(&self, limit: Duration) -> ApiResult<()> {
        let (q, store, org) = (self.queue.clone(), self.store.clone(), self.org.clone());
        let target = tokio::task::spawn_blocking(move || q.last_seq())
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        let start = Instant::now();
        loop {
            let (store, org) = (store.clone(), org.clone());
            let done = tokio::task::spawn_blocking(move || {
                store.read(&org, |db| db.enriched_through().map_err(ApiError::from))
            })
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
            if done >= target || start.elapsed() >= limit {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
