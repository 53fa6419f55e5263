//! Many measurements at once, for every front end: a file (NDJSON, a JSON array or CSV) read as
//! a stream of items that know their `file:line:column`, each checked against m3ter's rules and
//! its meter, packed into m3ter-sized requests, written to a resume journal and sent with
//! bounded concurrency — then, if wanted, followed to its outcome.
//!
//! Nothing here prints or draws: progress comes back through a callback, a cancel through
//! [`Cancel`], errors as [`BulkError`]. The CLI's `submit --file` and the TUI's Upload screen
//! are two faces of this one pipeline, so a journal one of them started the other resumes.

pub mod batch;
pub mod check;
mod error;
pub mod input;
pub mod journal;
pub mod meters;
pub mod prepare;
pub mod record;
pub mod send;
pub mod settle;

pub use error::{BulkError, Context, Result};
pub use meters::Meters;
pub use send::{Cancel, Progress, Summary};
