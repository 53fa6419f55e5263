//! NDJSON: one measurement per line, read line by line. Lines are independent, so every broken
//! line is reported (with the other problems), not just the first: a QA run fixes them in one go.

use super::{Item, Problem, Reader};
use crate::m3ter::bulk::record::Location;
use std::io::BufRead;

pub struct Items {
    reader: Reader,
    file: String,
    line: usize,
    buf: Vec<u8>,
}

impl Items {
    pub fn new(reader: Reader, file: &str) -> Self {
        Items {
            reader,
            file: file.into(),
            line: 0,
            buf: Vec::new(),
        }
    }
}

impl Iterator for Items {
    type Item = Result<Item, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(Problem {
                        message: format!("{}: cannot read: {e}", self.file),
                        fatal: true,
                    }))
                }
            }
            self.line += 1;
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (file, line) = (&self.file, self.line);
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => {
                    return Some(Err(Problem {
                        message: format!("{file}:{line}: not UTF-8 text: {e}"),
                        fatal: false,
                    }))
                }
            };
            return Some(match serde_json::from_str(text) {
                Ok(value) => Ok(Item::json_line(
                    Location {
                        file: file.clone(),
                        line,
                        column: None,
                    },
                    value,
                    text,
                )),
                Err(e) => Err(Problem {
                    message: format!("{file}:{line}:{}: {}", e.column(), strip_position(&e)),
                    fatal: false,
                }),
            });
        }
    }
}

/// serde_json's message without its own " at line L column C" (we print our own position):
/// the file readers and the TUI's JSON editor both show the position their own way.
pub fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Result<Item, Problem>> {
        Items::new(Box::new(std::io::Cursor::new(text.to_string())), "f").collect()
    }

    #[test]
    fn every_broken_line_is_reported_where_it_is() {
        let all = parse("{\"a\":1}\n\n{\"a\":}\n{}\r\n[1,\n");
        let lines: Vec<String> = all
            .iter()
            .map(|r| match r {
                Ok(i) => format!("ok {}", i.at),
                Err(p) => p.message.clone(),
            })
            .collect();
        assert_eq!(
            lines,
            [
                "ok f:1",
                "f:3:6: expected value",
                "ok f:4",
                "f:5:3: EOF while parsing a value"
            ]
        );
    }
}
