//! Following every accepted submission to its outcome, for the log. The engine
//! ([`crate::m3ter::follow::Follower`]) decides what to ask and when; this glue feeds it the
//! log's answers, keeps one timer for its next round, runs the round on a task and writes each
//! change back into the log entry (and its file, so states survive a restart).

use super::ctx::Ctx;
use super::log::LogEntry;
use super::msg::Msg;
pub use super::msg_explore::FollowMsg;
use super::persistence;
use crate::m3ter::follow::{carry_out, Submitted, Tracked};
use chrono::{DateTime, Utc};

fn ts_of(entry: &LogEntry) -> Option<DateTime<Utc>> {
    let ts = entry.request.get("ts")?.as_str()?;
    DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn str_of<'e>(entry: &'e LogEntry, key: &str) -> Option<&'e str> {
    entry.request.get(key).and_then(|v| v.as_str())
}

impl Ctx {
    /// An entry got its HTTP answer: follow it (accepted) or record the refusal. An entry
    /// without a uid cannot be found again and is not followed.
    pub fn follow_answered(&mut self, id: u64, account_known: bool) {
        let Some(entry) = self.log.get(id).cloned() else {
            return;
        };
        let Some(uid) = str_of(&entry, "uid").map(str::to_string) else {
            return;
        };
        let now = (self.clock)();
        let sent_at = DateTime::parse_from_rfc3339(&entry.time)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let meter = str_of(&entry, "meter").unwrap_or_default().to_string();
        let meter_id = self.meters.get().and_then(|ms| {
            ms.iter()
                .find(|m| m.code.as_deref() == Some(meter.as_str()))
                .map(|m| m.id.clone())
        });
        let engine = &mut self.following.engine;
        engine.sending(
            Submitted {
                uid: uid.clone(),
                meter,
                meter_id,
                account: str_of(&entry, "account").unwrap_or_default().to_string(),
                ts: ts_of(&entry).unwrap_or(sent_at),
                // The preloaded list holds only the newest accounts: absence proves nothing.
                account_known_before: account_known.then_some(true),
            },
            sent_at,
        );
        match &entry.error {
            None => {
                engine.accepted(&uid, now);
            }
            Some(e) => engine.refused(&uid, e.message.clone()),
        }
        self.follow_sync(&uid);
        self.follow_schedule();
    }

    /// Entries read back from the log file: their follow-up goes on where it stopped.
    pub fn follow_restore(&mut self, entries: &[LogEntry]) {
        // Oldest first, so the newest entry of a uid sent twice is the one followed.
        let tracked: Vec<Tracked> = entries
            .iter()
            .rev()
            .filter_map(|e| e.follow.clone())
            .collect();
        if tracked.is_empty() {
            return;
        }
        self.following.engine.restore(tracked);
        self.follow_schedule();
    }

    /// Follows a "not confirmed yet" entry again.
    pub fn follow_recheck(&mut self, uid: &str) -> bool {
        let now = (self.clock)();
        if !self.following.engine.recheck(uid, now) {
            return false;
        }
        self.follow_sync(uid);
        self.follow_schedule();
        true
    }

    pub fn on_follow(&mut self, msg: &FollowMsg) {
        match msg {
            FollowMsg::Due(gen) => {
                if !self.following.timer.due(*gen) {
                    return;
                }
                self.following.scheduled = None;
                self.follow_poll();
            }
            FollowMsg::Answer(result) => {
                let changed = match result {
                    Ok(answer) => self.following.engine.fold(answer.clone()),
                    Err(_) => {
                        self.following.engine.failed();
                        Vec::new()
                    }
                };
                let mut created = Vec::new();
                for uid in &changed {
                    self.follow_sync(uid);
                    if let Some(t) = self.following.engine.get(uid) {
                        if let Some(note) = t.auto_created_note() {
                            created.push(note);
                        }
                    }
                }
                if let Some(note) = created.first() {
                    self.info(note.clone());
                    self.post(Msg::AccountsChanged);
                }
                self.follow_schedule();
            }
        }
    }

    fn follow_poll(&mut self) {
        let now = (self.clock)();
        let (expired, ask) = self.following.engine.poll(now);
        for uid in &expired {
            self.follow_sync(uid);
        }
        if let Some(ask) = ask {
            let client = self.client.clone();
            self.spawn("follow", async move {
                Msg::Follow(Box::new(FollowMsg::Answer(
                    carry_out(&client, &ask).await.map_err(|e| e.to_string()),
                )))
            });
        }
        self.follow_schedule();
    }

    /// Sets the one timer for the engine's next round (nothing when nothing is pending).
    fn follow_schedule(&mut self) {
        let now = (self.clock)();
        let Some(at) = self.following.engine.next_poll(now) else {
            return;
        };
        if self.following.scheduled.is_some_and(|s| s <= at) {
            return;
        }
        let gen = self.following.timer.arm();
        self.following.scheduled = Some(at);
        let after = (at - now).to_std().unwrap_or_default();
        self.later(after, Msg::Follow(Box::new(FollowMsg::Due(gen))));
    }

    /// Copies the engine's state into the log entry of `uid` and saves the entry.
    fn follow_sync(&mut self, uid: &str) {
        let Some(t) = self.following.engine.get(uid).cloned() else {
            return;
        };
        let Some(e) = self.log.entries.iter_mut().find(|e| e.uid() == Some(uid)) else {
            return;
        };
        if e.follow.as_ref() == Some(&t) {
            return;
        }
        e.follow = Some(t);
        let e = e.clone();
        persistence::save_entry(self, &e);
    }
}
