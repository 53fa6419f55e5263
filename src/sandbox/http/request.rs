//! Reading request bodies and query strings into values, with errors that name what is wrong.

use super::error::{ApiError, ApiResult};
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// Largest body a config (product/meter/account) request may have.
pub const CONFIG_BODY_MAX: usize = 1024 * 1024;

/// Bytes of an oversized body read (and dropped) before answering, so that a client still
/// sending gets the JSON error rather than a reset connection.
const DRAIN_MAX: usize = 16 * 1024 * 1024;

/// Reads the whole body within `timeout` (a client that stops sending gets a JSON 408 and its
/// connection back), refusing one of `limit` bytes or more with a JSON 413 that names the limit
/// and the size received.
pub async fn read_body(body: Body, limit: usize, timeout: Duration) -> ApiResult<Bytes> {
    tokio::time::timeout(timeout, read_body_untimed(body, limit))
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    timeout.as_secs_f64()
                ),
            ))
        })
}

async fn read_body_untimed(body: Body, limit: usize) -> ApiResult<Bytes> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("reading the request body failed: {e}")))?;
        total += chunk.len();
        if total < limit {
            buf.extend_from_slice(&chunk);
        } else if total > DRAIN_MAX {
            break;
        }
    }
    if total >= limit {
        let got = if total > DRAIN_MAX {
            format!("more than {DRAIN_MAX}")
        } else {
            total.to_string()
        };
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body must be smaller than {limit} bytes (got {got} bytes)"),
        ));
    }
    Ok(Bytes::from(buf))
}

/// Parses a JSON body; a syntax error names the line and column.
pub fn parse_json(bytes: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "malformed JSON body at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// Converts a parsed body into a request type. Unknown fields are ignored (serde's default); a
/// wrong type or a missing required field is a 400 naming the field's JSON path.
pub fn from_value<T: DeserializeOwned>(value: Value) -> ApiResult<T> {
    if !value.is_object() {
        return Err(ApiError::bad_request(format!(
            "the request body must be a JSON object, got {}",
            crate::m3ter::rules::describe(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let message = if let Some(name) = inner
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            path = if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            "is required".to_string()
        } else {
            inner
        };
        if path == "." {
            ApiError::bad_request(message)
        } else {
            ApiError::field(&path, message)
        }
    })
}

/// Query parameters in order, repeated keys kept.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
        Ok(Self(pairs))
    }

    /// The last value of `key`, if non-empty.
    pub fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// An array parameter: comma-joined (`ids=a,b`, what the SDK sends) and/or repeated
    /// (`ids=a&ids=b`, what other clients send); also accepts the `ids[]=` spelling.
    pub fn list(&self, key: &str) -> Vec<String> {
        let bracket = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == key || *k == bracket)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    /// An integer parameter within `min..=max`.
    pub fn int(&self, key: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
        let Some(raw) = self.one(key) else {
            return Ok(None);
        };
        let n: i64 = raw.parse().map_err(|_| {
            ApiError::field(
                key,
                format!("must be an integer from {min} to {max} (got {raw:?})"),
            )
        })?;
        if n < min || n > max {
            return Err(ApiError::field(
                key,
                format!("must be from {min} to {max} (got {n})"),
            ));
        }
        Ok(Some(n))
    }
}

/// The `{id}` of an `/organizations/{org}/…/{id}` path. A segment that does not decode to text
/// (such as `%FF`) is m3ter's JSON 400 on `id`, not axum's plain-text rejection.
pub struct PathId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<(String, String)>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path((_, id))) => Ok(PathId(id)),
            Err(e) => Err(ApiError::field(
                "id",
                format!("is not valid in the path: {e}"),
            )),
        }
    }
}
