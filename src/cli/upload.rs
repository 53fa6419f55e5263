//! `upload FILE`: m3ter's measurement file upload — a signed URL, the file PUT to it, then the
//! job that ingests it followed to its end (rows processed and failed). The file (NDJSON, a JSON
//! array or CSV, like `submit --file`) is checked locally first and sent as the JSON array
//! m3ter's File Upload Service takes.

use super::exit::{usage, Rejected};
use super::output::{self, OutputFormat};
use super::submit::FormatArg;
use crate::connect::Connection;
use crate::m3ter::bulk::input::{self, Format};
use crate::m3ter::bulk::prepare::Checker;
use crate::m3ter::bulk::{check, BulkError};
use crate::m3ter::{JobStatus, Measurement, UploadJob, UPLOAD_FILE_NAME_MAX, UPLOAD_MAX_BYTES};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// Measurements: NDJSON, a JSON array, or CSV (as `submit --file`).
    pub file: PathBuf,
    /// Format of FILE [default: by extension: .csv, .json, else NDJSON].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Do not follow the job: print its id once the file is uploaded.
    #[arg(long)]
    pub no_wait: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub async fn run(conn: &Connection, args: UploadArgs, fmt: OutputFormat) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let format = args
        .format
        .map_or_else(|| Format::detect(&args.file), Format::from);
    let items = input::items(input::open(&args.file, |r| r)?, &name, format)?;
    let mut body = b"[".to_vec();
    let mut sink = |n: usize, m: &Measurement| -> Result<(), BulkError> {
        if n > 1 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, m)?;
        if body.len() as u64 > UPLOAD_MAX_BYTES {
            return Err(BulkError::Input(format!(
                "{name}: over {UPLOAD_MAX_BYTES} bytes as JSON, m3ter's upload limit: split it"
            )));
        }
        Ok(())
    };
    let mut checker = Checker::default();
    let count = check::check_all(&conn.client, items, &mut checker, &mut sink).await?;
    if let Some(n) = checker.naive_note() {
        eprintln!("{n}");
    }
    checker.finish()?;
    if count == 0 {
        return Err(usage(format!("{name}: no measurements")));
    }
    body.push(b']');
    let file_name: String = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "measurements.json".into())
        .chars()
        .take(UPLOAD_FILE_NAME_MAX)
        .collect();
    let bytes = body.len();
    let job = conn.client.upload_measurements(&file_name, body).await?;
    eprintln!(
        "uploaded {count} measurements ({bytes} bytes) as {}: job {job}",
        output::clean(&file_name)
    );
    if args.no_wait {
        return output::print(&format!("{job}\n"));
    }
    let done = follow(conn, &job, count as u64, args.quiet).await?;
    if fmt == OutputFormat::Json {
        output::json(&done)?;
    } else {
        output::print(&format!(
            "job {}: {} — {} of {} rows processed, {} failed\n",
            done.id,
            status(&done),
            done.processed_rows.unwrap_or(0),
            done.total_rows.unwrap_or(count as u64),
            done.failed_rows.unwrap_or(0)
        ))?;
    }
    match (done.status, done.failed_rows.unwrap_or(0)) {
        (Some(JobStatus::Succeeded), 0) => Ok(()),
        (_, failed) => Err(Rejected(format!(
            "job {} ended {} with {failed} failed row(s) (`m3ter-console events list --failures` shows why)",
            done.id,
            status(&done)
        ))
        .into()),
    }
}

fn status(j: &UploadJob) -> &'static str {
    match j.status {
        Some(JobStatus::Succeeded) => "succeeded",
        Some(JobStatus::Failed) => "failed",
        Some(JobStatus::Running) => "running",
        Some(JobStatus::NotUploaded) => "not uploaded",
        Some(JobStatus::Other) | None => "unknown",
    }
}

/// Polls the job (once a second, as m3ter's limits allow) until it is final, with a bar on a
/// terminal; gives up after ten minutes without progress.
async fn follow(conn: &Connection, id: &str, rows: u64, quiet: bool) -> anyhow::Result<UploadJob> {
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(rows), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} rows ingested  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    };
    let mut last = (None, 0);
    let mut still = 0;
    loop {
        let job = conn.client.upload_job(id).await?;
        bar.set_length(job.total_rows.unwrap_or(rows));
        bar.set_position(job.processed_rows.unwrap_or(0));
        bar.set_message(status(&job));
        if job.status.is_some_and(JobStatus::is_final) {
            bar.finish_and_clear();
            return Ok(job);
        }
        let now = (job.status, job.processed_rows.unwrap_or(0));
        still = if now == last { still + 1 } else { 0 };
        last = now;
        if still >= 600 {
            bar.finish_and_clear();
            anyhow::bail!(
                "job {id} made no progress for ten minutes (status {}); check it later",
                status(&job)
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
