//! A JSON array of measurements, walked element by element so each record knows the line and
//! column it starts at.

use super::ndjson::strip_position;
use super::{Item, Problem, Reader};
use crate::m3ter::bulk::record::Location;
use crate::m3ter::bulk::{BulkError, Result};
use serde_json::Value;
use std::cell::Cell;
use std::io::Read;

/// The elements of a JSON array, one at a time; a syntax error ends the input (after it, where
/// the next element starts is unknown).
pub struct Items {
    text: String,
    file: String,
    lines: LineIndex,
    /// Where the next element starts, once inside the array.
    pos: Option<usize>,
    /// A problem found after the element just returned, reported next.
    pending: Option<Problem>,
    done: bool,
}

impl Items {
    /// Reads the whole input (it must be UTF-8).
    pub fn new(mut reader: Reader, file: &str) -> Result<Items> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| BulkError::Input(format!("{file}: cannot read: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| BulkError::Input(format!("{file}: not UTF-8 text: {e}")))?;
        Ok(Items {
            lines: LineIndex::new(&text),
            text,
            file: file.into(),
            pos: None,
            pending: None,
            done: false,
        })
    }

    /// A syntax error at `pos`; nothing after it is read.
    fn syntax(&mut self, pos: usize, msg: &str) -> Problem {
        self.done = true;
        let (l, c) = self.lines.at(&self.text, pos);
        Problem {
            message: format!("{}:{l}:{c}: {msg}", self.file),
            fatal: true,
        }
    }

    /// The array closed at `close`: only whitespace may follow.
    fn closed(&mut self, close: usize) -> Option<Problem> {
        self.done = true;
        let end = skip_ws(self.text.as_bytes(), close + 1);
        (end < self.text.len()).then(|| self.syntax(end, "unexpected text after the array"))
    }

    fn element(&mut self, pos: usize) -> Result<Item, Problem> {
        let mut stream = serde_json::Deserializer::from_str(&self.text[pos..]).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                // serde's position is relative to `pos`: translate it to the whole file.
                let (l0, c0) = self.lines.at(&self.text, pos);
                let (l, c) = if e.line() <= 1 {
                    (l0, c0 + e.column().saturating_sub(1))
                } else {
                    (l0 + e.line() - 1, e.column())
                };
                self.done = true;
                return Err(Problem {
                    message: format!("{}:{l}:{c}: {}", self.file, strip_position(&e)),
                    fatal: true,
                });
            }
            None => return Err(self.syntax(pos, "unexpected end of file inside the array")),
        };
        let (line, column) = self.lines.at(&self.text, pos);
        let next = skip_ws(self.text.as_bytes(), pos + stream.byte_offset());
        match self.text.as_bytes().get(next) {
            Some(b',') => self.pos = Some(skip_ws(self.text.as_bytes(), next + 1)),
            Some(b']') => self.pending = self.closed(next),
            _ => self.pending = Some(self.syntax(next, "expected , or ] after an array element")),
        }
        Ok(Item::json(
            Location {
                file: self.file.clone(),
                line,
                column: Some(column),
            },
            value,
        ))
    }
}

impl Iterator for Items {
    type Item = Result<Item, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(p) = self.pending.take() {
            return Some(Err(p));
        }
        if self.done {
            return None;
        }
        let pos = match self.pos {
            Some(p) => p,
            None => {
                let bytes = self.text.as_bytes();
                let open = skip_ws(bytes, 0);
                if bytes.get(open) != Some(&b'[') {
                    return Some(Err(
                        self.syntax(open, "expected a JSON array of measurements ([ … ])")
                    ));
                }
                let first = skip_ws(bytes, open + 1);
                if bytes.get(first) == Some(&b']') {
                    return self.closed(first).map(Err);
                }
                first
            }
        };
        self.pos = None;
        if self.done {
            return None;
        }
        Some(self.element(pos))
    }
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
struct LineIndex {
    starts: Vec<usize>,
    /// The last answer: (pos, line, column).
    last: Cell<(usize, usize, usize)>,
    /// Characters counted so far (tests check the work stays linear).
    #[cfg(test)]
    counted: Cell<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            starts,
            last: Cell::new((0, 1, 1)),
            #[cfg(test)]
            counted: Cell::new(0),
        }
    }

    /// The position of byte `pos` of `text` (the text this index was made for).
    fn at(&self, text: &str, pos: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= pos);
        let (last_pos, last_line, last_col) = self.last.get();
        let (from, base) = if last_line == line && last_pos <= pos {
            (last_pos, last_col)
        } else {
            (self.starts[line - 1], 1)
        };
        let counted = text
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

    fn parse(text: &str) -> Vec<Result<Item, Problem>> {
        Items::new(Box::new(std::io::Cursor::new(text.to_string())), "f.json")
            .unwrap()
            .collect()
    }

    fn describe(all: &[Result<Item, Problem>]) -> Vec<String> {
        all.iter()
            .map(|r| match r {
                Ok(i) => format!("ok {}", i.at),
                Err(p) => p.message.clone(),
            })
            .collect()
    }

    #[test]
    fn array_elements_know_where_they_start() {
        let r = parse("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n");
        assert_eq!(describe(&r), ["ok f.json:2:3", "ok f.json:3:3"]);
        let r = parse("[\n  {\"a\": 1},\n  {\"b\": }\n]");
        assert_eq!(
            describe(&r),
            ["ok f.json:2:3", "f.json:3:9: expected value"]
        );
        let r = parse("[{}, {}");
        assert_eq!(
            describe(&r),
            [
                "ok f.json:1:2",
                "ok f.json:1:6",
                "f.json:1:8: expected , or ] after an array element"
            ]
        );
        assert!(parse("[]").is_empty());
        assert_eq!(
            describe(&parse("[] x")),
            ["f.json:1:4: unexpected text after the array"]
        );
        assert_eq!(
            describe(&parse("{}")),
            ["f.json:1:1: expected a JSON array of measurements ([ … ])"]
        );
    }

    #[test]
    fn one_line_arrays_are_located_in_one_pass() {
        let one = r#"{"meter":"m","account":"é","ts":"t"}"#;
        let text = format!("[{}]", vec![one; 5000].join(","));
        let lines = LineIndex::new(&text);
        let mut pos = 1;
        let mut last = (0, 0);
        for i in 0..5000 {
            last = lines.at(&text, pos);
            assert_eq!(last, (1, 2 + i * (one.chars().count() + 1)));
            pos += one.len() + 1;
        }
        assert!(
            lines.counted.get() <= text.chars().count(),
            "counted {} characters for a text of {}",
            lines.counted.get(),
            text.len()
        );
        let all = parse(&text);
        assert_eq!(all.len(), 5000);
        assert_eq!(all[4999].as_ref().unwrap().at.column, Some(last.1));
    }
}
