//! [`Store`]: the one writer connection and a small pool of read connections.
//!
//! SQLite allows one writer at a time; keeping a single writer connection behind a mutex means
//! writers queue in the process instead of failing with "database is locked". In WAL mode
//! readers see the last committed state while a write is running, so reads use their own
//! connections (opened `query_only`) and never wait behind an ingest. Both entry points are
//! blocking: the HTTP layer calls them from `spawn_blocking`.

use super::handle::Db;
use super::schema;
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Read connections in the pool (the machine's cores are the real limit; four keeps a few
/// list pages and a search going during an ingest).
const READERS: usize = 4;

pub struct Store {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// A panic while holding a lock cannot leave SQLite inconsistent (transactions roll back on
/// drop), so a poisoned lock is still usable.
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Creates the missing directories of `dir`, readable by the user only (0700 on Unix): the
/// database holds the user's usage data. Directories that exist are left as they are — unlike
/// `private_fs::create_private_dir`, which narrows them — because `--db` may point into any
/// directory of the user's (a project folder, `/tmp`).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the database file 0600 (SQLite then gives its `-wal` and `-shm` files the same mode),
/// or narrows an existing one (and its `-wal`/`-shm`) to 0600.
fn make_private_file(path: &Path) -> std::io::Result<()> {
    crate::private_fs::open_private(path, std::fs::OpenOptions::new().create(true).append(true))?;
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        if p.exists() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

impl Store {
    /// Opens (creating parent directories and the schema) the database; returns the store and
    /// whether the file was new (no schema marker yet).
    pub fn open(path: &Path) -> anyhow::Result<(Self, bool)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        make_private_file(path)?;
        let writer = Connection::open(path)?;
        schema::init_writer(&writer)?;
        let created: Option<String> = writer
            .query_row("SELECT value FROM meta WHERE key = 'created'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open(path)?;
                schema::configure(&conn)?;
                conn.pragma_update(None, "query_only", "ON")?;
                Ok(Mutex::new(conn))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((
            Self {
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            },
            created.is_none(),
        ))
    }

    /// Marks the database as initialised (after the optional demo seed).
    pub fn mark_created(&self, now: &str) -> rusqlite::Result<()> {
        lock(&self.writer).execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?1)",
            [now],
        )?;
        Ok(())
    }

    /// Runs `f` in a transaction on the writer; commits when it returns `Ok`.
    pub fn write<T, E>(&self, org: &str, f: impl FnOnce(Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut conn = lock(&self.writer);
        // IMMEDIATE takes the write lock up front (waiting in busy_timeout): a deferred
        // transaction that reads first fails at once with "database is locked" when another
        // process (a sandbox restarting on the same file) committed meanwhile.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(Db { conn: &tx, org })?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a read connection: a free one if any, else the next in turn.
    pub fn read<T, E>(&self, org: &str, f: impl FnOnce(Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let free = self.readers.iter().find_map(|r| r.try_lock().ok());
        let conn = free.unwrap_or_else(|| {
            let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
            lock(&self.readers[i])
        });
        f(Db { conn: &conn, org })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::sync::Arc;
    use std::time::Duration;

    fn created(store: &Store) -> String {
        store
            .read("org", |db| {
                db.conn
                    .query_row("SELECT value FROM meta WHERE key = 'created'", [], |r| {
                        r.get(0)
                    })
            })
            .unwrap()
    }

    /// A read completes while a write transaction is open (the writer waits for it before
    /// committing), and sees the last committed state.
    #[test]
    fn reads_do_not_wait_behind_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("s.db")).unwrap();
        let store = Arc::new(store);
        store.mark_created("then").unwrap();
        let (in_write, wrote) = channel();
        let (read_done, reader_finished) = channel();
        let writer = {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                store
                    .write("org", |db| -> rusqlite::Result<bool> {
                        db.conn
                            .execute("UPDATE meta SET value = 'now' WHERE key = 'created'", [])?;
                        in_write.send(()).unwrap();
                        Ok(reader_finished
                            .recv_timeout(Duration::from_secs(10))
                            .is_ok())
                    })
                    .unwrap()
            })
        };
        wrote.recv().unwrap();
        let seen = created(&store);
        read_done.send(()).unwrap();
        assert!(writer.join().unwrap(), "the read finished inside the write");
        assert_eq!(seen, "then", "the uncommitted write is not visible");
        assert_eq!(created(&store), "now");
    }
}
