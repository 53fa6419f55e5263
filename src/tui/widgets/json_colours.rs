//! Colours for JSON in a text editor: keys, strings, numbers and literals (`true`, `false`,
//! `null`) each in their own colour.
//!
//! ratatui-textarea styles at most one pattern (its search), so the editor is drawn as it is and
//! its cells are then recoloured: each display row is mapped back to the text with the
//! editor's own `screen_to_data` (soft wrapping included), and each character's token decides
//! its colour (keys also bold). Backgrounds are kept, so the cursor and a selection keep their
//! look.
//! JSON strings cannot span lines, so each line is classified on its own.

use crate::tui::style;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Key,
    String,
    Number,
    Literal,
    Other,
}

impl Token {
    pub fn style(self) -> Style {
        match self {
            // Bold too: in the light theme the accent is the numbers' blue.
            Token::Key => style::accent().add_modifier(Modifier::BOLD),
            Token::String => style::json_string(),
            Token::Number => style::json_number(),
            Token::Literal => style::warn(),
            Token::Other => Style::default(),
        }
    }
}

/// The token of each character of `line` (one entry per `char`).
pub fn classify(line: &str) -> Vec<Token> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = vec![Token::Other; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let token = if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            if next == Some(&':') {
                Token::Key
            } else {
                Token::String
            }
        } else if c == '-' || c.is_ascii_digit() {
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || "+-.eE".contains(chars[i])) {
                i += 1;
            }
            Token::Number
        } else if c.is_alphabetic() {
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if matches!(word.as_str(), "true" | "false" | "null") {
                Token::Literal
            } else {
                Token::Other
            }
        } else {
            i += 1;
            Token::Other
        };
        out[start..i].fill(token);
    }
    out
}

/// Recolours the JSON `ta` has just drawn into `area` of `buf`.
pub fn paint(ta: &TextArea, buf: &mut Buffer, area: Rect) {
    let gutter = ta.line_number_width();
    let (top, left) = ta.scroll_offset();
    let lines = ta.lines();
    let mut cached: Option<(usize, Vec<Token>)> = None;
    for r in 0..area.height {
        let start = ta.screen_to_data(top as usize + r as usize, left as usize);
        let Some(line) = lines.get(start.0) else {
            continue;
        };
        if cached.as_ref().is_none_or(|(row, _)| *row != start.0) {
            cached = Some((start.0, classify(line)));
        }
        let tokens = &cached.as_ref().expect("just set").1;
        // A tab is drawn as several cells: map those rows cell by cell.
        let tabs = line.contains('\t');
        let mut col = start.1;
        let mut x = gutter;
        while x < area.width {
            let cell = &mut buf[(area.x + x, area.y + r)];
            let width = ratatui::text::Span::raw(cell.symbol()).width().max(1) as u16;
            if tabs {
                col = ta
                    .screen_to_data(top as usize + r as usize, (left + x - gutter) as usize)
                    .1;
            }
            if !cell.symbol().trim().is_empty() {
                if let Some(t) = tokens.get(col) {
                    cell.set_style(t.style());
                }
            }
            col += 1;
            x += width;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Token::*;
    use super::*;

    #[test]
    fn keys_strings_numbers_and_literals() {
        let line = r#"  "a\"b": "x", "n": -1.5e3, "t": true, "z": null}"#;
        let t = classify(line);
        let at = |s: &str| line.find(s).map(|b| line[..b].chars().count()).unwrap();
        assert_eq!(t[at(r#""a\"b""#)], Key);
        assert_eq!(
            t[at(r#""a\"b""#) + 5],
            Key,
            "the escaped quote stays inside"
        );
        assert_eq!(t[at(r#""x""#)], String);
        assert_eq!(t[at("-1.5e3")], Number);
        assert_eq!(t[at("-1.5e3") + 5], Number);
        assert_eq!(t[at("true")], Literal);
        assert_eq!(t[at("null") + 3], Literal);
        assert_eq!(t[at(":")], Other);
        assert_eq!(t.len(), line.chars().count());
    }

    #[test]
    fn an_unterminated_string_runs_to_the_end_of_the_line() {
        let t = classify(r#""ab"#);
        assert_eq!(t, [String, String, String]);
    }
}
