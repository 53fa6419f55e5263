//! Folding a background upload's follow-up into its one log entry (and saving it), for
//! [`super::upload_follow::UploadFollow`].

use super::ctx::Ctx;
use super::log::SubmitError;
use super::msg_upload::UploadMsg;
use super::persistence;
use super::upload_follow::UploadFollow;
use std::time::{Duration, Instant};

/// How often a background follow-up rewrites its log entry on disk (the entry on screen
/// changes every round; the file gets a line per save).
const SAVE_EVERY: Duration = Duration::from_secs(5);

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
