//! Signed links on the sandbox itself: `GET /sandbox-files/{token}` serves a failed-ingest log
//! or an uploaded original, `PUT /sandbox-files/{token}` receives a measurements file.
//!
//! Decision: a link is "signed" by an unguessable random token (128 bits) stored with its
//! purpose, target and expiry in the database (so links survive a restart), as a presigned S3
//! URL is on m3ter; no bearer token is needed or read. Downloads last 5 minutes, uploads
//! 1 minute (m3ter's figures; `SandboxConfig::link_lifetimes`); an upload link works once.

use super::error::{ApiError, ApiResult};
use super::state::App;
use super::tokens::hex;
use crate::sandbox::db::SignedLink;
use crate::sandbox::LinkLifetimes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngCore;

/// What a link is for, and how long it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    FailedIngest,
    Original,
    Upload,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::FailedIngest => "failed-ingest",
            Self::Original => "original",
            Self::Upload => "upload",
        }
    }

    fn lifetime_ms(self, l: &LinkLifetimes) -> i64 {
        let d = match self {
            Self::Upload => l.upload,
            _ => l.download,
        };
        d.as_millis() as i64
    }
}

/// The sandbox's address as the client reached it (the `Host` header), for absolute links.
pub fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A new signed link to `target` for `purpose`.
pub async fn sign(
    app: &App,
    headers: &HeaderMap,
    purpose: LinkPurpose,
    target: &str,
) -> ApiResult<String> {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    let token = hex(&raw);
    let link = SignedLink {
        org: app.config.org_id.clone(),
        purpose: purpose.as_str().into(),
        target: target.to_string(),
        expires_ms: chrono::Utc::now().timestamp_millis()
            + purpose.lifetime_ms(&app.config.link_lifetimes),
    };
    let t = token.clone();
    app.write(move |db| Ok(db.insert_link(&t, &link)?)).await?;
    Ok(format!("{}/sandbox-files/{token}", origin(headers)))
}

/// The live link behind `token` for one of `purposes`, or 403 (m3ter's storage answers 403 to
/// a bad or expired signature).
pub(super) async fn open(
    app: &App,
    token: String,
    purposes: &[LinkPurpose],
) -> ApiResult<SignedLink> {
    let link = app.read(move |db| Ok(db.get_link(&token)?)).await?;
    match link {
        Some(l) if purposes.iter().any(|p| l.purpose == p.as_str()) => {
            if l.expires_ms < chrono::Utc::now().timestamp_millis() {
                Err(ApiError::forbidden(
                    "this signed link has expired: ask for a new one",
                ))
            } else {
                Ok(l)
            }
        }
        _ => Err(ApiError::forbidden(
            "this link is not valid here (unknown or wrong signature)",
        )),
    }
}

pub async fn download(State(app): State<App>, Path(token): Path<String>) -> ApiResult<Response> {
    let link = open(
        &app,
        token,
        &[LinkPurpose::FailedIngest, LinkPurpose::Original],
    )
    .await?;
    let target = link.target.clone();
    let bytes: Option<Vec<u8>> = if link.purpose == LinkPurpose::FailedIngest.as_str() {
        app.read(move |db| Ok(db.event_log(&target)?.map(String::into_bytes)))
            .await?
    } else {
        app.read(move |db| Ok(db.job_original(&target)?)).await?
    };
    let bytes = bytes.ok_or_else(|| ApiError::not_found("the file behind this link is gone"))?;
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}
