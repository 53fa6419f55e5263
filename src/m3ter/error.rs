//! The client's typed errors: every one says which request failed and why, and none carries a
//! secret (URLs hold no credentials; the token and API secret are never formatted).
//!
//! Each error has a [`ErrorKind`], decided from the status and the request when the error is
//! made — never by reading the message — so callers branch on what happened (retry later,
//! re-authenticate, split the batch, fix the input) and the CLI maps kinds to exit codes.

use super::types::ErrorBody;

/// What went wrong, as a caller needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No HTTP answer: refused, reset, timed out, DNS; or the embedded sandbox did not start.
    Connection,
    /// Credentials refused, token expired, or no access to the org (401, 403).
    Auth,
    /// The request is over a size limit (413, or m3ter's gateway 403 for an ingest body of
    /// 512,000 bytes or more).
    Limit,
    /// Too many requests (429) after the retries.
    RateLimited,
    /// No such entity or path (404).
    NotFound,
    /// A stale `version` on update (409).
    Conflict,
    /// The server refused the request's content (another 4xx, e.g. 400 naming a field).
    Rejected,
    /// The server failed (5xx) after the retries.
    Server,
    /// A 2xx answer that is not the JSON expected.
    Decode,
    /// Bad or missing configuration: no credentials, a bad URL.
    Config,
}

impl ErrorKind {
    /// The kind of a non-2xx answer; `oversized` says the request body was over m3ter's
    /// ingest limit, so a 403 is the gateway's size refusal rather than an auth failure.
    pub fn from_status(status: u16, oversized: bool) -> ErrorKind {
        match status {
            413 => ErrorKind::Limit,
            401 | 403 if oversized => ErrorKind::Limit,
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500.. => ErrorKind::Server,
            _ => ErrorKind::Rejected,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The server answered with a non-2xx status.
    #[error("{request}: HTTP {status}: {message}")]
    Api {
        request: String,
        status: u16,
        /// m3ter's message, or the raw body when it was not m3ter's JSON error shape.
        message: String,
        /// The request field the error names, when the server says (the sandbox does).
        field: Option<String>,
        /// The raw body, for the log pane.
        body: String,
        kind: ErrorKind,
    },
    /// The request never got an HTTP answer (refused, reset, timed out, DNS).
    #[error("{request}: cannot reach the server: {detail}")]
    Connection { request: String, detail: String },
    /// A 2xx answer that is not the JSON we expected.
    #[error("{request}: unexpected response: {detail}")]
    Decode { request: String, detail: String },
    /// Bad or missing configuration (no credentials, bad URL).
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// An error answer to `request`, its kind decided by the status alone.
    pub(crate) fn api(request: String, status: u16, body: String) -> Self {
        Self::api_with_kind(request, status, body, ErrorKind::from_status(status, false))
    }

    pub(crate) fn api_with_kind(
        request: String,
        status: u16,
        body: String,
        kind: ErrorKind,
    ) -> Self {
        let (message, field) = match serde_json::from_str::<ErrorBody>(&body) {
            Ok(e) => (e.message, e.field),
            Err(_) if body.trim().is_empty() => (status_text(status).to_string(), None),
            Err(_) => (body.chars().take(500).collect(), None),
        };
        Error::Api {
            request,
            status,
            message,
            field,
            body,
            kind,
        }
    }

    pub(crate) fn connection(request: String, err: &reqwest::Error) -> Self {
        // reqwest's Display names the URL (never a credential) and the cause chain.
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        Error::Connection { request, detail }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } => *kind,
            Error::Connection { .. } => ErrorKind::Connection,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The field an API error names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Api { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// A stale `version` on update (the sandbox answers 409; see `sandbox` docs).
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// Authentication or authorisation refused (bad credentials, expired token, wrong org).
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }
}

fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_status_and_the_request() {
        let e = Error::api(
            "POST measurements".into(),
            403,
            r#"{"message":"Forbidden"}"#.into(),
        );
        assert_eq!(e.kind(), ErrorKind::Auth);
        // The same 403 for an oversized ingest body is a limit, whatever its message says.
        let big = ErrorKind::from_status(403, true);
        assert_eq!(big, ErrorKind::Limit);
        let e = Error::api("x".into(), 403, r#"{"message":"body over 512 KB"}"#.into());
        assert_eq!(
            e.kind(),
            ErrorKind::Auth,
            "never classified by message text"
        );
        assert_eq!(ErrorKind::from_status(413, false), ErrorKind::Limit);
        assert_eq!(ErrorKind::from_status(404, false), ErrorKind::NotFound);
        assert_eq!(ErrorKind::from_status(400, false), ErrorKind::Rejected);
        assert_eq!(ErrorKind::from_status(503, false), ErrorKind::Server);
        let copy = e.clone();
        assert_eq!(copy.to_string(), e.to_string());
    }
}
