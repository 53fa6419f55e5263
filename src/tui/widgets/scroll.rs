//! A scrolled text pane that never runs past its end: the text is wrapped here (so the number of
//! rows is known), a wrapped line continues under its value rather than at the left edge, and
//! the border says when more text lies above or below.

use crate::tui::keys::{Action, Input, Key, KeyBinding};
use ratatui::crossterm::event::{KeyCode, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use std::cell::Cell;

/// The keys of a scrolled text pane (arrows and vim keys, pages, both ends).
pub const KEYS: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::Up,
        "up",
        "Scroll up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::Down,
        "down",
        "Scroll down",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        "Scroll a page up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageDown), Key::ch(' ')],
        Action::PageDown,
        "page down",
        "Scroll a page down",
    ),
    KeyBinding::new(
        &[Key::Twice('g'), Key::plain(KeyCode::Home)],
        Action::Top,
        "top",
        "Scroll to the top",
    ),
    KeyBinding::new(
        &[Key::ch('G'), Key::plain(KeyCode::End)],
        Action::Bottom,
        "bottom",
        "Scroll to the end",
    ),
];

/// Where a text pane is scrolled to. `draw` only reads the state; it records how far the text
/// can scroll (and the page height) so the next key stops at the end.
#[derive(Debug, Default)]
pub struct Scroll {
    offset: u16,
    max: Cell<u16>,
    page: Cell<u16>,
}

impl Scroll {
    /// Moves for a scrolling action; false if the action is not one.
    pub fn apply(&mut self, action: Action) -> bool {
        let max = self.max.get();
        let page = self.page.get().max(1);
        self.offset = match action {
            Action::Up => self.offset.saturating_sub(1),
            Action::Down => self.offset.saturating_add(1),
            Action::PageUp => self.offset.saturating_sub(page),
            Action::PageDown => self.offset.saturating_add(page),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        }
        .min(max);
        true
    }

    /// Brings `row` (of the wrapped text, as last drawn) to the top unless it is already on
    /// screen — e.g. the start of a section whose content was just replaced.
    pub fn reveal(&mut self, row: u16) {
        if row < self.offset || row > self.offset.saturating_add(self.page.get()) {
            self.offset = row.min(self.max.get());
        }
    }

    /// Scrolls three rows per mouse-wheel step; false if the input is not a wheel.
    pub fn mouse(&mut self, input: &Input) -> bool {
        let rows: i32 = match input {
            Input::Mouse(m) if m.kind == MouseEventKind::ScrollDown => 3,
            Input::Mouse(m) if m.kind == MouseEventKind::ScrollUp => -3,
            _ => return false,
        };
        let next = (i32::from(self.offset) + rows).clamp(0, i32::from(self.max.get()));
        self.offset = next as u16;
        true
    }

    /// Draws `lines` wrapped to the block's inner width, from the current offset (kept within the
    /// text even if it shrank), with "more ↑/↓" on the bottom border when there is more.
    pub fn render(&self, frame: &mut Frame, area: Rect, block: Block<'_>, lines: Vec<Line<'_>>) {
        let inner = block.inner(area);
        let rows = wrap_lines(lines, inner.width as usize);
        let max = (rows.len() as u16).saturating_sub(inner.height);
        self.max.set(max);
        self.page.set(inner.height.saturating_sub(1).max(1));
        let offset = self.offset.min(max);
        let more = match (offset > 0, offset < max) {
            (true, true) => Some(" more ↑↓ "),
            (true, false) => Some(" more ↑ "),
            (false, true) => Some(" more ↓ "),
            (false, false) => None,
        };
        let block = match more {
            Some(m) => block.title_bottom(Line::from(m).right_aligned()),
            None => block,
        };
        frame.render_widget(Paragraph::new(rows).block(block).scroll((offset, 0)), area);
    }
}

/// How far a wrapped line's continuation is indented: under the value of a `label  value` line
/// (a first span that is a padded label), else under the line's own leading spaces.
fn hang(line: &Line<'_>, width: usize) -> usize {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let lead = text.chars().take_while(|c| *c == ' ').count();
    let label = line.spans.first().map(|s| s.content.as_ref()).filter(|s| {
        s.len() <= 16 && s.ends_with("  ") && !s.trim().is_empty() && line.spans.len() > 1
    });
    let indent = label.map_or(lead, |l| l.chars().count());
    indent.min(width / 2)
}

/// Splits each line into rows of at most `width` cells, at a space where one is near, keeping
/// each character's style; continuations start at the line's hanging indent.
pub fn wrap_lines<'a>(lines: Vec<Line<'a>>, width: usize) -> Vec<Line<'a>> {
    let width = width.max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let indent = hang(&line, width);
        let chars: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| {
                let st = line.style.patch(s.style);
                s.content.chars().map(move |c| (c, st))
            })
            .collect();
        let mut start = 0;
        let mut first = true;
        while start < chars.len() {
            let room = if first { width } else { width - indent };
            let mut end = (start + room).min(chars.len());
            if end < chars.len() {
                // Break after the last space in the row's second half, if there is one.
                if let Some(sp) = (start + room / 2..end).rev().find(|&i| chars[i].0 == ' ') {
                    end = sp + 1;
                }
            }
            let mut spans: Vec<Span<'a>> = Vec::new();
            if !first {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            for &(c, st) in &chars[start..end] {
                match spans.last_mut() {
                    Some(last) if last.style == st => last.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), st)),
                }
            }
            out.push(Line::from(spans));
            start = end;
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Borders;
    use ratatui::Terminal;

    fn text(l: &Line<'_>) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_labelled_line_wraps_under_its_value() {
        let line = Line::from(vec![
            Span::raw(format!("{:<10}", "reason")),
            Span::raw("the uid was already ingested; uids are unique"),
        ]);
        let rows: Vec<String> = wrap_lines(vec![line], 30).iter().map(text).collect();
        assert_eq!(
            rows,
            [
                "reason    the uid was already ",
                "          ingested; uids are ",
                "          unique"
            ]
        );
    }

    #[test]
    fn an_indented_json_line_wraps_under_its_indent() {
        let rows: Vec<String> = wrap_lines(vec![Line::from("    \"m\": \"aaaa bbbb cccc\"")], 16)
            .iter()
            .map(text)
            .collect();
        assert_eq!(rows, ["    \"m\": \"aaaa ", "    bbbb cccc\""]);
    }

    fn draw(s: &Scroll, n: usize, h: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(20, h)).unwrap();
        let lines: Vec<Line> = (0..n).map(|i| Line::from(format!("line {i}"))).collect();
        term.draw(|f| s.render(f, f.area(), Block::default().borders(Borders::ALL), lines))
            .unwrap();
        let buf = term.backend().buffer().clone();
        (0..h)
            .map(|y| {
                (0..20)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn scrolling_stops_at_the_end_and_says_what_is_left() {
        let mut s = Scroll::default();
        let first = draw(&s, 10, 6);
        assert!(
            first.contains("line 0") && first.contains("more ↓"),
            "{first}"
        );
        for _ in 0..5 {
            s.apply(Action::PageDown);
        }
        let end = draw(&s, 10, 6);
        assert!(end.contains("line 9") && end.contains("line 6"), "{end}");
        assert!(end.contains("more ↑") && !end.contains("↓"), "{end}");
        // One step up from the end shows the row above at once (no dead key presses).
        s.apply(Action::Up);
        assert!(draw(&s, 10, 6).contains("line 5"));
        s.apply(Action::Top);
        assert!(draw(&s, 10, 6).contains("line 0"));
        s.apply(Action::Bottom);
        assert!(draw(&s, 10, 6).contains("line 9"));
    }
}
