//! Create / retrieve / update / delete / list, once for every [`Entity`].
//!
//! Decisions 1–3, 24 of `sandbox/mod.rs`:
//! - `version` in a create body is ignored (the server sets 1);
//! - an update without `version` is a 400 on `version` (m3ter: "required on update");
//! - an update whose `version` is not the current one is a 409 with `x-should-retry: false`
//!   (the SDK would otherwise repeat it); a successful update answers version + 1;
//! - PUT replaces the whole entity (fields left out are cleared), as m3ter documents;
//! - date-times are RFC 3339 UTC with milliseconds and `Z`; `createdBy`/`lastModifiedBy` are the
//!   sandbox's one service user, [`SANDBOX_USER_ID`].

use super::entity::Entity;
use super::error::{ApiError, ApiResult};
use super::pagination::{PageOut, PageReq};
use super::request::{self, Params, PathId, CONFIG_BODY_MAX};
use super::state::App;
use crate::m3ter::Audit;
use crate::sandbox::db::{Db, Kind};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::Json;

/// The id reported as `createdBy`/`lastModifiedBy`.
pub const SANDBOX_USER_ID: &str = "00000000-0000-4000-a000-00000000000a";

/// Now as RFC 3339 UTC, milliseconds, `Z`.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn new_audit() -> Audit {
    let t = now();
    Audit {
        dt_created: Some(t.clone()),
        dt_last_modified: Some(t),
        created_by: Some(SANDBOX_USER_ID.into()),
        last_modified_by: Some(SANDBOX_USER_ID.into()),
    }
}

/// Parses and validates a create/update body.
pub async fn read_request<E: Entity>(app: &App, body: Body) -> ApiResult<E::Req> {
    let bytes = request::read_body(body, CONFIG_BODY_MAX, app.config.timeouts.body).await?;
    let req: E::Req = request::from_value(request::parse_json(&bytes)?)?;
    if let Some(e) = ApiError::from_field_errors(E::errors(&req)) {
        return Err(e);
    }
    Ok(req)
}

pub fn load<E: Entity>(db: Db, id: &str) -> ApiResult<E> {
    let body = db
        .get(E::KIND, id)?
        .ok_or_else(|| ApiError::not_found(format!("no {} has the id {id}", E::KIND.label())))?;
    decode(&body)
}

pub fn decode<E: Entity>(body: &str) -> ApiResult<E> {
    serde_json::from_str(body)
        .map_err(|e| ApiError::internal(format!("stored entity does not decode: {e}")))
}

fn encode<E: Entity>(e: &E) -> ApiResult<String> {
    serde_json::to_string(e).map_err(|e| ApiError::internal(e.to_string()))
}

fn code_conflict(kind: Kind, code: &str) -> ApiError {
    ApiError::conflict(format!(
        "code: another {} already has the code {code:?} (codes are unique)",
        kind.label()
    ))
    .with_field("code")
}

/// Inserts a new entity (inside the caller's transaction, if any).
pub fn insert_new<E: Entity>(db: Db, req: E::Req) -> ApiResult<E> {
    if db.id_for_code(E::KIND, E::req_code(&req))?.is_some() {
        return Err(code_conflict(E::KIND, E::req_code(&req)));
    }
    let id = uuid::Uuid::new_v4().to_string();
    E::check_refs(db, &req, &id)?;
    let entity = E::build(req, id, 1, new_audit(), None);
    db.insert(E::KIND, &entity.cols(), &encode(&entity)?)?;
    Ok(entity)
}

pub async fn create<E: Entity>(State(app): State<App>, body: Body) -> ApiResult<Json<E>> {
    let req = read_request::<E>(&app, body).await?;
    Ok(Json(app.write(move |db| insert_new::<E>(db, req)).await?))
}

pub async fn retrieve<E: Entity>(State(app): State<App>, PathId(id): PathId) -> ApiResult<Json<E>> {
    Ok(Json(app.read(move |db| load::<E>(db, &id)).await?))
}

pub async fn update<E: Entity>(
    State(app): State<App>,
    PathId(id): PathId,
    body: Body,
) -> ApiResult<Json<E>> {
    let req = read_request::<E>(&app, body).await?;
    let e = app
        .write(move |db| {
            let prev = load::<E>(db, &id)?;
            let current = prev.version();
            let Some(sent) = E::req_version(&req) else {
                return Err(ApiError::field(
                    "version",
                    format!("is required on update (the current version is {current})"),
                ));
            };
            if sent != current {
                return Err(ApiError::conflict(format!(
                    "version: {sent} is stale, the {} was changed meanwhile (current version {current}); fetch it again and retry",
                    E::KIND.label()
                ))
                .with_field("version"));
            }
            if let Some(other) = db.id_for_code(E::KIND, E::req_code(&req))? {
                if other != id {
                    return Err(code_conflict(E::KIND, E::req_code(&req)));
                }
            }
            E::check_refs(db, &req, &id)?;
            let mut audit = prev.audit().clone();
            audit.dt_last_modified = Some(now());
            audit.last_modified_by = Some(SANDBOX_USER_ID.into());
            let e = E::build(req, id, current + 1, audit, Some(&prev));
            db.replace(E::KIND, &e.cols(), &encode(&e)?)?;
            Ok(e)
        })
        .await?;
    Ok(Json(e))
}

pub async fn delete<E: Entity>(State(app): State<App>, PathId(id): PathId) -> ApiResult<Json<E>> {
    let e = app
        .write(move |db| {
            let e = load::<E>(db, &id)?;
            E::check_delete(db, &id)?;
            db.delete(E::KIND, &id)?;
            Ok(e)
        })
        .await?;
    Ok(Json(e))
}

pub async fn list<E: Entity>(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<E>>> {
    let params = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&params, E::MAX_PAGE)?;
    let filter = E::filter(&params);
    let out = app
        .read(move |db| {
            let rows = db.list(E::KIND, &filter, page.before, page.size + 1)?;
            let rows = rows
                .into_iter()
                .map(|(seq, body)| Ok((seq, decode::<E>(&body)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(PageOut::from_rows(rows, page.size))
        })
        .await?;
    Ok(Json(out))
}
