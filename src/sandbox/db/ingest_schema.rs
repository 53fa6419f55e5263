//! The tables and columns of the asynchronous ingest, events, usage queries and file uploads.
//!
//! `measurements` gains the columns the enrichment fills and the usage query filters and groups
//! on (`meter_id`, `account_id`, `ts_ms`: `ts` as epoch milliseconds); a database made by an
//! older sandbox is migrated in place (`ALTER TABLE … ADD COLUMN`, rows keep NULLs there).
//! `ingest_state` holds the enrichment's high-water mark: the last queue batch whose results are
//! committed here, written in the same transaction as those results.

use rusqlite::Connection;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS ingest_state (
    org TEXT PRIMARY KEY,
    enriched_through INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    type TEXT,
    time TEXT NOT NULL,
    actioned TEXT,
    account_id TEXT,
    resource_id TEXT,
    body TEXT NOT NULL,
    log TEXT
);
CREATE INDEX IF NOT EXISTS events_name ON events (org, name);
CREATE INDEX IF NOT EXISTS events_account ON events (org, account_id);
CREATE TABLE IF NOT EXISTS upload_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_length INTEGER NOT NULL,
    created TEXT NOT NULL,
    upload_date TEXT,
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL DEFAULT 0,
    processed_rows INTEGER NOT NULL DEFAULT 0,
    failed_rows INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    original BLOB
);
CREATE TABLE IF NOT EXISTS signed_links (
    token TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    purpose TEXT NOT NULL,
    target TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
";

/// Columns added to `measurements`, with their types.
const MEASUREMENT_COLUMNS: [(&str, &str); 3] = [
    ("meter_id", "TEXT"),
    ("account_id", "TEXT"),
    ("ts_ms", "INTEGER"),
];

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS measurements_period ON measurements (org, ts_ms);
CREATE INDEX IF NOT EXISTS measurements_meter_period ON measurements (org, meter_id, ts_ms);
CREATE INDEX IF NOT EXISTS entities_code_nocase ON entities (org, kind, code COLLATE NOCASE);
";

/// Creates or migrates everything above (idempotent; run by the writer at open).
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TABLES)?;
    let have: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('measurements')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (col, ty) in MEASUREMENT_COLUMNS {
        if !have.iter().any(|h| h == col) {
            conn.execute_batch(&format!("ALTER TABLE measurements ADD COLUMN {col} {ty}"))?;
        }
    }
    conn.execute_batch(INDEXES)?;
    conn.execute_batch(super::rollup::TABLE)?;
    super::rollup::catch_up(conn)
}
