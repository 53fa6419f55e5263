//! The delete confirmation: names the account by code and name, and deletes only on `y`.

use super::nav::{self, Go, Step};
use crate::m3ter::Account;
use crate::tui::keys::{Action, Input};
use crate::tui::state::msg::AcctMsg;
use crate::tui::state::{Ctx, Msg};
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

#[derive(Debug)]
pub struct DeleteConfirm {
    pub account: Account,
    /// Asked from the detail view (back there on `n`), else from the list.
    pub from_detail: bool,
}

impl DeleteConfirm {
    pub fn update(&mut self, ctx: &mut Ctx, input: Input) -> Step {
        match input {
            Input::Action(Action::Confirm) => {
                let account = self.account.clone();
                let client = ctx.client.clone();
                ctx.info(format!("deleting {}…", nav::code(&account)));
                ctx.spawn("delete the account", async move {
                    let result = client
                        .delete::<Account>(&account.id)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    Msg::acct(AcctMsg::Deleted {
                        account: Box::new(account),
                        result,
                    })
                });
                Step::To(Go::List)
            }
            Input::Action(Action::Back | Action::Quit) if self.from_detail => {
                Step::To(Go::Detail(Box::new(self.account.clone())))
            }
            Input::Action(Action::Back | Action::Quit) => Step::To(Go::List),
            _ => Step::Ignored,
        }
    }

    /// The confirmation popup, naming the account by code and name.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let a = &self.account;
        let text = vec![
            Line::raw(""),
            Line::styled(
                format!(
                    "Delete account {} ({})?",
                    nav::code(a),
                    a.name.clone().unwrap_or_default()
                ),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Line::raw(""),
            Line::raw("y deletes it · n or Esc keeps it"),
        ];
        let width = (text[1].width() as u16 + 6).clamp(40, area.width);
        let popup = style::popup(area, width, 6);
        frame.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::error())
            .title(" Delete ");
        frame.render_widget(Paragraph::new(text).centered().block(block), popup);
    }
}
