//! `submit`'s flags.

use crate::m3ter::bulk::input::Format;
use std::path::PathBuf;

/// `--format`: the file formats [`Format`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One JSON measurement per line.
    Ndjson,
    /// A JSON array of measurements.
    Json,
    /// A header row `meter,account,ts,uid,ets,<fields…>` (fields as `measure.calls` or `calls`),
    /// one measurement per row.
    Csv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    m3ter-console submit --meter api_calls --account ACME --field user=bob --field calls=3\n  \
    m3ter-console submit --json measurement.json\n  \
    m3ter-console submit --file usage.ndjson --concurrency 4\n  \
    m3ter-console submit --file usage.ndjson --resume\n  \
    m3ter-console submit --json ghost.json --send-anyway --wait   (watch m3ter drop it)\n\n\
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
    pub format: Option<FormatArg>,
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
    /// After m3ter accepts, follow each measurement to its outcome (ingested, or failed with the
    /// ingest event's type); exit 1 if any failed or could not be confirmed.
    #[arg(long, conflicts_with = "dry_run")]
    pub wait: bool,
    /// Refuse only what m3ter's request stage refuses (its 400: a bad code, uid, ts, a value of
    /// the wrong type…); what m3ter checks only after accepting (an unknown meter code, a field
    /// the meter lacks or under the wrong category) becomes a warning on stderr and the
    /// measurement is sent, so you can watch m3ter drop it (with --wait: `failed:
    /// UndefinedMeter`, exit 1). With --meter naming an unknown meter, give each --field as
    /// category.code=VALUE (e.g. measure.calls=3).
    #[arg(long, conflicts_with = "resume")]
    pub send_anyway: bool,
    /// Check the input and show the batches, but send nothing.
    #[arg(long, conflicts_with = "resume")]
    pub dry_run: bool,
}
