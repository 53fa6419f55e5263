//! Advanced mode: the whole measurement as JSON in an editor. The text is checked on every edit;
//! a problem is drawn under the editor (JSON syntax with line and column, or the field by name)
//! and the text is never touched.

use super::draft;
use crate::m3ter::rules::{self, FieldError};
use crate::m3ter::{Measurement, Meter};
use crate::tui::style;
use crate::tui::widgets::json_colours;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use serde_json::Value;
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq)]
pub enum Diagnostic {
    Valid(Box<Measurement>),
    /// Several measurements at once (a JSON array or `{"measurements":[…]}`), each valid.
    Many(Vec<Measurement>),
    /// Not JSON: serde's message, 1-based line and column.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a measurement this meter takes.
    Field(FieldError),
    /// A request m3ter accepts (its first stage checks only the request) that the loaded
    /// meters say its second stage will drop or skip: an unknown meter code, a field the meter
    /// does not have or under the wrong category. Sent only on purpose (a second Ctrl+S), so a
    /// QA engineer can watch m3ter drop it.
    Warned {
        ms: Vec<Measurement>,
        warning: FieldError,
    },
}

impl Diagnostic {
    /// The problem (or "valid measurement"), without a mark.
    pub fn message(&self) -> String {
        match self {
            Diagnostic::Valid(_) => "valid measurement".into(),
            Diagnostic::Many(ms) => {
                format!("{} valid measurements (sent as one request)", ms.len())
            }
            Diagnostic::Json {
                line,
                column,
                message,
            } => format!("invalid JSON at line {line}, column {column}: {message}"),
            Diagnostic::Field(e) if e.field.is_empty() => e.message.clone(),
            Diagnostic::Field(e) => format!("{}: {}", e.field, e.message),
            Diagnostic::Warned { warning, .. } => {
                format!("{} — Ctrl+S twice sends it anyway", warned_message(warning))
            }
        }
    }

    /// The message with its mark, as drawn under the editor.
    pub fn text(&self) -> String {
        match self {
            Diagnostic::Valid(_) | Diagnostic::Many(_) => format!("✓ {}", self.message()),
            Diagnostic::Warned { .. } => format!("⚠ {}", self.message()),
            _ => format!("✗ {}", self.message()),
        }
    }
}

/// What m3ter will do with a measurement whose request passes but whose meter check fails.
pub fn warned_message(w: &FieldError) -> String {
    if w.field == "meter" {
        format!(
            "{}: m3ter will accept this and then drop it (UndefinedMeter)",
            w.message
        )
    } else if w.field.ends_with(".meter") {
        format!(
            "{}: {}: m3ter will accept this and then drop it (UndefinedMeter)",
            w.field, w.message
        )
    } else if w.field.is_empty() {
        format!("{}: m3ter will accept this and check it later", w.message)
    } else {
        format!(
            "{}: {}: m3ter will accept this, then ignore the value or drop the measurement",
            w.field, w.message
        )
    }
}

/// One measurement: valid against the loaded meters, or — when only the meter check fails and
/// m3ter's request stage would accept it — valid with a warning; otherwise the hard error.
fn check_one(v: &Value, meters: &[Meter]) -> Result<(Measurement, Option<FieldError>), FieldError> {
    match draft::check(v, meters) {
        Ok(m) => Ok((m, None)),
        Err(e) => match rules::check_request(v) {
            Ok(m) => Ok((m, Some(e))),
            Err(_) => Err(e),
        },
    }
}

/// The measurements of a JSON array or of `{"measurements":[…]}`, the ingest API's own body.
fn many(v: &Value) -> Option<&Vec<Value>> {
    match v {
        Value::Array(items) => Some(items),
        Value::Object(o) if o.len() == 1 => o.get("measurements")?.as_array(),
        _ => None,
    }
}

/// Each measurement checked, the first problem named by its place (`measurements[2].ts`).
fn check_many(items: &[Value], meters: &[Meter]) -> Diagnostic {
    if items.is_empty() {
        return Diagnostic::Field(FieldError::new("measurements", "is empty: nothing to send"));
    }
    if items.len() > rules::BATCH_MAX_MEASUREMENTS {
        return Diagnostic::Field(FieldError::new(
            "measurements",
            format!(
                "has {} measurements: m3ter takes at most {} per request",
                items.len(),
                rules::BATCH_MAX_MEASUREMENTS
            ),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    let mut warning = None;
    for (i, item) in items.iter().enumerate() {
        let place = format!("measurements[{i}]");
        match check_one(&draft::without_blanks(item), meters) {
            Ok((m, w)) => {
                out.push(m);
                if warning.is_none() {
                    warning = w.map(|w| w.under(&place));
                }
            }
            Err(e) => return Diagnostic::Field(e.under(&place)),
        }
    }
    match warning {
        Some(warning) => Diagnostic::Warned { ms: out, warning },
        None => Diagnostic::Many(out),
    }
}

pub struct AdvancedEditor {
    pub textarea: TextArea<'static>,
    pub diagnostic: Diagnostic,
    /// The text a first Ctrl+S was refused for with a warning ([`Diagnostic::Warned`]): a second
    /// Ctrl+S on the same text sends it anyway.
    pub warned_text: Option<String>,
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
            warned_text: None,
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
        ta.set_line_number_style(style::muted());
        // Long lines wrap, so the line numbers never scroll out of sight.
        ta.set_wrap_mode(WrapMode::WordOrGlyph);
        ta.set_tab_length(2);
        ta.set_max_histories(200);
        let target = row.min(ta.lines().len().saturating_sub(1));
        for _ in 0..target {
            ta.move_cursor(ratatui_textarea::CursorMove::Down);
        }
        self.textarea = ta;
        self.check(meters);
    }

    /// What is sent for this text: the JSON without the fields left blank (`null`).
    pub fn value_to_send(&self) -> Option<Value> {
        self.value().map(|v| draft::without_blanks(&v))
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
                message: crate::m3ter::bulk::input::strip_position(&e),
            },
            Ok(v) => match many(&v) {
                Some(items) => check_many(items, meters),
                None => match check_one(&draft::without_blanks(&v), meters) {
                    Ok((m, None)) => Diagnostic::Valid(Box::new(m)),
                    Ok((m, Some(warning))) => Diagnostic::Warned {
                        ms: vec![m],
                        warning,
                    },
                    Err(e) => Diagnostic::Field(e),
                },
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

    /// Returns whether the text changed. Enter keeps the indentation of the line (one step
    /// more after `{` or `[`); Tab indents.
    pub fn key(&mut self, k: KeyEvent, meters: &[Meter]) -> bool {
        let plain = !k
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let changed = match k.code {
            KeyCode::Enter if plain => {
                let ratatui_textarea::DataCursor(row, col) = self.textarea.cursor();
                let line = &self.textarea.lines()[row];
                let before: String = line.chars().take(col).collect();
                let mut indent: String = line.chars().take_while(|c| *c == ' ').collect();
                if before.trim_end().ends_with(['{', '[']) {
                    indent.push_str("  ");
                }
                self.textarea.insert_newline();
                self.textarea.insert_str(&indent);
                true
            }
            KeyCode::Tab if plain => self.textarea.insert_str("  "),
            _ => self.textarea.input(k),
        };
        if changed {
            self.check(meters);
        }
        changed
    }

    /// Ctrl+Z / Ctrl+Y. Returns whether the text changed.
    pub fn undo_redo(&mut self, undo: bool, meters: &[Meter]) -> bool {
        let changed = if undo {
            self.textarea.undo()
        } else {
            self.textarea.redo()
        };
        if changed {
            self.check(meters);
        }
        changed
    }

    /// Puts the cursor where the JSON is broken (line and column of the diagnostic).
    pub fn cursor_to_error(&mut self) {
        if let Diagnostic::Json { line, column, .. } = self.diagnostic {
            let row = line.saturating_sub(1) as u16;
            let col = column.saturating_sub(1) as u16;
            self.textarea.move_cursor(CursorMove::Jump(row, col));
        }
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
            .border_style(style::border(focused))
            .title(" Advanced · JSON ")
            .title_bottom(crate::tui::widgets::text::fit_line(
                Line::from(format!(" fields: {} ", hint.join(", "))),
                edit.width.saturating_sub(2) as usize,
            ));
        let inner = block.inner(edit);
        self.text_area.set(inner);
        frame.render_widget(block, edit);
        frame.render_widget(&self.textarea, inner);
        // Keys, strings, numbers and literals each in their colour.
        json_colours::paint(&self.textarea, frame.buffer_mut(), inner);
        if focused {
            // The terminal's own cursor, where the text cursor is (IMEs, screen readers).
            let c = self.textarea.screen_cursor();
            let (top, left) = self.textarea.scroll_offset();
            let x = c.col as i64 - left as i64 + self.textarea.line_number_width() as i64;
            let y = c.row as i64 - top as i64;
            if x >= 0 && y >= 0 && (x as u16) < inner.width && (y as u16) < inner.height {
                frame.set_cursor_position(Position::new(inner.x + x as u16, inner.y + y as u16));
            }
        }
        let style = match self.diagnostic {
            Diagnostic::Valid(_) | Diagnostic::Many(_) => style::ok(),
            Diagnostic::Warned { .. } => style::warn().add_modifier(Modifier::BOLD),
            _ => style::error().add_modifier(Modifier::BOLD),
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(self.diagnostic.text(), style)))
                .wrap(Wrap { trim: false }),
            diag,
        );
    }
}
