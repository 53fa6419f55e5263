//! The schema and the per-connection settings.
//!
//! Entities (products, meters, accounts) live in one table as JSON bodies (the exact response
//! shape) plus the columns the server looks them up by: `code` (unique per org and kind),
//! `product_id`, `parent_id` and `version`. `seq` (an AUTOINCREMENT rowid) is the creation order:
//! lists are newest first by `seq` and page tokens are keyset positions in it, so a token stays
//! valid when rows are inserted between pages.
//!
//! Durability: WAL with `synchronous=FULL`, so a request acknowledged after COMMIT survives a
//! crash. `busy_timeout` covers a second process on the same file.

use rusqlite::Connection;
use std::time::Duration;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    product_id TEXT,
    parent_id TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (org, kind, code)
);
CREATE INDEX IF NOT EXISTS entities_product ON entities (org, kind, product_id);
-- Lists walk (org, kind) newest first by seq (the rowid, implicit at the end of this index);
-- without it SQLite picks the (org, kind, code) index and sorts every row for each page.
CREATE INDEX IF NOT EXISTS entities_kind ON entities (org, kind);
-- Account search sorted by name (the expression must match search::field_expr).
CREATE INDEX IF NOT EXISTS entities_name ON entities (org, kind, json_extract(body, '$.name'));
CREATE INDEX IF NOT EXISTS entities_parent ON entities (org, kind, parent_id);
CREATE TABLE IF NOT EXISTS measurements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    uid TEXT,
    meter TEXT NOT NULL,
    account TEXT NOT NULL,
    ts TEXT NOT NULL,
    received TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS measurements_uid ON measurements (org, uid);
CREATE INDEX IF NOT EXISTS measurements_account ON measurements (org, account);
";

/// Settings every connection needs, and the SQL functions search uses.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    super::search::register(conn)
}

/// The writer's settings and the schema.
pub fn init_writer(conn: &Connection) -> rusqlite::Result<()> {
    configure(conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    super::ingest_schema::init(conn)
}
