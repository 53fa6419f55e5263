//! `usage query`: what m3ter ingested, as its Console's Usage Data Explorer shows it — raw
//! measurements, or aggregations grouped by account, time or a dimension — over a period preset
//! (today, yesterday, 7d, 30d, mtd) or `--from/--to`. Fields are named like everywhere else in
//! the CLI (`measure.calls` or `calls`); the query needs meter and account ids, looked up here.

use super::exit::{usage, NotFound};
use super::output::{self, OutputFormat, Table};
use crate::connect::Connection;
use crate::m3ter::period::{Period, Preset};
use crate::m3ter::usage_table::UsageTable;
use crate::m3ter::{
    Aggregation, AggregationFieldType, AggregationFunction, DataField, DimensionFilter, ListQuery,
    Meter, TimeFrequency, UsageGroup, UsageQuery, USAGE_QUERY_LIMIT_MAX,
};

#[derive(Debug, clap::Subcommand)]
pub enum UsageCommand {
    /// Query ingested usage: raw measurements, or aggregations with --agg.
    #[command(after_help = "Examples:\n  \
        m3ter-console usage query --period today --meter api_calls\n  \
        m3ter-console usage query --period 7d --agg measure.calls:sum --group time:day\n  \
        m3ter-console usage query --from 2026-11-01 --to 2026-11-30 --agg calls:sum --group account --csv\n  \
        m3ter-console usage query --where region=eu-west-1 --agg hours:max --group instance_type")]
    Query(QueryArgs),
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// today, yesterday, 7d, 30d or mtd (month to date), in the local time zone.
    #[arg(long, default_value = "7d", conflicts_with_all = ["from", "to"])]
    pub period: String,
    /// Start: a date (local midnight) or an RFC 3339 date-time.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// End: a date (included) or an RFC 3339 date-time (excluded).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Only this meter (repeatable).
    #[arg(long = "meter", value_name = "CODE")]
    pub meters: Vec<String>,
    /// Only this account (repeatable).
    #[arg(long = "account", value_name = "CODE")]
    pub accounts: Vec<String>,
    /// Only measurements whose dimension FIELD is VALUE (repeatable; same field: any value).
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    pub filters: Vec<String>,
    /// An aggregation FIELD:FUNCTION, e.g. measure.calls:sum (sum, min, max, count, latest, mean
    /// for numbers; count, unique for dimensions). Repeatable.
    #[arg(long = "agg", value_name = "FIELD:FUNCTION")]
    pub aggregations: Vec<String>,
    /// Group aggregations by `account`, `time:hour|day|week|month|quarter` or a dimension FIELD.
    /// Repeatable.
    #[arg(long = "group", value_name = "GROUP", requires = "aggregations")]
    pub groups: Vec<String>,
    /// Most rows to return (1–20000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=USAGE_QUERY_LIMIT_MAX as i64))]
    pub limit: Option<u32>,
    /// Print CSV (header row first) instead of a table or JSON.
    #[arg(long)]
    pub csv: bool,
}

pub async fn run(conn: &Connection, cmd: UsageCommand, fmt: OutputFormat) -> anyhow::Result<()> {
    let UsageCommand::Query(args) = cmd;
    let query = build(conn, &args).await?;
    let answer = conn.client.usage_query(&query).await?;
    if answer.has_more_data {
        eprintln!(
            "note: more rows matched than the {} returned; narrow the query or raise --limit",
            answer.data.len()
        );
    }
    if fmt == OutputFormat::Json && !args.csv {
        return output::json(&answer);
    }
    let table = UsageTable::from_rows(&answer.data);
    if args.csv {
        return output::print_data(&table.to_csv());
    }
    if table.is_empty() {
        eprintln!("no usage in that period");
        return Ok(());
    }
    let header: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let mut t = Table::new(&header);
    for row in &table.rows {
        t.row(row.clone());
    }
    t.print()
}

/// The query the flags describe.
async fn build(conn: &Connection, args: &QueryArgs) -> anyhow::Result<UsageQuery> {
    let period = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Period::custom(from, to, &chrono::Local)
            .map_err(|m| usage(format!("--from/--to: {m}")))?,
        _ => Preset::from_name(&args.period)
            .ok_or_else(|| {
                usage(format!(
                    "--period {:?}: expected today, yesterday, 7d, 30d or mtd",
                    args.period
                ))
            })?
            .resolve(&chrono::Local::now()),
    };
    let meters = meters(conn, args).await?;
    let mut q = UsageQuery {
        start_date: Some(period.start_date()),
        end_date: Some(period.end_date()),
        meter_ids: if args.meters.is_empty() {
            vec![]
        } else {
            meters.iter().map(|m| m.id.clone()).collect()
        },
        limit: args.limit,
        ..Default::default()
    };
    for code in &args.accounts {
        let a = conn
            .client
            .account_by_code(code)
            .await?
            .ok_or_else(|| NotFound(format!("--account: no account has the code {code:?}")))?;
        q.account_ids.push(a.id);
    }
    for f in &args.filters {
        let (name, value) = f
            .split_once('=')
            .ok_or_else(|| usage(format!("--where {f:?}: expected FIELD=VALUE")))?;
        for (m, field) in fields(&meters, name, "--where")? {
            if field.category.is_numeric() {
                return Err(usage(format!(
                    "--where {name}: a {} field is a number, not a dimension",
                    field.category
                )));
            }
            match q
                .dimension_filters
                .iter_mut()
                .find(|d| d.meter_id == m.id && d.field_code == field.code)
            {
                Some(d) => d.values.push(value.to_string()),
                None => q.dimension_filters.push(DimensionFilter {
                    meter_id: m.id.clone(),
                    field_code: field.code.clone(),
                    values: vec![value.to_string()],
                }),
            }
        }
    }
    for a in &args.aggregations {
        let (name, function) = a.rsplit_once(':').ok_or_else(|| {
            usage(format!(
                "--agg {a:?}: expected FIELD:FUNCTION, e.g. measure.calls:sum"
            ))
        })?;
        let function = AggregationFunction::parse(function).ok_or_else(|| {
            usage(format!(
                "--agg {a}: {function:?} is not sum, min, max, count, latest, mean or unique"
            ))
        })?;
        for (m, field) in fields(&meters, name, "--agg")? {
            let field_type = if field.category.is_numeric() {
                AggregationFieldType::Measure
            } else {
                AggregationFieldType::Dimension
            };
            if !function.applies_to(field_type) {
                return Err(usage(format!(
                    "--agg {a}: {} does not apply to a {} field",
                    function.name(),
                    field.category
                )));
            }
            q.aggregations.push(Aggregation {
                meter_id: m.id.clone(),
                field_code: field.code.clone(),
                field_type,
                function,
            });
        }
    }
    for g in &args.groups {
        match g.split_once(':') {
            _ if g == "account" => q.groups.push(UsageGroup::Account),
            Some(("time", f)) => q.groups.push(UsageGroup::Time {
                frequency: TimeFrequency::parse(f).ok_or_else(|| {
                    usage(format!(
                        "--group {g}: expected time:hour, time:day, time:week, time:month or time:quarter"
                    ))
                })?,
            }),
            _ => {
                for (m, field) in fields(&meters, g, "--group")? {
                    q.groups.push(UsageGroup::Dimension {
                        meter_id: m.id.clone(),
                        field_code: field.code.clone(),
                    });
                }
            }
        }
    }
    Ok(q)
}

/// The meters named by `--meter`, or every meter when none is.
async fn meters(conn: &Connection, args: &QueryArgs) -> anyhow::Result<Vec<Meter>> {
    let query = if args.meters.is_empty() {
        ListQuery::page_size(100)
    } else {
        ListQuery {
            codes: args.meters.clone(),
            ..ListQuery::page_size(100)
        }
    };
    let found: Vec<Meter> = conn.client.list_all(query).await?;
    for code in &args.meters {
        if !found.iter().any(|m| m.code.as_deref() == Some(code)) {
            return Err(NotFound(format!("--meter: no meter has the code {code:?}")).into());
        }
    }
    Ok(found)
}

/// Every (meter, data field) that `name` (`category.code` or `code`) names; none is an error.
fn fields<'m>(
    meters: &'m [Meter],
    name: &str,
    flag: &str,
) -> anyhow::Result<Vec<(&'m Meter, &'m DataField)>> {
    let out: Vec<_> = meters
        .iter()
        .flat_map(|m| {
            m.data_fields
                .iter()
                .filter(|f| f.code == name || format!("{}.{}", f.category.key(), f.code) == name)
                .map(move |f| (m, f))
        })
        .collect();
    if out.is_empty() {
        let why = match meters {
            [m] => format!(
                "meter {:?} has no data field {name:?}",
                m.code.as_deref().unwrap_or("")
            ),
            _ => format!("no meter has a data field {name:?}"),
        };
        return Err(usage(format!("{flag} {name}: {why}")));
    }
    Ok(out)
}
