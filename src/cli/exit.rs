//! Exit codes, so scripts can tell "fix your input" from "the server said no" from "cannot
//! connect": 0 ok, 1 server rejected (or not found), 2 usage error, 3 connection/auth failure,
//! 130 interrupted. The policy lives here, in the CLI: the client only says what kind of error
//! happened ([`m3ter::ErrorKind`]).

use crate::m3ter::bulk::BulkError;
use crate::m3ter::{self, ErrorKind};

/// Bad flags or a bad input file: nothing was sent (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Ctrl-C stopped a bulk submit after saving its journal (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

/// What the command names does not exist (an account code, a product code): exit 1, as when
/// the server answers 404.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotFound(pub String);

/// Some measurements were rejected by the server (exit 1) — the summary was already printed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// The exit code for an error, looking through context layers for a typed cause.
pub fn code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>() {
            return 2;
        }
        if cause.is::<Interrupted>() {
            return 130;
        }
        if cause.is::<Rejected>() || cause.is::<NotFound>() {
            return 1;
        }
        if let Some(e) = cause.downcast_ref::<m3ter::Error>() {
            return for_kind(e.kind());
        }
        match cause.downcast_ref::<BulkError>() {
            Some(BulkError::Input(_)) => return 2,
            Some(BulkError::Client(e)) => return for_kind(e.kind()),
            Some(_) => return 1,
            None => {}
        }
        if cause.is::<clap::Error>() {
            return 2;
        }
    }
    // Anything else (a local I/O error, say): a failure, but not a usage or connection one.
    1
}

/// stdout was closed by its reader (`| head -1`): the command ends quietly with exit 0.
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for a client error of this kind.
pub fn for_kind(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Connection | ErrorKind::Auth => 3,
        ErrorKind::Config => 2,
        ErrorKind::Limit
        | ErrorKind::RateLimited
        | ErrorKind::NotFound
        | ErrorKind::Conflict
        | ErrorKind::Rejected
        | ErrorKind::Server
        | ErrorKind::Decode => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn typed_causes_survive_context() {
        let e = Err::<(), _>(usage("bad")).context("reading x").unwrap_err();
        assert_eq!(code(&e), 2);
        let e: anyhow::Error = m3ter::Error::Config("no org".into()).into();
        assert_eq!(code(&e.context("opening")), 2);
        assert_eq!(code(&Interrupted("x".into()).into()), 130);
        let e: anyhow::Error = BulkError::input("bad line").into();
        assert_eq!(code(&e.context("reading")), 2);
        let e: anyhow::Error = BulkError::from(m3ter::Error::Config("no org".into())).into();
        assert_eq!(code(&e), 2);
    }
}
