//! A selectable, filterable table: the Products, Meters and Accounts lists. The screen owns the
//! rows; this keeps the selection, the `/` filter and the scroll offset, and maps keys and mouse
//! to them.

use super::input::TextInput;
use crate::tui::keys::{Action, Input};
use crate::tui::style;
use ratatui::crossterm::event::{KeyCode, MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Row, Table, TableState};
use ratatui::Frame;
use std::cell::Cell;

/// What happened to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListEvent {
    /// Input not for the list.
    Ignored,
    /// Selection, filter or scroll changed.
    Changed,
    /// The selected row was chosen (Enter, or a click on the selected row).
    Chosen,
}

/// Each column's width as [`FilterList::draw`]'s table lays them out in `area` (borders and the
/// selection mark taken off), so a screen can cut its cells with `…` instead of letting the
/// table clip them unseen.
pub fn column_widths(area: Rect, widths: &[Constraint]) -> Vec<usize> {
    let inner = area.width.saturating_sub(2 + 2);
    Layout::horizontal(widths.to_vec())
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, inner, 1))
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

#[derive(Debug, Default)]
pub struct FilterList {
    pub filter: TextInput,
    pub filtering: bool,
    /// Index into the visible (filtered) rows.
    pub selected: usize,
    area: Cell<Rect>,
    offset: Cell<usize>,
}

impl FilterList {
    /// Indices of the rows whose text contains the filter (case-insensitive).
    pub fn visible<S: AsRef<str>>(&self, haystacks: &[S]) -> Vec<usize> {
        let needle = self.filter.value().to_lowercase();
        haystacks
            .iter()
            .enumerate()
            .filter(|(_, h)| needle.is_empty() || h.as_ref().to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn typing(&self) -> bool {
        self.filtering
    }

    fn page(&self) -> usize {
        (self.area.get().height.saturating_sub(3) as usize).max(1)
    }

    /// `len` is the number of visible rows.
    pub fn update(&mut self, input: &Input, len: usize) -> ListEvent {
        let last = len.saturating_sub(1);
        match input {
            Input::Action(Action::Filter) if !self.filtering => self.filtering = true,
            Input::Action(Action::Back) if self.filtering || !self.filter.value().is_empty() => {
                self.filtering = false;
                self.filter.set("");
            }
            Input::Action(Action::Choose) if self.filtering => self.filtering = false,
            Input::Action(Action::Choose) if len > 0 => return ListEvent::Chosen,
            Input::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::Down) => self.selected = (self.selected + 1).min(last),
            Input::Action(Action::Top) => self.selected = 0,
            Input::Action(Action::Bottom) => self.selected = last,
            Input::Action(Action::PageUp) => {
                self.selected = self.selected.saturating_sub(self.page())
            }
            Input::Action(Action::PageDown) => {
                self.selected = (self.selected + self.page()).min(last)
            }
            Input::Key(k) if self.filtering => match k.code {
                KeyCode::Up => self.selected = self.selected.saturating_sub(1),
                KeyCode::Down => self.selected = (self.selected + 1).min(last),
                _ => {
                    if !self.filter.handle_key(k) {
                        return ListEvent::Ignored;
                    }
                    self.selected = 0;
                }
            },
            Input::Paste(s) if self.filtering => {
                self.filter.insert(s);
                self.selected = 0;
            }
            Input::Mouse(m) => return self.mouse(m, len),
            _ => return ListEvent::Ignored,
        }
        ListEvent::Changed
    }

    fn mouse(&mut self, m: &ratatui::crossterm::event::MouseEvent, len: usize) -> ListEvent {
        let a = self.area.get();
        let inside =
            m.column >= a.x && m.column < a.x + a.width && m.row >= a.y && m.row < a.y + a.height;
        if !inside {
            return ListEvent::Ignored;
        }
        match m.kind {
            MouseEventKind::ScrollUp => self.selected = self.selected.saturating_sub(1),
            MouseEventKind::ScrollDown => {
                self.selected = (self.selected + 1).min(len.saturating_sub(1))
            }
            MouseEventKind::Down(MouseButton::Left) => {
                // Border + header row come before the first item.
                let first = a.y + 2;
                if m.row < first {
                    return ListEvent::Changed;
                }
                let i = self.offset.get() + (m.row - first) as usize;
                if i >= len {
                    return ListEvent::Changed;
                }
                if i == self.selected {
                    return ListEvent::Chosen;
                }
                self.selected = i;
            }
            _ => return ListEvent::Ignored,
        }
        ListEvent::Changed
    }

    /// Draws the table; the block title shows the filter when there is one.
    #[allow(clippy::too_many_arguments)] // one call per list screen; a struct would only rename them
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        header: Row<'static>,
        rows: Vec<Row<'static>>,
        widths: &[Constraint],
        focused: bool,
    ) {
        self.area.set(area);
        let mut title_spans = vec![Span::raw(format!(" {title} "))];
        if self.filtering || !self.filter.value().is_empty() {
            title_spans.push(Span::raw("/").bold());
            if self.filtering {
                // The title starts one column in, after the border's corner.
                let x = area.x + 1 + Line::from(title_spans.clone()).width() as u16;
                let limit = (area.x + area.width).saturating_sub(1);
                self.filter.place_cursor(frame, x, area.y, limit);
            }
            let mut l = self.filter.spans(self.filtering, style::warn());
            title_spans.append(&mut l.spans);
            title_spans.push(Span::raw(" "));
        }
        let border = style::border(focused);
        let empty = rows.is_empty();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Line::from(title_spans));
        let table = Table::new(rows, widths.to_vec())
            .header(header.style(Style::default().add_modifier(Modifier::BOLD)))
            .block(block)
            .row_highlight_style(style::selected())
            .highlight_symbol("▶ ");
        let mut state = TableState::default()
            .with_offset(self.offset.get())
            .with_selected((!empty).then_some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
        self.offset.set(state.offset());
        if empty && !self.filter.value().is_empty() && area.height > 3 && area.width > 4 {
            let r = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
            let note = format!(
                "no match for {:?} (Esc clears the filter)",
                self.filter.value()
            );
            frame.render_widget(ratatui::widgets::Paragraph::new(note).italic(), r);
        }
    }
}
