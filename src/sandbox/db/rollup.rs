//! Hourly rollups of the numeric values of stored measurements, so that a usage query
//! aggregating a million measurements reads a few thousand rows instead of a million JSON
//! bodies.
//!
//! `usage_hourly` holds, per (org, meter, UTC hour):
//! - one row with `field = ''`: how many measurements (`n`), their latest `ts_ms` and `seq` —
//!   what decides whether a group exists and how groups are ordered;
//! - one row per numeric value path (`$."measure"."gb"`, the path the usage query resolves):
//!   how many values, their sum (as REAL, see below), min, max and the LATEST sort key with the
//!   value (`%020d%020d` of `ts_ms`, `seq`, then the value as JSON), exactly as the raw query
//!   computes them.
//!
//! The enrichment adds each stored measurement to a [`RollupAcc`] (values it already holds
//! decoded) and flushes it in the same transaction that stores the measurements, then moves the
//! mark kept in `meta` (`usage_hourly_through`, the last `seq` rolled up). [`catch_up`] rolls up
//! rows past the mark from the stored bodies, with the `json_each` reading the raw query uses:
//! at open (a database made before this table existed) and before a flush if rows were stored
//! without being accumulated.
//! Measurements are never updated or deleted, so the rollups never need to be taken apart.
//!
//! Decision: sums are kept as REAL so a huge integer can never make the enrichment fail with
//! "integer overflow"; results are the same for sums below 2^53 (whole reals come out whole),
//! and a sum of fractional values may differ from the raw path's in the last binary digit
//! (summed per hour, then across hours).

use crate::m3ter::NumberValues;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Number;
use std::collections::HashMap;

pub const HOUR_MS: i64 = 3_600_000;

/// The start of `col`'s UTC hour in SQL (a floor that is right for negative times too).
pub fn hour_floor(col: &str) -> String {
    format!("({col} - ((({col} % {HOUR_MS}) + {HOUR_MS}) % {HOUR_MS}))")
}

/// Offset that keeps LATEST's sort key positive for any date after year −1200.
pub const LATEST_OFFSET: i64 = 100_000_000_000_000;

/// LATEST's sortable key of a row's value `v` (text: sort key, then the value as JSON).
pub fn latest_key(ts: &str, seq: &str, v: &str) -> String {
    format!("printf('%020d%020d', {ts} + {LATEST_OFFSET}, {seq}) || json_quote({v})")
}

pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS usage_hourly (
    org TEXT NOT NULL,
    meter_id TEXT NOT NULL,
    bucket_ms INTEGER NOT NULL,
    field TEXT NOT NULL,
    n INTEGER NOT NULL,
    s REAL,
    mn,
    mx,
    latest TEXT,
    max_ts INTEGER,
    max_seq INTEGER,
    PRIMARY KEY (org, meter_id, bucket_ms, field)
) WITHOUT ROWID;
";

const MARK: &str = "usage_hourly_through";

fn mark(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([MARK], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

fn set_mark(conn: &Connection, seq: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![MARK, seq.to_string()])?;
    Ok(())
}

/// Rolls up every measurement stored since the last call (run inside the writing transaction).
pub fn catch_up(conn: &Connection) -> rusqlite::Result<()> {
    let last: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM measurements")?
        .query_row([], |r| r.get(0))?;
    catch_up_through(conn, last)
}

/// Rolls up the stored rows after the mark up to `last`, from their bodies.
fn catch_up_through(conn: &Connection, last: i64) -> rusqlite::Result<()> {
    let done = mark(conn)?;
    if last <= done {
        return Ok(());
    }
    let hour = hour_floor("m.ts_ms");
    conn.prepare_cached(&format!(
        "INSERT INTO usage_hourly (org, meter_id, bucket_ms, field, n, max_ts, max_seq)
         SELECT m.org, m.meter_id, {hour} AS b, '', COUNT(*), MAX(m.ts_ms), MAX(m.seq)
         FROM measurements m
         WHERE m.seq > ?1 AND m.seq <= ?2 AND m.ts_ms IS NOT NULL AND m.meter_id IS NOT NULL
         GROUP BY m.org, m.meter_id, b
         ON CONFLICT DO UPDATE SET n = n + excluded.n,
             max_ts = max(max_ts, excluded.max_ts), max_seq = max(max_seq, excluded.max_seq)"
    ))?
    .execute(params![done, last])?;
    let latest = latest_key("m.ts_ms", "m.seq", "e.value");
    conn.prepare_cached(&format!(
        "INSERT INTO usage_hourly (org, meter_id, bucket_ms, field, n, s, mn, mx, latest)
         SELECT m.org, m.meter_id, {hour} AS b, '$.\"' || c.cat || '\".\"' || e.key || '\"' AS f,
                COUNT(*), SUM(CAST(e.value AS REAL)), MIN(e.value), MAX(e.value), MAX({latest})
         FROM measurements m,
              (SELECT 'measure' AS cat UNION ALL SELECT 'income' UNION ALL SELECT 'cost') c,
              json_each(m.body, '$.' || c.cat) e
         WHERE m.seq > ?1 AND m.seq <= ?2 AND m.ts_ms IS NOT NULL AND m.meter_id IS NOT NULL
           AND e.type IN ('integer', 'real')
         GROUP BY m.org, m.meter_id, b, f
         ON CONFLICT DO UPDATE SET n = n + excluded.n, s = s + excluded.s,
             mn = min(mn, excluded.mn), mx = max(mx, excluded.mx),
             latest = max(latest, excluded.latest)"
    ))?
    .execute(params![done, last])?;
    set_mark(conn, last)
}

/// One rollup row being accumulated.
#[derive(Default)]
struct Acc {
    n: i64,
    s: f64,
    mn: Option<(f64, SqlValue)>,
    mx: Option<(f64, SqlValue)>,
    /// `(ts_ms, seq, value)` of the latest value.
    latest: Option<(i64, i64, SqlValue)>,
    max_ts: i64,
    max_seq: i64,
}

/// The rollup rows of the measurements one transaction stores, keyed by (meter id, hour,
/// field path; `""` for the measurement count), flushed by [`RollupAcc::flush`].
#[derive(Default)]
pub struct RollupAcc {
    rows: HashMap<(String, i64, String), Acc>,
    first_seq: Option<i64>,
    last_seq: i64,
}

/// A JSON number as `json_extract` reads it from a stored body: INTEGER when it is a whole
/// number written without a fraction or exponent that fits 64 bits, else REAL.
fn sql_number(n: &Number) -> (f64, SqlValue) {
    match n.as_i64() {
        Some(i) => (i as f64, SqlValue::Integer(i)),
        None => {
            let f = n.as_f64().unwrap_or(0.0);
            (f, SqlValue::Real(f))
        }
    }
}

impl RollupAcc {
    /// Adds a stored measurement: its row `seq`, `ts_ms`, and numeric values by category key.
    pub fn add<'a>(
        &mut self,
        meter_id: &str,
        ts_ms: i64,
        seq: i64,
        values: impl Iterator<Item = (&'a str, &'a NumberValues)>,
    ) {
        self.first_seq.get_or_insert(seq);
        self.last_seq = self.last_seq.max(seq);
        let bucket = ts_ms - ts_ms.rem_euclid(HOUR_MS);
        let count = self
            .rows
            .entry((meter_id.to_string(), bucket, String::new()))
            .or_default();
        count.n += 1;
        if count.n == 1 || ts_ms > count.max_ts {
            count.max_ts = ts_ms;
        }
        count.max_seq = count.max_seq.max(seq);
        for (cat, map) in values {
            for (code, n) in map {
                let (f, v) = sql_number(n);
                let a = self
                    .rows
                    .entry((
                        meter_id.to_string(),
                        bucket,
                        format!("$.\"{cat}\".\"{code}\""),
                    ))
                    .or_default();
                a.n += 1;
                a.s += f;
                if a.mn.as_ref().is_none_or(|(m, _)| f < *m) {
                    a.mn = Some((f, v.clone()));
                }
                if a.mx.as_ref().is_none_or(|(m, _)| f > *m) {
                    a.mx = Some((f, v.clone()));
                }
                if a.latest
                    .as_ref()
                    .is_none_or(|(t, s, _)| (ts_ms, seq) > (*t, *s))
                {
                    a.latest = Some((ts_ms, seq, v));
                }
            }
        }
    }

    /// Writes the accumulated rows into `usage_hourly` for `org` and moves the mark.
    pub fn flush(&mut self, conn: &Connection, org: &str) -> rusqlite::Result<()> {
        let Some(first) = self.first_seq else {
            return Ok(());
        };
        // Rows stored since the mark but not accumulated here (none, unless a writer forgot):
        // rolled up from their bodies first, so none is missed or counted twice.
        catch_up_through(conn, first - 1)?;
        if mark(conn)? >= first {
            // Already rolled up from the bodies: nothing to add.
            self.rows.clear();
            return Ok(());
        }
        let mut counts = conn.prepare_cached(
            "INSERT INTO usage_hourly (org, meter_id, bucket_ms, field, n, max_ts, max_seq)
             VALUES (?1, ?2, ?3, '', ?4, ?5, ?6)
             ON CONFLICT DO UPDATE SET n = n + excluded.n,
                 max_ts = max(max_ts, excluded.max_ts), max_seq = max(max_seq, excluded.max_seq)",
        )?;
        let mut values = conn.prepare_cached(&format!(
            "INSERT INTO usage_hourly (org, meter_id, bucket_ms, field, n, s, mn, mx, latest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {})
             ON CONFLICT DO UPDATE SET n = n + excluded.n, s = s + excluded.s,
                 mn = min(mn, excluded.mn), mx = max(mx, excluded.mx),
                 latest = max(latest, excluded.latest)",
            latest_key("?9", "?10", "?11")
        ))?;
        for ((meter, bucket, field), a) in self.rows.drain() {
            if field.is_empty() {
                counts.execute(params![org, meter, bucket, a.n, a.max_ts, a.max_seq])?;
            } else {
                let (Some((_, mn)), Some((_, mx)), Some((lt, ls, lv))) = (a.mn, a.mx, a.latest)
                else {
                    continue;
                };
                values.execute(params![
                    org, meter, bucket, field, a.n, a.s, mn, mx, lt, ls, lv
                ])?;
            }
        }
        set_mark(conn, self.last_seq)?;
        self.first_seq = None;
        Ok(())
    }
}
