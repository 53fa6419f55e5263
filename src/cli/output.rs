//! `--output table|json`: aligned columns for people, JSON for scripts. The default follows
//! stdout — a table on a terminal, JSON when piped — so `| jq` works without a flag.
//!
//! Everything printed for people goes through [`clean`] (or [`clean_lines`]): names, codes and
//! messages come from the server or from files, and a raw escape sequence in an account name
//! would otherwise clear the user's screen, set the window title or forge table rows.
//! Writes to stdout return their errors, so a closed pipe (`| head -1`) ends the command quietly
//! (see [`crate::cli::exit`]) instead of panicking.

use serde::Serialize;
use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// Bidirectional-text controls: they reorder what follows on screen, so a cell could appear to
/// hold another value.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() || is_bidi_control(c)) && !keep(c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text safe for a terminal: every control character (line breaks and tabs too) and
/// bidi control shown as an escape such as `\u{1b}`.
pub fn clean(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// Like [`clean`], but keeps line breaks and tabs (multi-line messages and summaries).
pub fn clean_lines(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

/// Writes data meant for a file (a CSV) to stdout: as is when redirected; on a terminal,
/// cleaned like [`clean_lines`] (line ends `\r\n` kept).
pub fn print_data(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        out.write_all(escape(text, |c| matches!(c, '\n' | '\t' | '\r')).as_bytes())?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Writes text for people to stdout, cleaned with [`clean_lines`].
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(clean_lines(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

impl OutputFormat {
    pub fn resolve(flag: Option<OutputFormat>) -> OutputFormat {
        flag.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                OutputFormat::Table
            } else {
                OutputFormat::Json
            }
        })
    }
}

/// A value as pretty JSON text. serde_json escapes C0 controls; C1 controls (8-bit CSI…) and
/// bidi controls, which it leaves raw, are written as `\uXXXX` escapes too (they can only occur
/// inside strings, so the JSON means the same).
fn json_text<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Ok(text);
    }
    Ok(text
        .chars()
        .map(|c| match c {
            c if (c.is_control() && c != '\n') || is_bidi_control(c) => {
                format!("\\u{:04x}", c as u32)
            }
            c => c.to_string(),
        })
        .collect())
}

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut text = json_text(value)?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// A JSON array printed element by element as they arrive (a long list is never held whole);
/// the text is the same as [`json`] of the whole array.
#[derive(Default)]
pub struct JsonArray {
    count: usize,
}

impl JsonArray {
    pub fn push<T: Serialize>(&mut self, value: &T) -> anyhow::Result<()> {
        let text = json_text(value)?;
        let mut out = String::with_capacity(text.len() + 64);
        out.push_str(if self.count == 0 { "[\n" } else { ",\n" });
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("  ");
            out.push_str(line);
        }
        self.count += 1;
        let mut w = std::io::stdout().lock();
        w.write_all(out.as_bytes())?;
        w.flush()?;
        Ok(())
    }

    pub fn end(self) -> anyhow::Result<()> {
        let mut w = std::io::stdout().lock();
        w.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        w.flush()?;
        Ok(())
    }
}

/// A plain table: a header row and left-aligned columns two spaces apart.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Column widths of the rows already printed ([`Table::print_page`]).
    widths: Vec<usize>,
    header_printed: bool,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| clean(h).into_owned()).collect(),
            rows: Vec::new(),
            widths: header.iter().map(|h| h.chars().count()).collect(),
            header_printed: false,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| clean(&c).into_owned()).collect());
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        self.render_rows(&mut widths, true)
    }

    /// The header (the first time) and the rows added since the last call, then forgets them:
    /// for lists printed page by page as they arrive. Columns are as wide as the widest cell
    /// printed so far (a later, wider cell widens its column from there on).
    pub fn print_page(&mut self) -> anyhow::Result<()> {
        let mut widths = std::mem::take(&mut self.widths);
        let text = self.render_rows(&mut widths, !self.header_printed);
        self.widths = widths;
        self.header_printed = true;
        self.rows.clear();
        print(&text)
    }

    fn render_rows(&self, widths: &mut [usize], header: bool) -> String {
        let n = self.header.len();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut s = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut l = String::new();
            for (i, c) in cells.enumerate() {
                if i + 1 < n {
                    l.push_str(&format!("{c:<w$}  ", w = widths[i]));
                } else {
                    l.push_str(c);
                }
            }
            s.push_str(l.trim_end());
            s.push('\n');
        };
        if header {
            line(&mut self.header.iter().map(String::as_str));
        }
        for r in &self.rows {
            line(&mut r.iter().map(String::as_str));
        }
        s
    }

    pub fn print(&self) -> anyhow::Result<()> {
        print(&self.render())
    }
}

/// `key: value` lines for one entity (`accounts show`), skipping empty values.
pub fn fields(pairs: &[(&str, Option<String>)]) -> String {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k:<w$}  {}\n", clean(v))))
        .collect()
}

pub fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align() {
        let mut t = Table::new(&["CODE", "NAME"]);
        t.row(vec!["a".into(), "Alpha".into()]);
        t.row(vec!["longer".into(), "B".into()]);
        assert_eq!(t.render(), "CODE    NAME\na       Alpha\nlonger  B\n");
    }

    #[test]
    fn pages_print_as_they_come() {
        let mut t = Table::new(&["CODE", "NAME"]);
        t.row(vec!["a".into(), "Alpha".into()]);
        let first = t.render_rows(&mut t.widths.clone(), true);
        assert_eq!(first, "CODE  NAME\na     Alpha\n");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let mut t = Table::new(&["CODE", "NAME"]);
        t.row(vec![
            "EVIL".into(),
            "\x1b[2J\x1b]0;pwned\x07x\r\nFORGED  row\u{9b}\u{202e}".into(),
        ]);
        let out = t.render();
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("\\u{1b}[2J"), "{out}");
        assert!(out.contains("\\u{202e}"), "{out}");
        assert_eq!(clean_lines("a\nb\x1b"), "a\nb\\u{1b}");
        let f = fields(&[("name", Some("a\x1bb".into()))]);
        assert_eq!(f, "name  a\\u{1b}b\n");
    }
}
