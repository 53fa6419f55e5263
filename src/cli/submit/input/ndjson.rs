//! NDJSON: one measurement per line.

use crate::cli::exit::usage;
use crate::cli::submit::record::{Location, Record, MAX_REPORTED};

/// NDJSON lines are independent, so every broken line is reported (up to
/// [`MAX_REPORTED`]), not just the first: a QA run fixes them in one go.
pub fn parse(text: &str, file: &str) -> anyhow::Result<Vec<Record>> {
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
                if problems.len() < MAX_REPORTED {
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

pub(super) fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_reports_line_and_column() {
        let e = parse("{\"a\":1}\n\n{\"a\":}\n", "f.ndjson").unwrap_err();
        assert_eq!(e.to_string(), "f.ndjson:3:6: expected value");
        assert_eq!(parse("{}\n\n{}\n", "f").unwrap()[1].at.line, 3);
        let all = parse("{\"a\":\n{}\n[1,\n", "f").unwrap_err().to_string();
        assert_eq!(
            all,
            "f:1:5: EOF while parsing a value\nf:3:3: EOF while parsing a value\n2 lines are not valid JSON; nothing was sent"
        );
    }
}
