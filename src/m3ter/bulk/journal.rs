//! The bulk-submit journal: nothing lost, nothing sent twice, in constant memory.
//!
//! While the input is checked, each prepared request body (uids fixed) is appended to a temp
//! file as soon as its batch is full; once the whole input has passed, the file is synced and
//! renamed into place, so the journal either holds all batches or does not exist (and a bad
//! input leaves nothing behind). After each 200 answer an `{"accepted":N}` line is appended and
//! synced; a SIGKILL can at worst lose the record of a batch that was in flight, which
//! `--resume` then resends with the same uids (m3ter de-duplicates them). A torn last line is
//! dropped on resume. Bodies stay on disk: the journal in memory is an index of offsets, and a
//! body is read back only to send it.
//!
//! Format (NDJSON): a header `{"journal":"m3ter-console submit",...}` (padded with spaces to a
//! fixed width, so its counts can be filled in once they are known), then one
//! `{"batch":N,"count":C,"body":{...}}` line per batch, then `{"accepted":N}` /
//! `{"rejected":N,...}` records in completion order.

use super::batch::Batch;
use super::{BulkError, Context, Result};
use crate::private_fs;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufWriter, Seek, Write};
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

/// Where a batch's body is in the journal file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchRef {
    pub count: usize,
    offset: u64,
    len: usize,
}

/// The journal of a run: an index of its batches and which of them the server has accepted.
pub struct Journal {
    pub path: PathBuf,
    pub header: Header,
    pub batches: Vec<BatchRef>,
    pub accepted: BTreeSet<usize>,
    file: File,
}

/// `<input>.journal` next to the input file.
pub fn default_path(input: &Path) -> PathBuf {
    let mut s = input.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// Refuses to replace a journal that still has unsent batches (or is not a journal).
pub fn check_replaceable(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    match Journal::open(path) {
        Ok(j) if j.pending().is_empty() => Ok(()),
        Ok(j) => Err(BulkError::Input(format!(
            "{} holds {} unsent batch(es) of an earlier run: finish it with `m3ter-console submit --resume --journal {}` (or delete the journal to start over)",
            path.display(),
            j.pending().len(),
            path.display()
        ))),
        Err(e) => Err(BulkError::Input(format!(
            "{} exists and is not a readable journal; delete it or choose --journal: {e}",
            path.display()
        ))),
    }
}

/// A journal being written, batch by batch, in an owner-only temp file.
pub struct JournalWriter {
    tmp: PathBuf,
    out: BufWriter<File>,
    header: Header,
    header_width: usize,
}

impl JournalWriter {
    /// Starts a journal that will go to `path` (written to a temp file beside it until then).
    pub fn new(path: &Path, org: &str, input: &str) -> Result<JournalWriter> {
        let header = Header {
            journal: MAGIC.into(),
            version: 1,
            org: org.into(),
            input: input.into(),
            batches: usize::MAX,
            measurements: usize::MAX,
            created: super::prepare::now_rfc3339(),
        };
        // Room for the largest counts; the real header is written over it at the end.
        let header_width = serde_json::to_vec(&header)?.len();
        let tmp = private_fs::temp_beside(path);
        let _ = std::fs::remove_file(&tmp);
        let file = private_fs::create_private_file(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut out = BufWriter::new(file);
        out.write_all(&vec![b' '; header_width])?;
        out.write_all(b"\n")?;
        Ok(JournalWriter {
            tmp,
            out,
            header: Header {
                batches: 0,
                measurements: 0,
                ..header
            },
            header_width,
        })
    }

    pub fn append(&mut self, b: &Batch) -> Result<()> {
        let n = self.header.batches;
        write!(self.out, "{{\"batch\":{n},\"count\":{},\"body\":", b.count)?;
        self.out.write_all(&b.body)?;
        self.out.write_all(b"}\n")?;
        self.header.batches += 1;
        self.header.measurements += b.count;
        Ok(())
    }

    pub fn batches(&self) -> usize {
        self.header.batches
    }

    /// Fills in the header, syncs, and renames the journal into place at `path`.
    pub fn finish(self, path: &Path) -> Result<Journal> {
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        let mut header = serde_json::to_vec(&self.header)?;
        header.resize(self.header_width, b' ');
        file.rewind()?;
        file.write_all(&header)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        private_fs::sync_parent(path);
        Journal::open(path)
    }

    /// Drops the unfinished journal (the input did not pass its check).
    pub fn abandon(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Journal {
    /// Writes a new journal with these batches (see [`JournalWriter`] to stream them).
    #[cfg(test)]
    pub fn create(path: &Path, org: &str, input: &str, batches: Vec<Batch>) -> Result<Journal> {
        check_replaceable(path)?;
        let mut w = JournalWriter::new(path, org, input)?;
        for b in &batches {
            w.append(b)?;
        }
        w.finish(path)
    }

    /// Reads a journal for `--resume`: its header, where each batch is, what was accepted.
    pub fn open(path: &Path) -> Result<Journal> {
        let cannot = |e: std::io::Error| {
            BulkError::Input(format!("{}: cannot read the journal: {e}", path.display()))
        };
        let bad = |line: usize, what: &str| {
            BulkError::Input(format!(
                "{}:{line}: not a submit journal: {what}",
                path.display()
            ))
        };
        let mut reader = std::io::BufReader::new(File::open(path).map_err(cannot)?);
        let mut line = Vec::new();
        let mut offset = 0u64;
        // A line without its newline was torn by a crash mid-append: it never counted.
        let mut next = |line: &mut Vec<u8>| -> Result<Option<u64>> {
            line.clear();
            let n = reader.read_until(b'\n', line).map_err(cannot)?;
            if n == 0 || line.last() != Some(&b'\n') {
                return Ok(None);
            }
            let at = offset;
            offset += n as u64;
            line.pop();
            Ok(Some(at))
        };
        let header: Header = next(&mut line)?
            .and_then(|_| serde_json::from_slice(&line).ok())
            .filter(|h: &Header| h.journal == MAGIC)
            .ok_or_else(|| bad(1, "no header"))?;
        let mut batches = Vec::with_capacity(header.batches.min(1 << 20));
        let mut accepted = BTreeSet::new();
        let mut n = 1;
        while let Some(at) = next(&mut line)? {
            n += 1;
            if line.is_empty() {
                continue;
            }
            if batches.len() < header.batches {
                let b = parse_batch(&line, batches.len(), at)
                    .ok_or_else(|| bad(n, "bad batch line"))?;
                batches.push(b);
                continue;
            }
            #[derive(Deserialize)]
            struct Record {
                accepted: Option<usize>,
            }
            let r: Record = serde_json::from_slice(&line).map_err(|_| bad(n, "bad record"))?;
            if let Some(a) = r.accepted {
                accepted.insert(a);
            }
        }
        if batches.len() != header.batches {
            return Err(bad(0, "fewer batches than its header says"));
        }
        let complete = offset;
        if std::fs::metadata(path).map_err(cannot)?.len() > complete {
            // Cut the torn tail so the next append starts on a fresh line.
            let f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.set_len(complete)?;
            f.sync_all()?;
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)?;
        Ok(Journal {
            path: path.into(),
            header,
            batches,
            accepted,
            file,
        })
    }

    /// Batch `n`'s request body, read back from the journal.
    pub fn body(&self, n: usize) -> Result<Vec<u8>> {
        let b = self.batches[n];
        let mut body = vec![0; b.len];
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(&self.file, &mut body, b.offset)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        #[cfg(not(unix))]
        {
            use std::io::{Read, SeekFrom};
            let mut f = File::open(&self.path)?;
            f.seek(SeekFrom::Start(b.offset))?;
            f.read_exact(&mut body)?;
        }
        Ok(body)
    }

    /// Batches not yet accepted, in order.
    pub fn pending(&self) -> Vec<usize> {
        (0..self.batches.len())
            .filter(|i| !self.accepted.contains(i))
            .collect()
    }

    /// Records that batch `n` was accepted, durably, before anything else happens.
    pub fn accept(&mut self, n: usize) -> Result<()> {
        self.append(&format!("{{\"accepted\":{n}}}\n"))?;
        self.accepted.insert(n);
        Ok(())
    }

    /// Records a rejection (for the user; a resume sends the batch again).
    pub fn reject(&mut self, n: usize, status: Option<u16>, message: &str) -> Result<()> {
        let line = serde_json::json!({"rejected": n, "status": status, "message": message});
        self.append(&format!("{line}\n"))
    }

    fn append(&mut self, line: &str) -> Result<()> {
        self.file.write_all(line.as_bytes())?;
        self.file
            .sync_data()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }

    /// Removes the journal once every batch is accepted: nothing is left to resume.
    pub fn finish(self) -> Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path)
            .with_context(|| format!("cannot remove {}", self.path.display()))
    }
}

/// `{"batch":N,"count":C,"body":BODY}` (the line at `at`) → where the body is, checked to be
/// JSON.
fn parse_batch(line: &[u8], expected: usize, at: u64) -> Option<BatchRef> {
    let prefix = format!("{{\"batch\":{expected},\"count\":");
    let rest = line.strip_prefix(prefix.as_bytes())?;
    let comma = rest.iter().position(|&b| b == b',')?;
    let count: usize = std::str::from_utf8(&rest[..comma]).ok()?.parse().ok()?;
    let body = rest[comma + 1..]
        .strip_prefix(b"\"body\":")?
        .strip_suffix(b"}")?;
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let start = prefix.len() + comma + 1 + b"\"body\":".len();
    Some(BatchRef {
        count,
        offset: at + start as u64,
        len: body.len(),
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
        let bodies: Vec<_> = (0..3).map(|n| j.body(n).unwrap()).collect();
        let expected: Vec<_> = batches().into_iter().map(|b| b.body).collect();
        assert_eq!(bodies, expected);
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
