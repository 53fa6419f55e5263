//! `GET /accounts/search` and `GET /accounts/{id}/children`.
//!
//! Search decisions (21 of `sandbox/mod.rs`): `searchQuery` is conditions joined by `$`, each
//! `param<comparator>value` with comparators `>=`, `<=`, `>`, `<`, `:` (equals, case-
//! insensitive), `~` (m3ter's match phrase/prefix, implemented in `db/search.rs`); params are
//! m3ter's list (name, code, currency, purchaseOrderNumber, parentAccountId, codes, id,
//! createdBy, dtCreated, lastModifiedBy, ids); `codes`/`ids` take comma-separated values, any
//! number of them. Anything else is a 400 on `searchQuery`, and so is a query of more than
//! [`MAX_CONDITIONS`] conditions. `operator` AND (default) | OR combines them. `sortBy` is any
//! Account field (default `dtCreated`), `sortOrder` ASC | DESC (default DESC, i.e. newest first).
//! `fromDocument` is a 0-based offset; `nextToken` is the next `fromDocument` as a string,
//! present only when more results exist.

use super::crud::{decode, load};
use super::error::{ApiError, ApiResult};
use super::pagination::{PageOut, PageReq, CHILDREN_MAX, SEARCH_DEFAULT, SEARCH_MAX};
use super::request::{Params, PathId};
use super::state::App;
use crate::m3ter::Account;
use crate::sandbox::db::{Comparator, Cond, Filter, Joiner, Kind, SearchSpec, SortOrder};
use axum::extract::{RawQuery, State};
use axum::Json;

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

/// Most `$`-joined conditions one `searchQuery` may hold; more is a 400 on `searchQuery`.
pub const MAX_CONDITIONS: usize = 100;

fn parse_query(q: &str) -> ApiResult<Vec<Cond>> {
    let bad = |m: String| ApiError::field("searchQuery", m);
    let mut out = Vec::new();
    let parts: Vec<&str> = q.split('$').filter(|p| !p.trim().is_empty()).collect();
    if parts.len() > MAX_CONDITIONS {
        return Err(bad(format!(
            "has {} conditions; at most {MAX_CONDITIONS} may be joined with $ (codes and ids take any number of comma-separated values)",
            parts.len()
        )));
    }
    for part in parts {
        let at = part
            .find([':', '~', '<', '>'])
            .ok_or_else(|| bad(format!("{part:?} has no comparator (one of > >= : < <= ~)")))?;
        let (name, rest) = part.split_at(at);
        let (token, op) = [
            ("<=", Comparator::Le),
            (">=", Comparator::Ge),
            ("<", Comparator::Lt),
            (">", Comparator::Gt),
            (":", Comparator::Equals),
            ("~", Comparator::Match),
        ]
        .into_iter()
        .find(|(t, _)| rest.starts_with(t))
        .unwrap_or((":", Comparator::Equals));
        let value = &rest[token.len()..];
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
        "AND" => Joiner::And,
        "OR" => Joiner::Or,
        other => {
            return Err(ApiError::field(
                "operator",
                format!("must be AND or OR (got {other:?})"),
            ))
        }
    };
    let order = match p.one("sortOrder").unwrap_or("DESC") {
        "ASC" => SortOrder::Asc,
        "DESC" => SortOrder::Desc,
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
    let spec = SearchSpec {
        conds,
        joiner,
        sort_by: sort_by.to_string(),
        order,
        limit: size + 1,
        offset: from,
    };
    let bodies = app.read(move |db| Ok(db.search_accounts(&spec)?)).await?;
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
    PathId(id): PathId,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<PageOut<Account>>> {
    let params = Params::parse(q.as_deref())?;
    let page = PageReq::from_params(&params, CHILDREN_MAX)?;
    let out = app
        .read(move |db| {
            load::<Account>(db, &id)?;
            let filter = Filter {
                parent_id: Some(id),
                ..Default::default()
            };
            let rows = db
                .list(Kind::Account, &filter, page.before, page.size + 1)?
                .into_iter()
                .map(|(seq, body)| Ok((seq, decode::<Account>(&body)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(PageOut::from_rows(rows, page.size))
        })
        .await?;
    Ok(Json(out))
}
