//! A usage query's rows as a table, a CSV file and series over time.
//!
//! m3ter does not publish the shape of a usage query's rows, so nothing here assumes one: nested
//! objects are flattened to `parent.child` columns (a raw measurement's `measure.calls`), columns
//! keep the order in which they first appear, the time column is the first whose every value is a
//! date-time, and every column whose values are all numbers can be charted.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Rows flattened to text cells under one set of columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageTable {
    pub columns: Vec<String>,
    /// One cell per column; an empty string where a row has no value.
    pub rows: Vec<Vec<String>>,
    /// Per column: every non-empty value is a number.
    pub numeric: Vec<bool>,
    /// The first column whose every non-empty value is a date or a date-time.
    pub time_column: Option<usize>,
}

/// One numeric column summed per point in time, oldest first (for a chart).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub column: String,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

impl UsageTable {
    pub fn from_rows(rows: &[Map<String, Value>]) -> Self {
        let mut columns: Vec<String> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut flat_rows = Vec::with_capacity(rows.len());
        for row in rows {
            let mut flat = Vec::new();
            flatten("", row, &mut flat);
            for (k, _) in &flat {
                if !index.contains_key(k) {
                    index.insert(k.clone(), columns.len());
                    columns.push(k.clone());
                }
            }
            flat_rows.push(flat);
        }
        let mut cells = vec![vec![String::new(); columns.len()]; rows.len()];
        let mut numeric = vec![true; columns.len()];
        let mut timeish = vec![true; columns.len()];
        let mut filled = vec![false; columns.len()];
        for (r, flat) in flat_rows.into_iter().enumerate() {
            for (k, v) in flat {
                let c = index[&k];
                let text = match &v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    filled[c] = true;
                    numeric[c] &= v.is_number();
                    timeish[c] &= parse_time(&text).is_some();
                }
                cells[r][c] = text;
            }
        }
        for c in 0..columns.len() {
            numeric[c] &= filled[c];
        }
        let time_column = (0..columns.len()).find(|&c| filled[c] && timeish[c] && !numeric[c]);
        Self {
            columns,
            rows: cells,
            numeric,
            time_column,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as CSV (header row first), for an export file.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).expect("writing to memory");
        for row in &self.rows {
            w.write_record(row).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
    }

    /// Renames columns; `rename` returns the new name of those it changes (the explorer turns
    /// `sum(gb)@<meter id>` into `sum(gb)@<meter code>`).
    pub fn rename_columns(&mut self, rename: impl Fn(&str) -> Option<String>) {
        for c in &mut self.columns {
            if let Some(n) = rename(c) {
                *c = n;
            }
        }
    }

    /// Moves the id columns (`accountId`, `meterId`) last: the codes beside them say the same
    /// to a person (the explorer's table; the CLI keeps m3ter's order).
    pub fn ids_last(&mut self) {
        let mut order: Vec<usize> = (0..self.columns.len()).collect();
        order.sort_by_key(|&c| is_id(&self.columns[c]));
        let pick = |v: &[String]| order.iter().map(|&c| v[c].clone()).collect::<Vec<_>>();
        self.columns = pick(&self.columns);
        for r in &mut self.rows {
            *r = pick(r);
        }
        self.numeric = order.iter().map(|&c| self.numeric[c]).collect();
        self.time_column = self
            .time_column
            .and_then(|t| order.iter().position(|&c| c == t));
    }

    /// The columns of an aggregated result that name its groups: not numeric, not the time
    /// column, not an id (`accountId` beside the account's code), and not a column empty in
    /// every row (an aggregation with nothing to aggregate, e.g. `sum(storage_cost)` when no
    /// measurement had a cost: it names no group).
    pub fn key_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&c| {
                !self.numeric[c]
                    && Some(c) != self.time_column
                    && !is_id(&self.columns[c])
                    && self.rows.iter().any(|r| !r[c].is_empty())
            })
            .collect()
    }

    fn numeric_columns(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.columns.len()).filter(|&c| self.numeric[c])
    }

    /// The distinct points in time of the rows.
    pub fn time_points(&self) -> usize {
        let Some(tc) = self.time_column else { return 0 };
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.rows {
            if let Some(t) = parse_time(&r[tc]) {
                seen.insert(t);
            }
        }
        seen.len()
    }

    /// What the key columns of a row say (`ACME · eu`); empty without keys.
    fn key_of(&self, row: &[String], keys: &[usize]) -> String {
        keys.iter()
            .map(|&k| row[k].as_str())
            .map(|v| if v.is_empty() { "—" } else { v })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Every numeric column as series over the time column, one per distinct value of the `keys`
    /// columns (`sum(gb) · ACME`); values at the same time summed, so raw measurements add up
    /// per instant. Empty without a time column.
    pub fn series(&self, keys: &[usize]) -> Vec<Series> {
        let Some(tc) = self.time_column else {
            return Vec::new();
        };
        let mut out: Vec<(String, BTreeMap<DateTime<Utc>, f64>)> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for c in self.numeric_columns() {
            for row in &self.rows {
                let (Some(t), Ok(v)) = (parse_time(&row[tc]), row[c].parse::<f64>()) else {
                    continue;
                };
                let key = self.key_of(row, keys);
                let name = if key.is_empty() {
                    self.columns[c].clone()
                } else {
                    format!("{} · {key}", self.columns[c])
                };
                let i = *index.entry(name.clone()).or_insert_with(|| {
                    out.push((name, BTreeMap::new()));
                    out.len() - 1
                });
                *out[i].1.entry(t).or_default() += v;
            }
        }
        out.into_iter()
            .map(|(column, sums)| Series {
                column,
                points: sums.into_iter().collect(),
            })
            .collect()
    }

    /// Bars: one category per distinct value of the `keys` columns (or per point in time
    /// without keys, or one `total`), in row order, each with the sum of every numeric column
    /// (named by [`UsageTable::numeric_names`]).
    pub fn categories(&self, keys: &[usize]) -> Vec<(String, Vec<f64>)> {
        let numeric: Vec<usize> = self.numeric_columns().collect();
        let mut out: Vec<(String, Vec<f64>)> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for row in &self.rows {
            let mut key = self.key_of(row, keys);
            if key.is_empty() {
                key = match self.time_column {
                    Some(tc) => row[tc].clone(),
                    None => "total".into(),
                };
            }
            let i = *index.entry(key.clone()).or_insert_with(|| {
                out.push((key, vec![0.0; numeric.len()]));
                out.len() - 1
            });
            for (n, &c) in numeric.iter().enumerate() {
                out[i].1[n] += row[c].parse::<f64>().unwrap_or(0.0);
            }
        }
        out
    }

    /// The names of the numeric columns, in the order [`UsageTable::categories`] sums them.
    pub fn numeric_names(&self) -> Vec<String> {
        self.numeric_columns()
            .map(|c| self.columns[c].clone())
            .collect()
    }

    /// The sum of a numeric column over every row (e.g. to check what was sent).
    pub fn total(&self, column: &str) -> Option<f64> {
        let c = self.columns.iter().position(|k| k == column)?;
        Some(
            self.rows
                .iter()
                .filter_map(|r| r[c].parse::<f64>().ok())
                .sum(),
        )
    }
}

/// An id column (`accountId`): opaque to a person, kept for the export.
fn is_id(column: &str) -> bool {
    column.ends_with("Id")
}

fn flatten(prefix: &str, obj: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten(&key, inner, out),
            Value::Object(_) => {}
            Value::Array(_) => out.push((key, Value::String(v.to_string()))),
            _ => out.push((key, v.clone())),
        }
    }
}

/// An RFC 3339 date-time, or a plain date (midnight UTC).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<Map<String, Value>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn raw_measurements_flatten_to_category_columns() {
        let t = UsageTable::from_rows(&rows(json!([
            {"uid": "u2", "ts": "2026-11-25T10:00:00Z", "account": "A", "measure": {"calls": 3}},
            {"uid": "u1", "ts": "2026-11-25T09:00:00Z", "account": "B", "measure": {"calls": 4.5, "gb": 1},
             "who": {"user": "x"}}
        ])));
        assert_eq!(
            t.columns,
            [
                "uid",
                "ts",
                "account",
                "measure.calls",
                "measure.gb",
                "who.user"
            ]
        );
        assert_eq!(t.rows[0], ["u2", "2026-11-25T10:00:00Z", "A", "3", "", ""]);
        assert_eq!(t.numeric, [false, false, false, true, true, false]);
        assert_eq!(t.time_column, Some(1));
        assert_eq!(t.total("measure.calls"), Some(7.5));
    }

    #[test]
    fn series_sum_per_time_oldest_first() {
        let t = UsageTable::from_rows(&rows(json!([
            {"time": "2026-11-25", "account": "A", "sum(calls)": 3},
            {"time": "2026-11-25", "account": "B", "sum(calls)": 4},
            {"time": "2026-11-24", "account": "A", "sum(calls)": 1}
        ])));
        let s = t.series(&[]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].column, "sum(calls)");
        let values: Vec<f64> = s[0].points.iter().map(|p| p.1).collect();
        assert_eq!(values, [1.0, 7.0]);
        // One series per account.
        let keys = t.key_columns();
        assert_eq!(keys, [1]);
        let s = t.series(&keys);
        let names: Vec<&str> = s.iter().map(|s| s.column.as_str()).collect();
        assert_eq!(names, ["sum(calls) · A", "sum(calls) · B"]);
        assert_eq!(s[0].points.len(), 2);
        assert_eq!(t.time_points(), 2);
    }

    #[test]
    fn an_aggregation_empty_in_every_row_names_no_group() {
        let t = UsageTable::from_rows(&rows(json!([
            {"time": "2026-11-25", "account": "A", "sum(calls)": 3, "sum(cost)": null},
            {"time": "2026-11-24", "account": "B", "sum(calls)": 1, "sum(cost)": null}
        ])));
        assert_eq!(t.key_columns(), [1]);
        let names: Vec<String> = t
            .series(&t.key_columns())
            .into_iter()
            .map(|s| s.column)
            .collect();
        assert_eq!(names, ["sum(calls) · A", "sum(calls) · B"]);
    }

    #[test]
    fn categories_sum_per_key_in_row_order() {
        let t = UsageTable::from_rows(&rows(json!([
            {"accountId": "a1", "account": "B", "region": "eu", "sum(calls)": 3, "max(gb)": 1.5},
            {"accountId": "a2", "account": "A", "region": "eu", "sum(calls)": 4, "max(gb)": 2},
            {"accountId": "a1", "account": "B", "region": "eu", "sum(calls)": 1}
        ])));
        let keys = t.key_columns();
        assert_eq!(keys, [1, 2], "accountId is not a key");
        assert_eq!(t.numeric_names(), ["sum(calls)", "max(gb)"]);
        assert_eq!(
            t.categories(&keys),
            [
                ("B · eu".to_string(), vec![4.0, 1.5]),
                ("A · eu".to_string(), vec![4.0, 2.0])
            ]
        );
        // Without keys or time: one total.
        let t = UsageTable::from_rows(&rows(json!([{"sum(calls)": 3}])));
        assert_eq!(t.categories(&[]), [("total".to_string(), vec![3.0])]);
    }

    #[test]
    fn ids_go_last_with_their_cells() {
        let mut t = UsageTable::from_rows(&rows(json!([
            {"accountId": "a1", "time": "2026-11-25", "account": "A", "sum(calls)": 3}
        ])));
        t.ids_last();
        assert_eq!(t.columns, ["time", "account", "sum(calls)", "accountId"]);
        assert_eq!(t.rows[0], ["2026-11-25", "A", "3", "a1"]);
        assert_eq!(t.numeric, [false, false, true, false]);
        assert_eq!(t.time_column, Some(0));
    }

    #[test]
    fn columns_can_be_renamed() {
        let mut t = UsageTable::from_rows(&rows(json!([{"sum(gb)": 1, "sum(gb)@m2": 2}])));
        t.rename_columns(|c| c.strip_suffix("@m2").map(|b| format!("{b}@storage")));
        assert_eq!(t.columns, ["sum(gb)", "sum(gb)@storage"]);
    }

    #[test]
    fn no_time_column_no_series() {
        let t = UsageTable::from_rows(&rows(json!([{"account": "A", "sum(calls)": 3}])));
        assert_eq!(t.time_column, None);
        assert!(t.series(&[]).is_empty());
        assert_eq!(t.time_points(), 0);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let t = UsageTable::from_rows(&rows(json!([{"who": {"user": "a,b"}, "n": 1}])));
        assert_eq!(t.to_csv(), "who.user,n\n\"a,b\",1\n");
    }
}
