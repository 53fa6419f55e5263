//! The bulk-submit journal: nothing lost, nothing sent twice.
//!
//! Before the first request, every prepared request body (uids fixed) is written to a temp file,
//! synced and renamed into place, so the journal either holds all batches or does not exist.
//! After each 200 answer an `{"accepted":N}` line is appended and synced; a SIGKILL can at worst
//! lose the record of a batch that was in flight, which `--resume` then resends with the same
//! uids (m3ter de-duplicates them). A torn last line is dropped on resume.
//!
//! Format (NDJSON): a header `{"journal":"m3ter-console submit",...}`, then one
//! `{"batch":N,"count":C,"body":{...}}` line per batch, then `{"accepted":N}` /
//! `{"rejected":N,...}` records in completion order.

use super::batch::Batch;
use crate::cli::exit::usage;
use crate::private_fs;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &str = "m3ter-console submit";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub journal: String,
    pub version: u32,
    /// The organization the batches are for: a resume against another org is refused.
    pub org: String,
    pub input: String,
    pub batches: usize,
    pub measurements: usize,
    pub created: String,
}

/// The journal of a run: its batches and which of them the server has accepted.
pub struct Journal {
    pub path: PathBuf,
    pub header: Header,
    pub batches: Vec<Batch>,
    pub accepted: BTreeSet<usize>,
    file: File,
}

/// `<input>.journal` next to the input file.
pub fn default_path(input: &Path) -> PathBuf {
    let mut s = input.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

impl Journal {
    /// Writes a new journal atomically; refuses to replace one with unsent batches.
    pub fn create(
        path: &Path,
        org: &str,
        input: &str,
        batches: Vec<Batch>,
    ) -> anyhow::Result<Journal> {
        if path.exists() {
            match Journal::open(path) {
                Ok(j) if j.pending().is_empty() => {}
                Ok(j) => {
                    return Err(usage(format!(
                        "{} holds {} unsent batch(es) of an earlier run: finish it with `m3ter-console submit --resume --journal {}` (or delete the journal to start over)",
                        path.display(),
                        j.pending().len(),
                        path.display()
                    )))
                }
                Err(e) => return Err(e.context(format!("{} exists and is not a readable journal; delete it or choose --journal", path.display()))),
            }
        }
        let header = Header {
            journal: MAGIC.into(),
            version: 1,
            org: org.into(),
            input: input.into(),
            batches: batches.len(),
            measurements: batches.iter().map(|b| b.count).sum(),
            created: super::prepare::now_rfc3339(),
        };
        let tmp = private_fs::temp_beside(path);
        let _ = std::fs::remove_file(&tmp);
        {
            let mut w = std::io::BufWriter::new(
                private_fs::create_private_file(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?,
            );
            serde_json::to_writer(&mut w, &header)?;
            w.write_all(b"\n")?;
            for (i, b) in batches.iter().enumerate() {
                write!(w, "{{\"batch\":{i},\"count\":{},\"body\":", b.count)?;
                w.write_all(&b.body)?;
                w.write_all(b"}\n")?;
            }
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path).with_context(|| format!("cannot create {}", path.display()))?;
        private_fs::sync_parent(path);
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        Ok(Journal {
            path: path.into(),
            header,
            batches,
            accepted: BTreeSet::new(),
            file,
        })
    }

    /// Reads a journal for `--resume`.
    pub fn open(path: &Path) -> anyhow::Result<Journal> {
        let text = std::fs::read(path)
            .map_err(|e| usage(format!("{}: cannot read the journal: {e}", path.display())))?;
        let bad = |line: usize, what: &str| {
            usage(format!(
                "{}:{line}: not a submit journal: {what}",
                path.display()
            ))
        };
        // A line without its newline was torn by a crash mid-append: it never counted.
        let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut lines = text[..complete]
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty());
        let header: Header = lines
            .next()
            .and_then(|l| serde_json::from_slice(l).ok())
            .filter(|h: &Header| h.journal == MAGIC)
            .ok_or_else(|| bad(1, "no header"))?;
        let mut batches = Vec::with_capacity(header.batches);
        let mut accepted = BTreeSet::new();
        for (i, line) in lines.enumerate() {
            let n = i + 2;
            if batches.len() < header.batches {
                batches.push(
                    parse_batch(line, batches.len()).ok_or_else(|| bad(n, "bad batch line"))?,
                );
                continue;
            }
            #[derive(Deserialize)]
            struct Record {
                accepted: Option<usize>,
            }
            let r: Record = serde_json::from_slice(line).map_err(|_| bad(n, "bad record"))?;
            if let Some(a) = r.accepted {
                accepted.insert(a);
            }
        }
        if batches.len() != header.batches {
            return Err(bad(0, "fewer batches than its header says"));
        }
        if complete < text.len() {
            // Cut the torn tail so the next append starts on a fresh line.
            let f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.set_len(complete as u64)?;
            f.sync_all()?;
        }
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        Ok(Journal {
            path: path.into(),
            header,
            batches,
            accepted,
            file,
        })
    }

    /// Batches not yet accepted, in order.
    pub fn pending(&self) -> Vec<usize> {
        (0..self.batches.len())
            .filter(|i| !self.accepted.contains(i))
            .collect()
    }

    /// Records that batch `n` was accepted, durably, before anything else happens.
    pub fn accept(&mut self, n: usize) -> anyhow::Result<()> {
        self.append(&format!("{{\"accepted\":{n}}}\n"))?;
        self.accepted.insert(n);
        Ok(())
    }

    /// Records a rejection (for the user; a resume sends the batch again).
    pub fn reject(&mut self, n: usize, status: Option<u16>, message: &str) -> anyhow::Result<()> {
        let line = serde_json::json!({"rejected": n, "status": status, "message": message});
        self.append(&format!("{line}\n"))
    }

    fn append(&mut self, line: &str) -> anyhow::Result<()> {
        self.file.write_all(line.as_bytes())?;
        self.file
            .sync_data()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }

    /// Removes the journal once every batch is accepted: nothing is left to resume.
    pub fn finish(self) -> anyhow::Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path)
            .with_context(|| format!("cannot remove {}", self.path.display()))
    }
}

/// `{"batch":N,"count":C,"body":BODY}` → the exact body bytes, checked to be JSON.
fn parse_batch(line: &[u8], expected: usize) -> Option<Batch> {
    let prefix = format!("{{\"batch\":{expected},\"count\":");
    let rest = line.strip_prefix(prefix.as_bytes())?;
    let comma = rest.iter().position(|&b| b == b',')?;
    let count: usize = std::str::from_utf8(&rest[..comma]).ok()?.parse().ok()?;
    let body = rest[comma + 1..]
        .strip_prefix(b"\"body\":")?
        .strip_suffix(b"}")?;
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    Some(Batch {
        count,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches() -> Vec<Batch> {
        (0..3)
            .map(|i| Batch {
                count: 1,
                body: format!("{{\"measurements\":[{{\"uid\":\"u{i}\"}}]}}").into_bytes(),
            })
            .collect()
    }

    #[test]
    fn survives_a_torn_append_and_resumes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.ndjson.journal");
        let mut j = Journal::create(&p, "org", "in.ndjson", batches()).unwrap();
        j.accept(1).unwrap();
        drop(j);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"accep")
            .unwrap();
        let mut j = Journal::open(&p).unwrap();
        assert_eq!(j.pending(), [0, 2]);
        assert_eq!(j.batches, batches());
        j.accept(0).unwrap();
        drop(j);
        let j = Journal::open(&p).unwrap();
        assert_eq!(j.pending(), [2]);
        assert!(
            Journal::create(&p, "org", "x", batches()).is_err(),
            "unsent batches are kept"
        );
    }

    #[cfg(unix)]
    #[test]
    fn journals_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.ndjson.journal");
        Journal::create(&p, "org", "in.ndjson", batches()).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
}
