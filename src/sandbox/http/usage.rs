//! `POST /usage/query`: checks the request against the meters and hands a plan to the SQL in
//! `db::usage`.
//!
//! Decisions (m3ter does not publish the row shape):
//! - without aggregations each row is a stored measurement as ingested (derived values under
//!   their category) plus `meterId` and `accountId`, newest `ts` first;
//! - with aggregations each row holds its group keys — `accountId` and `account` (the code) for
//!   ACCOUNT, `time` (the bucket's start, UTC, RFC 3339; weeks start on Monday) for TIME, the
//!   field code for DIMENSION — and one column per aggregation named `function(fieldCode)`
//!   (`sum(calls)`; `sum(calls)@<meterId>` when two meters' fields would share a name, and
//!   likewise `region@<meterId>` for a second meter's DIMENSION group of the same code); groups
//!   with the most recent measurement come first; MEAN is the arithmetic mean, LATEST the value
//!   with the latest `ts`, UNIQUE the count of distinct values; an aggregation reads only its
//!   meter's rows;
//! - a meter id, field code or field type that does not fit the meter is a 400 naming the
//!   request field (`aggregations[0].fieldCode`); METADATA fields cannot be filtered or grouped
//!   on; a dimension filter only narrows its own meter's rows;
//! - `limit` defaults to and may not exceed 20000; `hasMoreData` is true when more rows matched.

use super::crud::decode;
use super::error::{ApiError, ApiResult};
use super::request;
use super::state::App;
use crate::m3ter::rules;
use crate::m3ter::*;
use crate::sandbox::db::{AggPlan, DimFilter, GroupPlan, Kind, UsagePlan};
use axum::body::Body;
use axum::extract::State;
use axum::Json;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

pub async fn query(State(app): State<App>, body: Body) -> ApiResult<Json<UsageQueryResponse>> {
    let bytes = request::read_body(body, 1 << 20, app.config.timeouts.body).await?;
    let q: UsageQuery = request::from_value(request::parse_json(&bytes)?)?;
    let out = app
        .read(move |db| {
            let mut meters: HashMap<String, Option<Meter>> = HashMap::new();
            let mut meter = |id: &str| -> ApiResult<Option<Meter>> {
                if !meters.contains_key(id) {
                    let m = db
                        .get(Kind::Meter, id)?
                        .map(|b| decode::<Meter>(&b))
                        .transpose()?;
                    meters.insert(id.to_string(), m);
                }
                Ok(meters[id].clone())
            };
            let plan = plan(&q, &mut meter)?;
            if plan.aggs.is_empty() {
                let rows = db.usage_rows(&plan)?;
                let more = rows.len() > plan.limit;
                let data = rows
                    .into_iter()
                    .take(plan.limit)
                    .map(|(body, meter_id, account_id)| {
                        let mut row: Map<String, Value> = serde_json::from_str(&body)
                            .map_err(|e| ApiError::internal(e.to_string()))?;
                        row.insert("meterId".into(), meter_id.into());
                        row.insert("accountId".into(), account_id.into());
                        Ok(row)
                    })
                    .collect::<ApiResult<Vec<_>>>()?;
                Ok(UsageQueryResponse {
                    data,
                    has_more_data: more,
                })
            } else {
                let mut rows = db.usage_aggregate(&plan)?;
                let more = rows.len() > plan.limit;
                rows.truncate(plan.limit);
                Ok(UsageQueryResponse {
                    data: rows,
                    has_more_data: more,
                })
            }
        })
        .await?;
    Ok(Json(out))
}

/// The data or derived field `code` of `meter`, as (category, JSON path in a stored body).
fn field(meter: &Meter, code: &str) -> Option<(DataFieldCategory, String)> {
    let cat = meter
        .data_fields
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.category)
        .or_else(|| {
            meter
                .derived_fields
                .iter()
                .find(|f| f.code == code)
                .map(|f| f.category)
        })?;
    Some((cat, format!("$.\"{}\".\"{}\"", cat.key(), code)))
}

fn resolve(
    meter: &mut impl FnMut(&str) -> ApiResult<Option<Meter>>,
    at: &str,
    meter_id: &str,
    code: &str,
) -> ApiResult<(DataFieldCategory, String)> {
    let m = meter(meter_id)?.ok_or_else(|| {
        ApiError::field(
            &format!("{at}.meterId"),
            format!("no meter has the id {meter_id:?}"),
        )
    })?;
    field(&m, code).ok_or_else(|| {
        let known: Vec<&str> = m
            .data_fields
            .iter()
            .map(|f| f.code.as_str())
            .chain(m.derived_fields.iter().map(|f| f.code.as_str()))
            .collect();
        ApiError::field(
            &format!("{at}.fieldCode"),
            format!(
                "meter {:?} has no field {code:?} (it has: {})",
                m.code.as_deref().unwrap_or(""),
                known.join(", ")
            ),
        )
    })
}

fn plan(
    q: &UsageQuery,
    meter: &mut impl FnMut(&str) -> ApiResult<Option<Meter>>,
) -> ApiResult<UsagePlan> {
    let limit = q.limit.unwrap_or(USAGE_QUERY_LIMIT_MAX);
    if limit == 0 || limit > USAGE_QUERY_LIMIT_MAX {
        return Err(ApiError::field(
            "limit",
            format!("must be from 1 to {USAGE_QUERY_LIMIT_MAX} (got {limit})"),
        ));
    }
    let bound = |key: &str, v: &Option<String>| -> ApiResult<Option<i64>> {
        v.as_deref()
            .map(|s| {
                rules::parse_timestamp_with_offset(key, s)
                    .map(|t| t.timestamp_millis())
                    .map_err(ApiError::from)
            })
            .transpose()
    };
    let from_ms = bound("startDate", &q.start_date)?;
    let to_ms = bound("endDate", &q.end_date)?;
    if let (Some(f), Some(t)) = (from_ms, to_ms) {
        if t <= f {
            return Err(ApiError::field("endDate", "must be after startDate"));
        }
    }
    if !q.groups.is_empty() && q.aggregations.is_empty() {
        return Err(ApiError::field(
            "groups",
            "apply only with aggregations: add at least one aggregation or remove the groups",
        ));
    }
    let mut dims = Vec::new();
    for (i, d) in q.dimension_filters.iter().enumerate() {
        let at = format!("dimensionFilters[{i}]");
        let (cat, path) = resolve(meter, &at, &d.meter_id, &d.field_code)?;
        if cat.is_numeric() || cat == DataFieldCategory::Metadata {
            return Err(ApiError::field(
                &format!("{at}.fieldCode"),
                format!("{:?} is a {cat} field: only WHO, WHERE, WHAT and OTHER fields can be filtered on", d.field_code),
            ));
        }
        if d.values.is_empty() {
            return Err(ApiError::field(
                &format!("{at}.values"),
                "must have at least one value",
            ));
        }
        dims.push(DimFilter {
            meter_id: d.meter_id.clone(),
            path,
            values: d.values.clone(),
        });
    }
    let mut aggs = Vec::new();
    let mut columns = HashSet::new();
    for (i, a) in q.aggregations.iter().enumerate() {
        let at = format!("aggregations[{i}]");
        let (cat, path) = resolve(meter, &at, &a.meter_id, &a.field_code)?;
        let actual = if cat.is_numeric() {
            AggregationFieldType::Measure
        } else {
            AggregationFieldType::Dimension
        };
        if actual != a.field_type {
            return Err(ApiError::field(
                &format!("{at}.fieldType"),
                format!(
                    "{:?} is a {cat} field, so its fieldType is {}",
                    a.field_code,
                    if cat.is_numeric() {
                        "MEASURE"
                    } else {
                        "DIMENSION"
                    }
                ),
            ));
        }
        if !a.function.applies_to(a.field_type) {
            return Err(ApiError::field(
                &format!("{at}.function"),
                "measures take SUM, MIN, MAX, COUNT, LATEST or MEAN; dimensions COUNT or UNIQUE",
            ));
        }
        let mut column = a.column();
        if !columns.insert(column.clone()) {
            column = format!("{column}@{}", a.meter_id);
            columns.insert(column.clone());
        }
        aggs.push(AggPlan {
            meter_id: a.meter_id.clone(),
            path,
            function: a.function,
            column,
            numeric: cat.is_numeric(),
        });
    }
    let mut groups = Vec::new();
    for (i, g) in q.groups.iter().enumerate() {
        groups.push(match g {
            UsageGroup::Account => GroupPlan::Account,
            UsageGroup::Time { frequency } => GroupPlan::Time(*frequency),
            UsageGroup::Dimension { meter_id, field_code } => {
                let at = format!("groups[{i}]");
                let (cat, path) = resolve(meter, &at, meter_id, field_code)?;
                if cat.is_numeric() || cat == DataFieldCategory::Metadata {
                    return Err(ApiError::field(
                        &format!("{at}.fieldCode"),
                        format!("{field_code:?} is a {cat} field: group by a WHO, WHERE, WHAT or OTHER field"),
                    ));
                }
                // Two meters' fields of one code would share a column: the later one is
                // named `code@<meterId>`, as aggregation columns are.
                let mut column = field_code.clone();
                if !columns.insert(column.clone()) {
                    column = format!("{field_code}@{meter_id}");
                    columns.insert(column.clone());
                }
                GroupPlan::Dimension {
                    meter_id: meter_id.clone(),
                    path,
                    column,
                }
            }
        });
    }
    Ok(UsagePlan {
        from_ms,
        to_ms,
        meter_ids: q.meter_ids.clone(),
        account_ids: q.account_ids.clone(),
        dims,
        aggs,
        groups,
        limit: limit as usize,
    })
}
