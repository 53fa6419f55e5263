//! An upload whose follow-up goes on after its screen was left: the data [`super::ctx::Ctx`]
//! keeps (its rounds are folded into its log entry by [`super::upload_follow_log`]) until the
//! Upload screen takes it back when it opens again; and the upload's one-line summary.

use super::msg_upload::SendProgress;
use crate::m3ter::bulk::send::{count, thousands};
use crate::m3ter::bulk::settle::Tally;
use crate::m3ter::bulk::Cancel;
use std::time::Instant;

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
    /// When its log entry was last saved to disk.
    pub saved: Option<Instant>,
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
