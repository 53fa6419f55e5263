//! The local m3ter-compatible sandbox: an axum server on loopback over a SQLite file.
//!
//! Public surface used by the CLI, the embedded mode and the tests:
//! [`SandboxConfig`], [`start`] → [`Sandbox`], and [`ServeArgs`] / [`serve`] for
//! `m3ter-console sandbox serve`.
//!
//! Layout: `server` (routes, path normalisation), `auth` (token endpoint, bearer check),
//! `crud` + `entity` (products, meters, accounts), `search` (account search and children),
//! `ingest` (measurements), `store` (SQLite), `request`/`pagination` (parsing), `error` (JSON
//! errors), `demo` (seed data). Decisions on the reference's ambiguities are documented in the
//! module that implements them; in short (numbered as in `shared/reference/README.md`):
//!
//! 1. stale `version` → 409 with `x-should-retry: false` (every 409 carries it, so the SDK does
//!    not retry a conflict); 2. update without `version` → 400; 3. `version` on create ignored;
//! 4. bad client credentials, missing/invalid/expired bearer → 401; 5. another org's path or
//!    token → 403; 6. errors are `{"message", "field"}`; 7. ingest body ≥ 512,000 raw bytes → 413
//!    (honest, and the SDK does not retry it); 8. every measurement check runs at submit → 400 and
//!    the whole batch is refused (an unknown meter never auto-creates an account); 9. `uid`
//!    optional (no de-duplication without it); 10. a repeated `uid` is stored once, within a batch
//!    too, with no time window; 11. a timestamp without offset is UTC, no range limit; 12. the
//!    auto-created email's random part is 16 hex digits; 13. numeric data fields need a `unit`;
//!    14. derived-field calculations stored as text; 15. codes unique per org and entity kind,
//!    duplicate → 409; 16. `productId`/`parentAccountId` must exist, deleting a product with meters
//!    or an account with children → 409; 17. only m3ter's four credit orders; 18. currency = three
//!    capital letters; 19. `pageSize` out of range → 400, default 100; 20. newest first, keyset
//!    `nextToken` (valid across inserts), present only when more rows exist; 21. search
//!    `nextToken` = next `fromDocument`; 22. global meters are listed with the rest, `productId`
//!    absent; 23. email = one `@`, dotted domain, no spaces; 24. RFC 3339 UTC with milliseconds and
//!    `Z`; 25. `customFields` ≤ 100 keys. Search `~` is m3ter's phrase/prefix match
//!    ([`search_sql`]); `autoCreated` (an extra response field) stays true until a name or email
//!    change.

mod auth;
mod crud;
mod demo;
mod entity;
mod error;
mod ingest;
mod pagination;
mod request;
mod search;
mod search_sql;
mod server;
mod store;

pub use crud::SANDBOX_USER_ID;
pub use pagination::DEFAULT_PAGE_SIZE;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Documented default credentials of the sandbox (not secrets: the sandbox is local).
pub const DEFAULT_ORG_ID: &str = "00000000-0000-4000-a000-000000000001";
pub const DEFAULT_API_KEY: &str = "sandbox-key";
pub const DEFAULT_API_SECRET: &str = "sandbox-secret";

#[derive(Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    pub db_path: PathBuf,
    pub org_id: String,
    pub api_key: String,
    pub api_secret: String,
    /// Seed demo products, meters and accounts when the database is new.
    pub demo_data: bool,
}

/// Masks the secret, so a config can be logged.
impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("db_path", &self.db_path)
            .field("org_id", &self.org_id)
            .field("api_key", &self.api_key)
            .field("api_secret", &"<redacted>")
            .field("demo_data", &self.demo_data)
            .finish()
    }
}

impl SandboxConfig {
    /// `m3ter-console/sandbox.db` in the user's data dir.
    pub fn default_db_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("m3ter-console")
            .join("sandbox.db")
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_path: Self::default_db_path(),
            org_id: DEFAULT_ORG_ID.into(),
            api_key: DEFAULT_API_KEY.into(),
            api_secret: DEFAULT_API_SECRET.into(),
            demo_data: true,
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) config: Arc<SandboxConfig>,
    pub(crate) store: Arc<store::Store>,
    pub(crate) tokens: Arc<auth::Tokens>,
}

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
    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
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
    let store = tokio::task::spawn_blocking(move || -> anyhow::Result<store::Store> {
        let (store, is_new) = store::Store::open(&cfg.db_path)
            .with_context(|| format!("opening the sandbox database {}", cfg.db_path.display()))?;
        if is_new {
            if cfg.demo_data {
                demo::seed(&mut store.lock(), &cfg.org_id)?;
            }
            store.mark_created(&crud::now())?;
        }
        Ok(store)
    })
    .await??;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let app = App {
        config: Arc::new(config.clone()),
        store: Arc::new(store),
        tokens: Arc::new(auth::Tokens::default()),
    };
    let router = server::router(app);
    let service = tower::util::MapRequestLayer::new(server::normalize_path);
    let service = tower::Layer::layer(&service, router);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let make = axum::ServiceExt::<axum::extract::Request>::into_make_service(service);
        let result = axum::serve(listener, make)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    Ok(Sandbox {
        addr,
        base_url: base_url(addr),
        config,
        stop: Some(stop),
        task: Some(task),
    })
}

/// `m3ter-console sandbox serve` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Use 0.0.0.0 only on purpose.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// SQLite database file [default: m3ter-console/sandbox.db in the user's data dir]
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Organization id served under /organizations/{orgId}/
    #[arg(long, default_value = DEFAULT_ORG_ID)]
    pub org_id: String,
    /// API key accepted by POST /oauth/token
    #[arg(long, default_value = DEFAULT_API_KEY)]
    pub api_key: String,
    /// API secret accepted by POST /oauth/token (the environment variable keeps it out of `ps`)
    #[arg(long, env = "M3TER_SANDBOX_API_SECRET", hide_env_values = true, default_value = DEFAULT_API_SECRET)]
    pub api_secret: String,
    /// Do not seed demo data into a new database.
    #[arg(long)]
    pub empty: bool,
}

/// Runs the sandbox in the foreground until Ctrl-C; the first stdout line is
/// `m3ter sandbox listening on http://HOST:PORT`.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = SandboxConfig {
        listen: args.listen,
        db_path: args.db.unwrap_or_else(SandboxConfig::default_db_path),
        org_id: args.org_id,
        api_key: args.api_key,
        api_secret: args.api_secret,
        demo_data: !args.empty,
    };
    let sandbox = start(config).await?;
    let c = &sandbox.config;
    let mut out = std::io::stdout().lock();
    writeln!(out, "m3ter sandbox listening on {}", sandbox.base_url)?;
    writeln!(out, "organization id: {}", c.org_id)?;
    writeln!(out, "api key: {}", c.api_key)?;
    writeln!(out, "database: {}", c.db_path.display())?;
    writeln!(out, "to use the m3ter SDK against this sandbox:")?;
    writeln!(out, "  export M3TER_BASE_URL={}", sandbox.base_url)?;
    writeln!(out, "  export M3TER_ORG_ID={}", c.org_id)?;
    writeln!(out, "  export M3TER_API_KEY={}", c.api_key)?;
    // The documented default is no secret; one chosen with --api-secret is never echoed.
    if c.api_secret == DEFAULT_API_SECRET {
        writeln!(out, "  export M3TER_API_SECRET={}", c.api_secret)?;
    } else {
        writeln!(
            out,
            "  export M3TER_API_SECRET=<the --api-secret you chose>"
        )?;
    }
    writeln!(out, "press Ctrl-C to stop")?;
    out.flush()?;
    drop(out);
    wait_for_signal().await;
    sandbox.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
