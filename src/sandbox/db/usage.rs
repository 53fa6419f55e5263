//! SQL of `POST /usage/query`: filters, groups and aggregations computed by SQLite over the
//! `measurements` table (indexed on `(org, ts_ms)` and `(org, meter_id, ts_ms)`), never by
//! loading rows into memory. Bodies are stored as JSONB, so `json_extract` reads a value
//! without parsing JSON text (rows written by an older sandbox are text and read the same). Field values are read with `json_extract` on the stored body, at
//! paths the HTTP layer resolved from the meters' definitions; every value is a bound
//! parameter.

use super::handle::Db;
use super::rollup::latest_key;
use crate::m3ter::{AggregationFunction, TimeFrequency};
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

/// A dimension filter: rows of `meter_id` must have one of `values` at `path`; rows of other
/// meters are not affected.
pub struct DimFilter {
    pub meter_id: String,
    pub path: String,
    pub values: Vec<String>,
}

pub struct AggPlan {
    pub meter_id: String,
    pub path: String,
    pub function: AggregationFunction,
    /// The result column (`sum(calls)`).
    pub column: String,
    /// A MEASURE, INCOME or COST field (its values are numbers, kept in the hourly rollups).
    pub numeric: bool,
}

pub enum GroupPlan {
    Account,
    Time(TimeFrequency),
    Dimension {
        meter_id: String,
        path: String,
        column: String,
    },
}

/// A checked usage query.
pub struct UsagePlan {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub meter_ids: Vec<String>,
    pub account_ids: Vec<String>,
    pub dims: Vec<DimFilter>,
    pub aggs: Vec<AggPlan>,
    pub groups: Vec<GroupPlan>,
    pub limit: usize,
}

/// Raw rows for a query without aggregations: `(body, meter_id, account_id)`.
pub type RawUsageRow = (String, Option<String>, Option<String>);

pub(super) struct Args(pub Vec<SqlValue>);

impl Args {
    pub(super) fn push(&mut self, v: impl Into<SqlValue>) -> String {
        self.0.push(v.into());
        format!("?{}", self.0.len())
    }
}

const DAY_MS: i64 = 86_400_000;

impl UsagePlan {
    /// The meters whose rows the query reads: those asked for, else (with aggregations) the
    /// aggregations' own meters.
    pub(super) fn meters(&self) -> Vec<&str> {
        let mut meters: Vec<&str> = self.meter_ids.iter().map(String::as_str).collect();
        if !self.aggs.is_empty() && meters.is_empty() {
            // Aggregations only read their own meters' rows.
            meters = self.aggs.iter().map(|x| x.meter_id.as_str()).collect();
        }
        meters
    }

    pub(super) fn filters(&self, a: &mut Args, org: &str) -> String {
        let mut w = format!("org = {} AND ts_ms IS NOT NULL", a.push(org.to_string()));
        if let Some(f) = self.from_ms {
            w += &format!(" AND ts_ms >= {}", a.push(f));
        }
        if let Some(t) = self.to_ms {
            w += &format!(" AND ts_ms < {}", a.push(t));
        }
        let meters = self.meters();
        for (col, list) in [
            ("meter_id", &meters),
            (
                "account_id",
                &self.account_ids.iter().map(String::as_str).collect(),
            ),
        ] {
            if !list.is_empty() {
                let ph: Vec<String> = list.iter().map(|v| a.push(v.to_string())).collect();
                w += &format!(" AND {col} IN ({})", ph.join(", "));
            }
        }
        for d in &self.dims {
            let m = a.push(d.meter_id.clone());
            let p = a.push(d.path.clone());
            let vs: Vec<String> = d.values.iter().map(|v| a.push(v.clone())).collect();
            w += &format!(
                " AND (meter_id <> {m} OR json_extract(body, {p}) IN ({}))",
                vs.join(", ")
            );
        }
        w
    }
}

/// The start of the `f` bucket of the epoch-ms column `col`, in SQL.
pub(super) fn time_bucket(col: &str, f: TimeFrequency) -> String {
    let floor =
        |d: i64, offset: i64| format!("({col} - (((({col} - {offset}) % {d}) + {d}) % {d}))");
    match f {
        TimeFrequency::Hour => floor(3_600_000, 0),
        TimeFrequency::Day => floor(DAY_MS, 0),
        // 1970-01-05 was a Monday: weeks start on Mondays (ISO 8601).
        TimeFrequency::Week => floor(7 * DAY_MS, 4 * DAY_MS),
        TimeFrequency::Month => format!(
            "(CAST(strftime('%s', {col} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000)"
        ),
        TimeFrequency::Quarter => format!("(CAST(strftime('%s', {col} / 1000, 'unixepoch', 'start of month', \
             printf('-%d months', (CAST(strftime('%m', {col} / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) * 1000)"),
    }
}

impl Db<'_> {
    /// Newest-first measurements (no aggregations), at most `limit + 1` rows.
    pub fn usage_rows(&self, plan: &UsagePlan) -> rusqlite::Result<Vec<RawUsageRow>> {
        let mut a = Args(Vec::new());
        let w = plan.filters(&mut a, self.org);
        let lim = a.push((plan.limit + 1) as i64);
        let sql = format!(
            "SELECT json(body), meter_id, account_id FROM measurements WHERE {w}
             ORDER BY ts_ms DESC, seq DESC LIMIT {lim}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(a.0), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect()
    }

    /// Aggregated rows, most recent group first, at most `limit + 1`: from the hourly rollups
    /// when the plan allows it (see `usage_fast`), else from the stored bodies.
    pub fn usage_aggregate(&self, plan: &UsagePlan) -> rusqlite::Result<Vec<Map<String, Value>>> {
        match self.usage_rollup_aggregate(plan)? {
            Some(rows) => Ok(rows),
            None => self.usage_exact_aggregate(plan),
        }
    }

    /// The exact path: every value read out of the stored bodies.
    pub fn usage_exact_aggregate(
        &self,
        plan: &UsagePlan,
    ) -> rusqlite::Result<Vec<Map<String, Value>>> {
        let mut a = Args(Vec::new());
        let mut select = Vec::new();
        let mut group_by = Vec::new();
        for (i, g) in plan.groups.iter().enumerate() {
            match g {
                GroupPlan::Account => {
                    select.push(format!("account_id AS g{i}"));
                    select.push(format!("MAX(account) AS g{i}_code"));
                    group_by.push(format!("g{i}"));
                }
                GroupPlan::Time(f) => {
                    select.push(format!("{} AS g{i}", time_bucket("ts_ms", *f)));
                    group_by.push(format!("g{i}"));
                }
                GroupPlan::Dimension { meter_id, path, .. } => {
                    let m = a.push(meter_id.clone());
                    let p = a.push(path.clone());
                    select.push(format!(
                        "CASE WHEN meter_id = {m} THEN json_extract(body, {p}) END AS g{i}"
                    ));
                    group_by.push(format!("g{i}"));
                }
            }
        }
        for (j, ag) in plan.aggs.iter().enumerate() {
            let m = a.push(ag.meter_id.clone());
            let p = a.push(ag.path.clone());
            let v = format!("CASE WHEN meter_id = {m} THEN json_extract(body, {p}) END");
            let e = match ag.function {
                AggregationFunction::Sum => format!("SUM({v})"),
                AggregationFunction::Min => format!("MIN({v})"),
                AggregationFunction::Max => format!("MAX({v})"),
                AggregationFunction::Mean => format!("AVG({v})"),
                AggregationFunction::Count => format!("COUNT({v})"),
                AggregationFunction::Unique => format!("COUNT(DISTINCT {v})"),
                AggregationFunction::Latest => format!(
                    "substr(MAX(CASE WHEN meter_id = {m} AND json_extract(body, {p}) IS NOT NULL
                       THEN {} END), 41)",
                    latest_key("ts_ms", "seq", &format!("json_extract(body, {p})"))
                ),
            };
            select.push(format!("{e} AS a{j}"));
        }
        let w = plan.filters(&mut a, self.org);
        let lim = a.push((plan.limit + 1) as i64);
        let group = if group_by.is_empty() {
            String::new()
        } else {
            format!("GROUP BY {}", group_by.join(", "))
        };
        let sql = format!(
            "SELECT {} FROM measurements WHERE {w} {group}
             HAVING COUNT(*) > 0 ORDER BY MAX(ts_ms) DESC, MAX(seq) DESC LIMIT {lim}",
            select.join(", ")
        );
        self.aggregate_rows(plan, &sql, a.0)
    }

    /// Runs an aggregation query whose columns are the plan's groups, then its aggregations.
    pub(super) fn aggregate_rows(
        &self,
        plan: &UsagePlan,
        sql: &str,
        args: Vec<SqlValue>,
    ) -> rusqlite::Result<Vec<Map<String, Value>>> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Map::new();
            let mut col = 0;
            for g in &plan.groups {
                match g {
                    GroupPlan::Account => {
                        row.insert("accountId".into(), sql_json(r.get(col)?));
                        row.insert("account".into(), sql_json(r.get(col + 1)?));
                        col += 2;
                    }
                    GroupPlan::Time(_) => {
                        let ms: Option<i64> = r.get(col)?;
                        row.insert("time".into(), ms.map(rfc3339).into());
                        col += 1;
                    }
                    GroupPlan::Dimension { column, .. } => {
                        row.insert(column.clone(), sql_json(r.get(col)?));
                        col += 1;
                    }
                }
            }
            for ag in &plan.aggs {
                let v: SqlValue = r.get(col)?;
                let v = match (ag.function, v) {
                    (AggregationFunction::Latest, SqlValue::Text(t)) => {
                        match serde_json::from_str::<Value>(&t).unwrap_or(Value::Null) {
                            Value::Number(n) => sql_json(SqlValue::Real(n.as_f64().unwrap_or(0.0))),
                            other => other,
                        }
                    }
                    (_, v) => sql_json(v),
                };
                row.insert(ag.column.clone(), v);
                col += 1;
            }
            out.push(row);
        }
        Ok(out)
    }
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A SQLite value as JSON (whole reals stay whole: `3`, not `3.0`).
fn sql_json(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => i.into(),
        SqlValue::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).into(),
        SqlValue::Real(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        SqlValue::Text(s) => s.into(),
        SqlValue::Blob(_) => Value::Null,
    }
}
