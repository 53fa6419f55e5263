//! Where the console gets its credentials: profiles, the SDKs' environment variables, flags.
//! Opening a connection with them is [`crate::connect`]'s job; this module talks to no server.
//!
//! Order, most explicit first: `--sandbox` forces the embedded sandbox; `--profile NAME` (or
//! `M3TER_PROFILE`) takes that profile of the config file; then the official SDKs' environment
//! variables (`M3TER_API_KEY`, `M3TER_API_SECRET`, `M3TER_ORG_ID`, `M3TER_BASE_URL`,
//! `M3TER_API_TOKEN`); then the config file's `default_profile`; with no credentials at all, the
//! embedded sandbox — so a first run just works, against local data only. `--base-url` overrides
//! the URL of whichever credentials were chosen.

pub mod file;
pub mod paths;

use crate::m3ter::{Credentials, Error};
pub use file::{ConfigFile, Profile};

/// The help heading of flags every command takes, so each command's help lists its own flags
/// apart from them.
pub const GLOBAL_OPTIONS: &str = "Global options";

/// Connection flags shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectArgs {
    /// Use this profile of the config file.
    #[arg(long, global = true, env = "M3TER_PROFILE", help_heading = GLOBAL_OPTIONS)]
    pub profile: Option<String>,
    /// Talk to this base URL (token, config and ingest on one origin).
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub base_url: Option<String>,
    /// Use the embedded sandbox even when credentials are configured.
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub sandbox: bool,
    /// The embedded sandbox's database [default: in the user's data dir].
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub sandbox_db: Option<std::path::PathBuf>,
    /// The embedded sandbox answers 400 for a measurement its meter refuses, at once, instead
    /// of m3ter's accept-then-drop-with-an-event (as `sandbox serve --strict-ingest`).
    #[arg(long, global = true, env = "M3TER_SANDBOX_STRICT_INGEST", help_heading = GLOBAL_OPTIONS)]
    pub sandbox_strict_ingest: bool,
}

/// Which credentials to use, worked out before any network traffic (testable alone).
#[derive(Debug, PartialEq)]
pub enum Source {
    /// No credentials: start the embedded sandbox.
    Embedded,
    /// A loopback `--base-url` and no credentials: a sandbox served by `m3ter-console sandbox
    /// serve`, which takes the sandbox's documented default credentials.
    LocalSandbox { base_url: String },
    Remote {
        credentials: Credentials,
        base_url: Option<String>,
        /// The profile they came from, if any (the connection's short label).
        profile: Option<String>,
        /// Where they came from, for messages: `profile prod`, `environment`.
        origin: String,
    },
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// A config error (the CLI's exit policy treats it as a usage error).
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
                profile: None,
                origin: "environment".into(),
            });
        }
        let path = file::path().map_err(config_error)?;
        let config = ConfigFile::load(&path).map_err(config_error)?;
        if let Some(name) = &config.default_profile {
            return Self::from_profile(name, args).map_err(config_error);
        }
        match &args.base_url {
            Some(url) if is_loopback(url) => Ok(Source::LocalSandbox {
                base_url: url.clone(),
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
            profile: Some(name.to_string()),
            origin: format!("profile {name}"),
        })
    }
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost") || rest.starts_with("[::1]")
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
