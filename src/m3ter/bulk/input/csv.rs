//! CSV measurements: a header row `meter,account[,ts][,uid][,ets],<fields…>` and one
//! measurement per row; a field column is `category.code` as in m3ter's CSV template
//! (`measure.num_apps`), or the bare code when that is unambiguous. CSV has no types, so each
//! row's meter decides the category of every field column and whether its value must be a
//! number; an empty cell means "not measured".

use super::{Body, Item, Problem, Reader};
use crate::m3ter::bulk::meters::Meters;
use crate::m3ter::bulk::record::Location;
use crate::m3ter::bulk::{BulkError, Result};
use crate::m3ter::measurement_builder::MeasurementBuilder;
use serde_json::Value;
use std::sync::Arc;

pub const TOP: [&str; 5] = ["meter", "account", "ts", "uid", "ets"];

/// The rows of a CSV input, read as they are consumed. A row the CSV reader cannot parse ends
/// the input (where the next row starts is then unknown).
pub struct Items {
    reader: ::csv::Reader<Reader>,
    header: Arc<Vec<String>>,
    file: String,
    done: bool,
}

impl Items {
    /// Reads and checks the header row.
    pub fn new(reader: Reader, file: &str) -> Result<Items> {
        let mut reader = ::csv::ReaderBuilder::new()
            .trim(::csv::Trim::All)
            .from_reader(reader);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| BulkError::Input(format!("{file}:1: cannot read the CSV header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        for required in ["meter", "account"] {
            if !header.iter().any(|h| h == required) {
                return Err(BulkError::Input(format!(
                    "{file}:1: the CSV header has no {required:?} column (expected meter,account,ts,uid,ets and fields such as measure.calls; got {})",
                    header.join(",")
                )));
            }
        }
        Ok(Items {
            reader,
            header: Arc::new(header),
            file: file.into(),
            done: false,
        })
    }
}

impl Iterator for Items {
    type Item = Result<Item, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut row = ::csv::StringRecord::new();
        match self.reader.read_record(&mut row) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = row.position().map_or(0, |p| p.line() as usize);
                Some(Ok(Item {
                    at: Location {
                        file: self.file.clone(),
                        line,
                        column: None,
                    },
                    body: Body::Csv(self.header.clone(), row),
                    raw: None,
                }))
            }
            Err(e) => {
                self.done = true;
                let line = e.position().map_or(0, |p| p.line());
                Some(Err(Problem {
                    message: format!("{}:{line}: {e}", self.file),
                    fatal: true,
                }))
            }
        }
    }
}

/// The non-empty cell of column `name`.
pub fn cell<'r>(header: &[String], row: &'r ::csv::StringRecord, name: &str) -> Option<&'r str> {
    header
        .iter()
        .position(|h| h == name)
        .and_then(|i| row.get(i))
        .filter(|v| !v.is_empty())
}

/// One row as a measurement object, typed by its meter's data fields. A field column is named
/// `category.code` (m3ter's CSV template, e.g. `measure.num_apps`) or by the bare code when the
/// row's meter has only one field with that code.
pub fn to_object(
    header: &[String],
    row: &::csv::StringRecord,
    meters: &Meters,
) -> Result<Value, String> {
    let cell = |name: &str| cell(header, row, name);
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
