//! Where an input record came from, so a problem is reported where the user can find it; and
//! the report of an input's problems (how many it lists).

use std::fmt;

/// Most problems listed before giving up (the rest are counted).
pub const MAX_REPORTED: usize = 20;

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

/// Collects the problems of a whole input: the first [`MAX_REPORTED`] in full, the rest counted.
#[derive(Debug)]
pub struct Problems {
    shown: Vec<String>,
    count: usize,
    keep: usize,
}

impl Default for Problems {
    fn default() -> Self {
        Self::keeping(MAX_REPORTED)
    }
}

impl Problems {
    /// Keeps the first `keep` problems in full (a screen that scrolls keeps many more than a
    /// terminal report).
    pub fn keeping(keep: usize) -> Self {
        Problems {
            shown: Vec::new(),
            count: 0,
            keep,
        }
    }

    pub fn push(&mut self, problem: impl FnOnce() -> String) {
        self.count += 1;
        if self.shown.len() < self.keep {
            self.shown.push(problem());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The problems kept in full, in input order.
    pub fn shown(&self) -> &[String] {
        &self.shown
    }

    /// Every problem found, kept or only counted.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The report: each problem on a line, `… and N more`, then `summary(count)`.
    pub fn report(self, summary: impl FnOnce(usize) -> String) -> String {
        let mut msg = self.shown.join("\n");
        let more = self.count - self.shown.len();
        if more > 0 {
            msg.push_str(&format!("\n… and {more} more"));
        }
        msg.push('\n');
        msg.push_str(&summary(self.count));
        msg
    }
}
