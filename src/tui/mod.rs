//! The terminal UI: Products → Meters → Submit usage (with the submission log), and Accounts.
//!
//! # How it flows
//! One way only: a crossterm event → the top screen's key table ([`keys`]) → an
//! [`keys::Action`] (or the raw key, for text inputs) → [`screen::Screen::update`] changes that
//! screen's state and may spawn a tokio task with [`state::Ctx::spawn`] → the task's answer comes
//! back as a [`msg::Msg`] through the channel → [`app::App::on_msg`] updates the shared
//! [`state::Ctx`] and hands the message to every screen → redraw. Drawing only reads state.
//! The loop ([`event_loop`]) `select!`s over terminal events, messages and a tick.
//!
//! # Adding a screen
//! 1. Write `src/tui/<name>.rs` (or a folder) with a struct implementing [`screen::Screen`]:
//!    `kind`, `title`, `keys` (ONE table: it drives key resolution, the bottom bar and the help
//!    overlay — mark bar entries with `.bar()`, and keys that must work while typing with
//!    `.text()`), `typing`, `update` (return `Outcome::Ignored` for what you don't handle, so
//!    global keys still work), `draw` (read-only), and `on_msg` if it waits for data.
//! 2. Add a [`screen::ScreenKind`] variant, and new [`keys::Action`]s if needed.
//! 3. Open it by returning `Outcome::Push(Box::new(MyScreen::new(ctx)))` from another screen, or
//!    add a global key in [`app::GLOBAL_KEYS`] handled in `App::global`.
//!
//! # Nothing typed or sent is lost
//! A Submit panel's draft is kept per (org, meter) in [`state::Ctx::drafts`] as it is typed and
//! written to `drafts.json` ([`drafts`]); a submission is logged as pending before it is sent and
//! again with its answer ([`log`]). Files are written on one thread, in order ([`disk`]), and
//! [`app::App::shutdown`] waits for them on quit. Screens get [`screen::Screen::closing`] when
//! they leave the stack, so a panel closed any way keeps its draft.
//!
//! Accounts (issue 6): [`accounts::AccountsScreen`] is opened by `A`/F9
//! ([`screen::Outcome::OpenAccounts`]); after changing accounts send [`msg::Msg::AccountsChanged`]
//! (`ctx.tx.send(..)`) so [`state::Ctx::accounts`] (the Submit picker's list) reloads; return
//! [`screen::Outcome::SubmitFor`]`(code)` to jump to the Submit panel with that account chosen.

pub mod accounts;
pub mod app;
mod apply;
pub mod disk;
pub mod drafts;
pub mod event_loop;
pub mod help;
pub mod keys;
pub mod log;
pub mod meters;
pub mod msg;
pub mod products;
pub mod screen;
pub mod state;
pub mod submit;
pub mod widgets;

use crate::connect::Connection;

/// Runs the TUI on this connection until the user quits. The terminal is restored on every
/// exit path, panics included (`ratatui::init` installs the hook).
pub async fn run(conn: Connection) -> anyhow::Result<()> {
    let data_dir = log::default_data_dir();
    let _log_guard = init_tracing(&data_dir);
    tracing::info!(label = %conn.label, "TUI starting");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ctx = state::Ctx::new(conn.client.clone(), conn.label.clone(), tx);
    ctx.data_dir = Some(data_dir);
    let mut app = app::App::new(ctx);
    app.start();
    let result = event_loop::run(&mut app, rx).await;
    // Whatever is typed in open panels, and the log lines in flight, reach the disk first.
    app.shutdown().await;
    tracing::info!("TUI stopped");
    // The embedded sandbox (if any) lives in `conn` until here.
    drop(conn);
    result
}

/// Logs to `m3ter-console.log` in the data dir (never to the terminal the TUI draws on).
/// `M3TER_CONSOLE_LOG` sets the filter (default `info`).
fn init_tracing(dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "m3ter-console.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("M3TER_CONSOLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
