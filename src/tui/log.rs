//! The submission log: every measurement sent, when, and what the server answered, newest first.
//! It is kept on disk as JSON lines (`submissions.log.jsonl` in the data dir) so it survives a
//! restart; file work runs on blocking tasks so the UI never waits for the disk.

use super::msg::{Msg, SubmitError};
use super::state::Ctx;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const LOG_FILE: &str = "submissions.log.jsonl";

/// One submission. On disk: `{"time":…,"request":{…},"answer":{"result":"accepted"}}` or
/// `{"time":…,"request":{…},"error":{"status":400,"message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// In-memory handle matching a task's answer to its entry (not saved).
    #[serde(skip)]
    pub id: u64,
    /// When it was sent (RFC 3339).
    pub time: String,
    /// The measurement exactly as sent.
    pub request: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SubmitError>,
}

impl LogEntry {
    pub fn is_pending(&self) -> bool {
        self.answer.is_none() && self.error.is_none()
    }

    /// `accepted`, `HTTP 400: …`, `pending…`
    pub fn outcome(&self) -> String {
        if let Some(e) = &self.error {
            return match e.status {
                Some(s) => format!("HTTP {s}: {}", e.message),
                None => e.message.clone(),
            };
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
    pub fn push_pending(&mut self, time: String, request: Value) -> u64 {
        self.next_id += 1;
        self.entries.insert(
            0,
            LogEntry {
                id: self.next_id,
                time,
                request,
                answer: None,
                error: None,
            },
        );
        self.selected = 0;
        self.next_id
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

    /// Older entries read from disk go below the ones of this session.
    pub fn append_loaded(&mut self, loaded: Vec<LogEntry>) {
        for mut e in loaded {
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

/// `M3TER_CONSOLE_DATA_DIR`, else `m3ter-console` in the user's data dir.
pub fn default_data_dir() -> PathBuf {
    match std::env::var_os("M3TER_CONSOLE_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("m3ter-console"),
    }
}

/// Reads the saved log on a blocking task; the answer arrives as [`Msg::LogLoaded`].
pub fn load(ctx: &Ctx) {
    let Some(dir) = ctx.data_dir.clone() else {
        return;
    };
    ctx.spawn(async move {
        let read = tokio::task::spawn_blocking(move || read_file(&dir.join(LOG_FILE))).await;
        Msg::LogLoaded(read.unwrap_or_else(|e| Err(e.to_string())))
    });
}

/// Appends one finished entry on a blocking task; only a failure comes back.
pub fn save(ctx: &Ctx, entry: &LogEntry) {
    let Some(dir) = ctx.data_dir.clone() else {
        return;
    };
    let Ok(mut line) = serde_json::to_string(entry) else {
        return;
    };
    line.push('\n');
    let tx = ctx.tx.clone();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn_blocking(move || {
            if let Err(e) = append(&dir, &line) {
                let _ = tx.send(Msg::LogWriteFailed(format!(
                    "cannot save the submission log in {}: {e}",
                    dir.display()
                )));
            }
        });
    }
}

fn append(dir: &Path, line: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(LOG_FILE))?;
    f.write_all(line.as_bytes())
}

/// Newest first; lines that do not parse are skipped (a torn last line after a crash).
pub fn read_file(path: &Path) -> Result<Vec<LogEntry>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut entries: Vec<LogEntry> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    entries.reverse();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_file_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = SubmissionLog::default();
        for n in 0..2 {
            let id = log.push_pending(format!("t{n}"), serde_json::json!({"uid": n}));
            let e = log
                .complete(id, Ok(serde_json::json!({"result":"accepted"})))
                .unwrap();
            append(dir.path(), &(serde_json::to_string(&e).unwrap() + "\n")).unwrap();
        }
        append(dir.path(), "{torn").unwrap();
        let back = read_file(&dir.path().join(LOG_FILE)).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].time, "t1");
        assert_eq!(back[0].outcome(), "accepted");
    }
}
