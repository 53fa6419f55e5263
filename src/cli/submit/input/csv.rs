//! CSV measurements: a header row `meter,account[,ts][,uid][,ets],<fields…>` and one
//! measurement per row; a field column is `category.code` as in m3ter's CSV template
//! (`measure.num_apps`), or the bare code when that is unambiguous. CSV has no types, so each row's meter decides the category of every
//! field column and whether its value must be a number; an empty cell means "not measured".

use crate::cli::exit::usage;
use crate::cli::submit::meters::Meters;
use crate::cli::submit::record::{Location, Problems, Record};
use crate::m3ter::measurement_builder::MeasurementBuilder;
use serde_json::Value;

const TOP: [&str; 5] = ["meter", "account", "ts", "uid", "ets"];

pub fn parse(text: &str, file: &str, meters: &Meters) -> anyhow::Result<Vec<Record>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| usage(format!("{file}:1: cannot read the CSV header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    for required in ["meter", "account"] {
        if !header.iter().any(|h| h == required) {
            return Err(usage(format!(
                "{file}:1: the CSV header has no {required:?} column (expected meter,account,ts,uid,ets and fields such as measure.calls; got {})",
                header.join(",")
            )));
        }
    }
    let mut out = Vec::new();
    let mut problems = Problems::default();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            usage(format!("{file}:{line}: {e}"))
        })?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let at = Location {
            file: file.into(),
            line,
            column: None,
        };
        match to_object(&header, &row, meters) {
            Ok(value) => out.push(Record { value, at }),
            Err(msg) => problems.push(|| format!("{at}: {msg}")),
        }
    }
    if problems.is_empty() {
        return Ok(out);
    }
    Err(usage(problems.report(|n| {
        format!(
            "{n} invalid row{}; nothing was sent",
            if n == 1 { "" } else { "s" }
        )
    })))
}

/// One row as a measurement object, typed by its meter's data fields. A field column is named
/// `category.code` (m3ter's CSV template, e.g. `measure.num_apps`) or by the bare code when the
/// row's meter has only one field with that code.
fn to_object(header: &[String], row: &csv::StringRecord, meters: &Meters) -> Result<Value, String> {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .filter(|v| !v.is_empty())
    };
    let meter_code = cell("meter").ok_or("column meter: is required")?;
    let meter = meters.get(meter_code)?;
    let mut b = MeasurementBuilder::new();
    for key in TOP {
        if let Some(v) = cell(key) {
            b.set(key, v);
        }
    }
    for (i, name) in header.iter().enumerate() {
        let Some(raw) = row.get(i).filter(|v| !v.is_empty()) else {
            continue;
        };
        if TOP.contains(&name.as_str()) {
            continue;
        }
        let field = Meters::field(meter, name).map_err(|m| format!("column {name}: {m}"))?;
        b.set_typed(field, raw).map_err(|m| {
            format!(
                "column {name} ({}.{}): {m}",
                field.category.key(),
                field.code
            )
        })?;
    }
    Ok(b.into_value())
}
