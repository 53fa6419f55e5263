//! SQL on the `events` table.

use super::handle::Db;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, OptionalExtension};

/// `GET /events` filters; `None`/empty means no filter.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub name: Option<String>,
    pub event_type: Option<String>,
    pub account_id: Option<String>,
    pub resource_id: Option<String>,
    pub ids: Vec<String>,
    pub include_actioned: bool,
}

/// One stored event's columns.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: String,
    pub name: String,
    pub time: String,
    pub actioned: Option<String>,
    /// `m3terEvent` as JSON.
    pub body: String,
}

impl Db<'_> {
    /// Newest-first `(seq, event)` rows older than the keyset position `before`, at most `limit`.
    pub fn list_events(
        &self,
        f: &EventFilter,
        before: Option<i64>,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, EventRow)>> {
        let mut sql = String::from(
            "SELECT seq, id, name, time, actioned, body FROM events WHERE org = ?1
               AND (?2 IS NULL OR name = ?2) AND (?3 IS NULL OR type = ?3)
               AND (?4 IS NULL OR account_id = ?4) AND (?5 IS NULL OR resource_id = ?5)
               AND (?6 OR actioned IS NULL) AND (?7 IS NULL OR seq < ?7)",
        );
        let mut args: Vec<SqlValue> = vec![
            self.org.to_string().into(),
            opt(&f.name),
            opt(&f.event_type),
            opt(&f.account_id),
            opt(&f.resource_id),
            SqlValue::Integer(f.include_actioned as i64),
            before.map(SqlValue::Integer).unwrap_or(SqlValue::Null),
        ];
        if !f.ids.is_empty() {
            sql.push_str(" AND id IN (");
            for (i, id) in f.ids.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
                args.push(id.clone().into());
            }
            sql.push(')');
        }
        sql.push_str(" ORDER BY seq DESC LIMIT ?");
        args.push(SqlValue::Integer(limit as i64));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get(0)?,
                EventRow {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    time: r.get(3)?,
                    actioned: r.get(4)?,
                    body: r.get(5)?,
                },
            ))
        })?;
        rows.collect()
    }

    pub fn get_event(&self, id: &str) -> rusqlite::Result<Option<EventRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, name, time, actioned, body FROM events WHERE org = ?1 AND id = ?2",
            )?
            .query_row(params![self.org, id], |r| {
                Ok(EventRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    time: r.get(2)?,
                    actioned: r.get(3)?,
                    body: r.get(4)?,
                })
            })
            .optional()
    }

    /// Sets `dtActioned` (keeps the first time when already actioned); false when no such event.
    pub fn action_event(&self, id: &str, now: &str) -> rusqlite::Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE events SET actioned = COALESCE(actioned, ?3) WHERE org = ?1 AND id = ?2",
            )?
            .execute(params![self.org, id, now])?;
        Ok(n > 0)
    }

    /// The failed-ingest log of event `id`.
    pub fn event_log(&self, id: &str) -> rusqlite::Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT log FROM events WHERE org = ?1 AND id = ?2")?
            .query_row(params![self.org, id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// The distinct event names stored.
    pub fn event_names(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT name FROM events WHERE org = ?1 ORDER BY name")?;
        let rows = stmt.query_map([self.org], |r| r.get(0))?;
        rows.collect()
    }
}

fn opt(v: &Option<String>) -> SqlValue {
    v.clone().map(SqlValue::Text).unwrap_or(SqlValue::Null)
}
