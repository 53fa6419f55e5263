//! Where the log and the drafts meet the disk: reading them at start-up on a blocking task (the
//! answers come back as messages), and writing them on the [`super::disk`] thread — the log a
//! line per change, the drafts as a whole file, debounced while typing.

use super::ctx::Ctx;
use super::drafts::{self, DRAFTS_FILE};
use super::log::{self, LogEntry, LOG_FILE};
use super::msg::Msg;
use std::time::Duration;

/// How long after the last edit the drafts are written.
pub const SAVE_AFTER: Duration = Duration::from_secs(1);

/// Reads this connection's saved log on a blocking task; the answer arrives as
/// [`Msg::LogLoaded`].
pub fn load_log(ctx: &mut Ctx) {
    let Some(dir) = ctx.data_dir.clone() else {
        return;
    };
    let conn = ctx.connection.id();
    let tx = ctx.tx.clone();
    ctx.spawn("read log", async move {
        let path = dir.join(LOG_FILE);
        let p = path.clone();
        let read = tokio::task::spawn_blocking(move || log::read_file_reporting(&p)).await;
        let read = read.unwrap_or_else(|e| Err(e.to_string()));
        // Damaged lines are skipped and named; the rest of the history still shows.
        if let Some(note) = read
            .as_ref()
            .ok()
            .and_then(|(_, d)| log::damaged_note(&path, d))
        {
            let _ = tx.send(Msg::Damaged(note));
        }
        // Entries written before they carried a connection are shown everywhere.
        let mine = |e: &LogEntry| e.conn == conn || e.conn.is_empty();
        Msg::LogLoaded(read.map(|(all, _)| all.into_iter().filter(mine).collect()))
    });
}

/// Appends the entry as it is now (pending, or answered) on the writer thread; only a failure
/// comes back.
pub fn save_entry(ctx: &Ctx, entry: &LogEntry) {
    let Some(dir) = ctx.data_dir.as_ref() else {
        return;
    };
    let Ok(mut line) = serde_json::to_string(entry) else {
        return;
    };
    line.push('\n');
    ctx.disk.append(dir.join(LOG_FILE), line);
}

/// Reads the saved drafts on a blocking task; they arrive as [`Msg::DraftsLoaded`].
pub fn load_drafts(ctx: &mut Ctx) {
    let Some(dir) = ctx.data_dir.clone() else {
        return;
    };
    let tx = ctx.tx.clone();
    ctx.spawn("read drafts", async move {
        let read =
            tokio::task::spawn_blocking(move || drafts::read_file(&dir.join(DRAFTS_FILE))).await;
        let read = read.unwrap_or_else(|e| Err(e.to_string()));
        // A damaged file was set aside: say where, with what was recovered.
        if let Some(note) = read.as_ref().ok().and_then(|l| l.note.clone()) {
            let _ = tx.send(Msg::Damaged(note));
        }
        Msg::DraftsLoaded(read.map(|l| l.drafts))
    });
}

/// Writes every draft now (on the writer thread) — unless the file on disk could be neither
/// read nor set aside at start-up: unread data is never overwritten.
pub fn save_drafts(ctx: &mut Ctx) {
    ctx.drafts_save.cancel();
    if ctx.drafts_unreadable {
        return;
    }
    if let Some(dir) = &ctx.data_dir {
        ctx.disk
            .replace(dir.join(DRAFTS_FILE), ctx.drafts.to_json());
    }
}

/// Writes the drafts [`SAVE_AFTER`] the last call (earlier calls are dropped): the app gets
/// [`Msg::SaveDrafts`] and calls [`save_drafts`] if nothing newer happened.
pub fn save_drafts_later(ctx: &mut Ctx) {
    if ctx.data_dir.is_none() {
        return;
    }
    let gen = ctx.drafts_save.arm();
    ctx.later(SAVE_AFTER, Msg::SaveDrafts(gen));
}

/// The app's answer to [`Msg::SaveDrafts`].
pub fn drafts_due(ctx: &mut Ctx, gen: u64) {
    if ctx.drafts_save.due(gen) {
        save_drafts(ctx);
    }
}
