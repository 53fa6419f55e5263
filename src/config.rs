//! Where the console gets its credentials, and the connection every command and the TUI use.
//!
//! Order, most explicit first: `--sandbox` forces the embedded sandbox; `--profile NAME` (or
//! `M3TER_PROFILE`) takes that profile of the config file; then the official SDKs' environment
//! variables (`M3TER_API_KEY`, `M3TER_API_SECRET`, `M3TER_ORG_ID`, `M3TER_BASE_URL`,
//! `M3TER_API_TOKEN`); then the config file's `default_profile`; with no credentials at all, the
//! embedded sandbox — so a first run just works, against local data only. `--base-url` overrides
//! the URL of whichever credentials were chosen.

pub mod file;

use crate::m3ter::{Client, ClientConfig, Credentials, Error};
use crate::sandbox::{self, Sandbox, SandboxConfig};
pub use file::{ConfigFile, Profile};

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

/// Which credentials [`Connection::open`] picked, before any network traffic (testable alone).
#[derive(Debug, PartialEq)]
pub enum Source {
    Embedded,
    Remote {
        credentials: Credentials,
        base_url: Option<String>,
        /// Where they came from, for the label: `profile prod`, `environment`, `sandbox defaults`.
        origin: String,
    },
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// A config error: the CLI exits 2 for it (see [`Error::exit_code`]).
fn config_error(e: anyhow::Error) -> anyhow::Error {
    Error::Config(format!("{e:#}")).into()
}

impl Source {
    pub fn resolve(args: &ConnectArgs) -> anyhow::Result<Source> {
        if args.sandbox {
            return Ok(Source::Embedded);
        }
        if let Some(name) = &args.profile {
            return Self::from_profile(name, args).map_err(config_error);
        }
        if env("M3TER_API_KEY").is_some() || env("M3TER_API_TOKEN").is_some() {
            let credentials = Credentials {
                org_id: env("M3TER_ORG_ID").ok_or_else(|| {
                    Error::Config("M3TER_API_KEY is set but M3TER_ORG_ID is not".into())
                })?,
                api_key: env("M3TER_API_KEY").unwrap_or_default(),
                api_secret: env("M3TER_API_SECRET").unwrap_or_default(),
                token: env("M3TER_API_TOKEN"),
            };
            return Ok(Source::Remote {
                credentials,
                base_url: args.base_url.clone().or_else(|| env("M3TER_BASE_URL")),
                origin: "environment".into(),
            });
        }
        let path = file::path().map_err(config_error)?;
        let config = ConfigFile::load(&path).map_err(config_error)?;
        if let Some(name) = &config.default_profile {
            return Self::from_profile(name, args).map_err(config_error);
        }
        match &args.base_url {
            // A sandbox served by `m3ter-console sandbox serve` takes its documented defaults.
            Some(url) if is_loopback(url) => Ok(Source::Remote {
                credentials: Credentials {
                    org_id: sandbox::DEFAULT_ORG_ID.into(),
                    api_key: sandbox::DEFAULT_API_KEY.into(),
                    api_secret: sandbox::DEFAULT_API_SECRET.into(),
                    token: None,
                },
                base_url: Some(url.clone()),
                origin: "sandbox defaults".into(),
            }),
            Some(url) => Err(Error::Config(format!(
                "no credentials for {url}: set M3TER_API_KEY, M3TER_API_SECRET and M3TER_ORG_ID, \
                 or use --profile (see `m3ter-console config --help`)"
            ))
            .into()),
            None => Ok(Source::Embedded),
        }
    }

    fn from_profile(name: &str, args: &ConnectArgs) -> anyhow::Result<Source> {
        let path = file::path()?;
        let config = ConfigFile::load(&path)?;
        let p = config.profile(name, &path)?;
        Ok(Source::Remote {
            credentials: Credentials {
                org_id: p.org_id.clone(),
                api_key: p.api_key.clone(),
                api_secret: p.api_secret.clone(),
                token: None,
            },
            base_url: args.base_url.clone().or_else(|| p.base_url.clone()),
            origin: format!("profile {name}"),
        })
    }
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost") || rest.starts_with("[::1]")
}

impl Connection {
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    pub async fn open(args: &ConnectArgs) -> anyhow::Result<Connection> {
        let (credentials, base_url, origin) = match Source::resolve(args)? {
            Source::Embedded => return Self::embedded(args).await,
            Source::Remote {
                credentials,
                base_url,
                origin,
            } => (credentials, base_url, origin),
        };
        let label = format!(
            "m3ter {} · org {} · {origin}",
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
        // The embedded sandbox is what we "connect" to: failing to start it is exit 3.
        let sb = sandbox::start(config)
            .await
            .map_err(|e| Error::Connection {
                request: "starting the embedded sandbox".into(),
                detail: format!("{e:#}"),
            })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:1/x"));
        assert!(is_loopback("http://[::1]:80"));
        assert!(!is_loopback("https://api.m3ter.com"));
    }
}
