//! Reading measurements from a file: NDJSON, a JSON array, or CSV. Each record keeps where it
//! came from (file, line, column) so a bad value is reported where the user can find it.

use super::csv_input;
use super::exit::usage;
use serde_json::Value;
use std::fmt;
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

/// Where a record starts: `file:line` or `file:line:column` (line 0: just the source's name).
#[derive(Debug, Clone)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return f.write_str(&self.file);
        }
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        Ok(())
    }
}

/// One measurement as read, not yet checked against its meter.
#[derive(Debug)]
pub struct Record {
    pub at: Location,
    pub value: Value,
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
    meters: &super::prepare::Meters,
) -> anyhow::Result<Vec<Record>> {
    match format {
        Format::Ndjson => ndjson(text, file),
        Format::Json => json_array(text, file),
        Format::Csv => csv_input::parse(text, file, meters),
    }
}

/// NDJSON lines are independent, so every broken line is reported (up to
/// [`super::prepare::MAX_REPORTED`]), not just the first: a QA run fixes them in one go.
fn ndjson(text: &str, file: &str) -> anyhow::Result<Vec<Record>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut broken = 0usize;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(value) => out.push(Record {
                at: Location {
                    file: file.into(),
                    line: i + 1,
                    column: None,
                },
                value,
            }),
            Err(e) => {
                broken += 1;
                if problems.len() < super::prepare::MAX_REPORTED {
                    problems.push(format!(
                        "{file}:{}:{}: {}",
                        i + 1,
                        e.column(),
                        strip_position(&e)
                    ));
                }
            }
        }
    }
    match broken {
        0 => Ok(out),
        1 => Err(usage(problems.remove(0))),
        n => {
            let more = n - problems.len();
            let mut msg = problems.join("\n");
            if more > 0 {
                msg.push_str(&format!("\n… and {more} more"));
            }
            msg.push_str(&format!("\n{n} lines are not valid JSON; nothing was sent"));
            Err(usage(msg))
        }
    }
}

/// A JSON array, walked element by element so each record knows the line and column it starts.
fn json_array(text: &str, file: &str) -> anyhow::Result<Vec<Record>> {
    let bytes = text.as_bytes();
    let lines = LineIndex::new(text);
    let syntax = |pos: usize, msg: &str| {
        let (l, c) = lines.at(pos);
        usage(format!("{file}:{l}:{c}: {msg}"))
    };
    let mut pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'[') {
        return Err(syntax(pos, "expected a JSON array of measurements ([ … ])"));
    }
    pos = skip_ws(bytes, pos + 1);
    let mut out = Vec::new();
    if bytes.get(pos) == Some(&b']') {
        return Ok(out);
    }
    loop {
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                // serde's position is relative to `pos`: translate it to the whole file.
                let (l0, c0) = lines.at(pos);
                let (l, c) = if e.line() <= 1 {
                    (l0, c0 + e.column().saturating_sub(1))
                } else {
                    (l0 + e.line() - 1, e.column())
                };
                return Err(usage(format!("{file}:{l}:{c}: {}", strip_position(&e))));
            }
            None => return Err(syntax(pos, "unexpected end of file inside the array")),
        };
        let (line, column) = lines.at(pos);
        out.push(Record {
            at: Location {
                file: file.into(),
                line,
                column: Some(column),
            },
            value,
        });
        pos = skip_ws(bytes, pos + stream.byte_offset());
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b']') => break,
            _ => return Err(syntax(pos, "expected , or ] after an array element")),
        }
    }
    let end = skip_ws(bytes, pos + 1);
    if end < bytes.len() {
        return Err(syntax(end, "unexpected text after the array"));
    }
    Ok(out)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && b[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// serde_json's message without its own " at line L column C" (we print our own position).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Byte offset → (line, column), both 1-based; columns count characters.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn at(&self, pos: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= pos);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..pos)
            .map_or(pos - start, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_reports_line_and_column() {
        let e = ndjson("{\"a\":1}\n\n{\"a\":}\n", "f.ndjson").unwrap_err();
        assert_eq!(e.to_string(), "f.ndjson:3:6: expected value");
        assert_eq!(ndjson("{}\n\n{}\n", "f").unwrap()[1].at.line, 3);
        let all = ndjson("{\"a\":\n{}\n[1,\n", "f").unwrap_err().to_string();
        assert_eq!(
            all,
            "f:1:5: EOF while parsing a value\nf:3:3: EOF while parsing a value\n2 lines are not valid JSON; nothing was sent"
        );
    }

    #[test]
    fn array_elements_know_where_they_start() {
        let text = "[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n";
        let r = json_array(text, "f.json").unwrap();
        assert_eq!((r[1].at.line, r[1].at.column), (3, Some(3)));
        let e = json_array("[\n  {\"a\": 1},\n  {\"b\": }\n]", "f.json").unwrap_err();
        assert_eq!(e.to_string(), "f.json:3:9: expected value");
        assert!(json_array("[{}, {}", "f").is_err());
        assert!(json_array("[]", "f").unwrap().is_empty());
    }
}
