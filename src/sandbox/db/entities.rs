//! SQL on the `entities` table (products, meters, accounts).

use super::handle::{Db, Kind};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, OptionalExtension};

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

impl Db<'_> {
    /// One column of the `kind` row with `key_col = value` (`key_col` and `select` are fixed
    /// names from the methods below, never user input).
    fn lookup(
        &self,
        kind: Kind,
        select: &str,
        key_col: &str,
        value: &str,
    ) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {select} FROM entities WHERE kind = ?1 AND org = ?2 AND {key_col} = ?3"
            ))?
            .query_row(params![kind.as_str(), self.org, value], |r| r.get(0))
            .optional()
    }

    /// The stored body of the `kind` entity `id`.
    pub fn get(&self, kind: Kind, id: &str) -> rusqlite::Result<Option<String>> {
        self.lookup(kind, "body", "id", id)
    }

    pub fn get_by_code(&self, kind: Kind, code: &str) -> rusqlite::Result<Option<String>> {
        self.lookup(kind, "body", "code", code)
    }

    /// The id of the `kind` entity holding `code`, if any.
    pub fn id_for_code(&self, kind: Kind, code: &str) -> rusqlite::Result<Option<String>> {
        self.lookup(kind, "id", "code", code)
    }

    /// The parent of account `id` (`None` when it has none or does not exist).
    pub fn parent_of(&self, id: &str) -> rusqlite::Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT parent_id FROM entities WHERE kind = 'account' AND org = ?1 AND id = ?2",
            )?
            .query_row(params![self.org, id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    pub fn insert(&self, kind: Kind, c: &Cols, body: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO entities (kind, org, id, code, product_id, parent_id, version, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                kind.as_str(),
                self.org,
                c.id,
                c.code,
                c.product_id,
                c.parent_id,
                c.version,
                body
            ])?;
        Ok(())
    }

    /// Replaces a row's columns and body; returns whether it existed.
    pub fn replace(&self, kind: Kind, c: &Cols, body: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "UPDATE entities SET code = ?4, product_id = ?5, parent_id = ?6, version = ?7, body = ?8
             WHERE kind = ?1 AND org = ?2 AND id = ?3",
            params![
                kind.as_str(),
                self.org,
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

    pub fn delete(&self, kind: Kind, id: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "DELETE FROM entities WHERE kind = ?1 AND org = ?2 AND id = ?3",
            params![kind.as_str(), self.org, id],
        )?;
        Ok(n == 1)
    }

    /// How many meters belong to product `id`.
    pub fn count_meters_of(&self, product_id: &str) -> rusqlite::Result<i64> {
        self.count_refs(Kind::Meter, "product_id", product_id)
    }

    /// How many accounts have `id` as their parent.
    pub fn count_children_of(&self, account_id: &str) -> rusqlite::Result<i64> {
        self.count_refs(Kind::Account, "parent_id", account_id)
    }

    fn count_refs(&self, kind: Kind, col: &str, value: &str) -> rusqlite::Result<i64> {
        self.conn.query_row(
            &format!("SELECT COUNT(*) FROM entities WHERE kind = ?1 AND org = ?2 AND {col} = ?3"),
            params![kind.as_str(), self.org, value],
            |r| r.get(0),
        )
    }

    /// Newest-first rows `(seq, body)` older than `before` (a keyset position), at most `limit`.
    pub fn list(
        &self,
        kind: Kind,
        filter: &Filter,
        before: Option<i64>,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        let mut sql = String::from("SELECT seq, body FROM entities WHERE kind = ? AND org = ?");
        let mut args: Vec<SqlValue> = vec![
            kind.as_str().to_string().into(),
            self.org.to_string().into(),
        ];
        for (col, values) in [
            ("id", &filter.ids),
            ("code", &filter.codes),
            ("product_id", &filter.product_ids),
        ] {
            // One JSON array parameter, however many values: no bound-variable limit.
            if !values.is_empty() {
                sql.push_str(&format!(" AND {col} IN (SELECT value FROM json_each(?))"));
                args.push(super::search::json_array(values).into());
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
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect()
    }
}
