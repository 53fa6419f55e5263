//! The client's typed errors: every one says which request failed and why, and none carries a
//! secret (URLs hold no credentials; the token and API secret are never formatted).

use super::types::ErrorBody;

#[derive(Debug, thiserror::Error)]
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
    pub(crate) fn api(request: String, status: u16, body: String) -> Self {
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
        self.status() == Some(409)
    }

    /// Authentication or authorisation refused (bad credentials, expired token, wrong org).
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403)) && !self.is_payload_limit()
    }

    fn is_payload_limit(&self) -> bool {
        matches!(self, Error::Api { message, .. } if message.contains("512"))
    }

    /// CLI exit code: 1 server rejected, 2 usage/config, 3 connection or auth failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Connection { .. } => 3,
            Error::Api { .. } if self.is_auth() => 3,
            Error::Api { .. } | Error::Decode { .. } => 1,
            Error::Config(_) => 2,
        }
    }
}

fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
