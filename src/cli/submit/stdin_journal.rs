//! Journals for `submit --file -`. Standard input has no path to put `<input>.journal` beside,
//! so its journals live in the user's data dir, named after a hash of the organization and the
//! input: piping the same data again while its journal still has unsent batches is refused
//! (rather than sent a second time under new uids), and `--file - --resume` finds the newest
//! unfinished one without the user having to note its path.

use crate::cli::exit::usage;
use crate::config::paths;
use crate::m3ter::bulk::journal::Journal;
use crate::private_fs;
use anyhow::Context;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// `<data dir>/journals` (`~/.local/share/m3ter-console/journals` on Linux).
pub fn dir() -> PathBuf {
    paths::data_dir().join("journals")
}

/// Creates the journal directory (and the data dir above it, which also holds drafts and the
/// submission log) owner-only.
fn create_dir() -> anyhow::Result<PathBuf> {
    let dir = dir();
    private_fs::create_private_dir(&paths::data_dir())
        .and_then(|()| private_fs::create_private_dir(&dir))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Where a stdin journal is written while its input is still being read (its real name is the
/// hash of all of it).
pub fn incoming() -> anyhow::Result<PathBuf> {
    Ok(create_dir()?.join("stdin-incoming.journal"))
}

/// The hash of the organization and of every byte read from stdin (FNV-1a, 64 bits), taken
/// as the input streams by, so the input is never held whole.
#[derive(Clone)]
pub struct Fingerprint(Arc<AtomicU64>);

impl Fingerprint {
    pub fn new(org: &str) -> Self {
        let h = Fingerprint(Arc::new(AtomicU64::new(FNV_OFFSET)));
        h.feed(org.as_bytes());
        h.feed(b"\n");
        h
    }

    fn feed(&self, bytes: &[u8]) {
        let h = fnv1a_from(self.0.load(Ordering::Relaxed), bytes);
        self.0.store(h, Ordering::Relaxed);
    }

    /// `inner`, with every byte read through it fed to the hash.
    pub fn reader(&self, inner: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        Box::new(Hashing {
            inner,
            hash: self.clone(),
        })
    }

    /// `stdin-<hash>.journal` for what was read, creating the directory.
    pub fn path(&self) -> anyhow::Result<PathBuf> {
        Ok(create_dir()?.join(format!(
            "stdin-{:016x}.journal",
            self.0.load(Ordering::Relaxed)
        )))
    }
}

struct Hashing {
    inner: Box<dyn Read + Send>,
    hash: Fingerprint,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.feed(&buf[..n]);
        Ok(n)
    }
}

/// The unfinished stdin journal for `org` that was started last.
pub fn newest_unfinished(org: &str) -> anyhow::Result<PathBuf> {
    let dir = dir();
    let entries = std::fs::read_dir(&dir).into_iter().flatten().flatten();
    let mut found: Vec<(String, PathBuf)> = entries
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("stdin-") && n.ends_with(".journal"))
        })
        .filter_map(|p| {
            let j = Journal::open(&p).ok()?;
            (j.header.org == org && !j.pending().is_empty()).then_some((j.header.created, p))
        })
        .collect();
    found.sort();
    let others = found.len().saturating_sub(1);
    let (_, newest) = found.pop().ok_or_else(|| {
        usage(format!(
            "--resume with --file -: no unfinished stdin journal for organization {org} in {}",
            dir.display()
        ))
    })?;
    if others > 0 {
        eprintln!(
            "note: {others} older unfinished stdin journal(s) in {}; resume one with --journal PATH",
            dir.display()
        );
    }
    Ok(newest)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bits, continued from `h`: stable across builds and platforms (std's hasher is
/// not), and enough to tell inputs apart; it names a file, it does not guard anything.
fn fnv1a_from(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(org: &str, input: &[u8], chunk: usize) -> u64 {
        let f = Fingerprint::new(org);
        let mut r = f.reader(Box::new(std::io::Cursor::new(input.to_vec())));
        let mut buf = vec![0; chunk];
        while r.read(&mut buf).unwrap() > 0 {}
        f.0.load(Ordering::Relaxed)
    }

    #[test]
    fn the_name_depends_on_org_and_input_only() {
        let input = b"line 1\nline 2\n";
        assert_eq!(read_all("o", input, 3), read_all("o", input, 4096));
        assert_eq!(
            read_all("o", input, 3),
            fnv1a_from(FNV_OFFSET, b"o\nline 1\nline 2\n")
        );
        assert_ne!(read_all("o", input, 3), read_all("p", input, 3));
        assert_eq!(fnv1a_from(FNV_OFFSET, b""), FNV_OFFSET);
    }
}
