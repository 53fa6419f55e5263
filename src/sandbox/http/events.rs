//! `GET /events`, `/events/{id}`, `/events/types`, `/events/fields`, the failed-ingest log's
//! download URL, and the sandbox extension `PUT /events/{id}/actioned`.
//!
//! Decisions: the sandbox raises one event name, `ingest.validation.failure`; `/events/types`
//! lists it (and any other stored name); `/events/fields` describes its `eventData` fields (an
//! unknown `eventName` is a 404 naming it). Filters: `eventName`, `eventType` (the failure
//! type), `accountId`, `resourceId` (the meter id), `ids`, and `includeActioned` (default
//! false, as the Console lists only events to follow up); `notificationId` and
//! `notificationCode` match nothing here, as the sandbox has no notifications. `pageSize` ≤ 100.

use super::crud::now;
use super::error::{ApiError, ApiResult};
use super::files::{self, LinkPurpose};
use super::pagination::{PageOut, PageReq};
use super::request::Params;
use super::state::App;
use crate::m3ter::*;
use crate::sandbox::db::{EventFilter, EventRow};
use crate::sandbox::enrich::event_of_file;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;
use std::collections::BTreeMap;

pub const EVENTS_PAGE_MAX: usize = 100;

fn event_out(r: EventRow) -> ApiResult<Event> {
    let body: Value =
        serde_json::from_str(&r.body).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Event {
        id: r.id,
        event_name: Some(r.name),
        event_time: Some(r.time),
        dt_actioned: r.actioned,
        m3ter_event: Some(body),
    })
}

pub async fn list(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Event>>> {
    let p = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&p, EVENTS_PAGE_MAX)?;
    let include_actioned = match p.one("includeActioned") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(ApiError::field(
                "includeActioned",
                format!("must be true or false (got {v:?})"),
            ))
        }
    };
    if p.one("notificationId").is_some() || p.one("notificationCode").is_some() {
        return Ok(Json(PageOut {
            data: vec![],
            next_token: None,
        }));
    }
    let filter = EventFilter {
        name: p.one("eventName").map(String::from),
        event_type: p.one("eventType").map(String::from),
        account_id: p.one("accountId").map(String::from),
        resource_id: p.one("resourceId").map(String::from),
        ids: p.list("ids"),
        include_actioned,
    };
    let rows = app
        .read(move |db| Ok(db.list_events(&filter, page.before, page.size + 1)?))
        .await?;
    let rows = rows
        .into_iter()
        .map(|(seq, r)| Ok((seq, event_out(r)?)))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(PageOut::from_rows(rows, page.size)))
}

pub async fn retrieve(
    State(app): State<App>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Event>> {
    let row = app.read(move |db| Ok(db.get_event(&id)?.ok_or(id))).await?;
    match row {
        Ok(r) => Ok(Json(event_out(r)?)),
        Err(id) => Err(ApiError::not_found(format!("no Event has the id {id}"))),
    }
}

/// Sandbox extension: `PUT /organizations/{orgId}/events/{id}/actioned` sets `dtActioned` (the
/// Console's *Mark as actioned*; m3ter's API has no such endpoint) and returns the event.
pub async fn action(
    State(app): State<App>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Event>> {
    let row = app
        .write(move |db| {
            if !db.action_event(&id, &now())? {
                return Ok(Err(id));
            }
            Ok(Ok(db.get_event(&id)?.expect("just updated")))
        })
        .await?;
    match row {
        Ok(r) => Ok(Json(event_out(r)?)),
        Err(id) => Err(ApiError::not_found(format!("no Event has the id {id}"))),
    }
}

pub async fn types(State(app): State<App>) -> ApiResult<Json<EventTypes>> {
    let mut names = app.read(|db| Ok(db.event_names()?)).await?;
    if !names.iter().any(|n| n == INGEST_FAILURE_EVENT) {
        names.insert(0, INGEST_FAILURE_EVENT.to_string());
        names.sort();
    }
    Ok(Json(EventTypes { events: names }))
}

/// The fields of an ingest failure's `m3terEvent.eventData`.
fn ingest_failure_fields() -> BTreeMap<String, String> {
    [
        ("failureType", "string"),
        ("message", "string"),
        ("uid", "string"),
        ("meter", "string"),
        ("account", "string"),
        ("accountId", "string"),
        ("field", "string"),
        ("getDownloadUrl", "string"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub async fn fields(RawQuery(q): RawQuery) -> ApiResult<Json<EventFields>> {
    let p = Params::parse(q.as_deref())?;
    let mut events = BTreeMap::new();
    match p.one("eventName") {
        None => {
            events.insert(INGEST_FAILURE_EVENT.to_string(), ingest_failure_fields());
        }
        Some(n) if n == INGEST_FAILURE_EVENT => {
            events.insert(n.to_string(), ingest_failure_fields());
        }
        Some(n) => {
            return Err(ApiError::not_found(format!(
                "the sandbox raises no event named {n:?} (it raises {INGEST_FAILURE_EVENT})"
            ))
            .with_field("eventName"))
        }
    }
    Ok(Json(EventFields { events }))
}

/// `GET /measurements/failedIngest/getDownloadUrl?file=` → a signed link, valid 5 minutes, to
/// the failure's JSON log on the sandbox itself.
pub async fn download_url(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<DownloadUrl>> {
    let p = Params::parse(q.as_deref())?;
    let file = p
        .one("file")
        .ok_or_else(|| ApiError::field("file", "is required (the event's getDownloadUrl)"))?
        .to_string();
    let id = event_of_file(&file)
        .ok_or_else(|| {
            ApiError::field(
                "file",
                format!(
                    "{file:?} is not a failed-ingest file (expected failedIngest/<event id>.json)"
                ),
            )
        })?
        .to_string();
    let exists = {
        let id = id.clone();
        app.read(move |db| Ok(db.event_log(&id)?.is_some())).await?
    };
    if !exists {
        return Err(
            ApiError::not_found(format!("no failed-ingest log {file:?}")).with_field("file"),
        );
    }
    let url = files::sign(&app, &headers, LinkPurpose::FailedIngest, &id).await?;
    Ok(Json(DownloadUrl { url }))
}
