//! `POST /measurements` (the Ingest API), the sandbox-only `GET /measurements` and
//! `GET /ingest/status`.
//!
//! m3ter ingests in two stages, and so does the sandbox. The answer checks only the request:
//! - the body limit on the raw bytes before parsing: 512,000 bytes or more → **413** (more
//!   honest than m3ter's gateway 403, and the SDK does not retry it), naming the limit;
//! - 0 or more than 1000 measurements → 400 on `measurements`;
//! - each measurement's shape with `rules::check_request` (required fields, code patterns, `uid`
//!   ≤ 50, RFC 3339 `ts`/`ets` *with* an offset, strings or numbers per category) → 400 naming
//!   `measurements[i].field`, and nothing of the batch is kept;
//! - then the raw batch is appended to the durable ingest queue and `{"result":"accepted"}` is
//!   sent once it is on disk. The enrichment stage (`enrich`) checks each measurement against
//!   the org in arrival order: stored, or dropped with an `ingest.validation.failure` event.
//!
//! With `--strict-ingest` the sandbox instead checks each measurement against its meter inside
//! the request (unknown meter, field not on the meter, wrong category → 400 naming the field;
//! the whole batch refused, no account auto-created) and stores the batch in one transaction
//! before answering; a repeated `uid` is skipped silently.
//!
//! Either way an unknown account code auto-creates one account (`CODE-autocreated`,
//! `<16 random lowercase hex>-autocreated@example.com`, `autoCreated: true`), once per code.

use super::crud::{decode, now};
use super::error::{ApiError, ApiResult};
use super::pagination::{PageOut, PageReq};
use super::request::{self, Params};
use super::state::App;
use crate::m3ter::rules::{self, BATCH_MAX_BYTES, BATCH_MAX_MEASUREMENTS};
use crate::m3ter::*;
use crate::sandbox::db::{Db, Kind};
use crate::sandbox::enrich::{enrich_one, Cache, Mode, Outcome};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Largest `pageSize` of the sandbox-only measurement list.
pub const MEASUREMENTS_PAGE_MAX: usize = 1000;
/// How long the measurement list waits for the enrichment to catch up (a debug build enriches
/// a few thousand measurements a second, a release build tens of thousands).
const SETTLE_LIMIT: Duration = Duration::from_secs(60);

pub async fn submit(State(app): State<App>, body: Body) -> ApiResult<Json<IngestResponse>> {
    let bytes = request::read_body(body, BATCH_MAX_BYTES, app.config.timeouts.body).await?;
    if app.ingest.strict {
        let (items, checked) = blocking(move || check_body(&bytes)).await?;
        app.write(move |db| {
            check_all(db, &items)?;
            let received = now();
            let mut cache = Cache::default();
            for (i, (m, item)) in checked.iter().zip(&items).enumerate() {
                if let Outcome::Dropped(fault) =
                    enrich_one(db, m, item, &received, &mut cache, Mode::Strict)?
                {
                    let at = match &fault.field {
                        Some(f) => format!("measurements[{i}].{f}"),
                        None => format!("measurements[{i}]"),
                    };
                    return Err(ApiError::field(&at, fault.message));
                }
            }
            db.rollup_flush(&mut cache.rollup)?;
            Ok(())
        })
        .await?;
    } else {
        // Parsing and checking 1000 measurements takes milliseconds of CPU: done on the
        // ingest check threads with the durable append, so tokio's workers stay free to answer
        // other requests (reads during an ingest) meanwhile. The queue keeps the request body
        // itself: no re-encoding on the acknowledgement path.
        let (ingest, org) = (app.ingest.clone(), app.config.org_id.clone());
        app.ingest
            .checks
            .run(move || {
                validate_body(&bytes)?;
                ingest.append_blocking(&org, &now(), "api", Vec::from(bytes))
            })
            .await?;
    }
    Ok(Json(IngestResponse {
        result: Some("accepted".into()),
    }))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("sandbox worker failed: {e}")))?
}

/// The request stage's checks of a body: its measurements, raw and checked.
fn check_body(bytes: &[u8]) -> ApiResult<(Vec<Value>, Vec<Measurement>)> {
    let items = batch_items(bytes)?;
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let m = rules::check_request(item)
            .map_err(|e| ApiError::from(e.under(&format!("measurements[{i}]"))))?;
        checked.push(m);
    }
    Ok((items, checked))
}

/// The request stage's checks of a body whose bytes are kept as received: the same verdict and
/// errors as [`check_body`], without building the typed measurements.
fn validate_body(bytes: &[u8]) -> ApiResult<()> {
    for (i, item) in batch_items(bytes)?.iter().enumerate() {
        rules::validate_request(item)
            .map_err(|e| ApiError::from(e.under(&format!("measurements[{i}]"))))?;
    }
    Ok(())
}

/// A body's `measurements` array (1–1000 of them), unchecked.
fn batch_items(bytes: &[u8]) -> ApiResult<Vec<Value>> {
    let mut value = request::parse_json(bytes)?;
    let items = match value.get_mut("measurements").map(Value::take) {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(ApiError::field(
                "measurements",
                "is required (an array of 1–1000 measurements)",
            ))
        }
        Some(other) => {
            return Err(ApiError::field(
                "measurements",
                format!("must be an array, got {}", rules::describe(&other)),
            ))
        }
    };
    if items.is_empty() || items.len() > BATCH_MAX_MEASUREMENTS {
        return Err(ApiError::field(
            "measurements",
            format!(
                "must have 1–{BATCH_MAX_MEASUREMENTS} measurements per request (got {})",
                items.len()
            ),
        ));
    }
    Ok(items)
}

/// `--strict-ingest`: checks every measurement against its meter; the first failure rejects
/// the batch.
fn check_all(db: Db, items: &[Value]) -> ApiResult<()> {
    let mut meters: HashMap<String, Option<Meter>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(code) = item.get("meter").and_then(Value::as_str) {
            if !meters.contains_key(code) {
                let m = db
                    .get_by_code(Kind::Meter, code)?
                    .map(|b| decode::<Meter>(&b))
                    .transpose()?;
                meters.insert(code.to_string(), m);
            }
        }
        rules::check_measurement(item, |c| meters.get(c).and_then(Option::as_ref))
            .map_err(|e| ApiError::from(e.under(&format!("measurements[{i}]"))))?;
    }
    Ok(())
}

/// Sandbox extension: `GET /organizations/{orgId}/ingest/status` →
/// `{"acknowledgedBatches": N, "enrichedBatches": M, "pendingBatches": N - M}` (batch sequence
/// numbers of the durable queue), to see whether the enrichment has caught up.
pub async fn status(State(app): State<App>) -> ApiResult<Json<Value>> {
    let q = app.ingest.queue.clone();
    let acked = tokio::task::spawn_blocking(move || q.last_seq())
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let done = app.read(|db| Ok(db.enriched_through()?)).await?;
    let acked = acked.max(done);
    Ok(Json(json!({
        "acknowledgedBatches": acked,
        "enrichedBatches": done,
        "pendingBatches": acked - done,
    })))
}

/// Sandbox extension: `GET /organizations/{orgId}/measurements?account=&meter=&pageSize=&nextToken=`
/// lists stored measurements newest first (as stored after enrichment, derived values included),
/// `pageSize` ≤ 1000. It first waits (up to 60 s) until every batch acknowledged before it is
/// enriched, so "submit, then list" reads its own writes, as tests and demos expect.
pub async fn list(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Value>>> {
    let p = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&p, MEASUREMENTS_PAGE_MAX)?;
    app.ingest.settle(SETTLE_LIMIT).await?;
    let account = p.one("account").map(String::from);
    let meter = p.one("meter").map(String::from);
    let out = app
        .read(move |db| {
            let rows = db.list_measurements(
                account.as_deref(),
                meter.as_deref(),
                page.before,
                page.size + 1,
            )?;
            let rows = rows
                .into_iter()
                .map(|(seq, body)| {
                    let v: Value = serde_json::from_str(&body)
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                    Ok((seq, v))
                })
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(PageOut::from_rows(rows, page.size))
        })
        .await?;
    Ok(Json(out))
}
