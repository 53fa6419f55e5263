//! [`IngestQueue`]: the durable log of acknowledged ingest batches, in a file of its own.
//!
//! The ingest API acknowledges a batch once it is here — one small transaction with the raw
//! request bytes, no index but the rowid — so the acknowledgement waits for one WAL append and
//! its fsync, never for the enrichment or the main database's writer. Concurrent requests share
//! a commit (group commit): whoever holds the lock writes every batch queued meanwhile.
//!
//! Exactly-once enrichment: the enrichment stage records the last batch `seq` it finished in the
//! main database, in the same transaction as the rows and events it wrote; after a crash it
//! resumes from there, and batches at or below that mark are pruned from this file.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// One acknowledged batch, as it was received.
#[derive(Debug, Clone)]
pub struct RawBatch {
    pub seq: i64,
    pub org: String,
    /// RFC 3339 time it was acknowledged.
    pub received: String,
    /// `api`, or `upload:<job id>` for a file upload's rows.
    pub source: String,
    /// A JSON array of measurements (the request's `measurements`, untouched).
    pub body: Vec<u8>,
}

struct Pending {
    org: String,
    received: String,
    source: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Group {
    queued: Vec<(u64, Pending)>,
    /// Tickets up to this one are committed (or failed: see `failed`).
    next_ticket: u64,
    done_through: u64,
    writing: bool,
    failed: Option<(u64, u64, String)>,
}

pub struct IngestQueue {
    conn: Mutex<Connection>,
    group: Mutex<Group>,
    committed: Condvar,
}

/// The queue's file: next to the database, `<db>.queue`.
pub fn queue_path(db_path: &Path) -> PathBuf {
    let mut s = db_path.as_os_str().to_owned();
    s.push(".queue");
    PathBuf::from(s)
}

impl IngestQueue {
    /// Opens the queue with an fsync before every acknowledgement.
    #[cfg(test)]
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        Self::open_with(path, true)
    }

    /// `fsync`: every commit is fsynced before the acknowledgement (survives power loss);
    /// without, a commit is written to the OS (WAL, `synchronous=NORMAL`) and survives the
    /// sandbox being killed (kill -9), not the machine losing power.
    pub fn open_with(path: &Path, fsync: bool) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", if fsync { "FULL" } else { "NORMAL" })?;
        // Checkpoints are the enrichment's business (see `prune`), not the acknowledgement's.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS raw_batches (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                org TEXT NOT NULL,
                received TEXT NOT NULL,
                source TEXT NOT NULL,
                body BLOB NOT NULL
            );",
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
            group: Mutex::new(Group::default()),
            committed: Condvar::new(),
        })
    }

    /// Appends a batch and returns once it is durable (blocking; call from a blocking thread).
    pub fn append(
        &self,
        org: &str,
        received: &str,
        source: &str,
        body: Vec<u8>,
    ) -> Result<(), String> {
        let mut g = self.group.lock().unwrap_or_else(|p| p.into_inner());
        g.next_ticket += 1;
        let ticket = g.next_ticket;
        g.queued.push((
            ticket,
            Pending {
                org: org.to_string(),
                received: received.to_string(),
                source: source.to_string(),
                body,
            },
        ));
        loop {
            if let Some((from, to, e)) = &g.failed {
                if (*from..=*to).contains(&ticket) {
                    return Err(e.clone());
                }
            }
            if g.done_through >= ticket {
                return Ok(());
            }
            if !g.writing {
                // Become the writer for everything queued so far.
                g.writing = true;
                let batch = std::mem::take(&mut g.queued);
                drop(g);
                let (first, last) = (batch[0].0, batch[batch.len() - 1].0);
                let result = self.write_all(&batch);
                g = self.group.lock().unwrap_or_else(|p| p.into_inner());
                g.writing = false;
                g.done_through = g.done_through.max(last);
                if let Err(e) = result {
                    g.failed = Some((first, last, e.to_string()));
                }
                self.committed.notify_all();
                continue;
            }
            g = self.committed.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn write_all(&self, batch: &[(u64, Pending)]) -> rusqlite::Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO raw_batches (org, received, source, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (_, p) in batch {
                stmt.execute(params![p.org, p.received, p.source, p.body])?;
            }
        }
        tx.commit()
    }

    /// Batches after `seq`, oldest first, up to about `max_bytes` of bodies (at least one).
    pub fn after(&self, seq: i64, max_bytes: usize) -> rusqlite::Result<Vec<RawBatch>> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut stmt = conn.prepare_cached(
            "SELECT seq, org, received, source, body FROM raw_batches WHERE seq > ?1 ORDER BY seq LIMIT 256",
        )?;
        let mut rows = stmt.query(params![seq])?;
        let mut out = Vec::new();
        let mut bytes = 0;
        while let Some(r) = rows.next()? {
            let b = RawBatch {
                seq: r.get(0)?,
                org: r.get(1)?,
                received: r.get(2)?,
                source: r.get(3)?,
                body: r.get(4)?,
            };
            bytes += b.body.len();
            out.push(b);
            if bytes >= max_bytes {
                break;
            }
        }
        Ok(out)
    }

    /// The newest acknowledged batch (0 when none).
    pub fn last_seq(&self) -> rusqlite::Result<i64> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(conn
            .query_row("SELECT MAX(seq) FROM raw_batches", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()?
            .flatten()
            .unwrap_or(0))
    }

    /// Forgets batches the enrichment has finished (its mark is durable in the main database),
    /// and checkpoints the WAL so the file does not grow without bound.
    pub fn prune(&self, through: i64) -> rusqlite::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute("DELETE FROM raw_batches WHERE seq <= ?1", params![through])?;
        // Best effort: another process still reading the file (a sandbox shutting down) makes
        // the checkpoint wait; the next prune retries.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
            tracing::debug!("ingest queue checkpoint deferred: {e}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_appends_are_all_durable_in_order_of_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let q = Arc::new(IngestQueue::open(&path).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for j in 0..20 {
                        q.append("o", "t", "api", format!("[{i},{j}]").into_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        drop(q);
        let q = IngestQueue::open(&path).unwrap();
        assert_eq!(q.last_seq().unwrap(), 160);
        let all = q.after(0, usize::MAX).unwrap();
        assert_eq!(all.len(), 160);
        q.prune(100).unwrap();
        assert_eq!(q.after(0, usize::MAX).unwrap()[0].seq, 101);
        assert_eq!(q.after(0, 1).unwrap().len(), 1, "at least one batch");
    }
}
