//! CSV measurements: a header row `meter,account[,ts][,uid][,ets],<field codes…>` and one
//! measurement per row. CSV has no types, so each row's meter decides the category of every
//! field column and whether its value must be a number; an empty cell means "not measured".

use super::exit::usage;
use super::input::{Location, Record};
use super::prepare::Meters;
use serde_json::{Map, Value};

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
                "{file}:1: the CSV header has no {required:?} column (expected meter,account,ts,uid,ets and field codes; got {})",
                header.join(",")
            )));
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
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
            Err(msg) => problems.push(format!("{at}: {msg}")),
        }
    }
    if problems.is_empty() {
        return Ok(out);
    }
    let n = problems.len();
    problems.truncate(20);
    if n > problems.len() {
        problems.push(format!("… and {} more", n - problems.len()));
    }
    Err(usage(format!(
        "{}\n{n} invalid row{}; nothing was sent",
        problems.join("\n"),
        if n == 1 { "" } else { "s" }
    )))
}

/// One row as a measurement object, typed by its meter's data fields.
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
    let mut obj = Map::new();
    for key in TOP {
        if let Some(v) = cell(key) {
            obj.insert(key.into(), Value::String(v.into()));
        }
    }
    for (i, name) in header.iter().enumerate() {
        let Some(raw) = row.get(i).filter(|v| !v.is_empty()) else {
            continue;
        };
        if TOP.contains(&name.as_str()) {
            continue;
        }
        let field = meter.data_field(name).ok_or_else(|| {
            format!(
                "column {name}: meter {meter_code:?} has no data field {name:?} (it has: {})",
                Meters::field_list(meter)
            )
        })?;
        let value = if field.category.is_numeric() {
            let n: f64 = raw
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| {
                    format!(
                        "column {name} ({}.{name}): must be a number (a {} value), got {raw:?}",
                        field.category.key(),
                        field.category
                    )
                })?;
            serde_json::json!(n)
        } else {
            Value::String(raw.into())
        };
        obj.entry(field.category.key())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("category maps are objects")
            .insert(name.clone(), value);
    }
    Ok(Value::Object(obj))
}
