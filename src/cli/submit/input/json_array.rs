//! A JSON array of measurements, walked element by element so each record knows the line and
//! column it starts at.

use super::ndjson::strip_position;
use crate::cli::exit::usage;
use crate::cli::submit::record::{Location, Record};
use serde_json::Value;
use std::cell::Cell;

/// A JSON array, walked element by element so each record knows the line and column it starts.
pub fn parse(text: &str, file: &str) -> anyhow::Result<Vec<Record>> {
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

/// Byte offset → (line, column), both 1-based; columns count characters.
///
/// Records are located in increasing order, so the column is counted on from the last answer
/// when it is on the same line: a whole array on one line (what most tools write) costs one pass
/// over the text, not one pass per element.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last answer: (pos, line, column).
    last: Cell<(usize, usize, usize)>,
    /// Characters counted so far (tests check the work stays linear).
    #[cfg(test)]
    counted: Cell<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            text,
            starts,
            last: Cell::new((0, 1, 1)),
            #[cfg(test)]
            counted: Cell::new(0),
        }
    }

    fn at(&self, pos: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= pos);
        let (last_pos, last_line, last_col) = self.last.get();
        let (from, base) = if last_line == line && last_pos <= pos {
            (last_pos, last_col)
        } else {
            (self.starts[line - 1], 1)
        };
        let counted = self
            .text
            .get(from..pos)
            .map_or(pos - from, |s| s.chars().count());
        #[cfg(test)]
        self.counted.set(self.counted.get() + counted);
        let col = base + counted;
        self.last.set((pos, line, col));
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_know_where_they_start() {
        let text = "[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n";
        let r = parse(text, "f.json").unwrap();
        assert_eq!((r[1].at.line, r[1].at.column), (3, Some(3)));
        let e = parse("[\n  {\"a\": 1},\n  {\"b\": }\n]", "f.json").unwrap_err();
        assert_eq!(e.to_string(), "f.json:3:9: expected value");
        assert!(parse("[{}, {}", "f").is_err());
        assert!(parse("[]", "f").unwrap().is_empty());
    }

    #[test]
    fn one_line_arrays_are_located_in_one_pass() {
        let one = r#"{"meter":"m","account":"é","ts":"t"}"#;
        let text = format!("[{}]", vec![one; 5000].join(","));
        let lines = LineIndex::new(&text);
        let mut pos = 1;
        let mut last = (0, 0);
        for i in 0..5000 {
            last = lines.at(pos);
            assert_eq!(last, (1, 2 + i * (one.chars().count() + 1)));
            pos += one.len() + 1;
        }
        assert!(
            lines.counted.get() <= text.chars().count(),
            "counted {} characters for a text of {}",
            lines.counted.get(),
            text.len()
        );
        assert_eq!(last.0, 1);
        assert_eq!(parse(&text, "f").unwrap()[4999].at.column, Some(last.1));
    }
}
