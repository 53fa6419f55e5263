//! The Advanced JSON editor colours keys, strings, numbers and literals each their own way, also
//! after a long line wraps.

use super::support::*;
use m3ter_console::tui::style;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use ratatui::Terminal;

/// The style of the first cell of the `n`th occurrence (0-based) of `text` on screen.
fn style_of(buf: &Buffer, text: &str, n: usize) -> Style {
    let w = buf.area.width;
    let mut seen = 0;
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..w).map(|x| buf[(x, y)].symbol()).collect();
        let line = row.concat();
        let mut from = 0;
        while let Some(i) = line[from..].find(text) {
            let byte = from + i;
            if seen == n {
                // Symbols are one character each here (ASCII text).
                let x = line[..byte].chars().count() as u16;
                return buf[(x, y)].style();
            }
            seen += 1;
            from = byte + text.len();
        }
    }
    panic!("{text:?} #{n} not on screen");
}

#[test]
fn keys_strings_numbers_and_literals_have_their_own_colours() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    let long = "x".repeat(90);
    a.editor_done(Ok(format!(
        "{{\n  \"uid\": \"u-1\",\n  \"note\": \"{long}\",\n  \"measure\": {{\"gb\": 12.5}},\n  \"flag\": true\n}}"
    )));
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| a.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let fg = |s: Style| s.fg;
    let key = style_of(&buf, "\"uid\"", 0);
    assert_eq!(fg(key), style::accent().fg);
    assert!(
        key.add_modifier.contains(Modifier::BOLD),
        "keys are bold too"
    );
    assert_eq!(fg(style_of(&buf, "\"u-1\"", 0)), style::json_string().fg);
    // After the long string wrapped onto a second row, the mapping still holds.
    assert_eq!(fg(style_of(&buf, "xxxxx", 1)), style::json_string().fg);
    assert_eq!(fg(style_of(&buf, "\"gb\"", 0)), style::accent().fg);
    assert_eq!(fg(style_of(&buf, "12.5", 0)), style::json_number().fg);
    assert_eq!(fg(style_of(&buf, "true", 0)), style::warn().fg);
    // The colours differ from each other (default dark theme); punctuation has none of them.
    let mut all = vec![
        style::accent().fg,
        style::json_string().fg,
        style::json_number().fg,
        style::warn().fg,
    ];
    assert!(
        !all.contains(&fg(style_of(&buf, "{", 0))),
        "punctuation keeps the default"
    );
    all.dedup();
    assert_eq!(all.len(), 4);
}
