//! `GET /accounts/search` and `GET /accounts/{id}/children`.
//!
//! Search decisions (README ambiguity 21 and §8.4): `searchQuery` is conditions joined by `$`,
//! each `param<comparator>value` with comparators `>=`, `<=`, `>`, `<`, `:` (equals, case-
//! insensitive), `~` (m3ter's match phrase/prefix: see [`search_sql`]); params are m3ter's list
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
use super::search_sql;
use super::store::{self, Filter, Kind};
use super::App;
use crate::m3ter::Account;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use rusqlite::types::Value as SqlValue;

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
    let joiner = match p.one("operator").unwrap_or("AND") {
        "AND" => " AND ",
        "OR" => " OR ",
        other => {
            return Err(ApiError::field(
                "operator",
                format!("must be AND or OR (got {other:?})"),
            ))
        }
    };
    let dir = match p.one("sortOrder").unwrap_or("DESC") {
        "ASC" => "ASC",
        "DESC" => "DESC",
        other => {
            return Err(ApiError::field(
                "sortOrder",
                format!("must be ASC or DESC (got {other:?})"),
            ))
        }
    };
    let sort_by = p.one("sortBy").unwrap_or("dtCreated");
    if !sort_by.chars().all(|c| c.is_ascii_alphanumeric())
        || !sort_by.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Err(ApiError::field(
            "sortBy",
            format!("must be an Account field name such as name or code (got {sort_by:?})"),
        ));
    }
    let mut sql = String::from("SELECT body FROM entities WHERE kind = ? AND org = ?");
    let mut args: Vec<SqlValue> = vec![
        Kind::Account.as_str().to_string().into(),
        app.config.org_id.clone().into(),
    ];
    if !conds.is_empty() {
        let parts: Vec<String> = conds
            .iter()
            .map(|c| {
                let (part, values) = search_sql::condition(c.field, c.op, &c.values);
                args.extend(values);
                part
            })
            .collect();
        sql.push_str(&format!(" AND ({})", parts.join(joiner)));
    }
    // Ties (and the default order) follow creation order, so pages never overlap.
    let order = search_sql::field_expr(sort_by);
    sql.push_str(&format!(
        " ORDER BY {order} {dir}, seq {dir} LIMIT ? OFFSET ?"
    ));
    args.push(((size + 1) as i64).into());
    args.push((from as i64).into());
    let bodies = app
        .store
        .run(move |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows =
                stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await?;
    let more = bodies.len() > size;
    let data = bodies
        .iter()
        .take(size)
        .map(|b| decode::<Account>(b))
        .collect::<ApiResult<Vec<Account>>>()?;
    Ok(Json(PageOut {
        next_token: (more && !data.is_empty()).then(|| (from + data.len()).to_string()),
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
