//! `POST /measurements` (the Ingest API) and the sandbox-only `GET /measurements`.
//!
//! Decisions (README ambiguities 7–12):
//! - the body limit is checked on the raw bytes before parsing: 512,000 bytes or more → **413**
//!   (more honest than m3ter's gateway 403, and the SDK does not retry it); the message names
//!   the limit;
//! - 0 or more than 1000 measurements → 400 on `measurements`;
//! - every measurement is checked synchronously with `rules::check_measurement` against its meter
//!   (unknown meter, field not on the meter, wrong category or type → 400 naming
//!   `measurements[i].field`); the whole batch is rejected and nothing is stored, no account is
//!   auto-created;
//! - the batch is stored in one SQLite transaction; `{"result":"accepted"}` is sent after COMMIT;
//! - `uid` is optional; measurements with a `uid` already stored (in this or an earlier request,
//!   with no time window) are skipped and the request is still accepted; without `uid` there is
//!   no de-duplication;
//! - an unknown account code auto-creates one account (`CODE-autocreated`,
//!   `<16 random lowercase hex>-autocreated@example.com`, `autoCreated: true`) in the same
//!   transaction, once per code;
//! - `ts`/`ets` without an offset (Python's naive `isoformat()`) are read as UTC (decided in
//!   `rules::parse_timestamp`); there is no range limit, as m3ter accepts past usage.

use super::crud::{decode, new_audit, now};
use super::entity::Entity;
use super::error::{ApiError, ApiResult};
use super::pagination::{PageOut, PageReq};
use super::request::{self, Params};
use super::state::App;
use crate::m3ter::rules::{self, BATCH_MAX_BYTES, BATCH_MAX_MEASUREMENTS};
use crate::m3ter::*;
use crate::sandbox::db::{Db, Kind, NewMeasurement};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::Json;
use rand::RngCore;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Largest `pageSize` of the sandbox-only measurement list.
pub const MEASUREMENTS_PAGE_MAX: usize = 1000;

pub async fn submit(State(app): State<App>, body: Body) -> ApiResult<Json<IngestResponse>> {
    let bytes = request::read_body(body, BATCH_MAX_BYTES, app.config.timeouts.body).await?;
    let mut value = request::parse_json(&bytes)?;
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
    app.write(move |db| {
        let checked = check_all(db, &items)?;
        store_all(db, &checked)
    })
    .await?;
    Ok(Json(IngestResponse {
        result: Some("accepted".into()),
    }))
}

/// Checks every measurement; the first failure rejects the batch.
fn check_all(db: Db, items: &[Value]) -> ApiResult<Vec<Measurement>> {
    let mut meters: HashMap<String, Option<Meter>> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
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
        let m = rules::check_measurement(item, |c| meters.get(c).and_then(Option::as_ref))
            .map_err(|e| ApiError::from(e.under(&format!("measurements[{i}]"))))?;
        out.push(m);
    }
    Ok(out)
}

fn store_all(db: Db, checked: &[Measurement]) -> ApiResult<()> {
    let received = now();
    let mut known: HashSet<&str> = HashSet::new();
    for m in checked {
        if known.insert(m.account.as_str()) && db.id_for_code(Kind::Account, &m.account)?.is_none()
        {
            auto_create(db, &m.account)?;
        }
        let body = serde_json::to_string(m).map_err(|e| ApiError::internal(e.to_string()))?;
        db.insert_measurement(&NewMeasurement {
            uid: m.uid.as_deref(),
            meter: &m.meter,
            account: &m.account,
            ts: &m.ts,
            received: &received,
            body: &body,
        })?;
    }
    Ok(())
}

/// The skeleton account m3ter creates for a measurement with an unknown account code.
pub fn auto_create(db: Db, code: &str) -> ApiResult<Account> {
    let mut hash = [0u8; 8];
    rand::rng().fill_bytes(&mut hash);
    let account = Account {
        id: uuid::Uuid::new_v4().to_string(),
        version: Some(1),
        code: Some(code.to_string()),
        name: Some(format!("{code}{AUTO_CREATED_NAME_SUFFIX}")),
        email_address: Some(format!(
            "{}{AUTO_CREATED_EMAIL_SUFFIX}",
            super::tokens::hex(&hash)
        )),
        audit: new_audit(),
        auto_created: Some(true),
        ..Default::default()
    };
    let body = serde_json::to_string(&account).map_err(|e| ApiError::internal(e.to_string()))?;
    db.insert(Kind::Account, &account.cols(), &body)?;
    Ok(account)
}

/// Sandbox extension: `GET /organizations/{orgId}/measurements?account=&meter=&pageSize=&nextToken=`
/// lists stored measurements newest first (as stored, after validation), `pageSize` ≤ 1000.
pub async fn list(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Value>>> {
    let p = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&p, MEASUREMENTS_PAGE_MAX)?;
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
