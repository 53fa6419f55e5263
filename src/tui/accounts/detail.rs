//! The detail view: every AccountResponse field, unset ones shown as `— unset` rather than
//! hidden, so the user sees what m3ter holds and what it does not.

use super::list::{badge_style, AUTO_BADGE};
use super::{AccountsScreen, View};
use crate::m3ter::{Account, Address};
use crate::tui::keys::Action;
use crate::tui::screen::{Input, Outcome};
use crate::tui::state::Ctx;
use ratatui::crossterm::event::MouseEventKind;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::cell::Cell;

pub const UNSET: &str = "— unset";

#[derive(Debug)]
pub struct Detail {
    pub account: Account,
    /// The parent's code, once looked up.
    pub parent_code: Option<String>,
    pub scroll: u16,
    height: Cell<u16>,
}

pub fn code(a: &Account) -> String {
    a.code.clone().unwrap_or_else(|| a.id.clone())
}

impl Detail {
    pub fn new(account: Account) -> Self {
        Self {
            account,
            parent_code: None,
            scroll: 0,
            height: Cell::new(0),
        }
    }

    /// (label, value) for every field, `None` when unset.
    pub fn fields(&self) -> Vec<(String, Option<String>)> {
        let a = &self.account;
        let s = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        let mut out: Vec<(String, Option<String>)> = vec![
            ("id".into(), Some(a.id.clone())),
            ("code".into(), s(&a.code)),
            ("name".into(), s(&a.name)),
            ("emailAddress".into(), s(&a.email_address)),
        ];
        let ad = a.address.clone().unwrap_or_default();
        let lines: [(&str, &Option<String>); 8] = [
            ("addressLine1", &ad.address_line1),
            ("addressLine2", &ad.address_line2),
            ("addressLine3", &ad.address_line3),
            ("addressLine4", &ad.address_line4),
            ("locality", &ad.locality),
            ("region", &ad.region),
            ("postCode", &ad.post_code),
            ("country", &ad.country),
        ];
        if a.address.as_ref().is_none_or(Address::is_empty) {
            out.push(("address".into(), None));
        } else {
            for (k, v) in lines {
                out.push((format!("address.{k}"), s(v)));
            }
        }
        let parent = a
            .parent_account_id
            .clone()
            .map(|id| match &self.parent_code {
                Some(c) => format!("{c}  ({id})"),
                None => id,
            });
        out.extend([
            ("parentAccountId".into(), parent),
            ("billEpoch".into(), s(&a.bill_epoch)),
            ("purchaseOrderNumber".into(), s(&a.purchase_order_number)),
            ("currency".into(), s(&a.currency)),
            (
                "statementDefinitionId".into(),
                s(&a.statement_definition_id),
            ),
            (
                "autoGenerateStatementMode".into(),
                a.auto_generate_statement_mode
                    .map(|m| m.as_str().to_string()),
            ),
            (
                "creditApplicationOrder".into(),
                a.credit_application_order
                    .as_ref()
                    .map(|o| o.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")),
            ),
            (
                "daysBeforeBillDue".into(),
                a.days_before_bill_due.map(|d| d.to_string()),
            ),
        ]);
        match a.custom_fields.as_ref().filter(|c| !c.is_empty()) {
            None => out.push(("customFields".into(), None)),
            Some(c) => {
                for (k, v) in c {
                    out.push((format!("customFields.{k}"), Some(v.to_string())));
                }
            }
        }
        out.extend([
            ("version".into(), a.version.map(|v| v.to_string())),
            ("dtCreated".into(), s(&a.audit.dt_created)),
            ("dtLastModified".into(), s(&a.audit.dt_last_modified)),
            ("createdBy".into(), s(&a.audit.created_by)),
            ("lastModifiedBy".into(), s(&a.audit.last_modified_by)),
        ]);
        out
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        self.height.set(area.height.saturating_sub(2));
        let a = &self.account;
        let mut lines = Vec::new();
        if a.is_auto_created() {
            lines.push(Line::from(vec![
                Span::styled(format!(" {AUTO_BADGE} "), badge_style()),
                Span::styled(
                    " created by a measurement for an unknown code — e makes it a real account",
                    Style::default().fg(Color::Yellow),
                ),
            ]));
        }
        let label = Style::default().fg(Color::Cyan);
        let unset = Style::default()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC);
        for (k, v) in self.fields() {
            let value = match v {
                Some(v) => Span::raw(v),
                None => Span::styled(UNSET, unset),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<26}"), label),
                value,
            ]));
        }
        let title = format!(" {} · {} ", code(a), a.name.clone().unwrap_or_default());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(Color::Cyan))
            .title(title);
        frame.render_widget(
            Paragraph::new(lines).block(block).scroll((self.scroll, 0)),
            area,
        );
    }

    fn max_scroll(&self) -> u16 {
        let n = self.fields().len() as u16 + 1;
        n.saturating_sub(self.height.get())
    }
}

impl AccountsScreen {
    pub(super) fn detail_update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let View::Detail(d) = &mut self.view else {
            return Outcome::Ignored;
        };
        match input {
            Input::Action(Action::Up) => d.scroll = d.scroll.saturating_sub(1),
            Input::Action(Action::Down) => d.scroll = (d.scroll + 1).min(d.max_scroll()),
            Input::Mouse(m) if m.kind == MouseEventKind::ScrollUp => {
                d.scroll = d.scroll.saturating_sub(3)
            }
            Input::Mouse(m) if m.kind == MouseEventKind::ScrollDown => {
                d.scroll = (d.scroll + 3).min(d.max_scroll())
            }
            Input::Action(Action::Back | Action::Quit) => self.view = View::List,
            Input::Action(Action::Refresh) => self.reload_detail(ctx),
            Input::Action(a @ (Action::Edit | Action::Delete | Action::SubmitFor)) => {
                let acc = d.account.clone();
                return self.on_account(ctx, a, acc, true);
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }
}
