//! The command line: no subcommand opens the TUI; subcommands are the headless operations.
//!
//! Exit codes (see [`exit`]): 0 ok, 1 the server rejected something, 2 usage error (bad flags,
//! bad input file, bad config), 3 cannot connect or authenticate, 130 interrupted by Ctrl-C.

pub mod accounts;
pub mod catalog;
pub mod config_cmd;
pub mod events;
pub mod exit;
pub mod output;
pub mod sandbox_serve;
pub mod submit;
pub mod upload;
pub mod usage;

use crate::config::ConnectArgs;
use crate::connect::Connection;
use clap::{CommandFactory, Parser, Subcommand};
use output::OutputFormat;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "m3ter-console",
    version,
    about = "A terminal console for m3ter, with a local sandbox",
    long_about = "A terminal console for m3ter, with a local sandbox.\n\n\
        Without a subcommand it opens the interactive console. Credentials come from --profile, \
        the M3TER_API_KEY / M3TER_API_SECRET / M3TER_ORG_ID environment variables, or the config \
        file's default profile; with none, an embedded local sandbox is used.",
    after_help = "Exit codes: 0 ok, 1 rejected by the server, 2 usage error, 3 connection or authentication failure, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Output format [default: table on a terminal, json when piped].
    #[arg(long, short = 'o', global = true, value_enum, help_heading = crate::config::GLOBAL_OPTIONS)]
    pub output: Option<OutputFormat>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Products.
    #[command(subcommand)]
    Products(catalog::ProductsCommand),
    /// Meters and their data fields.
    #[command(subcommand)]
    Meters(catalog::MetersCommand),
    // Boxed: its flags make it the largest variant by far.
    /// Customer accounts.
    #[command(subcommand)]
    Accounts(Box<accounts::AccountsCommand>),
    /// Submit usage measurements: one from flags or JSON, or a whole file in batches.
    Submit(submit::SubmitArgs),
    /// Upload a file of measurements through m3ter's file upload, and follow its job.
    Upload(upload::UploadArgs),
    /// Usage m3ter ingested: measurements or aggregations over a period.
    #[command(subcommand)]
    Usage(usage::UsageCommand),
    /// Events m3ter raised, such as the ingest failures of measurements it dropped.
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Credential profiles in the config file.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Print a shell completion script, e.g. `m3ter-console completions bash > …`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The local m3ter-compatible sandbox server.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox in the foreground until Ctrl-C.
    Serve(sandbox_serve::ServeArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_some() {
        init_logging();
    }
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = rt.block_on(run(cli));
    // Do not wait for stray tasks (an embedded sandbox's connections) once the command is done.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `… | head -1`: the reader has what it wanted; that is not a failure.
        Err(e) if exit::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", output::clean_lines(&format!("{e:#}")));
            ExitCode::from(exit::code(&e))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let fmt = OutputFormat::resolve(cli.output);
    let command = match cli.command {
        None => {
            let conn = Connection::open(&cli.connect).await?;
            let key = crate::tui::ConnectionKey::new(&conn.key.target, &conn.key.org);
            // The embedded sandbox (if any) lives in `conn` until the TUI is done.
            let data_dir = crate::config::paths::data_dir();
            return crate::tui::run(conn.client.clone(), conn.label.clone(), key, data_dir).await;
        }
        Some(Command::Sandbox(SandboxCommand::Serve(args))) => {
            return sandbox_serve::run(args).await
        }
        Some(Command::Completions { shell }) => {
            // Generated into memory first: writing straight to a closed stdout panics.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "m3ter-console", &mut script);
            let mut out = std::io::stdout().lock();
            out.write_all(&script)?;
            return Ok(out.flush()?);
        }
        Some(Command::Config(cmd)) => return config_cmd::run(cmd, &cli.connect),
        Some(c) => c,
    };
    let conn = Connection::open(&cli.connect).await?;
    tracing::debug!(connection = %conn.label, "connected");
    match command {
        Command::Products(c) => catalog::products(&conn, c, fmt).await,
        Command::Meters(c) => catalog::meters(&conn, c, fmt).await,
        Command::Accounts(c) => accounts::run(&conn, *c, fmt).await,
        Command::Submit(args) => submit::run(&conn, args, fmt).await,
        Command::Events(c) => events::run(&conn, c, fmt).await,
        Command::Usage(c) => usage::run(&conn, c, fmt).await,
        Command::Upload(args) => upload::run(&conn, args, fmt).await,
        Command::Config(_) | Command::Completions { .. } | Command::Sandbox(_) => Ok(()),
    }
}

/// `M3TER_LOG=debug` (the SDK's variable) logs requests to stderr. Secrets are never logged:
/// the client's `Debug` output redacts them and URLs carry none.
fn init_logging() {
    let Ok(level) = std::env::var("M3TER_LOG") else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(format!("m3ter_console={level}"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("m3ter_console=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
