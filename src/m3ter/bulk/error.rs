//! What can go wrong in the bulk pipeline, typed so each front end decides what it means: the
//! CLI turns [`BulkError::Input`] into exit 2 and a client error into its kind's exit code; the
//! TUI shows the message where the user is.

/// An error of reading, checking, journaling or sending a bulk input.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The input cannot be used as it is — an unreadable file, bad measurements (every problem
    /// listed), a journal that is in the way. Nothing was sent.
    #[error("{0}")]
    Input(String),
    /// A request failed (fetching meters, sending a batch).
    #[error(transparent)]
    Client(#[from] crate::m3ter::Error),
    /// A local file operation failed; `context` says which (`cannot create PATH`).
    #[error("{context}")]
    File {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl BulkError {
    pub fn input(msg: impl Into<String>) -> Self {
        BulkError::Input(msg.into())
    }
}

pub type Result<T, E = BulkError> = std::result::Result<T, E>;

/// `.with_context(|| …)` for I/O results, as anyhow spells it.
pub trait Context<T> {
    fn with_context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, std::io::Error> {
    fn with_context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| BulkError::File {
            context: context(),
            source,
        })
    }
}
