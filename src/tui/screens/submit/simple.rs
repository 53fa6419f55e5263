//! Simple mode: one input per data field, an account picker of existing accounts (type to
//! filter), and the timestamp. Invalid values are marked in place with the reason.

use super::draft::{self, Draft};
use crate::m3ter::Meter;
use crate::tui::style;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::text::wrap;
use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;
use std::cell::{Cell, RefCell};

/// Row indices: 0 account, 1 timestamp, 2.. the data fields, then the optional end timestamp
/// (last, so the fields come first as in Tab order before).
pub const ACCOUNT: usize = 0;
pub const TS: usize = 1;
/// The first data field's row.
pub const FIELDS: usize = 2;

pub struct SimpleForm {
    pub uid: String,
    /// `[account, ts, field0, …, ets]`
    pub inputs: Vec<TextInput>,
    pub focus: usize,
    /// Highlighted suggestion of the account picker.
    pub pick: usize,
    /// The account list was opened with ↓ on an empty field (otherwise typing opens it).
    pub browsing: bool,
    /// A submission was tried: now an empty account is an error, not just a blank.
    pub tried: bool,
    /// Esc closed the suggestions; typing opens them again.
    dismissed: bool,
    /// An account code the server said it does not have.
    pub missing: Option<String>,
    /// Screen rows of the inputs at the last draw (for clicks).
    rows: RefCell<Vec<(u16, usize)>>,
    area: Cell<Rect>,
}

impl SimpleForm {
    pub fn new(meter: &Meter, d: &Draft) -> Self {
        let mut f = Self {
            uid: String::new(),
            inputs: Vec::new(),
            focus: ACCOUNT,
            pick: 0,
            browsing: false,
            tried: false,
            dismissed: false,
            missing: None,
            rows: RefCell::new(Vec::new()),
            area: Cell::new(Rect::default()),
        };
        f.set(meter, d);
        f
    }

    pub fn set(&mut self, meter: &Meter, d: &Draft) {
        self.uid = d.uid.clone();
        self.inputs = vec![TextInput::new(&d.account), TextInput::new(&d.ts)];
        for i in 0..meter.data_fields.len() {
            self.inputs
                .push(TextInput::new(d.values.get(i).cloned().unwrap_or_default()));
        }
        self.inputs.push(TextInput::new(&d.ets));
        self.focus = self.focus.min(self.inputs.len() - 1);
    }

    pub fn draft(&self) -> Draft {
        Draft {
            uid: self.uid.clone(),
            account: self.inputs[ACCOUNT].value().to_string(),
            ts: self.inputs[TS].value().to_string(),
            ets: self.inputs[self.ets_row()].value().to_string(),
            values: self.inputs[FIELDS..self.ets_row()]
                .iter()
                .map(|i| i.value().to_string())
                .collect(),
        }
    }

    /// The end timestamp's row: the last one.
    pub fn ets_row(&self) -> usize {
        self.inputs.len() - 1
    }

    /// Existing accounts matching what is typed in the account field.
    pub fn suggestions<'a>(&self, codes: &[&'a str]) -> Vec<&'a str> {
        let typed = self.inputs[ACCOUNT].value().trim().to_lowercase();
        let mut v: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| c.to_lowercase().contains(&typed))
            .collect();
        v.sort();
        v
    }

    fn picker_open(&self, codes: &[&str]) -> bool {
        let typed = self.inputs[ACCOUNT].value().trim();
        self.focus == ACCOUNT
            && !self.dismissed
            && (self.browsing || !typed.is_empty())
            && !self.suggestions(codes).is_empty()
            && !codes.contains(&typed)
    }

    /// Esc: closes the suggestions if they are open (returns whether it did).
    pub fn dismiss(&mut self, codes: &[&str]) -> bool {
        if self.picker_open(codes) {
            self.dismissed = true;
            self.browsing = false;
            return true;
        }
        false
    }

    pub fn next(&mut self, delta: isize) {
        let n = self.inputs.len() as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
        self.browsing = false;
    }

    /// Up/Down: through the suggestions while the picker is open, else between fields.
    pub fn up_down(&mut self, delta: isize, codes: &[&str]) {
        if self.focus == ACCOUNT && delta > 0 && !self.browsing && !self.picker_open(codes) {
            self.browsing = true;
            self.dismissed = false;
            if self.picker_open(codes) {
                return;
            }
        }
        if self.picker_open(codes) {
            let n = self.suggestions(codes).len() as isize;
            self.pick = (self.pick as isize + delta).clamp(0, n - 1) as usize;
        } else {
            let n = self.inputs.len() as isize;
            self.focus = (self.focus as isize + delta).clamp(0, n - 1) as usize;
            self.browsing = false;
        }
    }

    /// Enter: take the highlighted account, or go to the next field.
    pub fn enter(&mut self, codes: &[&str]) {
        if self.picker_open(codes) {
            if let Some(c) = self.suggestions(codes).get(self.pick) {
                self.inputs[ACCOUNT].set(*c);
            }
        }
        if self.focus + 1 < self.inputs.len() {
            self.focus += 1;
        }
        self.browsing = false;
    }

    pub fn key(&mut self, k: &KeyEvent) -> bool {
        let changed = self.inputs[self.focus].handle_key(k);
        if changed && self.focus == ACCOUNT && !matches!(k.code, KeyCode::Left | KeyCode::Right) {
            self.pick = 0;
            self.dismissed = false;
        }
        changed
    }

    pub fn paste(&mut self, s: &str) {
        self.inputs[self.focus].insert(s.lines().next().unwrap_or(""));
    }

    /// A click on an input focuses it.
    pub fn mouse(&mut self, m: &MouseEvent) -> bool {
        if m.kind != MouseEventKind::Down(MouseButton::Left) {
            return false;
        }
        let hit = self
            .rows
            .borrow()
            .iter()
            .find(|(y, _)| *y == m.row)
            .copied();
        match hit {
            Some((_, i)) => {
                self.focus = i;
                self.browsing = false;
                true
            }
            None => false,
        }
    }

    /// The problems to show, per row. While the account is being typed, the picker says more
    /// than an error would, so its error waits for a submission attempt.
    fn shown_errors(
        &self,
        meter: &Meter,
        focused: bool,
        now: DateTime<Utc>,
    ) -> Vec<Option<String>> {
        // Only the newest accounts are known here: an account is called unknown once the
        // server said so, not before.
        let mut errors = draft::row_errors(meter, &self.draft(), now);
        let typed = self.inputs[ACCOUNT].value().trim();
        if errors[ACCOUNT].is_none() && self.missing.as_deref() == Some(typed) && !typed.is_empty()
        {
            errors[ACCOUNT] = Some(
                "no such account on the server: pick one from the list (Advanced mode takes any code)"
                    .into(),
            );
        }
        let picking =
            (focused && self.focus == ACCOUNT) || self.inputs[ACCOUNT].value().trim().is_empty();
        if picking && !self.tried {
            errors[ACCOUNT] = None;
        }
        errors
    }

    /// Rows the form needs to show everything (borders included) in a pane `width` wide.
    pub fn height(&self, meter: &Meter, focused: bool, now: DateTime<Utc>, width: u16) -> u16 {
        let errors = self.shown_errors(meter, focused, now);
        let label_w = label_width(width);
        let error_rows: usize = errors
            .iter()
            .flatten()
            .map(|e| error_rows(e, width, label_w).len())
            .sum();
        (3 + self.inputs.len() + error_rows) as u16
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        meter: &Meter,
        codes: &[&str],
        focused: bool,
        now: DateTime<Utc>,
    ) {
        self.area.set(area);
        let errors = self.shown_errors(meter, focused, now);
        let label_w = label_width(area.width);
        let mut lines: Vec<Line> = Vec::new();
        let mut rows: Vec<(usize, usize)> = Vec::new();
        lines.push(Line::from(vec![
            Span::raw(format!("{:<label_w$}", "uid")).dim(),
            Span::raw(self.uid.clone()).dim(),
        ]));
        let mut labels = vec![
            ("Account".to_string(), "type to filter, ↓ list".to_string()),
            ("Timestamp (ts)".to_string(), "ISO 8601, UTC".to_string()),
        ];
        for f in &meter.data_fields {
            let unit = f
                .unit
                .as_deref()
                .map(|u| format!(" · {u}"))
                .unwrap_or_default();
            labels.push((
                format!("{} ({})", f.name, f.code),
                format!("{}{unit}", f.category),
            ));
        }
        labels.push((
            "End timestamp (ets)".to_string(),
            "optional, not before ts".to_string(),
        ));
        for (i, ((label, hint), input)) in labels.iter().zip(&self.inputs).enumerate() {
            let here = focused && self.focus == i;
            let style = if here {
                style::warn()
            } else {
                Style::default()
            };
            let mut label = label.clone();
            if label.chars().count() >= label_w {
                label = label
                    .chars()
                    .take(label_w.saturating_sub(3))
                    .collect::<String>()
                    + "…";
            }
            let mut spans = vec![Span::styled(
                format!(
                    "{}{:<w$}",
                    if here { "▶" } else { " " },
                    label,
                    w = label_w.saturating_sub(1)
                ),
                style.add_modifier(if here {
                    Modifier::BOLD
                } else {
                    Modifier::empty()
                }),
            )];
            spans.push(Span::raw("["));
            spans.extend(input.spans(here, Style::default()).spans);
            spans.push(Span::raw("] "));
            spans.push(Span::raw(hint.clone()).dim());
            rows.push((lines.len(), i));
            lines.push(Line::from(spans));
            if let Some(e) = &errors[i] {
                for row in error_rows(e, area.width, label_w) {
                    lines.push(Line::from(Span::styled(row, style::error())));
                }
            }
        }
        // Scroll so the focused input (and its error line) is visible.
        let inner_h = area.height.saturating_sub(2) as usize;
        let focus_line = rows.get(self.focus).map(|r| r.0).unwrap_or(0);
        let focus_end = focus_line
            + errors
                .get(self.focus)
                .and_then(|e| e.as_deref())
                .map_or(0, |e| error_rows(e, area.width, label_w).len());
        let offset = (focus_end + 1).saturating_sub(inner_h);
        let account_row = rows[ACCOUNT].0.checked_sub(offset).map(|r| r as u16);
        // The terminal's own cursor sits on the focused input (IMEs, screen readers).
        if let Some(line) = rows
            .get(self.focus)
            .and_then(|r| r.0.checked_sub(offset))
            .filter(|l| focused && *l < inner_h)
        {
            let x = area.x as usize + 1 + label_w + 1 + self.inputs[self.focus].cursor();
            if x < (area.x + area.width).saturating_sub(1) as usize {
                frame.set_cursor_position((x as u16, area.y + 1 + line as u16));
            }
        }
        *self.rows.borrow_mut() = rows
            .into_iter()
            .filter(|(line, _)| *line >= offset && *line - offset < inner_h)
            .map(|(line, i)| (area.y + 1 + (line - offset) as u16, i))
            .collect();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(focused))
            .title(" Simple ");
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((offset as u16, 0)),
            area,
        );
        if let Some(row) = account_row.filter(|_| focused && self.picker_open(codes)) {
            self.draw_picker(frame, area, row, label_w as u16, codes);
        }
    }

    /// The suggestions under the account field, over the rows below it.
    fn draw_picker(&self, frame: &mut Frame, area: Rect, row: u16, x_off: u16, codes: &[&str]) {
        let sugg = self.suggestions(codes);
        let y = area.y + 2 + row;
        // The list may cover the log pane below the form (not the status line and key bar).
        let bottom = frame.area().height.saturating_sub(2);
        if y >= bottom {
            return;
        }
        let h = ((sugg.len() as u16).min(6) + 2).min(bottom - y);
        let w = 30.min(area.width.saturating_sub(x_off + 2));
        let r = Rect::new(area.x + 1 + x_off, y, w, h).intersection(frame.area());
        if r.is_empty() || sugg.is_empty() {
            return;
        }
        let items: Vec<ListItem> = sugg.iter().map(|c| ListItem::new(c.to_string())).collect();
        let list = List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" ↑↓ Enter pick ")
                    .border_style(style::warn()),
            )
            .highlight_style(style::selected());
        let mut st = ListState::default().with_selected(Some(self.pick.min(sugg.len() - 1)));
        frame.render_widget(Clear, r);
        frame.render_stateful_widget(list, r, &mut st);
    }
}

/// The label column's width in a form `width` wide.
fn label_width(width: u16) -> usize {
    24usize.min(width as usize / 3)
}

/// A field's problem as rows under its input, wrapped (never cut) to the form's inner width.
fn error_rows(e: &str, width: u16, label_w: usize) -> Vec<String> {
    let pad = " ".repeat(label_w);
    let room = (width as usize).saturating_sub(2 + label_w + 2).max(10);
    wrap(e, room)
        .into_iter()
        .enumerate()
        .map(|(i, l)| format!("{pad}{}{l}", if i == 0 { "✗ " } else { "  " }))
        .collect()
}
