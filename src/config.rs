//! Where the console gets its credentials, and the connection every command and the TUI use.
//!
//! Order: `--sandbox` forces the embedded sandbox; otherwise `--base-url`/`--profile` and the
//! official SDKs' environment variables (`M3TER_API_KEY`, `M3TER_API_SECRET`, `M3TER_ORG_ID`,
//! `M3TER_BASE_URL`, `M3TER_API_TOKEN`); with no credentials at all, the embedded sandbox.
//! (Profiles in the TOML config file: being built, see issue 4.)

use crate::m3ter::{Client, ClientConfig, Credentials};
use crate::sandbox::{self, Sandbox, SandboxConfig};

/// Connection flags shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectArgs {
    /// Use this profile of the config file.
    #[arg(long, global = true, env = "M3TER_PROFILE")]
    pub profile: Option<String>,
    /// Talk to this base URL (token, config and ingest on one origin).
    #[arg(long, global = true)]
    pub base_url: Option<String>,
    /// Use the embedded sandbox even when credentials are configured.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// The embedded sandbox's database [default: in the user's data dir].
    #[arg(long, global = true)]
    pub sandbox_db: Option<std::path::PathBuf>,
}

/// An open connection: the client, what it talks to, and the embedded sandbox it owns (if any),
/// which lives as long as the connection.
pub struct Connection {
    pub client: Client,
    /// For title bars and messages, e.g. `sandbox (embedded) · org 0000…` — never a secret.
    pub label: String,
    pub sandbox: Option<Sandbox>,
}

impl Connection {
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    pub async fn open(args: &ConnectArgs) -> anyhow::Result<Connection> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let from_env = env("M3TER_API_KEY").is_some() || env("M3TER_API_TOKEN").is_some();
        if args.sandbox || !from_env {
            return Self::embedded(args).await;
        }
        let credentials = Credentials {
            org_id: env("M3TER_ORG_ID")
                .ok_or_else(|| anyhow::anyhow!("M3TER_ORG_ID is not set"))?,
            api_key: env("M3TER_API_KEY").unwrap_or_default(),
            api_secret: env("M3TER_API_SECRET").unwrap_or_default(),
            token: env("M3TER_API_TOKEN"),
        };
        let base_url = args.base_url.clone().or_else(|| env("M3TER_BASE_URL"));
        let label = format!(
            "m3ter {} · org {}",
            base_url.as_deref().unwrap_or("(api.m3ter.com)"),
            credentials.org_id
        );
        let client = Client::new(ClientConfig::new(credentials, base_url.as_deref()))?;
        Ok(Connection {
            client,
            label,
            sandbox: None,
        })
    }

    /// Starts the sandbox in this process on an ephemeral loopback port and connects to it over
    /// HTTP with the same client real m3ter gets.
    pub async fn embedded(args: &ConnectArgs) -> anyhow::Result<Connection> {
        let mut config = SandboxConfig::default();
        if let Some(db) = &args.sandbox_db {
            config.db_path = db.clone();
        }
        let sb = sandbox::start(config).await?;
        let credentials = Credentials {
            org_id: sb.config.org_id.clone(),
            api_key: sb.config.api_key.clone(),
            api_secret: sb.config.api_secret.clone(),
            token: None,
        };
        let client = Client::new(ClientConfig::new(credentials, Some(&sb.base_url)))?;
        let label = format!("sandbox {} · org {}", sb.base_url, sb.config.org_id);
        Ok(Connection {
            client,
            label,
            sandbox: Some(sb),
        })
    }
}
