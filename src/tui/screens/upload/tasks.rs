//! The Upload screen's work, on tasks: listing a directory, checking the file (the preview),
//! sending its batches and following them to their outcome. All of it is
//! [`crate::m3ter::bulk`]'s pipeline, the one `submit --file` runs, so its journal is the
//! CLI's. Each task answers with [`UploadMsg`]s tagged with the screen's generation.

use super::path;
use crate::m3ter::bulk::check::check_batched_with;
use crate::m3ter::bulk::input::{self, Format};
use crate::m3ter::bulk::journal::{self, Journal, JournalWriter};
use crate::m3ter::bulk::prepare::Checker;
use crate::m3ter::bulk::send::{self, count, Progress, Summary};
use crate::m3ter::bulk::settle::{self, Tally};
use crate::m3ter::bulk::{Cancel, Meters};
use crate::m3ter::follow::Follower;
use crate::m3ter::{Client, Measurement, MeasurementBatch, USAGE_QUERY_LIMIT_MAX};
use crate::tui::state::msg_upload::{JournalPlan, Preview, SendProgress, Shared, UploadMsg};
use crate::tui::state::Msg;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// Problems kept in full: every one a file could sensibly have (the count goes on past it).
pub const PROBLEMS_KEPT: usize = 100_000;
/// Most measurements one upload follows to their outcome: what one usage query returns.
pub const FOLLOW_MAX: usize = USAGE_QUERY_LIMIT_MAX as usize;

fn msg(m: UploadMsg) -> Msg {
    Msg::Upload(Box::new(m))
}

/// The entries of the directory `typed` points into.
pub async fn listing(gen: u64, typed: String) -> Msg {
    let dir = path::dir_of(&typed);
    let result = tokio::task::spawn_blocking(move || path::list(&dir))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    msg(UploadMsg::Listing { gen, typed, result })
}

/// Reads and checks the file; a journal with unsent batches is offered for resuming instead.
/// `discard`: the journal an earlier check wrote and nobody sent, removed first (a check of the
/// same file writes its own in the same place).
pub async fn check(client: Client, gen: u64, typed: String, discard: Option<JournalWriter>) -> Msg {
    if let Some(w) = discard {
        let _ = tokio::task::spawn_blocking(move || w.abandon()).await;
    }
    let result = off_workers(async move { preview(&client, &typed).await })
        .await
        .and_then(|r| r)
        .map(Box::new);
    msg(UploadMsg::Checked { gen, result })
}

/// Runs `fut` on a thread of the blocking pool: reading, checking and journaling a large file
/// is CPU and disk work (a sync after every batch) that must not hold one of the runtime's few
/// workers, where the UI's loop and the embedded sandbox run.
async fn off_workers<T: Send + 'static>(
    fut: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, String> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(fut))
        .await
        .map_err(|e| format!("the upload's task failed: {e}"))
}

/// Why a path cannot be read, said plainly.
fn unreadable(path: &Path, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "cannot read it: permission denied".to_string(),
        _ => format!("cannot read it: {e}"),
    };
    format!("{}: {why}", path.display())
}

async fn preview(client: &Client, typed: &str) -> Result<Preview, String> {
    if typed.trim().is_empty() {
        return Err("type the path of a file of measurements (Tab completes)".into());
    }
    let path = path::expand(typed.trim());
    let meta = tokio::fs::metadata(&path)
        .await
        .map_err(|e| unreadable(&path, &e))?;
    if meta.is_dir() {
        return Err(format!(
            "{} is a directory: Tab lists it, choose a file",
            path.display()
        ));
    }
    let org = client.org_id().to_string();
    let journal_path = journal::default_path(&path);
    if let Some(p) = resumable(&journal_path, &org, &path).await? {
        return Ok(p);
    }
    let client = client.clone();
    let name = path.display().to_string();
    // The file is read and checked on a worker: large files take a while, the UI goes on.
    let head = {
        let p = path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
            let mut head = vec![0; 4096];
            let n = std::fs::File::open(&p)?.read(&mut head)?;
            head.truncate(n);
            Ok(head)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| unreadable(&path, &e))?
    };
    let format = Format::sniff(&path, &head);
    let reader = input::open(&path, |r| r).map_err(|e| e.to_string())?;
    let items = input::items(reader, &name, format).map_err(|e| e.to_string())?;
    let mut checker = Checker::keeping(PROBLEMS_KEPT);
    let mut writer = JournalWriter::new(&journal_path, &org, &name).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let checked = check_batched_with(
        &client,
        items,
        &mut checker,
        Some(&mut writer),
        &mut |_, m: &Measurement| {
            if rows.len() < PREVIEW_ROWS {
                rows.push(m.clone());
            }
        },
    )
    .await;
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            writer.abandon();
            return Err(e.to_string());
        }
    };
    let problems = checker.problems();
    let journal = if !problems.is_empty() || checked.measurements == 0 {
        writer.abandon();
        JournalPlan::None
    } else {
        JournalPlan::Fresh {
            path: journal_path,
            writer: Shared::new(writer),
        }
    };
    // Syntax errors are found as the file is read, the others a chunk later: in file order.
    let mut shown = problems.shown().to_vec();
    shown.sort_by_key(|p| line_of(p, &name));
    Ok(Preview {
        path,
        format,
        valid: checked.measurements,
        batches: checked.batches,
        rows,
        problems: shown,
        problem_count: problems.count(),
        note: checker.naive_note(),
        journal,
    })
}

/// The line a problem `NAME:LINE[:COL]: …` is at.
fn line_of(problem: &str, name: &str) -> usize {
    problem
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The preview of an unfinished journal beside the file, if there is one.
async fn resumable(journal_path: &Path, org: &str, file: &Path) -> Result<Option<Preview>, String> {
    let p = journal_path.to_path_buf();
    let opened = tokio::task::spawn_blocking(move || -> Result<_, String> {
        if !p.exists() {
            return Ok(None);
        }
        let j = Journal::open(&p).map_err(|e| {
            format!(
                "{} exists and is not a readable journal ({e}); delete it to upload the file again",
                p.display()
            )
        })?;
        let rows = j
            .body(0)
            .ok()
            .and_then(|b| serde_json::from_slice::<MeasurementBatch>(&b).ok())
            .map(|b| b.measurements.into_iter().take(PREVIEW_ROWS).collect())
            .unwrap_or_default();
        Ok(Some((j, rows)))
    })
    .await
    .map_err(|e| e.to_string())??;
    let Some((j, rows)) = opened else {
        return Ok(None);
    };
    let pending = j.pending();
    if pending.is_empty() {
        return Ok(None);
    }
    if j.header.org != org {
        return Err(format!(
            "{} holds unsent batches for organization {}, not {org}: connect to that organization to resume it",
            journal_path.display(),
            j.header.org
        ));
    }
    let accepted = j.accepted.iter().map(|&i| j.batches[i].count).sum();
    Ok(Some(Preview {
        path: file.to_path_buf(),
        format: Format::sniff(file, b""),
        valid: j.header.measurements,
        batches: j.batches.len(),
        rows,
        problems: Vec::new(),
        problem_count: 0,
        note: None,
        journal: JournalPlan::Resume {
            path: journal_path.to_path_buf(),
            batches: j.batches.len(),
            pending_batches: pending.len(),
            measurements: j.header.measurements,
            accepted,
        },
    }))
}

fn progress_of(s: &Summary, stopping: bool) -> SendProgress {
    SendProgress {
        sent: s.sent,
        to_send: s.to_send,
        batches_sent: s.batches_sent,
        batches: s.pending_batches,
        accepted: s.accepted,
        rejected: s.rejected,
        previously_accepted: s.previously_accepted,
        rate_per_sec: if s.elapsed_secs > 0.0 {
            s.accepted as f64 / s.elapsed_secs
        } else {
            0.0
        },
        stopping,
    }
}

/// Sends the journal's pending batches, then follows every measurement of it to its outcome.
pub async fn upload(
    client: Client,
    gen: u64,
    plan: JournalPlan,
    concurrency: usize,
    cancel: Cancel,
    tx: UnboundedSender<Msg>,
) -> Msg {
    off_workers(upload_here(client, gen, plan, concurrency, cancel, tx))
        .await
        .unwrap_or_else(|e| {
            msg(UploadMsg::Sent {
                gen,
                progress: SendProgress::default(),
                error: Some(e),
                following: false,
            })
        })
}

async fn upload_here(
    client: Client,
    gen: u64,
    plan: JournalPlan,
    concurrency: usize,
    cancel: Cancel,
    tx: UnboundedSender<Msg>,
) -> Msg {
    let sent = |progress, error: String| {
        msg(UploadMsg::Sent {
            gen,
            progress,
            error: Some(error),
            following: false,
        })
    };
    let resuming = matches!(plan, JournalPlan::Resume { .. });
    let opened = match plan {
        JournalPlan::Fresh { path, writer } => match writer.take() {
            Some(w) => w.finish(&path),
            None => Journal::open(&path),
        },
        JournalPlan::Resume { path, .. } => Journal::open(&path),
        JournalPlan::None => return sent(SendProgress::default(), "nothing to send".into()),
    };
    let mut journal = match opened {
        Ok(j) => j,
        Err(e) => return sent(SendProgress::default(), e.to_string()),
    };
    let following = journal.header.measurements <= FOLLOW_MAX;
    // Before sending: which of the uids about to go m3ter holds already. A usage row cannot
    // tell an old measurement from a new one, so those are settled by their events instead.
    let mut meters = Meters::default();
    let mut before = HashSet::new();
    if following {
        match bodies(&journal, &journal.pending()) {
            Ok(pending) => {
                let _ = meters
                    .ensure(&client, pending.iter().map(|m| m.meter.as_str()))
                    .await;
                match settle::already_ingested(&client, &pending, &meters).await {
                    Ok(found) => before = found,
                    Err(e) => tracing::debug!("usage probe before the upload: {e}"),
                }
            }
            Err(e) => return sent(SendProgress::default(), e),
        }
    }
    let mut stopping = false;
    let result = send::send(&client, &mut journal, concurrency, &cancel, &mut |p| {
        let progress = match p {
            Progress::Answered { summary, .. } => progress_of(summary, stopping),
            Progress::Stopping { .. } => {
                stopping = true;
                return;
            }
        };
        let _ = tx.send(msg(UploadMsg::Sending { gen, progress }));
    })
    .await;
    let summary = match result {
        Ok(s) => s,
        Err(e) => return sent(SendProgress::default(), e.to_string()),
    };
    let progress = progress_of(&summary, false);
    let resume = format!(
        "the journal {} keeps them: open the file again (or `m3ter-console submit --resume --journal {}`) to resume",
        journal.path.display(),
        journal.path.display()
    );
    if let Some(e) = &summary.fatal {
        return sent(
            progress,
            format!(
                "stopped: {e}; {} unsent, {resume}",
                count(summary.unsent_batches, "batch", "batches")
            ),
        );
    }
    if summary.interrupted {
        return sent(
            progress,
            format!(
                "cancelled: {} unsent, {resume}",
                count(summary.unsent_batches, "batch", "batches")
            ),
        );
    }
    if summary.rejected > 0 {
        let first = summary.rejections.first().cloned().unwrap_or_default();
        return sent(
            progress,
            format!(
                "{} measurements rejected ({first}); {resume}",
                summary.rejected
            ),
        );
    }
    // Every batch accepted: read them back to follow, then the journal has done its job.
    let all = if following {
        bodies(&journal, &(0..journal.batches.len()).collect::<Vec<_>>())
    } else {
        Ok(Vec::new())
    };
    let finished = journal.finish().map_err(|e| e.to_string());
    let mut all: Vec<Measurement> = match (all, finished) {
        (Ok(all), Ok(())) => all,
        (Err(e), _) | (_, Err(e)) => return sent(progress, e),
    };
    let sent_all = msg(UploadMsg::Sent {
        gen,
        progress,
        error: None,
        following,
    });
    if !following {
        return sent_all;
    }
    let _ = tx.send(sent_all);
    // Resuming, a uid m3ter held before this run was sent by the run that stopped (its answer
    // was lost): it is ingested. A fresh upload of a uid m3ter holds is a resend: DuplicateUid.
    let mut base = Tally::default();
    let resent = if resuming {
        all.retain(|m| !m.uid.as_ref().is_some_and(|u| before.contains(u)));
        base.ingested = before.len();
        HashSet::new()
    } else {
        before
    };
    if let Err(e) = meters
        .ensure(&client, all.iter().map(|m| m.meter.as_str()))
        .await
    {
        tracing::debug!("meters for the follow-up: {e}");
    }
    let submitted = all.iter().map(|m| settle::submitted(m, &meters)).collect();
    drop(all);
    let with_base = |f: &Follower| {
        let mut t = Tally::of(f);
        t.ingested += base.ingested;
        t
    };
    let followed = settle::settle(&client, submitted, &resent, &cancel, &mut |f| {
        let _ = tx.send(msg(UploadMsg::Followed {
            gen,
            tally: with_base(f),
            done: false,
            error: None,
        }));
    })
    .await;
    match followed {
        Ok(f) => msg(UploadMsg::Followed {
            gen,
            tally: with_base(&f),
            done: true,
            error: None,
        }),
        Err(e) => msg(UploadMsg::Followed {
            gen,
            tally: Tally::default(),
            done: true,
            error: Some(format!("following stopped: {e}")),
        }),
    }
}

/// The measurements of batches `ns` of the journal.
fn bodies(journal: &Journal, ns: &[usize]) -> Result<Vec<Measurement>, String> {
    let mut out = Vec::new();
    for &n in ns {
        let body = journal.body(n).map_err(|e| e.to_string())?;
        let batch: MeasurementBatch = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        out.extend(batch.measurements);
    }
    Ok(out)
}

/// Removes a journal that was checked and written but will not be sent.
pub async fn discard(writer: JournalWriter) -> Msg {
    let _ = tokio::task::spawn_blocking(move || writer.abandon()).await;
    msg(UploadMsg::Discarded)
}

/// The path the journal of `file` has (for messages).
pub fn journal_of(file: &Path) -> PathBuf {
    journal::default_path(file)
}
