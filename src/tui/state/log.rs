//! The submission log: every measurement sent, when, and what the server answered, newest first.
//! It is kept on disk as JSON lines (`submissions.log.jsonl` in the data dir) so it survives a
//! restart; [`super::persistence`] reads it on a blocking task and writes it on the disk thread,
//! so the UI never waits for the disk.
//!
//! An entry is written twice: as `pending` when it is sent (so a submission is on record even if
//! the console is closed or killed before the answer), then with the answer. Both lines carry the
//! entry's `id`; a later line for the same id supersedes the earlier one. Lines that do not parse
//! (a line torn by a crash) are skipped. An entry that never got its answer line is shown as
//! "no answer recorded": whether m3ter took it is unknown, and `e` reloads it with the same uid
//! (m3ter ignores a uid it already has, so sending it again is safe).

use crate::m3ter::follow::{FollowState, Tracked};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

pub const LOG_FILE: &str = "submissions.log.jsonl";

/// One submission. On disk: `{"id":…,"time":…,"request":{…}}` when sent, then
/// `{"id":…,"time":…,"request":{…},"answer":{"result":"accepted"}}` or
/// `{…,"error":{"status":400,"message":"…"}}`. Lines of older versions have no `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// In-memory handle matching a task's answer to its entry (not saved).
    #[serde(skip)]
    pub id: u64,
    /// The entry's id on disk, shared by its `pending` and answered lines.
    #[serde(default, rename = "id", skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The server and org it was sent to ([`super::ConnectionKey::id`]): the log pane shows
    /// only this connection's entries; the others stay in the file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conn: String,
    /// Read back still pending: the console closed before the answer came (not saved).
    #[serde(skip)]
    pub interrupted: bool,
    /// When it was sent (RFC 3339).
    pub time: String,
    /// The measurement exactly as sent.
    pub request: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SubmitError>,
    /// When the answer came (RFC 3339), for the latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<String>,
    /// Where the measurement stands after the answer (ingested, failed…), kept up to date by the
    /// follow-up ([`super::follow`]) and saved with the entry so it survives a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow: Option<Tracked>,
}

/// Why a submission failed: the HTTP status when the server answered, and its message.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubmitError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub message: String,
}

impl From<crate::m3ter::Error> for SubmitError {
    fn from(e: crate::m3ter::Error) -> Self {
        match &e {
            crate::m3ter::Error::Api {
                status, message, ..
            } => SubmitError {
                status: Some(*status),
                message: message.clone(),
            },
            other => SubmitError {
                status: None,
                message: other.to_string(),
            },
        }
    }
}

/// What a log entry shows when its answer never reached the log.
pub const NO_ANSWER: &str = "no answer recorded (the console closed while sending)";

impl LogEntry {
    /// Sent in this session and waiting for the answer.
    pub fn is_pending(&self) -> bool {
        self.answer.is_none() && self.error.is_none() && !self.interrupted
    }

    /// `accepted`, then where it went (`ingested`, `failed: UndefinedMeter`, `not confirmed
    /// yet`, with "account X auto-created" when it was); `HTTP 400: …`, `pending…`, or
    /// [`NO_ANSWER`].
    pub fn outcome(&self) -> String {
        if self.interrupted {
            return NO_ANSWER.into();
        }
        if let Some(e) = &self.error {
            return match e.status {
                Some(s) => format!("HTTP {s}: {}", e.message),
                None => e.message.clone(),
            };
        }
        if let (Some(_), Some(t)) = (&self.answer, &self.follow) {
            let mut s = t.state.label();
            if let Some(note) = t.auto_created_note() {
                s.push_str(" · ");
                s.push_str(&note);
            }
            return s;
        }
        match &self.answer {
            Some(a) => a
                .get("result")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| a.to_string()),
            None => "pending…".into(),
        }
    }

    pub fn accepted(&self) -> bool {
        self.answer.is_some()
    }

    /// Accepted, then dropped by m3ter's checks (an ingest failure event).
    pub fn failed_ingest(&self) -> bool {
        matches!(
            self.follow.as_ref().map(|t| &t.state),
            Some(FollowState::Failed { .. })
        )
    }

    /// The measurement's uid, if it has one.
    pub fn uid(&self) -> Option<&str> {
        self.request.get("uid").and_then(Value::as_str)
    }
}

/// The entries (newest first) and the log pane's selection.
#[derive(Debug, Default)]
pub struct SubmissionLog {
    pub entries: Vec<LogEntry>,
    pub selected: usize,
    next_id: u64,
}

impl SubmissionLog {
    /// Adds a pending entry at the top and returns its id.
    pub fn push_pending(&mut self, conn: &str, time: String, request: Value) -> u64 {
        self.next_id += 1;
        self.entries.insert(
            0,
            LogEntry {
                id: self.next_id,
                key: uuid::Uuid::new_v4().simple().to_string(),
                conn: conn.to_string(),
                interrupted: false,
                time,
                request,
                answer: None,
                error: None,
                answered: None,
                follow: None,
            },
        );
        self.selected = 0;
        self.next_id
    }

    /// Notes when the answer of entry `id` came (before [`SubmissionLog::complete`] records it).
    pub fn set_answered(&mut self, id: u64, time: String) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.id == id) {
            e.answered = Some(time);
        }
    }

    /// Records the answer; returns the finished entry.
    pub fn complete(&mut self, id: u64, result: Result<Value, SubmitError>) -> Option<LogEntry> {
        let e = self.entries.iter_mut().find(|e| e.id == id)?;
        match result {
            Ok(v) => e.answer = Some(v),
            Err(err) => e.error = Some(err),
        }
        Some(e.clone())
    }

    pub fn get(&self, id: u64) -> Option<&LogEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Older entries read from disk go below the ones of this session (which may already be in
    /// the file: those are kept as they are in memory).
    pub fn append_loaded(&mut self, loaded: Vec<LogEntry>) {
        for mut e in loaded {
            if !e.key.is_empty() && self.entries.iter().any(|x| x.key == e.key) {
                continue;
            }
            self.next_id += 1;
            e.id = self.next_id;
            self.entries.push(e);
        }
    }

    pub fn selected_entry(&self) -> Option<&LogEntry> {
        self.entries.get(self.selected)
    }

    pub fn select(&mut self, i: isize) {
        let max = self.entries.len().saturating_sub(1) as isize;
        self.selected = i.clamp(0, max.max(0)) as usize;
    }
}

/// Newest first, one entry per id (its latest line). Entries still pending are marked
/// [`LogEntry::interrupted`]. See [`read_file_reporting`] for damaged lines.
pub fn read_file(path: &Path) -> Result<Vec<LogEntry>, String> {
    read_file_reporting(path).map(|(entries, _)| entries)
}

/// Like [`read_file`], read line by line as bytes, so a damaged line (invalid UTF-8, a torn line
/// after a crash, garbage) costs only itself: it is skipped and its 1-based number returned.
pub fn read_file_reporting(path: &Path) -> Result<(Vec<LogEntry>, Vec<usize>), String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut entries: Vec<LogEntry> = Vec::new();
    let mut damaged = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Some(e) = std::str::from_utf8(raw)
            .ok()
            .and_then(|l| serde_json::from_str::<LogEntry>(l).ok())
        else {
            damaged.push(n + 1);
            continue;
        };
        match at.get(&e.key) {
            Some(&i) if !e.key.is_empty() => entries[i] = e,
            _ => {
                if !e.key.is_empty() {
                    at.insert(e.key.clone(), entries.len());
                }
                entries.push(e);
            }
        }
    }
    for e in &mut entries {
        e.interrupted = e.answer.is_none() && e.error.is_none();
    }
    entries.reverse();
    Ok((entries, damaged))
}

/// The status line's words for damaged log lines.
pub fn damaged_note(path: &Path, lines: &[usize]) -> Option<String> {
    let (first, rest) = lines.split_first()?;
    let more = if rest.is_empty() {
        String::new()
    } else {
        format!(" and {} more", rest.len())
    };
    Some(format!(
        "{}: skipped {} damaged line{} (line {first}{more}); the rest of the history is shown",
        path.display(),
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(e: &LogEntry) -> String {
        serde_json::to_string(e).unwrap() + "\n"
    }

    #[test]
    fn a_later_line_supersedes_and_a_lone_pending_line_is_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        let mut log = SubmissionLog::default();
        let mut text = String::from("{\"time\":\"t0\",\"request\":{},\"answer\":{}}\n");
        for n in 1..=2 {
            let id = log.push_pending("c", format!("t{n}"), serde_json::json!({"uid": n}));
            text += &line(log.get(id).unwrap());
            if n == 1 {
                let done = log.complete(id, Ok(serde_json::json!({"result":"accepted"})));
                text += &line(&done.unwrap());
            }
        }
        text += "{torn";
        std::fs::write(&path, text).unwrap();
        let back = read_file(&path).unwrap();
        assert_eq!(
            back.len(),
            3,
            "one entry per id, old lines without one kept"
        );
        assert_eq!(back[0].time, "t2");
        assert_eq!(back[0].outcome(), NO_ANSWER);
        assert!(back[0].interrupted && !back[0].is_pending());
        assert_eq!(back[1].outcome(), "accepted");
        assert_eq!(back[2].time, "t0");
        // This session's own lines, already in the file, are not shown twice.
        let before = log.entries.len();
        log.append_loaded(back);
        assert_eq!(log.entries.len(), before + 1);
    }

    #[test]
    fn one_invalid_utf8_byte_hides_only_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        let mut log = SubmissionLog::default();
        let mut bytes = Vec::new();
        for n in 1..=3 {
            let id = log.push_pending("c", format!("t{n}"), serde_json::json!({"uid": n}));
            bytes.extend(line(log.get(id).unwrap()).into_bytes());
            if n == 1 {
                bytes.extend(b"{\"time\":\"t\xff\",\"request\":{}}\n");
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        assert!(
            std::fs::read_to_string(&path).is_err(),
            "the file is not UTF-8"
        );
        let (entries, damaged) = read_file_reporting(&path).unwrap();
        assert_eq!(entries.len(), 3, "every good line is shown");
        assert_eq!(damaged, vec![2]);
        let note = damaged_note(&path, &damaged).unwrap();
        assert!(note.contains("skipped 1 damaged line (line 2)"), "{note}");
    }
}
