//! The list view: keys, mouse and drawing. Only the rows on screen are turned into table rows,
//! so drawing costs the same with 100 or 100,000 accounts loaded.

use super::form::Form;
use super::model::{Slot, Window};
use super::nav::{self, open, Go, Step};
use super::query::Query;
use crate::m3ter::Account;
use crate::tui::keys::{Action, Input};
use crate::tui::state::msg::AcctMsg;
use crate::tui::state::{Ctx, Debounce, Loadable, Msg};
use crate::tui::style;
use crate::tui::style::AUTO_BADGE;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::text::cut;
use ratatui::crossterm::event::{MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};
use ratatui::Frame;
use std::cell::Cell as StdCell;
use std::time::Duration;

/// Wait this long after the last filter keystroke before searching.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// The list: the window onto the server's accounts and the `/` filter.
#[derive(Debug)]
pub struct ListView {
    pub window: Window,
    filter: TextInput,
    pub filtering: bool,
    filter_search: Debounce,
    /// Where the table was drawn and its first shown row, for mouse clicks.
    area: StdCell<Rect>,
    offset: StdCell<usize>,
}

impl Default for ListView {
    fn default() -> Self {
        Self {
            window: Window::new(Query::default()),
            filter: TextInput::default(),
            filtering: false,
            filter_search: Debounce::default(),
            area: StdCell::new(Rect::default()),
            offset: StdCell::new(0),
        }
    }
}

impl ListView {
    fn page(&self) -> usize {
        (self.area.get().height.saturating_sub(3) as usize).max(1)
    }

    /// The same query again, from the top.
    pub fn reload(&mut self, ctx: &mut Ctx) {
        let q = self.window.query.clone();
        self.window.reset(ctx, q);
    }

    /// Shows the accounts matching `text`, as if it had been typed in the filter.
    pub fn set_filter(&mut self, ctx: &mut Ctx, text: &str) {
        self.filtering = false;
        self.filter.set(text);
        self.apply_filter(ctx);
    }

    fn apply_filter(&mut self, ctx: &mut Ctx) {
        let text = self.filter.value().trim().to_string();
        if text != self.window.query.text {
            let mut q = self.window.query.clone();
            q.text = text;
            self.window.reset(ctx, q);
        }
    }

    pub fn update(&mut self, ctx: &mut Ctx, input: Input) -> Step {
        let sel = self.window.selected;
        match input {
            Input::Action(Action::Filter) if !self.filtering => self.filtering = true,
            Input::Action(Action::Choose) if self.filtering => {
                self.filtering = false;
                self.apply_filter(ctx);
            }
            Input::Action(Action::Back) if self.filtering || !self.filter.value().is_empty() => {
                self.filtering = false;
                self.filter.set("");
                self.apply_filter(ctx);
            }
            Input::Key(k) if self.filtering => {
                if !self.filter.handle_key(&k) {
                    return Step::Ignored;
                }
                self.filter_changed(ctx);
            }
            Input::Paste(s) if self.filtering => {
                self.filter.insert(&s);
                self.filter_changed(ctx);
            }
            Input::Action(Action::Up) => self.window.select(ctx, sel.saturating_sub(1)),
            Input::Action(Action::Down) => self.window.select(ctx, sel + 1),
            Input::Action(Action::Top) => self.window.select(ctx, 0),
            Input::Action(Action::Bottom) => self.window.bottom(ctx),
            Input::Action(Action::PageUp) => {
                self.window.select(ctx, sel.saturating_sub(self.page()))
            }
            Input::Action(Action::PageDown) => self.window.select(ctx, sel + self.page()),
            Input::Action(Action::Sort) => {
                let mut q = self.window.query.clone();
                q.next_sort();
                self.window.reset(ctx, q);
            }
            Input::Action(Action::AutoOnly) => {
                let mut q = self.window.query.clone();
                q.auto_only = !q.auto_only;
                self.window.reset(ctx, q);
            }
            Input::Action(Action::Refresh) => self.reload(ctx),
            Input::Action(Action::New) => return Step::To(Go::Form(Box::new(Form::create()))),
            Input::Mouse(m) => return self.mouse(ctx, m),
            Input::Action(
                a @ (Action::Choose | Action::Edit | Action::Delete | Action::SubmitFor),
            ) => {
                let Some(acc) = self.window.selected_account().cloned() else {
                    return Step::Stay;
                };
                return open(ctx, a, acc, false);
            }
            _ => return Step::Ignored,
        }
        Step::Stay
    }

    /// A delete's answer: the row goes, in place (a reload would lose the place in a long
    /// list).
    pub fn deleted(&mut self, ctx: &mut Ctx, account: &Account, result: &Result<(), String>) {
        match result {
            Ok(()) => {
                ctx.info(format!(
                    "deleted {} ({})",
                    nav::code(account),
                    account.name.clone().unwrap_or_default()
                ));
                self.window.remove(&account.id);
                if let Loadable::Loaded(list) = &mut ctx.accounts {
                    list.retain(|a| a.id != account.id);
                }
            }
            Err(e) => ctx.error(format!("not deleted: {e}")),
        }
    }

    fn filter_changed(&mut self, ctx: &mut Ctx) {
        let gen = self.filter_search.arm();
        ctx.later(DEBOUNCE, Msg::acct(AcctMsg::FilterDue(gen)));
    }

    pub fn filter_due(&mut self, ctx: &mut Ctx, gen: u64) {
        if self.filter_search.due(gen) {
            self.apply_filter(ctx);
        }
    }

    fn mouse(&mut self, ctx: &mut Ctx, m: ratatui::crossterm::event::MouseEvent) -> Step {
        let a = self.area.get();
        let inside =
            m.column >= a.x && m.column < a.x + a.width && m.row >= a.y && m.row < a.y + a.height;
        if !inside {
            return Step::Ignored;
        }
        let sel = self.window.selected;
        match m.kind {
            MouseEventKind::ScrollUp => self.window.select(ctx, sel.saturating_sub(3)),
            MouseEventKind::ScrollDown => self.window.select(ctx, sel + 3),
            MouseEventKind::Down(MouseButton::Left) if m.row >= a.y + 2 => {
                let i = self.offset.get() + (m.row - a.y - 2) as usize;
                if i == sel {
                    return self.update(ctx, Input::Action(Action::Choose));
                }
                if i < self.window.len() {
                    self.window.select(ctx, i);
                }
            }
            _ => {}
        }
        Step::Stay
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        self.area.set(area);
        let w = &self.window;
        let height = area.height.saturating_sub(3) as usize;
        // Keep the selection in view, scrolling as little as possible.
        let mut offset = self.offset.get();
        if w.selected < offset {
            offset = w.selected;
        } else if height > 0 && w.selected >= offset + height {
            offset = w.selected + 1 - height;
        }
        offset = offset.min(w.len().saturating_sub(height.max(1)));
        self.offset.set(offset);
        // The code is what users search and submit with: its column fits the longest code on
        // screen (within reason) and the name and email share what is left, cut with `…`.
        let code_width = (offset..(offset + height).min(w.len()))
            .filter_map(|i| match w.slot(i) {
                Some(Slot::Account(a)) => a.code.as_deref().map(|c| c.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(4)
            .clamp(4, 32) as u16;
        // On a narrow terminal the creation date and then the email give way, so the name
        // keeps a readable width.
        let show_created = area.width >= 64;
        let show_email = area.width >= 52;
        let fixed = 2 + 2 + 4 + code_width + 4 + if show_created { 10 } else { 0 };
        let rest = area.width.saturating_sub(fixed) as usize;
        let (name_w, email_w) = if show_email {
            (rest / 2, rest - rest / 2)
        } else {
            (rest, 0)
        };
        let rows: Vec<Row> = (offset..(offset + height).min(w.len()))
            .filter_map(|i| w.slot(i))
            .map(|s| match s {
                Slot::Account(a) => account_row(a, name_w, email_w),
                Slot::Gap => gap_row(w),
            })
            .collect();
        let mut title = vec![Span::raw(format!(" Accounts · {} ", w.query.sort_label()))];
        if w.query.auto_only {
            title.push(Span::styled(format!(" {AUTO_BADGE} only "), style::badge()));
            title.push(Span::raw(" "));
        }
        if self.filtering || !self.filter.value().is_empty() {
            title.push(Span::raw("/").bold());
            if self.filtering {
                // The title starts one column in, after the border's corner.
                let x = area.x + 1 + Line::from(title.clone()).width() as u16;
                let limit = (area.x + area.width).saturating_sub(1);
                self.filter.place_cursor(frame, x, area.y, limit);
            }
            let mut l = self.filter.spans(self.filtering, style::warn());
            title.append(&mut l.spans);
            title.push(Span::raw(" "));
        }
        let footer = if let Some(e) = &w.error {
            Span::styled(format!(" cannot load: {e} (r retries) "), style::error())
        } else if w.loading() {
            Span::styled(format!(" {} loaded · loading… ", w.loaded()), style::warn())
        } else if w.complete() {
            let n = w.loaded();
            Span::raw(format!(" {n} account{} ", if n == 1 { "" } else { "s" }))
        } else {
            Span::raw(format!(" {} loaded · more as you scroll ", w.loaded()))
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(true))
            .title(Line::from(title))
            .title_bottom(Line::from(footer).right_aligned());
        let header = Row::new(vec!["", "Code", "Name", "Email", "Created"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let widths = [
            Constraint::Length(4),
            Constraint::Length(code_width),
            Constraint::Length(name_w as u16),
            Constraint::Length(email_w as u16),
            Constraint::Length(if show_created { 10 } else { 0 }),
        ];
        let empty = rows.is_empty();
        let table = Table::new(rows, widths)
            .header(header)
            .block(block)
            .row_highlight_style(style::selected())
            .highlight_symbol("▶ ");
        let mut state =
            TableState::default().with_selected((!empty).then_some(w.selected - offset));
        frame.render_stateful_widget(table, area, &mut state);
        if w.is_empty() && !w.loading() && w.error.is_none() && area.height > 3 {
            let r = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
            frame.render_widget(ratatui::widgets::Paragraph::new("no accounts match"), r);
        }
    }
}

fn account_row(a: &Account, name_w: usize, email_w: usize) -> Row<'static> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let badge = if a.is_auto_created() {
        Cell::from(Span::styled(AUTO_BADGE, style::badge()))
    } else {
        Cell::from("")
    };
    let created: String = s(&a.audit.dt_created).chars().take(10).collect();
    let row = Row::new(vec![
        badge,
        Cell::from(s(&a.code)),
        Cell::from(cut(&s(&a.name), name_w)),
        Cell::from(cut(&s(&a.email_address), email_w)),
        Cell::from(created),
    ]);
    if a.is_auto_created() {
        row.style(style::warn())
    } else {
        row
    }
}

fn gap_row(w: &Window) -> Row<'static> {
    let text = if w.loading() {
        "loading…"
    } else {
        "… more (scroll to load)"
    };
    Row::new(vec![Cell::from(""), Cell::from(text).italic()]).style(style::muted())
}
