//! `submit --file`: read → check → batch → journal, as a stream. Items are taken a chunk at a
//! time so the meters a chunk names can be fetched in one request; each measurement goes into
//! the batch being built, and each full batch is appended to the journal on disk. Memory holds
//! one chunk and one batch, whatever the size of the input; the whole input is checked before
//! anything is sent (a bad line anywhere sends nothing).

use super::batch::Batcher;
use super::input::Items;
use super::journal::JournalWriter;
use super::meters::Meters;
use super::prepare::Checker;
use crate::connect::Connection;

/// Items checked per meter lookup.
const CHUNK: usize = 1000;

/// What the check found.
pub struct Checked {
    pub measurements: usize,
    pub batches: usize,
}

/// Checks every item; while none has failed, batches go to `journal` (none: a dry run).
pub async fn check_all(
    conn: &Connection,
    items: Items,
    mut journal: Option<&mut JournalWriter>,
) -> anyhow::Result<Checked> {
    let mut meters = Meters::default();
    let mut checker = Checker::default();
    let mut batcher = Batcher::default();
    let mut done = Checked {
        measurements: 0,
        batches: 0,
    };
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut items = items.peekable();
    while items.peek().is_some() {
        chunk.clear();
        for item in items.by_ref() {
            match item {
                Ok(i) => chunk.push(i),
                Err(p) => {
                    let fatal = p.fatal;
                    checker.syntax(p);
                    if fatal {
                        break;
                    }
                }
            }
            if chunk.len() == CHUNK {
                break;
            }
        }
        meters
            .ensure(conn, chunk.iter().filter_map(|i| i.meter()))
            .await?;
        for item in chunk.drain(..) {
            let Some(m) = checker.check(item, &meters) else {
                continue;
            };
            done.measurements += 1;
            if !checker.passed() {
                continue; // keep checking, to report every problem; nothing will be sent
            }
            if let Some(b) = batcher.push(done.measurements, &m)? {
                done.batches += 1;
                if let Some(j) = journal.as_deref_mut() {
                    j.append(&b)?;
                }
            }
        }
    }
    checker.finish()?;
    if let Some(b) = batcher.finish() {
        done.batches += 1;
        if let Some(j) = journal {
            j.append(&b)?;
        }
    }
    Ok(done)
}
