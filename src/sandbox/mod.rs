//! The local m3ter-compatible sandbox: an axum server on loopback over a SQLite file.
//!
//! Public surface used by the CLI (`cli/sandbox_serve.rs`), the embedded mode and the tests:
//! [`SandboxConfig`], [`start`] → [`Sandbox`].
//!
//! Layout — HTTP over DB: `http/` (router and path normalisation, `serve` + `conn_io` for the
//! accept loop, timeouts and graceful shutdown, `host` for the `Host` check, `auth` + `tokens`,
//! `crud` + `entity` for products, meters and accounts, `search`, `ingest`, `events`, `usage`,
//! `uploads` + `files` (signed links), `rate_limit`, `request`/`pagination` parsing, `error` as
//! m3ter's JSON errors, `state` for how handlers reach the database) stands on `db/` (schema,
//! every SQL statement behind the `Db` handle, the `Store` with one writer and a pool of readers,
//! and the durable ingest `queue` in a file of its own); `enrich` is the background stage between
//! them (it stands on `db` only); `config` holds the settings, `demo` the seed data. Decisions on the
//! ambiguities of m3ter's documentation are documented in the module that implements them; in
//! short:
//!
//! 1. stale `version` → 409 with `x-should-retry: false` (every 409 carries it, so the SDK does
//!    not retry a conflict); 2. update without `version` → 400; 3. `version` on create ignored;
//! 4. bad client credentials, missing/invalid/expired bearer → 401; 5. another org's path or
//!    token → 403; 6. errors are `{"message", "field"}`; 7. ingest body ≥ 512,000 raw bytes → 413
//!    (honest, and the SDK does not retry it); 8. ingest in two stages as m3ter (`http/ingest.rs`,
//!    `enrich.rs`): the request checks answer 400, the org checks become events, and
//!    `--strict-ingest` keeps every check synchronous (the batch refused whole, an unknown meter
//!    never auto-creates an account); 9. `uid` optional (no de-duplication without it); 10. a
//!    repeated `uid` within 35 days is a `DuplicateUid` event (skipped silently with
//!    `--strict-ingest`); 11. `ts`/`ets` need an offset (a naive time is a 400), no range limit;
//!    26. "closely matching" account code = equal ignoring ASCII case; 27. usage query rows and
//!    columns (`http/usage.rs`); 28. signed links are random tokens stored with their expiry
//!    (`http/files.rs`); 29. rate limits count per bearer token (`http/rate_limit.rs`); 12. the
//!    auto-created email's random part is 16 hex digits; 13. numeric data fields need a `unit`;
//!    14. derived-field calculations stored as text; 15. codes unique per org and entity kind,
//!    duplicate → 409; 16. `productId`/`parentAccountId` must exist, deleting a product with meters
//!    or an account with children → 409; 17. only m3ter's four credit orders; 18. currency = three
//!    capital letters; 19. `pageSize` out of range → 400, default 100; 20. newest first, keyset
//!    `nextToken` (valid across inserts), present only when more rows exist; 21. search
//!    `nextToken` = next `fromDocument`; 22. global meters are listed with the rest, `productId`
//!    absent; 23. email = one `@`, dotted domain, no spaces; 24. RFC 3339 UTC with milliseconds and
//!    `Z`; 25. `customFields` ≤ 100 keys. Search `~` is m3ter's phrase/prefix match
//!    (`db/search.rs`); `autoCreated` (an extra response field) stays true until a name or email
//!    change. Limits of the sandbox's own: at most 100 `$`-joined search conditions (400 past
//!    it); bearer tokens are signed, not stored, and live 18,000 s; a request's headers must
//!    arrive within 30 s and its body within 30 s (408); a stop waits at most 5 s for requests in
//!    flight; `Host` must name the sandbox (403 otherwise, `--allow-host` adds names).
//!    30. usage queries of numeric fields without dimension/account filters or groups read
//!    hourly rollups (`db/rollup.rs`, `db/usage_fast.rs`), the same rows as the exact path;
//!    31. the enrichment thread runs at nice 10 so requests come first (`enrich.rs`);
//!    32. an acknowledgement waits for the queue's fsync unless `SandboxConfig::ack_fsync` is
//!    off (then it survives kill -9, not power loss).

mod config;
mod db;
mod demo;
mod enrich;
#[cfg(test)]
mod enrich_rollup_tests;
mod http;

pub use config::{
    LinkLifetimes, SandboxConfig, Timeouts, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_ORG_ID,
};
pub use http::crud::SANDBOX_USER_ID;
pub use http::pagination::DEFAULT_PAGE_SIZE;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running sandbox. Dropping it also stops the server (without waiting); prefer
/// [`Sandbox::shutdown`], which waits until the server and its database connection are closed.
pub struct Sandbox {
    pub addr: SocketAddr,
    /// `http://HOST:PORT` (no trailing slash).
    pub base_url: String,
    pub config: SandboxConfig,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Stops accepting connections, lets in-flight requests finish (up to the shutdown deadline of
    /// [`Timeouts`]), and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The URL clients should use for `addr`: an unspecified address (`0.0.0.0`, `::`) is reached
/// through loopback.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Opens (or creates) the database, seeds demo data into a new one when `demo_data`, binds
/// `config.listen` and serves on the current tokio runtime until [`Sandbox::shutdown`].
pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
    use anyhow::Context;
    // Opening and seeding do blocking file I/O: keep them off the async workers.
    let cfg = config.clone();
    let (store, queue) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let (store, is_new) = db::Store::open(&cfg.db_path)
            .with_context(|| format!("opening the sandbox database {}", cfg.db_path.display()))?;
        if is_new {
            if cfg.demo_data {
                demo::seed(&store, &cfg.org_id)?;
            }
            store.mark_created(&http::crud::now())?;
        }
        let queue_file = db::queue_path(&cfg.db_path);
        let queue = db::IngestQueue::open_with(&queue_file, cfg.ack_fsync).with_context(|| {
            format!("opening the sandbox ingest queue {}", queue_file.display())
        })?;
        // Batches acknowledged before a crash or an exit are enriched before serving, so a
        // restarted (or embedded, short-lived) sandbox never answers from a stale state.
        enrich::drain_backlog(&store, &queue, &cfg.org_id)
            .context("enriching the acknowledged backlog")?;
        Ok((store, queue))
    })
    .await??;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let router = http::router(http::App::new(config.clone(), store, queue, addr));
    let service = tower::util::MapRequestLayer::new(http::normalize_path);
    let service = tower::Layer::layer(&service, router);
    let (stop, stopped) = oneshot::channel::<()>();
    let timeouts = config.timeouts;
    let task = tokio::spawn(http::serve::run(listener, service, timeouts, async {
        let _ = stopped.await;
    }));
    Ok(Sandbox {
        addr,
        base_url: base_url(addr),
        config,
        stop: Some(stop),
        task: Some(task),
    })
}
