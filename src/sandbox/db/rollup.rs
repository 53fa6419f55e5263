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
//! Rows are added by [`catch_up`] in the same transaction that stores the measurements
//! (enrichment, strict ingest), from the rows past the mark kept in `meta`
//! (`usage_hourly_through`), with the same `json_each`/`json_extract` reading of the stored body
//! the raw query uses; a database made before this table existed is rolled up once at open.
//! Measurements are never updated or deleted, so the rollups never need to be taken apart.
//!
//! Decision: sums are kept as REAL so a huge integer can never make the enrichment fail with
//! "integer overflow"; results are the same for sums below 2^53 (whole reals come out whole),
//! and a sum of fractional values may differ from the raw path's in the last binary digit
//! (summed per hour, then across hours).

use rusqlite::{params, Connection, OptionalExtension};

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

/// Rolls up every measurement stored since the last call (run inside the writing transaction).
pub fn catch_up(conn: &Connection) -> rusqlite::Result<()> {
    let done: i64 = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([MARK], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let last: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM measurements")?
        .query_row([], |r| r.get(0))?;
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
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![MARK, last.to_string()])?;
    Ok(())
}
