//! `POST /oauth/token` and the bearer check on everything under `/organizations/{orgId}/`.
//!
//! Tokens themselves are issued and checked in `tokens`.
//!
//! Decisions 4, 5 of `sandbox/mod.rs`: wrong/missing client credentials → 401 (RFC 6749
//! `invalid_client` with Basic auth); a missing, unknown or expired bearer → 401; a valid bearer
//! used on another org's path, or an org id this sandbox does not serve → 403 (m3ter's docs list
//! 403 for an unknown org). A wrong `grant_type` → 400.

use super::error::{ApiError, ApiResult};
use super::state::App;
use super::tokens::TOKEN_TTL_SECS;
use crate::m3ter::TokenResponse;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `POST /oauth/token`: Basic `key:secret`, body JSON or form `grant_type=client_credentials`.
pub async fn token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<TokenResponse>> {
    let (key, secret) = basic_credentials(&headers).ok_or_else(|| {
        ApiError::unauthorized(
            "client authentication failed: send HTTP Basic authorization with API key:secret",
        )
    })?;
    if key != app.config.api_key || secret != app.config.api_secret {
        return Err(ApiError::unauthorized(
            "client authentication failed: unknown API key or wrong secret",
        ));
    }
    let bytes = super::request::read_body(body, 64 * 1024, app.config.timeouts.body).await?;
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let grant = grant_type(&bytes, form)?;
    if grant != "client_credentials" {
        return Err(ApiError::field(
            "grant_type",
            format!("must be client_credentials (got {grant:?})"),
        ));
    }
    Ok(Json(TokenResponse {
        access_token: app.tokens.issue(&app.config.org_id),
        token_type: "Bearer".into(),
        expires_in: TOKEN_TTL_SECS,
    }))
}

/// `grant_type` from a JSON body, or a form body (when the content type says so, or the body
/// is not JSON).
fn grant_type(bytes: &[u8], form: bool) -> ApiResult<String> {
    let missing = || ApiError::field("grant_type", "is required (client_credentials)");
    if !form {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
            return v
                .get("grant_type")
                .and_then(|g| g.as_str())
                .map(String::from)
                .ok_or_else(missing);
        }
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|_| {
        ApiError::bad_request("the body must be JSON or form-encoded with grant_type")
    })?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v)
        .ok_or_else(missing)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (k, s) = decoded.split_once(':')?;
    Some((k.to_string(), s.to_string()))
}

/// Middleware on the org routes: a live bearer for the org in the path.
pub async fn require_bearer(State(app): State<App>, req: Request, next: Next) -> Response {
    match check_bearer(&app, &req) {
        Ok(()) => next.run(req).await,
        Err(e) => axum::response::IntoResponse::into_response(e),
    }
}

fn check_bearer(app: &App, req: &Request) -> ApiResult<()> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing Authorization: Bearer token (get one from POST /oauth/token)",
            )
        })?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
    let token_org = app
        .tokens
        .org_of(token)
        .ok_or_else(|| ApiError::unauthorized("invalid or expired bearer token"))?;
    let path_org = req
        .uri()
        .path()
        .strip_prefix("/organizations/")
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    if path_org != app.config.org_id {
        return Err(ApiError::forbidden(format!(
            "unknown organization {path_org:?}: this sandbox serves organization {}",
            app.config.org_id
        )));
    }
    if token_org != path_org {
        return Err(ApiError::forbidden(format!(
            "this bearer token is for another organization than {path_org}"
        )));
    }
    Ok(())
}
