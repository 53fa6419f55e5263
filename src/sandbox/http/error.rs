//! The one error type of the sandbox's HTTP layer, rendered as m3ter-style JSON.
//!
//! Decision 6 of `sandbox/mod.rs`: every error body is `{"message": "...", "field": "..."}`
//! ([`ErrorBody`]); `field` is present whenever the error is about one request field. Every 409
//! carries `x-should-retry: false` so the official SDK does not repeat a request that cannot
//! succeed (decision 1).

use crate::m3ter::rules::FieldError;
use crate::m3ter::ErrorBody;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400 about one field; the message is prefixed with the field name so it reads alone.
    pub fn field(field: &str, message: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("{field}: {}", message.as_ref()),
        )
        .with_field(field)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// A 400 listing every broken rule; `field` is the first one's.
    pub fn from_field_errors(errors: Vec<FieldError>) -> Option<Self> {
        let first = errors.first()?.field.clone();
        let message = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Some(Self::new(StatusCode::BAD_REQUEST, message).with_field(first))
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let field = e.field.clone();
        let e = Self::bad_request(e.to_string());
        if field.is_empty() {
            e
        } else {
            e.with_field(field)
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!("sandbox database error: {e}");
        Self::internal(format!("sandbox database error: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            message: self.message,
            field: self.field,
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::CONFLICT {
            resp.headers_mut()
                .insert("x-should-retry", HeaderValue::from_static("false"));
        }
        resp
    }
}
