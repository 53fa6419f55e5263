//! Advanced mode: the whole measurement as JSON in an editor. The text is checked on every edit;
//! a problem is drawn under the editor (JSON syntax with line and column, or the field by name)
//! and the text is never touched.

use super::draft;
use crate::m3ter::rules::FieldError;
use crate::m3ter::{Measurement, Meter};
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value;
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq)]
pub enum Diagnostic {
    Valid(Box<Measurement>),
    /// Not JSON: serde's message, 1-based line and column.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a measurement this meter takes.
    Field(FieldError),
}

impl Diagnostic {
    pub fn text(&self) -> String {
        match self {
            Diagnostic::Valid(_) => "✓ valid measurement".into(),
            Diagnostic::Json {
                line,
                column,
                message,
            } => format!("✗ invalid JSON at line {line}, column {column}: {message}"),
            Diagnostic::Field(e) if e.field.is_empty() => format!("✗ {}", e.message),
            Diagnostic::Field(e) => format!("✗ {}: {}", e.field, e.message),
        }
    }
}

pub struct AdvancedEditor {
    pub textarea: TextArea<'static>,
    pub diagnostic: Diagnostic,
    /// Where the text was drawn last (inside the border), to turn a click into a position.
    text_area: Cell<Rect>,
}

impl AdvancedEditor {
    pub fn new(text: &str, meters: &[Meter]) -> Self {
        let mut e = Self {
            textarea: TextArea::default(),
            diagnostic: Diagnostic::Json {
                line: 1,
                column: 1,
                message: String::new(),
            },
            text_area: Cell::new(Rect::default()),
        };
        e.set_text(text, meters);
        e
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// Replaces the text (mode switch, `$EDITOR`, a log entry), keeping the cursor's line.
    pub fn set_text(&mut self, text: &str, meters: &[Meter]) {
        let row = self.textarea.cursor().0;
        let lines: Vec<String> = text.lines().map(String::from).collect();
        let mut ta = TextArea::new(lines);
        ta.set_cursor_line_style(Style::default());
        ta.set_line_number_style(Style::default().fg(Color::DarkGray));
        let target = row.min(ta.lines().len().saturating_sub(1));
        for _ in 0..target {
            ta.move_cursor(ratatui_textarea::CursorMove::Down);
        }
        self.textarea = ta;
        self.check(meters);
    }

    /// The JSON value, when the text parses.
    pub fn value(&self) -> Option<Value> {
        serde_json::from_str(&self.text()).ok()
    }

    pub fn check(&mut self, meters: &[Meter]) {
        self.diagnostic = match serde_json::from_str::<Value>(&self.text()) {
            Err(e) => Diagnostic::Json {
                line: e.line(),
                column: e.column(),
                message: draft::json_message(&e),
            },
            Ok(v) => match draft::check(&v, meters) {
                Ok(m) => Diagnostic::Valid(Box::new(m)),
                Err(e) => Diagnostic::Field(e),
            },
        };
    }

    /// Shows the cursor only while the editor has focus.
    pub fn set_focused(&mut self, focused: bool) {
        let style = if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        self.textarea.set_cursor_style(style);
    }

    /// Returns whether the text changed.
    pub fn key(&mut self, k: KeyEvent, meters: &[Meter]) -> bool {
        let changed = self.textarea.input(k);
        if changed {
            self.check(meters);
        }
        changed
    }

    /// A left click puts the cursor on the clicked character (past the end of a line: its end;
    /// below the text: the last line); the wheel scrolls.
    pub fn mouse(&mut self, m: MouseEvent) {
        let area = self.text_area.get();
        if m.kind != MouseEventKind::Down(MouseButton::Left) {
            self.textarea.input(m);
            return;
        }
        if !area.contains(Position::new(m.column, m.row)) {
            return;
        }
        let (top, left) = self.textarea.scroll_offset();
        let row = (m.row - area.y + top) as usize;
        let col = (m.column - area.x + left).saturating_sub(self.textarea.line_number_width());
        let at = self.textarea.screen_to_data(row, col as usize);
        self.textarea
            .move_cursor(CursorMove::Jump(at.0 as u16, at.1 as u16));
    }

    pub fn paste(&mut self, s: &str, meters: &[Meter]) {
        self.textarea.insert_str(s);
        self.check(meters);
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, meter: &Meter, focused: bool) {
        let [edit, diag] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
        let hint: Vec<String> = meter
            .data_fields
            .iter()
            .map(|f| format!("{}.{}", f.category.key(), f.code))
            .collect();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused {
                Style::default().fg(Color::Cyan)
            } else {
                Style::default().fg(Color::DarkGray)
            })
            .title(" Advanced · JSON ")
            .title_bottom(Line::from(format!(" fields: {} ", hint.join(", "))));
        let inner = block.inner(edit);
        self.text_area.set(inner);
        frame.render_widget(block, edit);
        frame.render_widget(&self.textarea, inner);
        let style = match self.diagnostic {
            Diagnostic::Valid(_) => Style::default().fg(Color::Green),
            _ => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(self.diagnostic.text(), style)))
                .wrap(Wrap { trim: false }),
            diag,
        );
    }
}
