//! Reading measurements from a file or stdin: NDJSON, a JSON array, or CSV, as a stream of
//! items, each knowing where it came from (file, line, column) so a bad value is reported where
//! the user can find it. NDJSON and CSV are read as they are consumed, so memory does not grow
//! with the input; a JSON array is read whole first (one value cannot be streamed line by line),
//! then handed out element by element.

mod csv;
mod json_array;
mod ndjson;

pub use ndjson::strip_position;

use super::meters::Meters;
use super::record::Location;
use super::{BulkError, Result};
/// The top-level keys of a measurement a CSV header may name (the rest are data fields).
use serde_json::Value;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON measurement per line.
    Ndjson,
    /// A JSON array of measurements.
    Json,
    /// A header row `meter,account,ts,uid,ets,<fields…>` (fields as `measure.calls` or `calls`),
    /// one measurement per row.
    Csv,
}

impl Format {
    /// By extension: `.csv`, `.json`, otherwise NDJSON (`.ndjson`, `.jsonl`, anything else).
    pub fn detect(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "csv" => Format::Csv,
            Some(e) if e == "json" => Format::Json,
            _ => Format::Ndjson,
        }
    }

    /// By extension when it says (`.csv`, `.json`, `.ndjson`, `.jsonl`), else by the first
    /// non-blank byte of `head` (the file's start): `[` a JSON array, `{` NDJSON, anything
    /// else CSV (a header row).
    pub fn sniff(path: &Path, head: &[u8]) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if matches!(ext.as_deref(), Some("csv" | "json" | "ndjson" | "jsonl")) {
            return Format::detect(path);
        }
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Format::Json,
            Some(b'{') | None => Format::Ndjson,
            Some(_) => Format::Csv,
        }
    }

    /// `NDJSON`, `JSON array`, `CSV`.
    pub fn label(self) -> &'static str {
        match self {
            Format::Ndjson => "NDJSON",
            Format::Json => "JSON array",
            Format::Csv => "CSV",
        }
    }
}

pub type Reader = Box<dyn BufRead + Send>;

/// One measurement as read, not yet typed (CSV) nor checked against its meter.
#[derive(Debug)]
pub struct Item {
    pub at: Location,
    body: Body,
    /// The record's own text when it is one line of its own (NDJSON), to point a problem at
    /// the column of the value it is about.
    raw: Option<Box<str>>,
}

#[derive(Debug)]
enum Body {
    Json(Value),
    Csv(Arc<Vec<String>>, ::csv::StringRecord),
}

impl Item {
    pub fn json(at: Location, value: Value) -> Item {
        Item {
            at,
            body: Body::Json(value),
            raw: None,
        }
    }

    /// A JSON record read from the line `raw` (NDJSON).
    pub fn json_line(at: Location, value: Value, raw: &str) -> Item {
        Item {
            raw: Some(raw.into()),
            ..Item::json(at, value)
        }
    }

    /// Takes the record's text out (see [`column_of`]).
    pub fn take_raw(&mut self) -> Option<Box<str>> {
        self.raw.take()
    }

    /// The meter code it names, if any (to fetch just the meters an input uses).
    pub fn meter(&self) -> Option<&str> {
        match &self.body {
            Body::Json(v) => v.get("meter").and_then(Value::as_str),
            Body::Csv(header, row) => csv::cell(header, row, "meter"),
        }
    }

    /// The raw measurement object; a CSV row is typed by its meter's data fields here.
    pub fn into_value(self, meters: &Meters) -> Result<Value, String> {
        match self.body {
            Body::Json(v) => Ok(v),
            Body::Csv(header, row) => csv::to_object(&header, &row, meters),
        }
    }

    /// [`Item::into_value`], but a CSV row naming a meter the organization lacks is typed by
    /// its header's `category.code` names (a stand-in meter), so it can be sent anyway.
    pub fn into_value_anyway(self, meters: &Meters) -> Result<Value, String> {
        match self.body {
            Body::Csv(header, row) => match csv::cell(&header, &row, "meter") {
                Some(code) if meters.find(code).is_none() => {
                    let stand_in = Meters::stand_in(code, header.iter().map(String::as_str))
                        .map_err(|m| format!("column {m}"))?;
                    csv::to_object(&header, &row, &Meters::from_list(vec![stand_in]))
                }
                _ => csv::to_object(&header, &row, meters),
            },
            body => Item { body, ..self }.into_value(meters),
        }
    }
}

/// The column (1-based, in characters) where the value of `field` (`measure.calls`, `meter`)
/// starts in the one-line JSON record `raw`, found by its keys in order; `None` when it is not
/// there (a missing field) or `field` names no key.
pub fn column_of(raw: &str, field: &str) -> Option<usize> {
    if field.is_empty() {
        return None;
    }
    let bytes = raw.as_bytes();
    let mut pos = 0;
    for seg in field.split('.') {
        let key = format!("\"{seg}\"");
        let mut from = pos;
        pos = loop {
            let at = from + raw.get(from..)?.find(&key)?;
            let mut after = at + key.len();
            while bytes.get(after).is_some_and(u8::is_ascii_whitespace) {
                after += 1;
            }
            if bytes.get(after) == Some(&b':') {
                break after + 1;
            }
            from = at + 1;
        };
    }
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    Some(raw.get(..pos)?.chars().count() + 1)
}

/// Input that is not an item: a syntax error (reported with the others; `fatal` when reading
/// cannot go on past it).
#[derive(Debug)]
pub struct Problem {
    pub message: String,
    pub fatal: bool,
}

pub type Items = Box<dyn Iterator<Item = Result<Item, Problem>> + Send>;

/// The file, or stdin for `-`, buffered, with a UTF-8 byte-order mark (spreadsheet exports)
/// skipped. `wrap` sees every byte read (the stdin journal names itself after them).
pub fn open(
    path: &Path,
    wrap: impl FnOnce(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
) -> Result<Reader> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| BulkError::Input(format!("{}: cannot read: {e}", path.display())))?,
        )
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, wrap(raw));
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(Box::new(reader))
}

/// The items of `reader` in `format`; a CSV without a usable header is refused here.
pub fn items(reader: Reader, file: &str, format: Format) -> Result<Items> {
    Ok(match format {
        Format::Ndjson => Box::new(ndjson::Items::new(reader, file)),
        Format::Json => Box::new(json_array::Items::new(reader, file)?),
        Format::Csv => Box::new(csv::Items::new(reader, file)?),
    })
}

#[cfg(test)]
mod tests {
    use super::column_of;

    #[test]
    fn a_field_is_found_by_its_keys_in_order() {
        let raw = r#"{"meter":"calls","account":"A","measure": {"calls": "3"}}"#;
        assert_eq!(column_of(raw, "measure.calls"), Some(53));
        assert_eq!(&raw[52..55], "\"3\"");
        assert_eq!(
            column_of(raw, "meter"),
            Some(10),
            "a value equal to a key is skipped"
        );
        assert_eq!(column_of(raw, "ts"), None);
        assert_eq!(column_of(raw, ""), None);
        assert_eq!(
            column_of(r#"{"é":1,"ts":"x"}"#, "ts"),
            Some(13),
            "in characters"
        );
    }
}
