//! `m3ter-console sandbox serve`: the flags, the banner, and running the sandbox in the
//! foreground until Ctrl-C or SIGTERM.

use crate::sandbox::{self, SandboxConfig, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_ORG_ID};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Check each measurement against its meter inside the request and answer 400 on a bad one
    /// (instead of m3ter's accept-then-enrich, which drops it later with an event)
    #[arg(long)]
    pub strict_ingest: bool,
    /// Apply m3ter's ingest rate limits: 50 requests/s per org, 5000 per 5 minutes per client
    #[arg(long)]
    pub rate_limit: bool,
    /// Acknowledge a batch once it is in the OS's file cache instead of after an fsync: it still
    /// survives the sandbox being killed (kill -9), not the machine losing power; one client is
    /// acknowledged faster
    #[arg(long)]
    pub no_fsync: bool,
    /// Also answer requests whose Host header names NAME (repeatable). By default only
    /// localhost, 127.0.0.1, `[::1]` and the listen address are answered, which keeps web pages
    /// from reaching the sandbox through DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
}

/// Runs the sandbox in the foreground until Ctrl-C or SIGTERM, then stops within the shutdown
/// deadline even if a client is stalled mid-request; the first stdout line is
/// `m3ter sandbox listening on http://HOST:PORT`.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = SandboxConfig {
        listen: args.listen,
        db_path: args.db.unwrap_or_else(SandboxConfig::default_db_path),
        org_id: args.org_id,
        api_key: args.api_key,
        api_secret: args.api_secret,
        demo_data: !args.empty,
        strict_ingest: args.strict_ingest,
        rate_limit: args.rate_limit,
        ack_fsync: !args.no_fsync,
        allow_hosts: args.allow_hosts,
        ..Default::default()
    };
    let sandbox = sandbox::start(config).await?;
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
