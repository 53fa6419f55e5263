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
-- Account search `~` on name and code: a full-text index of their words (runs of letters and
-- digits, case-folded, accents kept), rowid = entities.seq, kept in step by triggers so every
-- write path (CRUD, ingest auto-creation) updates it.
CREATE VIRTUAL TABLE IF NOT EXISTS accounts_fts USING fts5(
    name, code, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER IF NOT EXISTS accounts_fts_insert AFTER INSERT ON entities
WHEN new.kind = 'account' BEGIN
    INSERT INTO accounts_fts (rowid, name, code)
    VALUES (new.seq, json_extract(new.body, '$.name'), new.code);
END;
CREATE TRIGGER IF NOT EXISTS accounts_fts_update AFTER UPDATE ON entities
WHEN new.kind = 'account' BEGIN
    DELETE FROM accounts_fts WHERE rowid = old.seq;
    INSERT INTO accounts_fts (rowid, name, code)
    VALUES (new.seq, json_extract(new.body, '$.name'), new.code);
END;
CREATE TRIGGER IF NOT EXISTS accounts_fts_delete AFTER DELETE ON entities
WHEN old.kind = 'account' BEGIN
    DELETE FROM accounts_fts WHERE rowid = old.seq;
END;
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
-- The measurement listing filtered by meter walks this newest first (the rowid ends the index).
CREATE INDEX IF NOT EXISTS measurements_meter ON measurements (org, meter);
";

/// The writer's page cache, in KiB.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// WAL pages after which a commit checkpoints (64 MiB of 4 KiB pages).
const WAL_CHECKPOINT_PAGES: i64 = 16_384;

/// Settings every connection needs, and the SQL functions search uses.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    super::search::register(conn)
}

/// The writer's settings and the schema. A database made before the search index existed gets
/// the index filled from its accounts once.
pub fn init_writer(conn: &Connection) -> rusqlite::Result<()> {
    configure(conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The enrichment inserts into indexes keyed by random uids: with SQLite's default 2 MB
    // page cache most of its time went to reading index pages back through syscalls. The cache
    // grows only as pages are used.
    conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
    // Each enrichment commit dirties thousands of index pages; checkpointing every 1000 WAL
    // pages (SQLite's default) copied them all back into the database after nearly every
    // commit. A larger WAL lets a page changed by many commits be copied once.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
    conn.pragma_update(None, "journal_size_limit", WAL_CHECKPOINT_PAGES * 4096)?;
    let had_index: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'accounts_fts')",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch(SCHEMA)?;
    if !had_index {
        conn.execute(
            "INSERT INTO accounts_fts (rowid, name, code)
             SELECT seq, json_extract(body, '$.name'), code FROM entities WHERE kind = 'account'",
            [],
        )?;
    }
    super::ingest_schema::init(conn)
}
