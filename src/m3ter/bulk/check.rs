//! Read → check → batch → journal, as a stream. Items are taken a chunk at a
//! time so the meters a chunk names can be fetched in one request; each measurement goes into
//! the batch being built, and each full batch is appended to the journal on disk. Memory holds
//! one chunk and one batch, whatever the size of the input; the whole input is checked before
//! anything is sent (a bad line anywhere sends nothing).

use super::batch::Batcher;
use super::input::Items;
use super::journal::JournalWriter;
use super::meters::Meters;
use super::prepare::Checker;
use super::Result;
use crate::m3ter::{Client, Measurement};

/// Items checked per meter lookup.
const CHUNK: usize = 1000;

/// Checks every item; while none has failed, each measurement goes to `sink` (with its number,
/// 1-based). Returns how many measurements passed.
pub async fn check_all(
    client: &Client,
    items: Items,
    checker: &mut Checker,
    sink: &mut (dyn FnMut(usize, &Measurement) -> Result<()> + Send),
) -> Result<usize> {
    let mut meters = Meters::default();
    let mut passed = 0;
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
            .ensure(client, chunk.iter().filter_map(|i| i.meter()))
            .await?;
        for item in chunk.drain(..) {
            let Some(m) = checker.check(item, &meters) else {
                continue;
            };
            passed += 1;
            if checker.passed() {
                sink(passed, &m)?;
            } // else: keep checking, to report every problem; nothing will be sent
        }
    }
    Ok(passed)
}

/// What the check found, batched for ingest.
pub struct Checked {
    pub measurements: usize,
    pub batches: usize,
}

/// Checks every item and batches the measurements; each batch goes to `journal` as it fills
/// (none: a dry run, which only counts).
pub async fn check_batched(
    client: &Client,
    items: Items,
    checker: &mut Checker,
    journal: Option<&mut JournalWriter>,
) -> Result<Checked> {
    check_batched_with(client, items, checker, journal, &mut |_, _| {}).await
}

/// [`check_batched`], showing each measurement that passed to `observe` too (a preview keeps
/// the first few).
pub async fn check_batched_with(
    client: &Client,
    items: Items,
    checker: &mut Checker,
    mut journal: Option<&mut JournalWriter>,
    observe: &mut (dyn FnMut(usize, &Measurement) + Send),
) -> Result<Checked> {
    let mut batcher = Batcher::default();
    let mut batches = 0;
    let mut sink = |n: usize, m: &Measurement| -> Result<()> {
        observe(n, m);
        if let Some(b) = batcher.push(n, m)? {
            batches += 1;
            if let Some(j) = journal.as_deref_mut() {
                j.append(&b)?;
            }
        }
        Ok(())
    };
    let measurements = check_all(client, items, checker, &mut sink).await?;
    if let Some(b) = batcher.finish() {
        batches += 1;
        if let Some(j) = journal {
            j.append(&b)?;
        }
    }
    Ok(Checked {
        measurements,
        batches,
    })
}
