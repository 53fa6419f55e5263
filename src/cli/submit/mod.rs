//! `submit`: one measurement from flags or a JSON object, or many from a file (bulk, journaled).

mod args;
mod flags;
mod progress;
mod stdin_journal;
mod wait;

pub use args::{FormatArg, SubmitArgs};

#[cfg(test)]
mod same_json_tests;

use crate::cli::exit::{usage, Interrupted, Rejected};
use crate::cli::output::{self, OutputFormat};
use crate::connect::Connection;
use crate::m3ter::bulk::input::{self, Format};
use crate::m3ter::bulk::journal::{self, Journal, JournalWriter};
use crate::m3ter::bulk::prepare::{self, Checker};
use crate::m3ter::bulk::{check, send, settle, Cancel, Meters};

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
        return from_file(conn, file, &args, fmt).await;
    }
    let mut meters = Meters::default();
    let item = match (&args.json, &args.meter) {
        (Some(path), _) => {
            let item = flags::read_one(path)?;
            meters.ensure(&conn.client, item.meter()).await?;
            item
        }
        (None, Some(code)) => {
            meters.ensure(&conn.client, [code.as_str()]).await?;
            flags::from_flags(&args, &meters)?
        }
        (None, None) => {
            return Err(usage(
                "nothing to submit: give --meter/--account/--field, --json FILE or --file PATH",
            ))
        }
    };
    let measurements = [prepare::one(item, &meters, args.send_anyway, |n| {
        eprintln!("{n}")
    })?];
    if args.dry_run {
        return output::json(&measurements[0]);
    }
    // A uid m3ter holds already is a resend: its old usage row proves nothing, only its event
    // (DuplicateUid) settles it — the same probe as a file's.
    let resent = if args.wait {
        settle::already_ingested(&conn.client, &measurements, &meters)
            .await
            .unwrap_or_else(|e| {
                tracing::debug!("usage probe before the submit: {e}");
                Default::default()
            })
    } else {
        Default::default()
    };
    conn.client.submit(&measurements).await?;
    let m = &measurements[0];
    if fmt != OutputFormat::Json {
        let line = format!(
            "accepted measurement {} (meter {}, account {}, ts {})",
            m.uid.as_deref().unwrap_or("-"),
            m.meter,
            m.account,
            m.ts
        );
        output::print(&format!("{}\n", output::clean(&line)))?;
    }
    let outcome = if args.wait {
        Some(
            wait::wait(
                conn,
                vec![settle::submitted(m, &meters)],
                &resent,
                args.quiet,
            )
            .await?,
        )
    } else {
        None
    };
    if fmt == OutputFormat::Json {
        let mut v = serde_json::json!({"result": "accepted", "measurement": m});
        if let Some(o) = &outcome {
            v["outcome"] = serde_json::to_value(o)?;
        }
        output::json(&v)?;
    } else if let Some(o) = &outcome {
        output::print(&o.human())?;
    }
    outcome.map_or(Ok(()), |o| o.result())
}

/// `--file PATH|-`: checked and journaled as a stream, then sent.
async fn from_file(
    conn: &Connection,
    file: &std::path::Path,
    args: &SubmitArgs,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let format = args
        .format
        .map_or_else(|| Format::detect(file), Format::from);
    let org = conn.client.org_id();
    let stdin = file.as_os_str() == "-";
    let fingerprint = stdin.then(|| stdin_journal::Fingerprint::new(org));
    let reader = input::open(file, |r| match &fingerprint {
        Some(f) => f.reader(r),
        None => r,
    })?;
    let items = input::items(reader, &name, format)?;
    if args.dry_run {
        let c = checked(conn, items, None, args.send_anyway).await?;
        if c.measurements == 0 {
            return Err(usage(format!("{name}: no measurements")));
        }
        eprintln!(
            "{name}: {} valid measurements in {} batch(es); nothing sent (--dry-run)",
            c.measurements, c.batches
        );
        return Ok(());
    }
    // A file's journal is known now (refuse early if it has unsent batches); stdin's is named
    // after its content, so it is written beside its final place until all of it is read.
    let known = match &args.journal {
        Some(j) => Some(j.clone()),
        None if stdin => None,
        None => Some(journal::default_path(file)),
    };
    if let Some(p) = &known {
        journal::check_replaceable(p)?;
    }
    let anchor = match &known {
        Some(p) => p.clone(),
        None => stdin_journal::incoming()?,
    };
    let mut writer = JournalWriter::new(&anchor, org, &name)?;
    let checked = match checked(conn, items, Some(&mut writer), args.send_anyway).await {
        Ok(c) if c.measurements > 0 => c,
        Ok(_) => {
            writer.abandon();
            return Err(usage(format!("{name}: no measurements")));
        }
        Err(e) => {
            writer.abandon();
            return Err(e);
        }
    };
    debug_assert_eq!(checked.batches, writer.batches());
    if args.wait && checked.measurements > wait::WAIT_MAX {
        writer.abandon();
        return Err(usage(format!(
            "--wait follows at most {} measurements (one usage query's worth); {name} has {}: \
             send it without --wait, then check with `m3ter-console usage query` and \
             `m3ter-console events list --failures`",
            wait::WAIT_MAX,
            checked.measurements
        )));
    }
    let path = match (known, &fingerprint) {
        (Some(p), _) => p,
        (None, Some(f)) => {
            let p = f.path()?;
            if let Err(e) = journal::check_replaceable(&p) {
                writer.abandon();
                return Err(e.into());
            }
            if !args.quiet {
                eprintln!(
                    "journal: {} (if stopped, finish with `m3ter-console submit --file - --resume`)",
                    p.display()
                );
            }
            p
        }
        (None, None) => unreachable!("a journal path or stdin"),
    };
    let j = writer.finish(&path)?;
    bulk(conn, j, args, fmt).await
}

async fn bulk(
    conn: &Connection,
    mut j: Journal,
    args: &SubmitArgs,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    if args.wait && j.header.measurements > wait::WAIT_MAX {
        return Err(usage(format!(
            "--wait follows at most {} measurements (one usage query's worth); this journal has {}",
            wait::WAIT_MAX,
            j.header.measurements
        )));
    }
    let pending = j.pending();
    // A uid m3ter holds before a fresh run is a resend: its old usage row proves nothing, only
    // its event (DuplicateUid) settles it. (Resuming, such a uid was sent by the stopped run.)
    let resent = if args.wait && !args.resume {
        already_ingested(conn, &j, &pending).await?
    } else {
        Default::default()
    };
    let to_send = pending.iter().map(|&i| j.batches[i].count).sum();
    let mut display = progress::Display::new(to_send, pending.len(), args.quiet);
    let cancel = Cancel::default();
    let ctrl_c = display.on_ctrl_c(cancel.clone(), &j.path);
    let sent = send::send(
        &conn.client,
        &mut j,
        args.concurrency.into(),
        &cancel,
        &mut |p| display.update(p),
    )
    .await;
    ctrl_c.abort();
    display.finish();
    let summary = sent?;
    let all_sent = summary.fatal.is_none() && !summary.interrupted && summary.rejected == 0;
    let outcome = if args.wait && all_sent {
        if fmt != OutputFormat::Json {
            output::print(&summary.human())?;
        }
        Some(wait::wait(conn, followed(conn, &j).await?, &resent, args.quiet).await?)
    } else {
        None
    };
    if fmt == OutputFormat::Json {
        let mut v = serde_json::to_value(&summary)?;
        if let Some(o) = &outcome {
            v["outcome"] = serde_json::to_value(o)?;
        }
        output::json(&v)?;
    } else if let Some(o) = &outcome {
        output::print(&o.human())?;
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
    j.finish()?;
    outcome.map_or(Ok(()), |o| o.result())
}

/// The uids of batches `ns` of the journal that m3ter holds already (asked before sending).
async fn already_ingested(
    conn: &Connection,
    j: &Journal,
    ns: &[usize],
) -> anyhow::Result<std::collections::HashSet<String>> {
    let mut ms = Vec::new();
    for &n in ns {
        let batch: crate::m3ter::MeasurementBatch = serde_json::from_slice(&j.body(n)?)?;
        ms.extend(batch.measurements);
    }
    let mut meters = Meters::default();
    meters
        .ensure(&conn.client, ms.iter().map(|m| m.meter.as_str()))
        .await?;
    Ok(settle::already_ingested(&conn.client, &ms, &meters).await?)
}

/// The measurements of a journal whose batches were all accepted, to follow with `--wait`.
async fn followed(
    conn: &Connection,
    j: &Journal,
) -> anyhow::Result<Vec<crate::m3ter::follow::Submitted>> {
    let mut all = Vec::new();
    for n in 0..j.batches.len() {
        let batch: crate::m3ter::MeasurementBatch = serde_json::from_slice(&j.body(n)?)?;
        all.extend(batch.measurements);
    }
    let mut meters = Meters::default();
    meters
        .ensure(&conn.client, all.iter().map(|m| m.meter.as_str()))
        .await?;
    Ok(all.iter().map(|m| settle::submitted(m, &meters)).collect())
}

/// Checks and batches the input (into `journal` unless a dry run), the CLI's way: the note on
/// naive times and the warnings (`--send-anyway`) go to stderr, the problems (if any) become a
/// usage error (exit 2).
async fn checked(
    conn: &Connection,
    items: input::Items,
    journal: Option<&mut JournalWriter>,
    anyway: bool,
) -> anyhow::Result<check::Checked> {
    let mut checker = Checker::default().sending_anyway(anyway);
    let c = check::check_batched(&conn.client, items, &mut checker, journal).await?;
    if let Some(n) = checker.naive_note() {
        eprintln!("{n}");
    }
    if checker.passed() {
        if let Some(w) = checker.warning_report() {
            eprintln!("{w}");
        }
    }
    checker.finish()?;
    Ok(c)
}
