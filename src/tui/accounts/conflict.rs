//! The conflict view: a save was refused because someone changed the account since it was read
//! (stale `version`, HTTP 409). The user's values and the server's current ones side by side,
//! differing fields marked (`≠` and colour, so it reads without colour too). `o` overwrites with
//! the user's values (sent with the new version), `r` takes the server's into the form while
//! keeping the user's a keystroke away (Ctrl+Z/F8), Esc goes back to the form unchanged.
//! Nothing typed is ever dropped.

use super::form::{credit_label, mode_label, Form, Values};
use super::{AccountsScreen, View};
use crate::m3ter::Account;
use crate::tui::keys::Action;
use crate::tui::screen::{Input, Outcome};
use crate::tui::state::Ctx;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

#[derive(Debug)]
pub struct Conflict {
    /// The user's form, exactly as it was when saving failed.
    pub form: Form,
    /// The account as it is on the server now.
    pub server: Account,
}

/// What a set of values shows per field, as the form would fill them.
fn shown(v: &Values) -> Vec<String> {
    let mut out = v.text.clone();
    out[super::form::CREDIT] = credit_label(v.credit);
    out[super::form::MODE] = mode_label(v.mode);
    if let Some((_, code)) = &v.parent {
        if !v.text[super::form::PARENT].is_empty() {
            out[super::form::PARENT] = code.clone();
        }
    }
    out
}

impl Conflict {
    /// (label, yours, server's, who changed it since it was read) per field.
    pub fn rows(&self) -> Vec<(&'static str, String, String, &'static str)> {
        let mine = shown(&self.form.values());
        let read = self
            .form
            .editing
            .as_ref()
            .map(|a| shown(&Values::from_account(a)));
        let mut server_values = Values::from_account(&self.server);
        // The form shows the parent by code; the server's by id unless it is the same parent.
        if let (Some((id, code)), Some(sid)) = (&self.form.parent, &self.server.parent_account_id) {
            if id == sid {
                server_values.parent = Some((id.clone(), code.clone()));
                server_values.text[super::form::PARENT] = code.clone();
            }
        }
        let theirs = shown(&server_values);
        super::form::FIELDS
            .iter()
            .enumerate()
            .zip(mine.into_iter().zip(theirs))
            .map(|((i, (label, _)), (m, t))| {
                let was = read.as_ref().map(|r| r[i].trim().to_string());
                let by = match was {
                    _ if m.trim() == t.trim() => "",
                    Some(w) if w == m.trim() => "server",
                    Some(w) if w == t.trim() => "you",
                    _ => "both",
                };
                (*label, m, t, by)
            })
            .collect()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let [head, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(area);
        let code = super::detail::code(&self.server);
        let mine = self.form.version().map_or("?".into(), |v| v.to_string());
        let now = self.server.version.map_or("?".into(), |v| v.to_string());
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!("{code} changed on the server (you read version {mine}, now {now})."),
                    Style::default()
                        .fg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                ),
                Line::raw("Nothing you typed is lost: o overwrite · r load server's · Esc back"),
            ]),
            head,
        );
        let diff = Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        let rows: Vec<Row> = self
            .rows()
            .into_iter()
            .map(|(label, m, t, by)| {
                let differs = m.trim() != t.trim();
                let mark = if differs { "≠" } else { " " };
                let row = Row::new(vec![
                    Cell::from(mark),
                    Cell::from(label),
                    Cell::from(by),
                    Cell::from(m),
                    Cell::from(t),
                ]);
                if differs {
                    row.style(diff)
                } else {
                    row
                }
            })
            .collect();
        let header = Row::new(vec!["", "Field", "Changed", "Yours", "Server now"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(Color::Yellow))
            .title(Line::from(vec![Span::raw(format!(" Conflict · {code} "))]));
        let table = Table::new(
            rows,
            [
                Constraint::Length(1),
                Constraint::Length(16),
                Constraint::Length(7),
                Constraint::Fill(1),
                Constraint::Fill(1),
            ],
        )
        .header(header)
        .block(block);
        frame.render_widget(table, body);
    }
}

impl AccountsScreen {
    pub(super) fn conflict_update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let View::Conflict(c) = std::mem::replace(&mut self.view, View::List) else {
            return Outcome::Ignored;
        };
        let Conflict { mut form, server } = *c;
        match input {
            Input::Action(Action::Overwrite) => {
                // The user's values, sent with the version the server has now.
                form.editing = Some(server);
                self.view = View::Form(Box::new(form));
                self.save(ctx);
            }
            Input::Action(Action::Refresh) => {
                let mine = form.values();
                form.editing = Some(server.clone());
                form.set_values(&Values::from_account(&server));
                form.stash = Some(mine);
                form.server_errors.clear();
                self.lookup_parent(ctx, &server);
                ctx.info("the server's version is in the form; Ctrl+Z/F8 swaps back to yours");
                self.view = View::Form(Box::new(form));
            }
            Input::Action(Action::Back | Action::Quit) => {
                ctx.info("your values are back in the form (saving again will conflict: o or r)");
                self.view = View::Form(Box::new(form));
            }
            _ => {
                self.view = View::Conflict(Box::new(Conflict { form, server }));
                return Outcome::Ignored;
            }
        }
        Outcome::Consumed
    }
}
