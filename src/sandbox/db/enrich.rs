//! SQL of the enrichment stage: its high-water mark, the organization-wide checks (duplicate
//! `uid`, closely matching account codes) and the rows and events it writes.

use super::handle::{Db, Kind};
use rusqlite::{params, OptionalExtension};

/// An enriched measurement to store.
pub struct EnrichedRow<'a> {
    pub uid: Option<&'a str>,
    pub meter: &'a str,
    pub meter_id: &'a str,
    pub account: &'a str,
    pub account_id: &'a str,
    pub ts: &'a str,
    pub ts_ms: i64,
    pub received: &'a str,
    /// The measurement with its derived values, as JSON (stored as JSONB; read back with
    /// `json(body)`).
    pub body: &'a str,
}

/// An event to store.
pub struct NewEvent<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub event_type: Option<&'a str>,
    pub time: &'a str,
    pub account_id: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    /// `m3terEvent`, as JSON.
    pub body: &'a str,
    /// The downloadable log (error + original measurement), as JSON.
    pub log: Option<&'a str>,
}

impl Db<'_> {
    /// The last queue batch whose enrichment is committed (0 before the first).
    pub fn enriched_through(&self) -> rusqlite::Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT enriched_through FROM ingest_state WHERE org = ?1")?
            .query_row([self.org], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    pub fn set_enriched_through(&self, seq: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO ingest_state (org, enriched_through) VALUES (?1, ?2)
                 ON CONFLICT (org) DO UPDATE SET enriched_through = excluded.enriched_through",
            )?
            .execute(params![self.org, seq])?;
        Ok(())
    }

    /// The stored measurement holding `uid`: `(seq, received)`.
    pub fn uid_holder(&self, uid: &str) -> rusqlite::Result<Option<(i64, String)>> {
        self.conn
            .prepare_cached("SELECT seq, received FROM measurements WHERE org = ?1 AND uid = ?2")?
            .query_row(params![self.org, uid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    }

    /// Frees the `uid` of an old measurement (past the de-duplication window) so a new one may
    /// take it; the old row keeps the uid in its body.
    pub fn release_uid(&self, seq: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE measurements SET uid = NULL WHERE seq = ?1")?
            .execute([seq])?;
        Ok(())
    }

    /// An account whose code equals `code` ignoring ASCII case (indexed), other than `code`.
    pub fn account_code_like(&self, code: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT code FROM entities WHERE org = ?1 AND kind = ?2
                   AND code = ?3 COLLATE NOCASE AND code <> ?3 LIMIT 1",
            )?
            .query_row(params![self.org, Kind::Account.as_str(), code], |r| {
                r.get(0)
            })
            .optional()
    }

    pub fn insert_enriched(&self, m: &EnrichedRow) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO measurements
                   (org, uid, meter, account, ts, received, body, meter_id, account_id, ts_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, jsonb(?7), ?8, ?9, ?10)",
            )?
            .execute(params![
                self.org,
                m.uid,
                m.meter,
                m.account,
                m.ts,
                m.received,
                m.body,
                m.meter_id,
                m.account_id,
                m.ts_ms
            ])?;
        Ok(())
    }

    /// Adds the measurements stored since the last call to the usage rollups, from their
    /// stored bodies.
    #[cfg(test)]
    pub fn rollup_catch_up(&self) -> rusqlite::Result<()> {
        super::rollup::catch_up(self.conn)
    }

    /// Writes the rollups of the measurements this transaction stored (accumulated in `acc`);
    /// every write that stores measurements calls it before committing.
    pub fn rollup_flush(&self, acc: &mut super::rollup::RollupAcc) -> rusqlite::Result<()> {
        acc.flush(self.conn, self.org)
    }

    pub fn insert_event(&self, e: &NewEvent) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (org, id, name, type, time, account_id, resource_id, body, log)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                self.org,
                e.id,
                e.name,
                e.event_type,
                e.time,
                e.account_id,
                e.resource_id,
                e.body,
                e.log
            ])?;
        Ok(())
    }
}
