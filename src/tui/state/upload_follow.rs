//! An upload whose follow-up goes on after its screen was left: the app keeps it here, folds
//! the follow-up's rounds into its one log entry until every measurement is settled, and the
//! Upload screen takes it back when it opens again.

use super::ctx::Ctx;
use super::log::SubmitError;
use super::msg_upload::{SendProgress, UploadMsg};
use super::persistence;
use crate::m3ter::bulk::send::{count, thousands};
use crate::m3ter::bulk::settle::Tally;
use crate::m3ter::bulk::Cancel;
use std::time::{Duration, Instant};

/// How often a background follow-up rewrites its log entry on disk (the entry on screen
/// changes every round; the file gets a line per save).
const SAVE_EVERY: Duration = Duration::from_secs(5);

/// An upload being followed while its screen is closed (or finished since).
#[derive(Debug, Clone)]
pub struct UploadFollow {
    /// The generation its task's messages carry.
    pub gen: u64,
    /// Its one log entry.
    pub log_id: u64,
    /// The file's name, for the log line.
    pub name: String,
    pub progress: SendProgress,
    pub tally: Option<Tally>,
    pub error: Option<String>,
    /// Every measurement settled (or following stopped).
    pub done: bool,
    /// Stops the follow-up (a new upload from the screen, or leaving it again).
    pub cancel: Cancel,
    saved: Option<Instant>,
}

impl UploadFollow {
    pub fn new(
        gen: u64,
        log_id: u64,
        name: String,
        progress: SendProgress,
        cancel: Cancel,
    ) -> Self {
        Self {
            gen,
            log_id,
            name,
            progress,
            tally: None,
            error: None,
            done: false,
            cancel,
            saved: None,
        }
    }

    /// The log entry's answer: what the upload did, in one line.
    pub fn summary(&self) -> String {
        summary(&self.name, &self.progress, self.tally.as_ref())
    }
}

/// `upload usage.ndjson: 5,000 accepted in 5 batches · 5,000 ingested`.
pub fn summary(name: &str, p: &SendProgress, tally: Option<&Tally>) -> String {
    let mut s = format!(
        "upload {name}: {} accepted in {}",
        thousands((p.accepted + p.previously_accepted) as u64),
        count(p.batches_sent, "batch", "batches")
    );
    if p.rejected > 0 {
        s.push_str(&format!(", {} rejected", thousands(p.rejected as u64)));
    }
    if let Some(t) = tally {
        s.push_str(&format!(" · {}", tally_line(t)));
    }
    s
}

/// `5,000 ingested`, `4,990 ingested · 10 failed (UndefinedMeter 10) · 3 pending`.
pub fn tally_line(t: &Tally) -> String {
    let mut parts = vec![format!("{} ingested", thousands(t.ingested as u64))];
    let failed = t.failed_total();
    if failed > 0 {
        parts.push(format!(
            "{} failed ({})",
            thousands(failed as u64),
            t.failures()
        ));
    }
    if t.pending > 0 {
        parts.push(format!("{} pending", thousands(t.pending as u64)));
    }
    if t.not_confirmed > 0 {
        parts.push(format!(
            "{} not confirmed yet",
            thousands(t.not_confirmed as u64)
        ));
    }
    if !t.auto_created.is_empty() {
        let mut names: Vec<&str> = t.auto_created.iter().map(String::as_str).take(3).collect();
        let more = t.auto_created.len() - names.len();
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        if names.len() == 1 && more.is_empty() {
            parts.push(format!("account {} auto-created", names[0]));
        } else {
            names.sort_unstable();
            parts.push(format!("accounts {}{more} auto-created", names.join(", ")));
        }
    }
    parts.join(" · ")
}

/// Writes the upload's log entry as it stands: its answer is the summary (an error when it
/// stopped before anything was followed); saved to disk when `save`.
pub fn write_entry(
    ctx: &mut Ctx,
    id: u64,
    summary: String,
    error: Option<String>,
    stopped: bool,
    save: bool,
) {
    let result = if stopped {
        Err(SubmitError {
            status: None,
            message: format!("{summary}: {}", error.unwrap_or_default()),
        })
    } else {
        Ok(serde_json::json!({ "result": summary }))
    };
    ctx.log.set_answered(id, ctx.now());
    if let Some(entry) = ctx.log.complete(id, result) {
        if save {
            persistence::save_entry(ctx, &entry);
        }
    }
}

impl Ctx {
    /// Keeps following an upload whose screen closes: its log entry shows the counts so far
    /// (saved now, so a restart keeps them) and is updated by each round until all are settled.
    pub fn follow_upload_in_background(&mut self, mut up: UploadFollow) {
        write_entry(self, up.log_id, up.summary(), None, false, true);
        up.saved = Some(Instant::now());
        self.upload_follow = Some(up);
    }

    /// The console closes while an upload is followed: its entry keeps the last known counts,
    /// saved, and says the follow-up stopped there.
    pub fn close_upload_follow(&mut self) {
        let Some(up) = self.upload_follow.take() else {
            return;
        };
        if up.done {
            return;
        }
        up.cancel.cancel();
        let summary = format!(
            "{} (the console closed before every outcome was known)",
            up.summary()
        );
        write_entry(self, up.log_id, summary, None, false, true);
    }

    /// Folds a background upload's follow-up round into its log entry.
    pub fn on_upload_follow(&mut self, m: &UploadMsg) {
        let UploadMsg::Followed {
            gen,
            tally,
            done,
            error,
        } = m
        else {
            return;
        };
        let Some(up) = self.upload_follow.as_mut() else {
            return;
        };
        if up.gen != *gen || up.done {
            return;
        }
        match error {
            None => up.tally = Some(tally.clone()),
            Some(e) => up.error = Some(e.clone()),
        }
        up.done = *done;
        let save = *done || up.saved.is_none_or(|t| t.elapsed() >= SAVE_EVERY);
        if save {
            up.saved = Some(Instant::now());
        }
        let (id, summary, error) = (up.log_id, up.summary(), up.error.clone());
        let stopped = up.tally.is_none() && error.is_some();
        write_entry(self, id, summary.clone(), error, stopped, save);
        if *done {
            self.info(summary);
        }
    }
}
