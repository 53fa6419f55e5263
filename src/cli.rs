//! The command line: no subcommand opens the TUI; subcommands are the headless operations.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "m3ter-console", version, about = "A terminal console for m3ter, with a local sandbox")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The local m3ter-compatible sandbox server.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox in the foreground until Ctrl-C.
    Serve(crate::sandbox::ServeArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = rt.block_on(async {
        match cli.command {
            Some(Command::Sandbox(SandboxCommand::Serve(args))) => crate::sandbox::serve(args).await,
            None => anyhow::bail!("the TUI is not built yet"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
