//! Cursor pagination: `pageSize` + opaque `nextToken` in, `{"data": [...], "nextToken"}` out.
//!
//! Decisions 19, 20 of `sandbox/mod.rs`: lists are newest first; `pageSize` outside
//! `1..=max` (or not an integer) is a 400 naming `pageSize`, never clamped; the default page
//! size of the plain lists is [`DEFAULT_PAGE_SIZE`] (capped at the list's maximum) and that of
//! account search is 10 (m3ter's documented default). `nextToken` is base64url of a keyset
//! position (`seq:N`, the creation sequence), so pages neither repeat nor skip rows when rows
//! are added between page requests; it is sent only when another row exists beyond the page.

use super::error::{ApiError, ApiResult};
use super::request::Params;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

/// Page size when the request has no `pageSize`.
pub const DEFAULT_PAGE_SIZE: usize = 100;
pub const PRODUCTS_MAX: usize = 200;
pub const METERS_MAX: usize = 100;
pub const ACCOUNTS_MAX: usize = 100;
pub const CHILDREN_MAX: usize = 200;
pub const SEARCH_MAX: usize = 100;
pub const SEARCH_DEFAULT: usize = 10;

/// What page the client asked for.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub size: usize,
    /// Only rows created before this keyset position.
    pub before: Option<i64>,
}

impl PageReq {
    pub fn from_params(p: &Params, max: usize) -> ApiResult<Self> {
        let size = p
            .int("pageSize", 1, max as i64)?
            .map(|n| n as usize)
            .unwrap_or(DEFAULT_PAGE_SIZE.min(max));
        let before = p.one("nextToken").map(decode_token).transpose()?;
        Ok(Self { size, before })
    }
}

pub fn encode_token(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("seq:{seq}"))
}

pub fn decode_token(token: &str) -> ApiResult<i64> {
    URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("seq:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            ApiError::field(
                "nextToken",
                "is not a token this server issued (pass back the nextToken of the previous page)",
            )
        })
}

/// The list response body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageOut<T> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl<T> PageOut<T> {
    /// Builds a page from `size + 1` fetched `(seq, item)` rows: the extra row only proves that
    /// another page exists.
    pub fn from_rows(mut rows: Vec<(i64, T)>, size: usize) -> Self {
        let more = rows.len() > size;
        rows.truncate(size);
        let next_token = if more {
            rows.last().map(|(seq, _)| encode_token(*seq))
        } else {
            None
        };
        Self {
            data: rows.into_iter().map(|(_, t)| t).collect(),
            next_token,
        }
    }
}
