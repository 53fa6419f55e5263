//! Reading measurements from a file: NDJSON, a JSON array, or CSV. Each record keeps where it
//! came from (file, line, column) so a bad value is reported where the user can find it.

mod csv;
mod json_array;
mod ndjson;

use super::meters::Meters;
use super::record::Record;
use crate::cli::exit::usage;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON measurement per line.
    Ndjson,
    /// A JSON array of measurements.
    Json,
    /// A header row `meter,account,ts,uid,ets,<field codes…>`, one measurement per row.
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
}

/// Reads a file (or stdin for `-`) as UTF-8.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(path).map_err(|e| usage(format!("{}: cannot read: {e}", path.display())))?
    };
    // A UTF-8 byte-order mark (spreadsheet exports) is not part of the data.
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| usage(format!("{}: not UTF-8 text: {e}", path.display())))
}

/// Every record in `text`; syntax errors stop at the first, naming line and column.
pub fn parse(
    text: &str,
    file: &str,
    format: Format,
    meters: &Meters,
) -> anyhow::Result<Vec<Record>> {
    match format {
        Format::Ndjson => ndjson::parse(text, file),
        Format::Json => json_array::parse(text, file),
        Format::Csv => csv::parse(text, file, meters),
    }
}
