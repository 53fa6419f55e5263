//! The `?`/F1 overlay and the bottom bar, both drawn from the same key tables (the focused
//! screen's, then the global one), so what the bar promises the help explains and the keys do.

use super::keys::KeyBinding;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use ratatui::Frame;
use std::cell::Cell;

/// The overlay's state: open or not, and how far it is scrolled.
#[derive(Debug, Default)]
pub struct HelpOverlay {
    pub open: bool,
    /// First row shown.
    scroll: u16,
    /// The largest useful `scroll` at the last draw (only drawing knows the size).
    max: Cell<u16>,
}

impl HelpOverlay {
    pub fn show(&mut self) {
        self.open = true;
        self.scroll = 0;
        // Until the first draw says otherwise, let the keys scroll freely.
        self.max.set(u16::MAX);
    }

    /// A key while the overlay is open: close it, or scroll it.
    pub fn key(&mut self, code: KeyCode) {
        match code {
            KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('?') | KeyCode::Char('q') => {
                self.open = false
            }
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::PageUp => self.scroll_by(-10),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_by(10),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::End | KeyCode::Char('G') => self.scroll = self.max.get(),
            _ => {}
        }
    }

    pub fn scroll_by(&mut self, delta: i32) {
        let to = (self.scroll as i32 + delta).clamp(0, self.max.get() as i32);
        self.scroll = to as u16;
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        tables: &[&[KeyBinding]],
        typing: bool,
    ) {
        let max = draw_help(frame, area, title, tables, typing, self.scroll);
        self.max.set(max);
    }
}

/// The help popup: every binding of every table, one per line, from row `scroll` on. While a
/// text input has focus, the keys that would be typed instead are dimmed and say so. When the
/// list does not fit (80×24 cuts the last keys), the bottom border says `more ↓` and the caller
/// scrolls; returns the largest useful `scroll`, so the caller can clamp its offset.
pub fn draw_help(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    tables: &[&[KeyBinding]],
    typing: bool,
    scroll: u16,
) -> u16 {
    let mut rows = Vec::new();
    let mut seen: Vec<super::keys::Action> = Vec::new();
    for table in tables {
        // A later table (the global one) may repeat an action the screen already explained.
        let before = seen.clone();
        for b in table.iter() {
            if before.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            let now = b.keys_label_for(true);
            let row = if !typing {
                Row::new(vec![
                    Span::raw(b.keys_label()).bold().fg(Color::Yellow),
                    Span::raw(b.help),
                ])
            } else if b.in_text && !now.is_empty() {
                Row::new(vec![
                    Span::raw(now).bold().fg(Color::Yellow),
                    Span::raw(b.help),
                ])
            } else {
                Row::new(vec![
                    Span::raw(b.keys_label()).dim(),
                    Span::raw(format!("{} (not while typing)", b.help)).dim(),
                ])
            };
            rows.push(row);
        }
    }
    let total = rows.len() as u16;
    let height = (total + 2).min(area.height);
    let shown = height.saturating_sub(2);
    let max_scroll = total.saturating_sub(shown);
    let scroll = scroll.min(max_scroll);
    let rows: Vec<Row> = rows.into_iter().skip(scroll as usize).collect();
    let mut hints = Vec::new();
    if scroll > 0 {
        hints.push("↑ more");
    }
    if scroll < max_scroll {
        hints.push("more ↓");
    }
    if !hints.is_empty() {
        hints.push("j/k/PgDn scroll");
    }
    hints.push("Esc/?/F1 close");
    let width = 84.min(area.width);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Cyan))
        .title(format!(" Keys · {title} "))
        .title_bottom(Line::from(format!(" {} ", hints.join(" · "))).right_aligned());
    let table = Table::new(rows, [Constraint::Length(14), Constraint::Fill(1)]).block(block);
    frame.render_widget(table, popup);
    max_scroll
}

/// The bottom bar: the `bar` bindings that work right now, `key label` pairs.
pub fn draw_bar(frame: &mut Frame, area: Rect, tables: &[&[KeyBinding]], typing: bool) {
    let mut spans = Vec::new();
    let mut seen: Vec<super::keys::Action> = Vec::new();
    for b in tables.iter().flat_map(|t| t.iter()) {
        if !b.bar || !b.active(typing) || seen.contains(&b.action) {
            continue;
        }
        seen.push(b.action);
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(
            b.keys_label_for(typing),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {}", b.label)));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(Style::default().bg(Color::Black)),
        area,
    );
}
