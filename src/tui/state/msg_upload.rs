//! The messages of the Upload screen's tasks: data only, so [`super::msg::Msg`] can carry them.
//! Each carries the generation of the screen's request it answers, so an answer to a path
//! typed over (or an upload left behind) is told apart from the current one.

use crate::m3ter::bulk::input::Format;
use crate::m3ter::bulk::journal::JournalWriter;
use crate::m3ter::bulk::settle::Tally;
use crate::m3ter::Measurement;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub enum UploadMsg {
    /// The entries of a directory, for Tab completion of `typed`: names, directories with a
    /// trailing `/`, sorted.
    Listing {
        gen: u64,
        typed: String,
        result: Result<Vec<String>, String>,
    },
    /// The file was read and checked (the preview), or could not be.
    Checked {
        gen: u64,
        result: Result<Box<Preview>, String>,
    },
    /// A batch was answered (or the cancel was seen).
    Sending { gen: u64, progress: SendProgress },
    /// The send loop ended: `error` when it stopped early (the journal keeps the rest).
    Sent {
        gen: u64,
        progress: SendProgress,
        error: Option<String>,
        /// The measurements are being followed to their outcome (all batches accepted).
        following: bool,
    },
    /// A follow-up round: where the measurements stand; `done` once all are settled (or the
    /// wait ran out, or following stopped).
    Followed {
        gen: u64,
        tally: Tally,
        done: bool,
        error: Option<String>,
    },
    /// A journal that was written for a preview but never sent was removed.
    Discarded,
}

/// What the check of a file found.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The file, `~` expanded.
    pub path: PathBuf,
    pub format: Format,
    /// Measurements that passed (all of them when there are no problems).
    pub valid: usize,
    /// Request bodies they make.
    pub batches: usize,
    /// The first measurements, as they will be sent.
    pub rows: Vec<Measurement>,
    /// Every problem, `file:line:column field: message`, in input order (capped very high).
    pub problems: Vec<String>,
    /// Problems found (more than `problems` holds only past the cap).
    pub problem_count: usize,
    /// Said once: naive times were read as UTC.
    pub note: Option<String>,
    pub journal: JournalPlan,
}

/// Where the batches to send are.
#[derive(Debug, Clone)]
pub enum JournalPlan {
    /// The file has problems: nothing will be sent.
    None,
    /// Checked and written, not yet in place: sending moves it to `path` first.
    Fresh {
        path: PathBuf,
        writer: Shared<JournalWriter>,
    },
    /// An earlier run (from here or `submit --file`) left batches unsent: resuming sends them,
    /// with their uids.
    Resume {
        path: PathBuf,
        batches: usize,
        pending_batches: usize,
        measurements: usize,
        accepted: usize,
    },
}

/// Sending progress: measurements and batches answered out of those this run sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendProgress {
    pub sent: usize,
    pub to_send: usize,
    pub batches_sent: usize,
    pub batches: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Accepted by an earlier run of the journal.
    pub previously_accepted: usize,
    pub rate_per_sec: f64,
    /// A cancel was seen: in-flight batches are being awaited.
    pub stopping: bool,
}

/// A value a task hands over once (it cannot be cloned, messages are).
pub struct Shared<T>(Arc<Mutex<Option<T>>>);

impl<T> Shared<T> {
    pub fn new(v: T) -> Self {
        Shared(Arc::new(Mutex::new(Some(v))))
    }

    /// The value, if nobody took it yet.
    pub fn take(&self) -> Option<T> {
        self.0.lock().ok().and_then(|mut v| v.take())
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared(..)")
    }
}
