//! [`SandboxConfig`] and the documented default credentials.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Check each measurement against the org inside the request and answer 400 (the
    /// sandbox's earlier behaviour) instead of m3ter's accept-then-enrich.
    pub strict_ingest: bool,
    /// Apply m3ter's ingest rate limits (429 with Retry-After).
    pub rate_limit: bool,
    /// Host names (besides the bound address, `localhost`, `127.0.0.1` and `[::1]`) accepted in
    /// the `Host` header; any other is refused, so a web page using DNS rebinding cannot reach
    /// the sandbox's default credentials.
    pub allow_hosts: Vec<String>,
    pub timeouts: Timeouts,
    /// How long signed links stay valid: m3ter's figures by default; tests shorten them to see
    /// a link expire by real elapsed time.
    pub link_lifetimes: LinkLifetimes,
    /// fsync the ingest queue before acknowledging a batch (the default): acknowledged usage
    /// survives a power loss. Off, an acknowledged batch is in the OS's file cache (SQLite WAL,
    /// `synchronous=NORMAL`): it survives the sandbox being killed (kill -9), not the machine
    /// losing power, and a single client is acknowledged faster (`cargo bench --bench ingest`
    /// prints both).
    pub ack_fsync: bool,
}

/// How long a signed link works after it is issued.
#[derive(Debug, Clone, Copy)]
pub struct LinkLifetimes {
    /// A file upload's PUT link (m3ter: 1 minute).
    pub upload: Duration,
    /// A failed-ingest log's or an upload's original's download link (m3ter: 5 minutes).
    pub download: Duration,
}

impl Default for LinkLifetimes {
    fn default() -> Self {
        Self {
            upload: Duration::from_secs(60),
            download: Duration::from_secs(300),
        }
    }
}

/// How long the server waits for clients, and for itself when stopping.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To receive a request's headers, counted from the moment the connection waits for them:
    /// it also closes connections that stay silent (new or kept alive) this long.
    pub header: Duration,
    /// To read a whole request body.
    pub body: Duration,
    /// A connection that sends or receives nothing for this long is closed.
    pub idle: Duration,
    /// How long a stop waits for requests in flight before closing their connections.
    pub shutdown: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(30),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            shutdown: Duration::from_secs(5),
        }
    }
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
            .field("strict_ingest", &self.strict_ingest)
            .field("rate_limit", &self.rate_limit)
            .field("allow_hosts", &self.allow_hosts)
            .field("timeouts", &self.timeouts)
            .field("link_lifetimes", &self.link_lifetimes)
            .field("ack_fsync", &self.ack_fsync)
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
            strict_ingest: false,
            rate_limit: false,
            allow_hosts: Vec::new(),
            timeouts: Timeouts::default(),
            link_lifetimes: LinkLifetimes::default(),
            ack_fsync: true,
        }
    }
}
