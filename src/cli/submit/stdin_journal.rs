//! Journals for `submit --file -`. Standard input has no path to put `<input>.journal` beside,
//! so its journals live in the user's data dir, named after a hash of the organization and the
//! input: piping the same data again while its journal still has unsent batches is refused
//! (rather than sent a second time under new uids), and `--file - --resume` finds the newest
//! unfinished one without the user having to note its path.

use super::journal::Journal;
use crate::cli::exit::usage;
use crate::config::paths;
use crate::private_fs;
use anyhow::Context;
use std::path::PathBuf;

/// `<data dir>/journals` (`~/.local/share/m3ter-console/journals` on Linux).
pub fn dir() -> PathBuf {
    paths::data_dir().join("journals")
}

/// `stdin-<hash>.journal` for this input, creating the directory.
pub fn path_for(org: &str, input: &str) -> anyhow::Result<PathBuf> {
    let dir = dir();
    // The data dir itself is private too (it also holds drafts and the submission log).
    private_fs::create_private_dir(&paths::data_dir())
        .and_then(|()| private_fs::create_private_dir(&dir))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join(format!("stdin-{:016x}.journal", fnv1a(&[org, "\n", input]))))
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

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher is not), and enough to
/// tell inputs apart; it names a file, it does not guard anything.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_depends_on_org_and_input_only() {
        assert_eq!(fnv1a(&["o", "\n", "x"]), fnv1a(&["o\nx"]));
        assert_ne!(fnv1a(&["o", "\n", "x"]), fnv1a(&["p", "\n", "x"]));
        assert_eq!(fnv1a(&[""]), 0xcbf2_9ce4_8422_2325);
    }
}
