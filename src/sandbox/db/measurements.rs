//! SQL on the `measurements` table.

use super::handle::Db;
use rusqlite::params;

/// One measurement row to store.
pub struct NewMeasurement<'a> {
    pub uid: Option<&'a str>,
    pub meter: &'a str,
    pub account: &'a str,
    pub ts: &'a str,
    pub received: &'a str,
    pub body: &'a str,
}

impl Db<'_> {
    /// Stores a measurement unless one with the same `uid` exists (then it is skipped).
    pub fn insert_measurement(&self, m: &NewMeasurement) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO measurements (org, uid, meter, account, ts, received, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                self.org, m.uid, m.meter, m.account, m.ts, m.received, m.body
            ])?;
        Ok(())
    }

    /// Newest-first `(seq, body)` rows, optionally for one account and/or meter, older than the
    /// keyset position `before`, at most `limit`.
    pub fn list_measurements(
        &self,
        account: Option<&str>,
        meter: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, body FROM measurements WHERE org = ?1
               AND (?2 IS NULL OR account = ?2) AND (?3 IS NULL OR meter = ?3)
               AND (?4 IS NULL OR seq < ?4)
             ORDER BY seq DESC LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![self.org, account, meter, before, limit as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        rows.collect()
    }
}
