//! SQL on the `measurements` table.

use super::handle::Db;
use rusqlite::params;

impl Db<'_> {
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
