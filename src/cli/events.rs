//! `events list|show|download`: what m3ter raised, above all `ingest.validation.failure` — the
//! measurements its asynchronous ingest dropped after answering `accepted`. `download` fetches a
//! failure's JSON log (the error and the measurement as it was submitted) through its
//! short-lived signed link.

use super::exit::usage;
use super::output::{self, OutputFormat, Table};
use crate::connect::Connection;
use crate::m3ter::{Event, EventQuery, INGEST_FAILURE_EVENT};
use futures::{StreamExt, TryStreamExt};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// List events, newest first as m3ter sends them (un-actioned only, unless --all).
    List {
        /// Only ingest failures (`ingest.validation.failure`), as the Console's Ingest Events.
        #[arg(long, conflicts_with = "name")]
        failures: bool,
        /// Only events with this name, e.g. `ingest.validation.failure`.
        #[arg(long)]
        name: Option<String>,
        /// Include events already marked as actioned.
        #[arg(long)]
        all: bool,
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Show one event, with the ingest failure it describes.
    Show { id: String },
    /// Download an ingest failure's JSON log (the error and the original measurement).
    Download {
        id: String,
        /// Write it to this file instead of stdout.
        #[arg(long, short = 'f', value_name = "PATH")]
        file: Option<PathBuf>,
    },
}

pub async fn run(conn: &Connection, cmd: EventsCommand, fmt: OutputFormat) -> anyhow::Result<()> {
    match cmd {
        EventsCommand::List {
            failures,
            name,
            all,
            limit,
        } => {
            let query = EventQuery {
                event_name: if failures {
                    Some(INGEST_FAILURE_EVENT.into())
                } else {
                    name
                },
                include_actioned: all.then_some(true),
                page_size: Some(100),
                ..Default::default()
            };
            list(conn, query, limit.unwrap_or(usize::MAX), fmt).await
        }
        EventsCommand::Show { id } => show(&conn.client.event(&id).await?, fmt),
        EventsCommand::Download { id, file } => download(conn, &id, file).await,
    }
}

/// Prints events page by page as they arrive.
async fn list(
    conn: &Connection,
    query: EventQuery,
    limit: usize,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let mut events = std::pin::pin!(conn.client.events(query).take(limit).try_ready_chunks(100));
    let mut json = output::JsonArray::default();
    let mut t = Table::new(&[
        "ID", "TIME", "EVENT", "FAILURE", "METER", "ACCOUNT", "UID", "ACTIONED",
    ]);
    let mut printed = false;
    while let Some(page) = events.try_next().await.map_err(|e| e.1)? {
        for e in &page {
            if fmt == OutputFormat::Json {
                json.push(e)?;
                continue;
            }
            let f = e.ingest_failure();
            let f = f.as_ref();
            t.row(vec![
                e.id.clone(),
                output::opt(&e.event_time),
                output::opt(&e.event_name),
                f.map(|f| f.failure_type.clone()).unwrap_or_default(),
                f.and_then(|f| f.meter.clone()).unwrap_or_default(),
                f.and_then(|f| f.account.clone()).unwrap_or_default(),
                f.and_then(|f| f.uid.clone()).unwrap_or_default(),
                if e.dt_actioned.is_some() { "yes" } else { "" }.into(),
            ]);
        }
        if fmt != OutputFormat::Json {
            t.print_page()?;
            printed = true;
        }
    }
    if fmt == OutputFormat::Json {
        return json.end();
    }
    if !printed {
        t.print_page()?;
    }
    Ok(())
}

fn show(e: &Event, fmt: OutputFormat) -> anyhow::Result<()> {
    if fmt == OutputFormat::Json {
        return output::json(e);
    }
    let f = e.ingest_failure();
    let f = f.as_ref();
    let mut text = output::fields(&[
        ("id", Some(e.id.clone())),
        ("event", e.event_name.clone()),
        ("time", e.event_time.clone()),
        ("actioned", e.dt_actioned.clone()),
        ("failure", f.map(|f| f.failure_type.clone())),
        ("message", f.map(|f| f.message.clone())),
        ("field", f.and_then(|f| f.field.clone())),
        ("uid", f.and_then(|f| f.uid.clone())),
        ("meter", f.and_then(|f| f.meter.clone())),
        ("account", f.and_then(|f| f.account.clone())),
        ("account id", f.and_then(|f| f.account_id.clone())),
        (
            "log",
            f.and_then(|f| f.get_download_url.as_ref())
                .map(|_| format!("m3ter-console events download {}", e.id)),
        ),
    ]);
    if f.is_none() {
        if let Some(payload) = &e.m3ter_event {
            text.push_str(&format!(
                "payload\n{}\n",
                serde_json::to_string_pretty(payload)?
            ));
        }
    }
    output::print(&text)
}

async fn download(conn: &Connection, id: &str, file: Option<PathBuf>) -> anyhow::Result<()> {
    let event = conn.client.event(id).await?;
    let path = event
        .ingest_failure()
        .and_then(|f| f.get_download_url)
        .ok_or_else(|| {
            usage(format!(
                "event {id} has no failed-ingest log (only ingest failures have one)"
            ))
        })?;
    let link = conn.client.failed_ingest_download_url(&path).await?;
    let bytes = conn.client.download(&link.url).await?;
    match file {
        Some(f) => {
            crate::private_fs::write_private_file(&f, &bytes)?;
            eprintln!("wrote {} ({} bytes)", f.display(), bytes.len());
            Ok(())
        }
        None => output::print_data(&String::from_utf8_lossy(&bytes)),
    }
}
