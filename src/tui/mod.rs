//! The terminal UI: Products → Meters → Submit usage (with the submission log), and Accounts.
//!
//! # Layers
//! Each folder stands only on the ones listed before it (and on [`crate::m3ter`]):
//! - [`style`]: colours by role, the theme, the focused border, the badge, popups.
//! - [`keys`]: actions, keys, the shared key tables, the user's `keys.toml`.
//! - [`state`]: [`state::Ctx`] (what every screen shares), the submission log and the drafts
//!   with their files, messages from tasks, and the effects screens queue.
//! - [`widgets`]: a text input and a filterable list.
//! - [`screens`]: the screen contract and every screen.
//! - [`app`]: the stack of screens, global keys, help and bar, and the loop that carries out
//!   effects and draws.
//!
//! # How it flows
//! One way only: a crossterm event → the top screen's key tables → an [`keys::Action`] (or the
//! raw key, for text inputs) → [`screens::Screen::update`] changes that screen's state and may
//! queue effects on [`state::Ctx`] (`spawn` a request, `later` a message, `copy`, edit in
//! `$EDITOR`) → the loop carries them out; a task's answer comes back as a [`state::Msg`] →
//! [`app::App::on_msg`] updates the shared [`state::Ctx`] and hands the message to every
//! screen → redraw. Drawing only reads state, and happens only after something happened.
//!
//! # Adding a screen
//! 1. Write `src/tui/screens/<name>.rs` (or a folder) with a struct implementing
//!    [`screens::Screen`]: `kind`, `title`, `keys` (its tables, composed from
//!    [`keys::tables`]: they drive key resolution, the bottom bar and the help overlay — mark
//!    bar entries with `.bar()`, and keys that must work while typing with `.text()`),
//!    `typing`, `update` (return `Outcome::Ignored` for what you don't handle, so global keys
//!    still work), `draw` (read-only), and `on_msg` if it waits for data.
//! 2. Add a [`screens::ScreenKind`] variant, new [`keys::Action`]s and [`state::Msg`]s if
//!    needed.
//! 3. Open it by returning `Outcome::Push(Box::new(MyScreen::new(ctx)))` from another screen, or
//!    add a global key in [`keys::tables::GLOBAL`] handled in `App::global`.
//!
//! # Nothing typed or sent is lost
//! A Submit panel's draft is kept per (connection, meter) in [`state::Ctx::drafts`] as it is
//! typed and written to `drafts.json` ([`state::drafts`]); a submission is logged as pending
//! before it is sent and again with its answer ([`state::log`]). Files are written on one
//! thread, in order ([`state::disk`]), and [`app::App::shutdown`] waits for them on quit.
//! Screens get [`screens::Screen::closing`] when they leave the stack, so a panel closed any
//! way keeps its draft.

pub mod app;
pub mod keys;
pub mod screens;
pub mod state;
pub mod style;
pub mod widgets;

pub use state::ConnectionKey;

use crate::m3ter::Client;
use std::path::PathBuf;

/// Runs the TUI on this client until the user quits. `label` names the server for the title
/// bar; `connection` keys the drafts and the log (so two servers never see each other's);
/// `data_dir` holds them (owner-only). The terminal is restored on every exit path, panics
/// included (`ratatui::init` installs the hook).
pub async fn run(
    client: Client,
    label: String,
    connection: ConnectionKey,
    data_dir: PathBuf,
) -> anyhow::Result<()> {
    let _log_guard = init_tracing(&data_dir);
    tracing::info!(%label, "TUI starting");
    let config_dir = config_dir();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, mut problems) = style::Theme::load(config_dir.as_deref(), no_color);
    style::set_theme(theme);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ctx = state::Ctx::new(client, label, tx);
    ctx.connection = connection;
    ctx.data_dir = Some(data_dir);
    if let Some(dir) = &config_dir {
        let (keymap, p) = keys::Keymap::load(&dir.join(keys::keymap::KEYS_FILE));
        ctx.keymap = keymap;
        problems.extend(p);
    }
    for p in &problems {
        tracing::warn!("{p}");
    }
    if let Some(first) = problems.first() {
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more in m3ter-console.log)", n - 1),
        };
        ctx.error(format!("{first}{more}"));
    }
    let mut app = app::App::new(ctx);
    app.start();
    let result = app::event_loop::run(&mut app, rx).await;
    // Whatever is typed in open panels, and the log lines in flight, reach the disk first.
    app.shutdown().await;
    tracing::info!("TUI stopped");
    result
}

/// Where `keys.toml` and `theme.toml` live: beside the config file (`M3TER_CONSOLE_CONFIG`), or
/// `m3ter-console` in the user's config dir.
fn config_dir() -> Option<PathBuf> {
    match std::env::var_os("M3TER_CONSOLE_CONFIG").filter(|v| !v.is_empty()) {
        Some(file) => PathBuf::from(file).parent().map(PathBuf::from),
        None => dirs::config_dir().map(|d| d.join("m3ter-console")),
    }
}

/// Logs to `m3ter-console.log` in the data dir (never to the terminal the TUI draws on).
/// `M3TER_CONSOLE_LOG` sets the filter (default `info`).
fn init_tracing(dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    crate::private_fs::create_private_dir(dir).ok()?;
    // Created owner-only before the appender opens it for appending.
    let file = dir.join("m3ter-console.log");
    crate::private_fs::open_private(&file, std::fs::OpenOptions::new().create(true).append(true))
        .ok()?;
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
