//! `submit`: one measurement from flags or a JSON object, or many from a file (bulk, journaled).

use super::exit::{usage, Interrupted, Rejected};
use super::input::{self, Format, Location, Record};
use super::journal::{self, Journal};
use super::output::{self, OutputFormat};
use super::prepare::{self, Meters};
use super::stdin_journal;
use crate::config::Connection;
use crate::m3ter::DataFieldCategory;
use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    m3ter-console submit --meter api_calls --account ACME --field user=bob --field calls=3\n  \
    m3ter-console submit --json measurement.json\n  \
    m3ter-console submit --file usage.ndjson --concurrency 4\n  \
    m3ter-console submit --file usage.ndjson --resume\n\n\
    A --file is checked completely before anything is sent (exit 2 names file, line, column and \
    field). Its batches, with a uid fixed for every measurement, are written to a journal \
    (usage.ndjson.journal) and each accepted batch is recorded there, so a run that is \
    interrupted (Ctrl-C: exit 130) or killed can be finished with --resume: only the batches \
    not yet accepted are sent, with the same uids. The journal is removed once every batch \
    is accepted.\n\n\
    Standard input works too (`--file -`): its journal goes to \
    ~/.local/share/m3ter-console/journals/stdin-<hash>.journal (the data dir; the hash is of \
    the organization and the input, so piping the same data again while it has unsent batches \
    is refused instead of sent twice), and `--file - --resume` resumes the newest unfinished \
    stdin journal of the organization without reading stdin again:\n  \
    produce-usage | m3ter-console submit --file -\n  \
    m3ter-console submit --file - --resume")]
pub struct SubmitArgs {
    /// Meter code (one measurement from flags).
    #[arg(long, conflicts_with_all = ["json", "file"], requires = "account")]
    pub meter: Option<String>,
    /// Account code; an unknown code makes m3ter auto-create the account.
    #[arg(long, requires = "meter")]
    pub account: Option<String>,
    /// Timestamp (ISO 8601) [default: now].
    #[arg(long, requires = "meter")]
    pub ts: Option<String>,
    /// End timestamp, for usage over a period.
    #[arg(long, requires = "meter")]
    pub ets: Option<String>,
    /// Unique id for de-duplication [default: a new UUID].
    #[arg(long, requires = "meter")]
    pub uid: Option<String>,
    /// A data field value, CODE=VALUE; the meter decides its category and type. Repeatable.
    #[arg(long = "field", value_name = "CODE=VALUE", requires = "meter")]
    pub fields: Vec<String>,
    /// One measurement as a JSON object, from FILE or `-` for stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    pub json: Option<PathBuf>,
    /// Many measurements: NDJSON, a JSON array, or CSV.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Format of --file [default: by extension: .csv, .json, else NDJSON].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Journal file [default: the input path + `.journal`; for stdin, one in the data dir].
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Send the batches a journal has not had acknowledged, with their original uids.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar (terminal) or progress lines (one per 10% when stderr is not a
    /// terminal); the summary and errors still print.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Check the input and show the batches, but send nothing.
    #[arg(long, conflicts_with = "resume")]
    pub dry_run: bool,
}

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
        let batches = super::batch::split(&measurements)?;
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
        (Some(path), _) => (read_one(path)?, Meters::fetch(conn).await?),
        (None, Some(_)) => {
            let meters = Meters::fetch(conn).await?;
            (from_flags(&args, &meters)?, meters)
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
        println!(
            "accepted measurement {} (meter {}, account {}, ts {})",
            m.uid.as_deref().unwrap_or("-"),
            m.meter,
            m.account,
            m.ts
        );
        Ok(())
    }
}

async fn bulk(
    conn: &Connection,
    mut j: Journal,
    args: &SubmitArgs,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let summary =
        super::send::send(&conn.client, &mut j, args.concurrency.into(), args.quiet).await?;
    if fmt == OutputFormat::Json {
        output::json(&summary)?;
    } else {
        print!("{}", summary.human());
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

/// `--json FILE|-`: one object; a syntax error names line and column.
fn read_one(path: &std::path::Path) -> anyhow::Result<Record> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let text = input::read_text(path)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("{name}:{}:{}: {e}", e.line(), e.column())))?;
    if !value.is_object() {
        return Err(usage(format!(
            "{name}: expected one measurement object (for many, use --file)"
        )));
    }
    Ok(Record {
        at: Location {
            file: name,
            line: 1,
            column: None,
        },
        value,
    })
}

/// The measurement the flags describe; each `--field` goes under its data field's category.
fn from_flags(args: &SubmitArgs, meters: &Meters) -> anyhow::Result<Record> {
    let code = args.meter.as_deref().unwrap_or_default();
    let meter = meters.get(code).map_err(usage)?;
    let mut obj = Map::new();
    obj.insert("meter".into(), code.into());
    obj.insert(
        "account".into(),
        args.account.clone().unwrap_or_default().into(),
    );
    for (k, v) in [("ts", &args.ts), ("ets", &args.ets), ("uid", &args.uid)] {
        if let Some(v) = v {
            obj.insert(k.into(), v.clone().into());
        }
    }
    for kv in &args.fields {
        let (name, raw) = kv
            .split_once('=')
            .ok_or_else(|| usage(format!("--field {kv:?}: expected CODE=VALUE")))?;
        let field = meter.data_field(name).ok_or_else(|| {
            usage(format!(
                "--field {name}: meter {code:?} has no data field {name:?} (it has: {})",
                Meters::field_list(meter)
            ))
        })?;
        let value = typed(field.category, raw).map_err(|m| {
            usage(format!(
                "--field {name} ({}.{name}): {m}",
                field.category.key()
            ))
        })?;
        obj.entry(field.category.key())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("category maps are objects")
            .insert(name.into(), value);
    }
    Ok(Record {
        at: Location {
            file: "command line".into(),
            line: 0,
            column: None,
        },
        value: Value::Object(obj),
    })
}

fn typed(cat: DataFieldCategory, raw: &str) -> Result<Value, String> {
    if !cat.is_numeric() {
        return Ok(Value::String(raw.into()));
    }
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(|n| serde_json::json!(n))
        .ok_or_else(|| format!("must be a number (a {cat} value), got {raw:?}"))
}
