//! [`SandboxConfig`] and the documented default credentials.

use std::net::SocketAddr;
use std::path::PathBuf;

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
        }
    }
}
