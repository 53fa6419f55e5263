//! SQLite persistence: one connection behind a mutex, used from `spawn_blocking`.
//!
//! Entities (products, meters, accounts) live in one table as JSON bodies (the exact response
//! shape) plus the columns the server looks them up by: `code` (unique per org and kind),
//! `product_id`, `parent_id` and `version`. `seq` (an AUTOINCREMENT rowid) is the creation order:
//! lists are newest first by `seq` and page tokens are keyset positions in it, so a token stays
//! valid when rows are inserted between pages (README ambiguity 20).
//!
//! Durability: WAL with `synchronous=FULL`, so a request acknowledged after COMMIT survives a
//! crash. A single connection serialises writers, so there are no "database is locked" errors
//! inside one process; `busy_timeout` covers a second process on the same file.

use super::error::{ApiError, ApiResult};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

const SCHEMA: &str = "
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
-- Account search sorted by name (the expression must match search_sql::field_expr).
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

/// Which entity table rows a query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Product,
    Meter,
    Account,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Meter => "meter",
            Kind::Account => "account",
        }
    }

    /// m3ter's entity name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Product => "Product",
            Kind::Meter => "Meter",
            Kind::Account => "Account",
        }
    }
}

/// The indexed columns of one entity row.
#[derive(Debug, Clone, Default)]
pub struct Cols {
    pub id: String,
    pub code: String,
    pub product_id: Option<String>,
    pub parent_id: Option<String>,
    pub version: i64,
}

/// List filters; an empty list means "no filter".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub ids: Vec<String>,
    pub codes: Vec<String>,
    pub product_ids: Vec<String>,
    pub parent_id: Option<String>,
}

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating parent directories and the schema) the database; returns the store and
    /// whether the file was new (no schema marker yet).
    pub fn open(path: &Path) -> anyhow::Result<(Self, bool)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        super::search_sql::register(&conn)?;
        let created: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'created'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok((
            Self {
                conn: Mutex::new(conn),
            },
            created.is_none(),
        ))
    }

    /// Marks the database as initialised (after the optional demo seed).
    pub fn mark_created(&self, now: &str) -> anyhow::Result<()> {
        self.lock().execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?1)",
            [now],
        )?;
        Ok(())
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&mut store.lock()))
            .await
            .map_err(|e| ApiError::internal(format!("sandbox worker failed: {e}")))?
    }
}

/// One column of the entity with `key_col = value` (`key_col` and `select` are fixed names from
/// the callers below, never user input).
fn lookup(
    conn: &Connection,
    select: &str,
    key_col: &str,
    kind: Kind,
    org: &str,
    value: &str,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        &format!("SELECT {select} FROM entities WHERE kind = ?1 AND org = ?2 AND {key_col} = ?3"),
        params![kind.as_str(), org, value],
        |r| r.get(0),
    )
    .optional()
}

pub fn get(conn: &Connection, kind: Kind, org: &str, id: &str) -> rusqlite::Result<Option<String>> {
    lookup(conn, "body", "id", kind, org, id)
}

pub fn get_by_code(
    conn: &Connection,
    kind: Kind,
    org: &str,
    code: &str,
) -> rusqlite::Result<Option<String>> {
    lookup(conn, "body", "code", kind, org, code)
}

/// The id of the entity holding `code`, if any.
pub fn id_for_code(
    conn: &Connection,
    kind: Kind,
    org: &str,
    code: &str,
) -> rusqlite::Result<Option<String>> {
    lookup(conn, "id", "code", kind, org, code)
}

pub fn insert(
    conn: &Connection,
    kind: Kind,
    org: &str,
    c: &Cols,
    body: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO entities (kind, org, id, code, product_id, parent_id, version, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            kind.as_str(),
            org,
            c.id,
            c.code,
            c.product_id,
            c.parent_id,
            c.version,
            body
        ],
    )?;
    Ok(())
}

/// Replaces a row's columns and body; returns whether it existed.
pub fn replace(
    conn: &Connection,
    kind: Kind,
    org: &str,
    c: &Cols,
    body: &str,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE entities SET code = ?4, product_id = ?5, parent_id = ?6, version = ?7, body = ?8
         WHERE kind = ?1 AND org = ?2 AND id = ?3",
        params![
            kind.as_str(),
            org,
            c.id,
            c.code,
            c.product_id,
            c.parent_id,
            c.version,
            body
        ],
    )?;
    Ok(n == 1)
}

pub fn delete(conn: &Connection, kind: Kind, org: &str, id: &str) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM entities WHERE kind = ?1 AND org = ?2 AND id = ?3",
        params![kind.as_str(), org, id],
    )?;
    Ok(n == 1)
}

/// How many `kind` rows reference `value` in `product_id` or `parent_id`.
pub fn count_refs(
    conn: &Connection,
    kind: Kind,
    org: &str,
    by_product: bool,
    value: &str,
) -> rusqlite::Result<i64> {
    let col = if by_product {
        "product_id"
    } else {
        "parent_id"
    };
    conn.query_row(
        &format!("SELECT COUNT(*) FROM entities WHERE kind = ?1 AND org = ?2 AND {col} = ?3"),
        params![kind.as_str(), org, value],
        |r| r.get(0),
    )
}

/// Newest-first rows `(seq, body)` older than `before` (a keyset position), at most `limit`.
pub fn list(
    conn: &Connection,
    kind: Kind,
    org: &str,
    filter: &Filter,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut sql = String::from("SELECT seq, body FROM entities WHERE kind = ? AND org = ?");
    let mut args: Vec<SqlValue> = vec![kind.as_str().to_string().into(), org.to_string().into()];
    for (col, values) in [
        ("id", &filter.ids),
        ("code", &filter.codes),
        ("product_id", &filter.product_ids),
    ] {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(",");
            sql.push_str(&format!(" AND {col} IN ({marks})"));
            args.extend(values.iter().map(|v| SqlValue::from(v.clone())));
        }
    }
    if let Some(p) = &filter.parent_id {
        sql.push_str(" AND parent_id = ?");
        args.push(p.clone().into());
    }
    if let Some(b) = before {
        sql.push_str(" AND seq < ?");
        args.push(b.into());
    }
    sql.push_str(" ORDER BY seq DESC LIMIT ?");
    args.push((limit as i64).into());
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}
