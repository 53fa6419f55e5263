//! [`IngestState`]: what the ingest handlers share — the durable queue, the enrichment thread's
//! bell, the mode and the rate limits.

use super::error::{ApiError, ApiResult};
use super::rate_limit::RateLimits;
use crate::sandbox::db::{IngestQueue, Store};
use crate::sandbox::enrich::{lower_priority, spawn_worker, Bell, WorkerGuard};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Threads that check and durably append ingest request bodies (a few, so concurrent requests
/// still share a queue commit), at nice 5: checking 1000 measurements takes milliseconds of
/// CPU, and on a busy machine a read waiting behind it should not.
const CHECK_THREADS: usize = 4;
const CHECK_NICE: i32 = 5;

type Job = Box<dyn FnOnce() + Send>;

/// The ingest check threads; they end when this is dropped.
pub struct CheckPool {
    tx: Mutex<std::sync::mpsc::Sender<Job>>,
}

impl CheckPool {
    fn start() -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..CHECK_THREADS {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("sandbox-ingest-{i}"))
                .spawn(move || {
                    lower_priority(CHECK_NICE);
                    loop {
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            // A panic fails only its request (its answer is dropped).
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })
                .expect("spawning an ingest check thread");
        }
        Self { tx: Mutex::new(tx) }
    }

    /// Runs `f` on a check thread and waits for its answer.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        self.tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job)
            .map_err(|_| ApiError::internal("the sandbox's ingest threads stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("an ingest check thread failed"))?
    }
}

pub struct IngestState {
    pub checks: CheckPool,
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
            checks: CheckPool::start(),
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
