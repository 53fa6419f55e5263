//! The list view: keys, mouse and drawing. Only the rows on screen are turned into table rows,
//! so drawing costs the same with 100 or 100,000 accounts loaded.

use super::model::Slot;
use super::{detail, AccountsScreen, AcctMsg, Form, View};
use crate::m3ter::Account;
use crate::tui::keys::Action;
use crate::tui::msg::Msg;
use crate::tui::screen::{Input, Outcome};
use crate::tui::state::Ctx;
use ratatui::crossterm::event::{MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};
use ratatui::Frame;
use std::time::Duration;

/// The badge of an auto-created account: readable without colour, coloured when there is.
pub const AUTO_BADGE: &str = "AUTO";
/// Wait this long after the last filter keystroke before searching.
const DEBOUNCE: Duration = Duration::from_millis(300);

pub fn badge_style() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

impl AccountsScreen {
    fn page(&self) -> usize {
        (self.list_area.get().height.saturating_sub(3) as usize).max(1)
    }

    fn apply_filter(&mut self, ctx: &Ctx) {
        let text = self.filter.value().trim().to_string();
        if text != self.window.query.text {
            let mut q = self.window.query.clone();
            q.text = text;
            self.window.reset(ctx, q);
        }
    }

    pub(super) fn list_update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
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
                    return Outcome::Ignored;
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
            Input::Action(Action::Refresh) => {
                let q = self.window.query.clone();
                self.window.reset(ctx, q);
            }
            Input::Action(Action::New) => self.view = View::Form(Box::new(Form::create())),
            Input::Mouse(m) => return self.mouse(ctx, m),
            Input::Action(
                a @ (Action::Choose | Action::Edit | Action::Delete | Action::SubmitFor),
            ) => {
                let Some(acc) = self.window.selected_account().cloned() else {
                    return Outcome::Consumed;
                };
                return self.on_account(ctx, a, acc, false);
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    /// Enter/e/d/s on an account, from the list or its detail.
    pub(super) fn on_account(
        &mut self,
        ctx: &mut Ctx,
        a: Action,
        acc: Account,
        from_detail: bool,
    ) -> Outcome {
        match a {
            Action::Choose => {
                self.lookup_parent(ctx, &acc);
                self.view = View::Detail(Box::new(detail::Detail::new(acc)));
            }
            Action::Edit => {
                self.lookup_parent(ctx, &acc);
                let f = Form::edit(&acc);
                if f.promote {
                    ctx.info(format!(
                        "making {} a real account: check the name, fill in the email, Ctrl+S saves",
                        detail::code(&acc)
                    ));
                }
                self.view = View::Form(Box::new(f));
            }
            Action::Delete => {
                self.view = View::Delete {
                    account: Box::new(acc),
                    from_detail,
                }
            }
            Action::SubmitFor => {
                let Some(code) = acc.code.clone() else {
                    return Outcome::Consumed;
                };
                // The Submit picker only preloads the newest accounts: make sure it knows this one.
                ctx.remember_accounts(std::slice::from_ref(&acc));
                return Outcome::SubmitFor(code);
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn filter_changed(&mut self, ctx: &Ctx) {
        self.filter_gen += 1;
        let gen = self.filter_gen;
        ctx.spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            Msg::acct(AcctMsg::FilterDue(gen))
        });
    }

    pub(super) fn filter_due(&mut self, ctx: &Ctx, gen: u64) {
        if gen == self.filter_gen {
            self.apply_filter(ctx);
        }
    }

    fn mouse(&mut self, ctx: &mut Ctx, m: ratatui::crossterm::event::MouseEvent) -> Outcome {
        let a = self.list_area.get();
        let inside =
            m.column >= a.x && m.column < a.x + a.width && m.row >= a.y && m.row < a.y + a.height;
        if !inside {
            return Outcome::Ignored;
        }
        let sel = self.window.selected;
        match m.kind {
            MouseEventKind::ScrollUp => self.window.select(ctx, sel.saturating_sub(3)),
            MouseEventKind::ScrollDown => self.window.select(ctx, sel + 3),
            MouseEventKind::Down(MouseButton::Left) if m.row >= a.y + 2 => {
                let i = self.list_offset.get() + (m.row - a.y - 2) as usize;
                if i == sel {
                    return self.list_update(ctx, Input::Action(Action::Choose));
                }
                if i < self.window.len() {
                    self.window.select(ctx, i);
                }
            }
            _ => {}
        }
        Outcome::Consumed
    }

    pub(super) fn draw_list(&self, frame: &mut Frame, area: Rect) {
        self.list_area.set(area);
        let w = &self.window;
        let height = area.height.saturating_sub(3) as usize;
        // Keep the selection in view, scrolling as little as possible.
        let mut offset = self.list_offset.get();
        if w.selected < offset {
            offset = w.selected;
        } else if height > 0 && w.selected >= offset + height {
            offset = w.selected + 1 - height;
        }
        offset = offset.min(w.len().saturating_sub(height.max(1)));
        self.list_offset.set(offset);
        let rows: Vec<Row> = (offset..(offset + height).min(w.len()))
            .filter_map(|i| w.slot(i))
            .map(|s| match s {
                Slot::Account(a) => account_row(a),
                Slot::Gap => gap_row(w),
            })
            .collect();
        let mut title = vec![Span::raw(format!(" Accounts · {} ", w.query.sort_label()))];
        if w.query.auto_only {
            title.push(Span::styled(format!(" {AUTO_BADGE} only "), badge_style()));
            title.push(Span::raw(" "));
        }
        if self.filtering || !self.filter.value().is_empty() {
            title.push(Span::raw("/").bold());
            let mut l = self
                .filter
                .spans(self.filtering, Style::default().fg(Color::Yellow));
            title.append(&mut l.spans);
            title.push(Span::raw(" "));
        }
        let footer = if let Some(e) = &w.error {
            Span::styled(
                format!(" cannot load: {e} (r retries) "),
                Style::default().fg(Color::Red),
            )
        } else if w.loading() {
            Span::styled(
                format!(" {} loaded · loading… ", w.loaded()),
                Style::default().fg(Color::Yellow),
            )
        } else if w.complete() {
            Span::raw(format!(" {} accounts ", w.loaded()))
        } else {
            Span::raw(format!(" {} loaded · more as you scroll ", w.loaded()))
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(Color::Cyan))
            .title(Line::from(title))
            .title_bottom(Line::from(footer).right_aligned());
        let header = Row::new(vec!["", "Code", "Name", "Email", "Created"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        // The code is what users search and submit with: its column fits the longest code on
        // screen (within reason) and the name and email share what is left.
        let code_width = (offset..(offset + height).min(w.len()))
            .filter_map(|i| match w.slot(i) {
                Some(Slot::Account(a)) => a.code.as_deref().map(|c| c.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(4)
            .clamp(4, 32) as u16;
        let widths = [
            Constraint::Length(4),
            Constraint::Length(code_width),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Length(10),
        ];
        let empty = rows.is_empty();
        let table = Table::new(rows, widths)
            .header(header)
            .block(block)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
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

fn account_row(a: &Account) -> Row<'static> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let badge = if a.is_auto_created() {
        Cell::from(Span::styled(AUTO_BADGE, badge_style()))
    } else {
        Cell::from("")
    };
    let created: String = s(&a.audit.dt_created).chars().take(10).collect();
    let row = Row::new(vec![
        badge,
        Cell::from(s(&a.code)),
        Cell::from(s(&a.name)),
        Cell::from(s(&a.email_address)),
        Cell::from(created),
    ]);
    if a.is_auto_created() {
        row.style(Style::default().fg(Color::Yellow))
    } else {
        row
    }
}

fn gap_row(w: &super::Window) -> Row<'static> {
    let text = if w.loading() {
        "loading…"
    } else {
        "… more (scroll to load)"
    };
    Row::new(vec![Cell::from(""), Cell::from(text).italic()])
        .style(Style::default().fg(Color::DarkGray))
}
