//! The messages of the follow-up ([`super::follow`]) and of the screens that look at what m3ter
//! did with the usage ([`super::explore`]): data only, so [`super::msg::Msg`] can carry them.

use crate::m3ter::follow::Answer;
use crate::m3ter::{Event, UsageQueryResponse};
use std::path::PathBuf;

/// Messages of the follow-up.
#[derive(Debug, Clone)]
pub enum FollowMsg {
    /// The timer of generation `gen` rang.
    Due(u64),
    /// A round came back.
    Answer(Result<Answer, String>),
}

/// Answers for the usage explorer, the ingest events, a failure log, and files the user asked
/// to write (a CSV template, an export). Each screen picks the answers it asked for.
#[derive(Debug, Clone)]
pub enum ExploreMsg {
    /// A usage query of generation `gen` came back.
    Usage {
        gen: u64,
        result: Result<UsageQueryResponse, String>,
    },
    /// The ingest-failure events (newest first).
    Events(Result<Vec<Event>, String>),
    /// The failure log behind event `event_id` (pretty JSON), fetched through its download link.
    FailureLog {
        event_id: String,
        result: Result<String, String>,
    },
    /// An event was marked actioned.
    Actioned {
        id: String,
        result: Result<Event, String>,
    },
    /// A file the user named was written (`what` says which: a template, an export).
    Written {
        what: String,
        result: Result<PathBuf, String>,
    },
}
