//! `submit`: one measurement from flags or a JSON object, or many from a file (bulk, journaled).

mod args;
mod batch;
mod flags;
mod input;
mod journal;
mod meters;
mod prepare;
mod record;
mod send;
mod stdin_journal;

pub use args::SubmitArgs;

#[cfg(test)]
mod same_json_tests;

use crate::cli::exit::{usage, Interrupted, Rejected};
use crate::cli::output::{self, OutputFormat};
use crate::connect::Connection;
use input::Format;
use journal::Journal;
use meters::Meters;

pub async fn run(conn: &Connection, args: SubmitArgs, fmt: OutputFormat) -> anyhow::Result<()> {
    if args.resume {
        let path = match (&args.journal, &args.file) {
            (Some(j), _) => j.clone(),
            (None, Some(f)) if f.as_os_str() == "-" => {
                let p = stdin_journal::newest_unfinished(conn.client.org_id())?;
                eprintln!("resuming {}", p.display());
                p
            }
            (None, Some(f)) => journal::default_path(f),
            (None, None) => return Err(usage("--resume needs --file PATH or --journal PATH")),
        };
        let j = Journal::open(&path)?;
        if j.header.org != conn.client.org_id() {
            return Err(usage(format!(
                "{} was written for organization {}, not {}: connect to that organization to resume",
                path.display(),
                j.header.org,
                conn.client.org_id()
            )));
        }
        return bulk(conn, j, &args, fmt).await;
    }
    if let Some(file) = &args.file {
        let name = file.display().to_string();
        let format = args.format.unwrap_or_else(|| Format::detect(file));
        let text = input::read_text(file)?;
        let meters = Meters::fetch(conn).await?;
        let records = input::parse(&text, &name, format, &meters)?;
        if records.is_empty() {
            return Err(usage(format!("{name}: no measurements")));
        }
        let measurements = prepare::prepare(records, &meters)?;
        let batches = batch::split(&measurements)?;
        if args.dry_run {
            eprintln!(
                "{name}: {} valid measurements in {} batch(es); nothing sent (--dry-run)",
                measurements.len(),
                batches.len()
            );
            return Ok(());
        }
        let path = match &args.journal {
            Some(j) => j.clone(),
            None if file.as_os_str() == "-" => {
                let p = stdin_journal::path_for(conn.client.org_id(), &text)?;
                if !args.quiet {
                    eprintln!(
                    "journal: {} (if stopped, finish with `m3ter-console submit --file - --resume`)",
                    p.display()
                );
                }
                p
            }
            None => journal::default_path(file),
        };
        let j = Journal::create(&path, conn.client.org_id(), &name, batches)?;
        return bulk(conn, j, &args, fmt).await;
    }
    let (record, meters) = match (&args.json, &args.meter) {
        (Some(path), _) => (flags::read_one(path)?, Meters::fetch(conn).await?),
        (None, Some(_)) => {
            let meters = Meters::fetch(conn).await?;
            (flags::from_flags(&args, &meters)?, meters)
        }
        (None, None) => {
            return Err(usage(
                "nothing to submit: give --meter/--account/--field, --json FILE or --file PATH",
            ))
        }
    };
    let measurements = prepare::prepare(vec![record], &meters)?;
    if args.dry_run {
        return output::json(&measurements[0]);
    }
    conn.client.submit(&measurements).await?;
    let m = &measurements[0];
    if fmt == OutputFormat::Json {
        output::json(&serde_json::json!({"result": "accepted", "measurement": m}))
    } else {
        output::print(&output::clean(&format!(
            "accepted measurement {} (meter {}, account {}, ts {})",
            m.uid.as_deref().unwrap_or("-"),
            m.meter,
            m.account,
            m.ts
        )))?;
        output::print("\n")
    }
}

async fn bulk(
    conn: &Connection,
    mut j: Journal,
    args: &SubmitArgs,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let summary = send::send(&conn.client, &mut j, args.concurrency.into(), args.quiet).await?;
    if fmt == OutputFormat::Json {
        output::json(&summary)?;
    } else {
        output::print(&summary.human())?;
    }
    let resume = format!(
        "m3ter-console submit --resume --journal {}",
        j.path.display()
    );
    if let Some(e) = summary.fatal {
        return Err(anyhow::Error::from(e).context(format!(
            "stopped with {} batch(es) unsent; once fixed, finish with `{resume}`",
            summary.unsent_batches
        )));
    }
    if summary.interrupted {
        return Err(Interrupted(format!(
            "interrupted with {} batch(es) unsent; the journal is saved: finish with `{resume}`",
            summary.unsent_batches
        ))
        .into());
    }
    if summary.rejected > 0 {
        return Err(Rejected(format!(
            "{} measurements were rejected; the journal {} keeps them (fix the cause, then `{resume}`)",
            summary.rejected,
            j.path.display()
        ))
        .into());
    }
    j.finish()
}
