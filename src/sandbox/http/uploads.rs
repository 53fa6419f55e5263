//! Measurement file uploads: `POST /fileuploads/measurements/generateUploadUrl`, the signed PUT
//! (see `files`), and `GET /fileuploads/measurements/jobs[/{id}[/original]]`.
//!
//! Decisions: the PUT body must be exactly `contentLength` bytes and a JSON array of
//! measurements (else the PUT answers 400 and the job is `failed`); each element goes through
//! the request checks — one that fails them counts as a processed, failed row (no event: the
//! failure types are the enrichment's) — and the rest through the same queue and enrichment as
//! `POST /measurements`, 1000 to a batch, so `processedRows` grows as they are enriched and the
//! job turns `succeeded` when every row is done (failed rows included; `failed` is kept for an
//! unreadable file). `fileKey` is accepted and ignored. Jobs list newest first, `pageSize` ≤ 100,
//! `dateCreatedStart` inclusive and `dateCreatedEnd` exclusive (RFC 3339).

use super::crud::now;
use super::error::{ApiError, ApiResult};
use super::files::{self, LinkPurpose};
use super::pagination::{PageOut, PageReq};
use super::request::{self, Params};
use super::state::App;
use crate::m3ter::rules::{self, BATCH_MAX_MEASUREMENTS};
use crate::m3ter::*;
use crate::sandbox::db::JobRow;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use std::collections::BTreeMap;

pub const JOBS_PAGE_MAX: usize = 100;

fn job_out(j: JobRow) -> UploadJob {
    let status = serde_json::from_value(Value::String(j.status)).unwrap_or(JobStatus::Other);
    UploadJob {
        id: j.id,
        version: Some(j.version),
        file_name: Some(j.file_name),
        upload_date: j.upload_date,
        content_length: Some(j.content_length as u64),
        status: Some(status),
        total_rows: Some(j.total_rows as u64),
        processed_rows: Some(j.processed_rows as u64),
        failed_rows: Some(j.failed_rows as u64),
    }
}

pub async fn generate_upload_url(
    State(app): State<App>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<SignedUrl>> {
    let bytes = request::read_body(body, 64 * 1024, app.config.timeouts.body).await?;
    let req: UploadUrlRequest = request::from_value(request::parse_json(&bytes)?)?;
    let n = req.file_name.chars().count();
    if n == 0 || n > UPLOAD_FILE_NAME_MAX {
        return Err(ApiError::field(
            "fileName",
            format!("must be 1–{UPLOAD_FILE_NAME_MAX} characters (got {n})"),
        ));
    }
    if !UPLOAD_CONTENT_TYPES.contains(&req.content_type.as_str()) {
        return Err(ApiError::field(
            "contentType",
            format!(
                "must be application/json or text/json (got {:?})",
                req.content_type
            ),
        ));
    }
    if req.content_length == 0 || req.content_length > UPLOAD_MAX_BYTES {
        return Err(ApiError::field(
            "contentLength",
            format!(
                "must be from 1 to {UPLOAD_MAX_BYTES} bytes (got {})",
                req.content_length
            ),
        ));
    }
    let job = JobRow {
        id: uuid::Uuid::new_v4().to_string(),
        file_name: req.file_name.clone(),
        content_type: req.content_type.clone(),
        content_length: req.content_length as i64,
        created: now(),
        status: "notUploaded".into(),
        ..Default::default()
    };
    let id = job.id.clone();
    app.write(move |db| Ok(db.insert_job(&job)?)).await?;
    let url = files::sign(&app, &headers, LinkPurpose::Upload, &id).await?;
    let mut h = BTreeMap::new();
    h.insert("Content-Type".to_string(), req.content_type);
    Ok(Json(SignedUrl {
        job_id: Some(id),
        url,
        headers: h,
    }))
}

/// `PUT /sandbox-files/{token}`: the signed upload of a job's file.
pub async fn upload(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let link = files::open(&app, token.clone(), &[LinkPurpose::Upload]).await?;
    receive(&app, &token, &link.target, &headers, body).await?;
    Ok(StatusCode::OK)
}

/// The signed PUT: checks the file, records it on the job, queues its rows.
async fn receive(
    app: &App,
    token: &str,
    job_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<()> {
    let id = job_id.to_string();
    let job = app
        .read(move |db| Ok(db.get_job(&id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("the upload job behind this link is gone"))?;
    if job.status != "notUploaded" {
        return Err(ApiError::conflict("this job already has its file"));
    }
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let base = ct.split(';').next().unwrap_or("").trim();
        if !UPLOAD_CONTENT_TYPES.contains(&base) {
            return Err(ApiError::bad_request(format!(
                "Content-Type must be application/json or text/json (got {ct:?})"
            )));
        }
    }
    let want = job.content_length as usize;
    let bytes = request::read_body(body, want + 1, upload_timeout(app)).await?;
    if bytes.len() != want {
        return Err(ApiError::bad_request(format!(
            "the file is {} bytes but the upload URL was made for contentLength {want}",
            bytes.len()
        )));
    }
    let items = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Err(format!(
            "the file must be a JSON array of measurements, got {}",
            rules::describe(&other)
        )),
        Err(e) => Err(format!("the file is not JSON: {e}")),
    };
    let received = now();
    let original = bytes.to_vec();
    let (id, tok) = (job_id.to_string(), token.to_string());
    let items = match items {
        Err(msg) => {
            let r = received.clone();
            app.write(move |db| {
                db.job_uploaded(&id, &r, &original, "failed", 0, 0, 0)?;
                Ok(db.delete_link(&tok)?)
            })
            .await?;
            return Err(ApiError::bad_request(msg));
        }
        Ok(items) => items,
    };
    let total = items.len() as i64;
    let good: Vec<Value> = items
        .into_iter()
        .filter(|v| rules::check_request(v).is_ok())
        .collect();
    let bad = total - good.len() as i64;
    let status = if good.is_empty() {
        "succeeded"
    } else {
        "running"
    };
    let r = received.clone();
    app.write(move |db| {
        db.job_uploaded(&id, &r, &original, status, total, bad, bad)?;
        Ok(db.delete_link(&tok)?)
    })
    .await?;
    let source = format!("upload:{job_id}");
    for chunk in good.chunks(BATCH_MAX_MEASUREMENTS) {
        let body = serde_json::to_vec(&serde_json::json!({ "measurements": chunk }))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        app.ingest
            .append(&app.config.org_id, &received, &source, body)
            .await?;
    }
    Ok(())
}

pub async fn list(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<UploadJob>>> {
    let p = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&p, JOBS_PAGE_MAX)?;
    let bound = |key: &str| -> ApiResult<Option<String>> {
        p.one(key)
            .map(|v| {
                rules::parse_timestamp_with_offset(key, v)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                    .map_err(ApiError::from)
            })
            .transpose()
    };
    let (start, end) = (bound("dateCreatedStart")?, bound("dateCreatedEnd")?);
    let rows = app
        .read(move |db| {
            Ok(db.list_jobs(start.as_deref(), end.as_deref(), page.before, page.size + 1)?)
        })
        .await?;
    let rows = rows.into_iter().map(|(s, j)| (s, job_out(j))).collect();
    Ok(Json(PageOut::from_rows(rows, page.size)))
}

async fn load(app: &App, id: String) -> ApiResult<JobRow> {
    let shown = id.clone();
    app.read(move |db| Ok(db.get_job(&id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no file upload job has the id {shown}")))
}

pub async fn retrieve(
    State(app): State<App>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<UploadJob>> {
    Ok(Json(job_out(load(&app, id).await?)))
}

pub async fn original(
    State(app): State<App>,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<SignedUrl>> {
    let job = load(&app, id).await?;
    if job.upload_date.is_none() {
        return Err(ApiError::not_found(format!(
            "the job {} has no file yet (status notUploaded)",
            job.id
        )));
    }
    let url = files::sign(&app, &headers, LinkPurpose::Original, &job.id).await?;
    Ok(Json(SignedUrl {
        job_id: Some(job.id),
        url,
        headers: BTreeMap::new(),
    }))
}

/// A measurements file may be large (up to 1 GiB): its PUT gets at least five minutes.
fn upload_timeout(app: &App) -> std::time::Duration {
    app.config
        .timeouts
        .body
        .max(std::time::Duration::from_secs(300))
}
