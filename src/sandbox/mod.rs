//! The local m3ter-compatible sandbox: an axum server on loopback over a SQLite file.
//!
//! Public surface used by the CLI, the embedded mode and the tests:
//! [`SandboxConfig`], [`start`] → [`Sandbox`], and [`ServeArgs`] / [`serve`] for
//! `m3ter-console sandbox serve`. (Being built: see issue 3.)

use std::net::SocketAddr;
use std::path::PathBuf;

/// Documented default credentials of the sandbox (not secrets: the sandbox is local).
pub const DEFAULT_ORG_ID: &str = "00000000-0000-4000-a000-000000000001";
pub const DEFAULT_API_KEY: &str = "sandbox-key";
pub const DEFAULT_API_SECRET: &str = "sandbox-secret";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    pub db_path: PathBuf,
    pub org_id: String,
    pub api_key: String,
    pub api_secret: String,
    /// Seed demo products, meters and accounts when the database is new.
    pub demo_data: bool,
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

/// A running sandbox.
pub struct Sandbox {
    pub addr: SocketAddr,
    /// `http://HOST:PORT` (no trailing slash).
    pub base_url: String,
    pub config: SandboxConfig,
}

pub async fn start(_config: SandboxConfig) -> anyhow::Result<Sandbox> {
    anyhow::bail!("the sandbox is not built yet")
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
    #[arg(long, default_value = DEFAULT_ORG_ID)]
    pub org_id: String,
    #[arg(long, default_value = DEFAULT_API_KEY)]
    pub api_key: String,
    #[arg(long, default_value = DEFAULT_API_SECRET)]
    pub api_secret: String,
    /// Do not seed demo data into a new database.
    #[arg(long)]
    pub empty: bool,
}

/// Runs the sandbox in the foreground until Ctrl-C; the first stdout line is
/// `m3ter sandbox listening on http://HOST:PORT`.
pub async fn serve(_args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("the sandbox is not built yet")
}
