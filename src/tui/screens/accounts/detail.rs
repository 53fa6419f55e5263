//! The detail view: every AccountResponse field, unset ones shown as `— unset` rather than
//! hidden, so the user sees what m3ter holds and what it does not.

use super::nav::{self, open, Go, Step};
use crate::m3ter::{Account, Address};
use crate::tui::keys::{Action, Input};
use crate::tui::state::msg::AcctMsg;
use crate::tui::state::{Ctx, Msg};
use crate::tui::style;
use crate::tui::style::AUTO_BADGE;
use crate::tui::widgets::scroll::Scroll;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use ratatui::Frame;

pub const UNSET: &str = "— unset";

#[derive(Debug)]
pub struct Detail {
    pub account: Account,
    /// The parent's code, once looked up.
    pub parent_code: Option<String>,
    scroll: Scroll,
}

impl Detail {
    pub fn new(account: Account) -> Self {
        Self {
            account,
            parent_code: None,
            scroll: Scroll::default(),
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
                None => format!("{id} (looking up its code…)"),
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
        let a = &self.account;
        let mut lines = Vec::new();
        if a.is_auto_created() {
            lines.push(Line::from(vec![
                Span::styled(format!(" {AUTO_BADGE} "), style::badge()),
                Span::styled(
                    " created by a measurement for an unknown code — e makes it a real account",
                    style::warn(),
                ),
            ]));
        }
        let label = style::accent();
        let unset = style::muted().add_modifier(Modifier::ITALIC);
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
        let title = format!(
            " {} · {} ",
            nav::code(a),
            a.name.clone().unwrap_or_default()
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(true))
            .title(title);
        self.scroll.render(frame, area, block, lines);
    }
}

impl Detail {
    pub fn update(&mut self, ctx: &mut Ctx, input: Input) -> Step {
        match input {
            Input::Action(a) if self.scroll.apply(a) => {}
            ref i if self.scroll.mouse(i) => {}
            Input::Action(Action::Back | Action::Quit) => return Step::To(Go::List),
            Input::Action(Action::Refresh) => self.reload(ctx),
            Input::Action(a @ (Action::Edit | Action::Delete | Action::SubmitFor)) => {
                return open(ctx, a, self.account.clone(), true);
            }
            _ => return Step::Ignored,
        }
        Step::Stay
    }

    fn reload(&self, ctx: &mut Ctx) {
        let client = ctx.client.clone();
        let id = self.account.id.clone();
        ctx.info("reloading…");
        ctx.spawn("reload the account", async move {
            let r = client.retrieve::<Account>(&id).await;
            Msg::acct(AcctMsg::Reloaded(r.map_err(|e| e.to_string())))
        });
    }

    /// The account fetched again (the screen puts it in the list too).
    pub fn reloaded(&mut self, ctx: &mut Ctx, r: &Result<Account, String>) {
        match r {
            Ok(a) if a.id == self.account.id => {
                ctx.info("reloaded");
                self.account = a.clone();
            }
            Err(e) => ctx.error(format!("cannot reload: {e}")),
            _ => {}
        }
    }
}
