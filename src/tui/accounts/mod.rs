//! Accounts screen — placeholder until issue 6 replaces it: the org's account codes, filterable;
//! Enter jumps to the Submit panel with the account chosen ([`Outcome::SubmitFor`]).
//! The shared list lives in [`Ctx::accounts`] and is reloaded on [`Msg::AccountsChanged`].

use super::keys::{Action, Key, KeyBinding, LIST_KEYS};
use super::screen::{Input, Outcome, Screen, ScreenKind};
use super::state::{Ctx, Loadable};
use super::widgets::list::{FilterList, ListEvent, FILTER_KEYS};
use crate::tui::keys::{FILTER, REFRESH};
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Paragraph, Row};
use ratatui::Frame;

#[allow(unused_imports)]
use super::msg::Msg;

const KEYS: [KeyBinding; 9] = [
    LIST_KEYS[0],
    LIST_KEYS[1],
    LIST_KEYS[2],
    LIST_KEYS[3],
    LIST_KEYS[4],
    LIST_KEYS[5],
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::SubmitFor,
        "submit usage",
        "Submit usage for this account",
    )
    .bar(),
    FILTER,
    REFRESH,
];

#[derive(Default)]
pub struct AccountsScreen {
    list: FilterList,
}

impl AccountsScreen {
    pub fn new(ctx: &mut Ctx) -> Self {
        ctx.load_accounts();
        Self::default()
    }

    fn rows(ctx: &Ctx) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = ctx
            .accounts
            .get()
            .map(|a| {
                a.iter()
                    .map(|a| {
                        (
                            a.code.clone().unwrap_or_default(),
                            a.name.clone().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn visible(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let rows = Self::rows(ctx);
        let hay: Vec<String> = rows.iter().map(|(c, n)| format!("{c} {n}")).collect();
        self.list
            .visible(&hay)
            .into_iter()
            .map(|i| rows[i].clone())
            .collect()
    }
}

impl Screen for AccountsScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Accounts
    }

    fn title(&self) -> String {
        "Accounts".into()
    }

    fn keys(&self) -> &[KeyBinding] {
        if self.list.typing() {
            FILTER_KEYS
        } else {
            &KEYS
        }
    }

    fn typing(&self) -> bool {
        self.list.typing()
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let visible = self.visible(ctx);
        let input = match input {
            Input::Action(Action::Refresh) => {
                ctx.load_accounts();
                return Outcome::Consumed;
            }
            Input::Action(Action::SubmitFor) => Input::Action(Action::Choose),
            other => other,
        };
        match self.list.update(&input, visible.len()) {
            ListEvent::Ignored => Outcome::Ignored,
            ListEvent::Changed => Outcome::Consumed,
            ListEvent::Chosen => match visible.get(self.list.selected) {
                Some((code, _)) => Outcome::SubmitFor(code.clone()),
                None => Outcome::Consumed,
            },
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rows: Vec<Row> = self
            .visible(ctx)
            .into_iter()
            .map(|(c, n)| Row::new(vec![c, n]))
            .collect();
        self.list.draw(
            frame,
            area,
            "Accounts",
            Row::new(vec!["Code", "Name"]),
            rows,
            &[Constraint::Fill(1), Constraint::Fill(2)],
            true,
        );
        let note = match &ctx.accounts {
            Loadable::Loading => Some("loading accounts…".to_string()),
            Loadable::Failed(e) => Some(format!("cannot load accounts: {e}")),
            _ => None,
        };
        if let Some(note) = note {
            if area.height > 3 && area.width > 4 {
                let r = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
                frame.render_widget(Paragraph::new(note), r);
            }
        }
    }
}
