//! `GET /accounts/search` and `GET /accounts/{id}/children`.
//!
//! Search decisions (README ambiguity 21 and §8.4): `searchQuery` is conditions joined by `$`,
//! each `param<comparator>value` with comparators `>=`, `<=`, `>`, `<`, `:` (equals, case-
//! insensitive), `~` (contains the phrase/prefix, case-insensitive); params are m3ter's list
//! (name, code, currency, purchaseOrderNumber, parentAccountId, codes, id, createdBy, dtCreated,
//! lastModifiedBy, ids); `codes`/`ids` take comma-separated values. Anything else is a 400 on
//! `searchQuery`. `operator` AND (default) | OR combines them. `sortBy` is any Account field
//! (default `dtCreated`), `sortOrder` ASC | DESC (default DESC, i.e. newest first).
//! `fromDocument` is a 0-based offset; `nextToken` is the next `fromDocument` as a string,
//! present only when more results exist.

use super::crud::decode;
use super::error::{ApiError, ApiResult};
use super::pagination::{PageOut, PageReq, CHILDREN_MAX, SEARCH_DEFAULT, SEARCH_MAX};
use super::request::Params;
use super::store::{self, Filter, Kind};
use super::App;
use crate::m3ter::Account;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::Value;
use std::cmp::Ordering;

const PARAMS: [&str; 11] = [
    "name",
    "code",
    "currency",
    "purchaseOrderNumber",
    "parentAccountId",
    "codes",
    "id",
    "createdBy",
    "dtCreated",
    "lastModifiedBy",
    "ids",
];

#[derive(Debug)]
struct Cond {
    field: &'static str,
    op: &'static str,
    values: Vec<String>,
}

fn parse_query(q: &str) -> ApiResult<Vec<Cond>> {
    let bad = |m: String| ApiError::field("searchQuery", m);
    let mut out = Vec::new();
    for part in q.split('$').filter(|p| !p.trim().is_empty()) {
        let at = part
            .find([':', '~', '<', '>'])
            .ok_or_else(|| bad(format!("{part:?} has no comparator (one of > >= : < <= ~)")))?;
        let (name, rest) = part.split_at(at);
        let op = ["<=", ">=", "<", ">", ":", "~"]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .unwrap_or(":");
        let value = &rest[op.len()..];
        let param = PARAMS
            .into_iter()
            .find(|p| *p == name.trim())
            .ok_or_else(|| {
                bad(format!(
                    "{:?} is not a searchable parameter (allowed: {})",
                    name.trim(),
                    PARAMS.join(", ")
                ))
            })?;
        let (field, values) = match param {
            "codes" => (
                "code",
                value.split(',').map(|s| s.trim().to_string()).collect(),
            ),
            "ids" => (
                "id",
                value.split(',').map(|s| s.trim().to_string()).collect(),
            ),
            p => (p, vec![value.to_string()]),
        };
        out.push(Cond { field, op, values });
    }
    Ok(out)
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

fn matches(c: &Cond, account: &Value) -> bool {
    let Some(have) = text(account.get(c.field)) else {
        return false;
    };
    c.values.iter().any(|want| match c.op {
        ":" => have.to_lowercase() == want.to_lowercase(),
        "~" => have.to_lowercase().contains(&want.to_lowercase()),
        op => {
            let ord = compare(&have, want);
            match op {
                ">" => ord == Ordering::Greater,
                ">=" => ord != Ordering::Less,
                "<" => ord == Ordering::Less,
                _ => ord != Ordering::Greater,
            }
        }
    })
}

pub async fn search(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Account>>> {
    let p = Params::parse(q.as_deref())?;
    let conds = parse_query(p.one("searchQuery").unwrap_or(""))?;
    let size = p
        .int("pageSize", 1, SEARCH_MAX as i64)?
        .unwrap_or(SEARCH_DEFAULT as i64) as usize;
    let from = p.int("fromDocument", 0, i32::MAX as i64)?.unwrap_or(0) as usize;
    let any = match p.one("operator").unwrap_or("AND") {
        "AND" => false,
        "OR" => true,
        other => {
            return Err(ApiError::field(
                "operator",
                format!("must be AND or OR (got {other:?})"),
            ))
        }
    };
    let desc = match p.one("sortOrder").unwrap_or("DESC") {
        "ASC" => false,
        "DESC" => true,
        other => {
            return Err(ApiError::field(
                "sortOrder",
                format!("must be ASC or DESC (got {other:?})"),
            ))
        }
    };
    let sort_by = p.one("sortBy").map(String::from);
    let org = app.config.org_id.clone();
    let bodies = app
        .store
        .run(move |conn| Ok(store::all(conn, Kind::Account, &org)?))
        .await?;
    // `all` is oldest first; index = creation order, the tie-breaker (and the default order).
    let mut hits: Vec<(usize, Value)> = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let v: Value = serde_json::from_str(body).map_err(|e| ApiError::internal(e.to_string()))?;
        let ok = conds.is_empty()
            || if any {
                conds.iter().any(|c| matches(c, &v))
            } else {
                conds.iter().all(|c| matches(c, &v))
            };
        if ok {
            hits.push((i, v));
        }
    }
    hits.sort_by(|(ia, a), (ib, b)| {
        let ord = match &sort_by {
            Some(f) => match (text(a.get(f)), text(b.get(f))) {
                (Some(x), Some(y)) => compare(&x, &y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            },
            None => Ordering::Equal,
        }
        .then(ia.cmp(ib));
        if desc {
            ord.reverse()
        } else {
            ord
        }
    });
    let total = hits.len();
    let data = hits
        .into_iter()
        .skip(from)
        .take(size)
        .map(|(_, v)| serde_json::from_value(v).map_err(|e| ApiError::internal(e.to_string())))
        .collect::<ApiResult<Vec<Account>>>()?;
    let next = from + data.len();
    Ok(Json(PageOut {
        next_token: (next < total && !data.is_empty()).then(|| next.to_string()),
        data,
    }))
}

/// `GET /accounts/{id}/children`: the accounts whose `parentAccountId` is `id` (404 if the
/// account does not exist), cursor-paginated like the other lists, `pageSize` ≤ 200.
pub async fn children(
    State(app): State<App>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Account>>> {
    let params = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&params, CHILDREN_MAX)?;
    let org = app.config.org_id.clone();
    let out = app
        .store
        .run(move |conn| {
            super::crud::load::<Account>(conn, &org, &id)?;
            let filter = Filter {
                parent_id: Some(id),
                ..Default::default()
            };
            let rows = store::list(
                conn,
                Kind::Account,
                &org,
                &filter,
                page.before,
                page.size + 1,
            )?
            .into_iter()
            .map(|(seq, body)| Ok((seq, decode::<Account>(&body)?)))
            .collect::<ApiResult<Vec<_>>>()?;
            Ok(PageOut::from_rows(rows, page.size))
        })
        .await?;
    Ok(Json(out))
}
