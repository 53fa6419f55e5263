//! The conflict view: a save was refused because someone changed the account since it was read
//! (stale `version`, HTTP 409). The user's values and the server's current ones side by side,
//! differing fields marked (`≠` and colour, so it reads without colour too). `o` overwrites with
//! the user's values (sent with the new version), `r` takes the server's into the form while
//! keeping the user's a keystroke away (Ctrl+Z/F8), Esc goes back to the form unchanged.
//! Nothing typed is ever dropped.

use super::fields::Field;
use super::form::{credit_label, mode_label, Form, Values};
use super::nav::{self, Go, Step};
use crate::m3ter::Account;
use crate::tui::keys::{Action, Input};
use crate::tui::state::Ctx;
use crate::tui::style;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
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
    let mut out = v.clone();
    out[Field::CreditOrder] = credit_label(v.credit);
    out[Field::Statements] = mode_label(v.mode);
    if let Some((_, code)) = &v.parent {
        if !v[Field::Parent].is_empty() {
            out[Field::Parent] = code.clone();
        }
    }
    out.text
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
                server_values[Field::Parent] = code.clone();
            }
        }
        let theirs = shown(&server_values);
        Field::ALL
            .iter()
            .enumerate()
            .zip(mine.into_iter().zip(theirs))
            .map(|((i, field), (m, t))| {
                let was = read.as_ref().map(|r| r[i].trim().to_string());
                let by = match was {
                    _ if m.trim() == t.trim() => "",
                    Some(w) if w == m.trim() => "server",
                    Some(w) if w == t.trim() => "you",
                    _ => "both",
                };
                (field.label(), m, t, by)
            })
            .collect()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let [head, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(area);
        let code = nav::code(&self.server);
        let mine = self.form.version().map_or("?".into(), |v| v.to_string());
        let now = self.server.version.map_or("?".into(), |v| v.to_string());
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!("{code} changed on the server (you read version {mine}, now {now})."),
                    style::warn().add_modifier(Modifier::BOLD),
                ),
                Line::raw("Nothing you typed is lost: o overwrite · r load server's · Esc back"),
            ]),
            head,
        );
        let diff = style::warn().add_modifier(Modifier::BOLD);
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
            .border_style(style::warn())
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

impl Conflict {
    pub fn update(&mut self, ctx: &mut Ctx, input: Input) -> Step {
        match input {
            Input::Action(Action::Overwrite) => {
                // The user's values, sent with the version the server has now.
                let mut form = self.take_form();
                form.editing = Some(self.server.clone());
                form.save(ctx);
                Step::To(Go::Form(Box::new(form)))
            }
            Input::Action(Action::Refresh) => {
                let server = self.server.clone();
                let mut form = self.take_form();
                let mine = form.values();
                form.editing = Some(server.clone());
                form.set_values(&Values::from_account(&server));
                form.initial = form.values();
                form.stash = Some(mine);
                form.server_errors.clear();
                nav::lookup_parent(ctx, &server);
                ctx.info("the server's version is in the form; Ctrl+Z/F8 swaps back to yours");
                Step::To(Go::Form(Box::new(form)))
            }
            Input::Action(Action::Back | Action::Quit) => {
                ctx.info("your values are back in the form (saving again will conflict: o or r)");
                Step::To(Go::Form(Box::new(self.take_form())))
            }
            _ => Step::Ignored,
        }
    }

    fn take_form(&mut self) -> Form {
        std::mem::replace(&mut self.form, Form::create())
    }
}
