//! Opening a connection with the credentials [`crate::config`] resolved: the embedded sandbox
//! (started in this process on a loopback port and spoken to over HTTP, like real m3ter), a
//! sandbox served elsewhere on loopback, or real m3ter. Every command and the TUI get the same
//! client; they also get a short label to show and a key naming what they talk to.

use crate::config::{ConnectArgs, Source};
use crate::m3ter::{Client, ClientConfig, Credentials, Error};
use crate::sandbox::{self, Sandbox, SandboxConfig};
use std::fmt;

/// An open connection: the client, what it talks to, and the embedded sandbox it owns (if any),
/// which lives as long as the connection.
pub struct Connection {
    pub client: Client,
    /// A short name for title bars and messages: `sandbox`, the profile's name, or the host.
    /// Never a secret.
    pub label: String,
    pub key: ConnectionKey,
    pub sandbox: Option<Sandbox>,
}

/// What a connection talks to, for keying what is kept per server (drafts, the submission log):
/// every sandbox serves the same org id, so the org alone would mix two sandboxes' data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectionKey {
    /// The embedded sandbox's database (`sandbox:/path/to.db`), or the base URL.
    pub target: String,
    pub org: String,
}

/// `target#org`, e.g. `sandbox:/home/me/.local/share/m3ter-console/sandbox.db#0000…` or
/// `https://api.m3ter.com#<org>`.
impl fmt::Display for ConnectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.target, self.org)
    }
}

/// `host[:port]` of a URL, for labels.
fn host(url: &str) -> &str {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest)
}

impl Connection {
    pub async fn open(args: &ConnectArgs) -> anyhow::Result<Connection> {
        let (credentials, base_url, label) = match Source::resolve(args)? {
            Source::Embedded => return Self::embedded(args).await,
            Source::LocalSandbox { base_url } => {
                let label = host(&base_url).to_string();
                (sandbox_credentials(), Some(base_url), label)
            }
            Source::Remote {
                credentials,
                base_url,
                profile,
                ..
            } => {
                let label = profile.unwrap_or_else(|| {
                    host(
                        base_url
                            .as_deref()
                            .unwrap_or(crate::m3ter::client::DEFAULT_API_URL),
                    )
                    .to_string()
                });
                (credentials, base_url, label)
            }
        };
        let client = Client::new(ClientConfig::new(credentials, base_url.as_deref()))?;
        let key = ConnectionKey {
            target: client.config().api_url.clone(),
            org: client.org_id().to_string(),
        };
        Ok(Connection {
            client,
            label,
            key,
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
        config.strict_ingest = args.sandbox_strict_ingest;
        // The embedded sandbox is what we "connect" to: failing to start it is a connection error.
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
        let db = std::path::absolute(&sb.config.db_path).unwrap_or(sb.config.db_path.clone());
        let key = ConnectionKey {
            target: format!("sandbox:{}", db.display()),
            org: sb.config.org_id.clone(),
        };
        Ok(Connection {
            client,
            label: "sandbox".into(),
            key,
            sandbox: Some(sb),
        })
    }
}

/// The credentials `m3ter-console sandbox serve` accepts unless told otherwise.
fn sandbox_credentials() -> Credentials {
    Credentials {
        org_id: sandbox::DEFAULT_ORG_ID.into(),
        api_key: sandbox::DEFAULT_API_KEY.into(),
        api_secret: sandbox::DEFAULT_API_SECRET.into(),
        token: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_host() {
        assert_eq!(host("http://127.0.0.1:8080/"), "127.0.0.1:8080");
        assert_eq!(host("https://api.m3ter.com"), "api.m3ter.com");
    }

    #[tokio::test]
    async fn the_embedded_sandbox_can_reject_synchronously() {
        let dir = tempfile::tempdir().unwrap();
        let open = |strict: bool| ConnectArgs {
            sandbox: true,
            sandbox_db: Some(dir.path().join(format!("{strict}.db"))),
            sandbox_strict_ingest: strict,
            ..Default::default()
        };
        let m: crate::m3ter::Measurement = serde_json::from_value(serde_json::json!(
            {"meter": "no_such_meter", "account": "A", "ts": "2026-01-01T00:00:00Z"}
        ))
        .unwrap();
        let lax = Connection::open(&open(false)).await.unwrap();
        assert!(
            lax.client.submit(std::slice::from_ref(&m)).await.is_ok(),
            "accepted, then an event"
        );
        let strict = Connection::open(&open(true)).await.unwrap();
        let e = strict.client.submit(&[m]).await.unwrap_err();
        assert_eq!(e.status(), Some(400), "{e}");
    }

    #[tokio::test]
    async fn two_sandbox_databases_have_different_keys() {
        let dir = tempfile::tempdir().unwrap();
        let open = |name: &str| ConnectArgs {
            sandbox: true,
            sandbox_db: Some(dir.path().join(name)),
            ..Default::default()
        };
        let a = Connection::open(&open("a.db")).await.unwrap();
        let b = Connection::open(&open("b.db")).await.unwrap();
        assert_eq!(a.label, "sandbox");
        assert_eq!(a.key.org, b.key.org, "every sandbox serves the same org");
        assert_ne!(a.key, b.key);
        assert!(a.key.to_string().starts_with("sandbox:/"), "{}", a.key);
    }
}
