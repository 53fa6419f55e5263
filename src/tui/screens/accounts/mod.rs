//! The Accounts screen: the org's accounts, loaded page by page as the list scrolls
//! ([`model::Window`]), filtered and sorted on the server ([`query::Query`]); a detail view with
//! every field; create/edit forms checked as the user types ([`form`]); a side-by-side conflict
//! view when someone else saved first ([`conflict`]); delete with confirmation; and `s` to
//! submit usage for the account.
//!
//! One screen, several views — list, detail, form, conflict, delete confirmation — each owning
//! its state, its key tables ([`keys`]), its `update` and its `draw`. A view's update returns a
//! [`nav::Step`]: stay, show another view ([`nav::Go`]), or leave the screen. Network answers arrive as
//! [`AcctMsg`] inside [`Msg::AccountsScreen`]. After any change the screen sends
//! [`Msg::AccountsChanged`] so the Submit picker's list reloads; that message (also sent after a
//! submission that auto-created an account) makes this list reload too, so a new account shows
//! up without a manual reload.

mod conflict;
mod delete;
mod detail;
mod fields;
mod form;
mod form_draw;
mod form_update;
mod keys;
mod list;
mod model;
#[cfg(test)]
mod model_tests;
mod nav;
mod query;
mod values;

pub use fields::Field;
pub use form::{Form, Values};
pub use model::Window;
pub use query::{Query, SortKey};

use super::{Outcome, Screen, ScreenKind};
use crate::tui::keys::{Action, Input, Tables};
use crate::tui::state::msg::AcctMsg;
use crate::tui::state::{Ctx, Msg};
use list::ListView;
use nav::{Go, Step};
use ratatui::layout::Rect;
use ratatui::Frame;

/// What the screen shows over the list.
#[derive(Debug)]
pub enum View {
    List,
    Detail(Box<detail::Detail>),
    Form(Box<Form>),
    Conflict(Box<conflict::Conflict>),
    Delete(Box<delete::DeleteConfirm>),
}

pub struct AccountsScreen {
    /// The list is always there, under whatever view is on top (a reload or a delete updates
    /// it meanwhile).
    pub list: ListView,
    pub view: View,
}

impl AccountsScreen {
    pub fn new(ctx: &mut Ctx) -> Self {
        let mut s = Self::offline();
        s.list.window.reset(ctx, Query::default());
        s
    }

    /// A screen that has fetched nothing (tests feed it pages as messages).
    pub fn offline() -> Self {
        Self {
            list: ListView::default(),
            view: View::List,
        }
    }

    /// The window of loaded accounts.
    pub fn window(&self) -> &Window {
        &self.list.window
    }
}

impl AccountsScreen {
    /// The view a step names.
    fn show(&mut self, go: Go) {
        self.view = match go {
            Go::List => View::List,
            Go::Detail(a) => View::Detail(Box::new(detail::Detail::new(*a))),
            Go::Form(f) => View::Form(f),
            Go::Conflict { form, server } => View::Conflict(Box::new(conflict::Conflict {
                form: *form,
                server: *server,
            })),
            Go::Delete {
                account,
                from_detail,
            } => View::Delete(Box::new(delete::DeleteConfirm {
                account: *account,
                from_detail,
            })),
        };
    }
}

impl Screen for AccountsScreen {
    /// Shows the account with this code (the list filtered to it), over whatever view was open.
    fn show_account(&mut self, ctx: &mut Ctx, code: &str) {
        self.view = View::List;
        self.list.set_filter(ctx, code);
    }

    fn kind(&self) -> ScreenKind {
        ScreenKind::Accounts
    }

    fn title(&self) -> String {
        match &self.view {
            View::List | View::Delete(_) => "Accounts".into(),
            View::Detail(d) => format!("Accounts › {}", nav::code(&d.account)),
            View::Form(f) => format!("Accounts › {}", form_draw::title(f)),
            View::Conflict(c) => format!("Accounts › {} › conflict", nav::code(&c.server)),
        }
    }

    fn keys(&self) -> Tables {
        match &self.view {
            View::List if self.list.filtering => keys::FILTERING,
            View::List => keys::LIST,
            View::Detail(_) => keys::DETAIL,
            View::Form(_) => keys::FORM,
            View::Conflict(_) => keys::CONFLICT,
            View::Delete(_) => keys::DELETE_CONFIRM,
        }
    }

    fn typing(&self) -> bool {
        match &self.view {
            View::Form(_) => true,
            View::List => self.list.filtering,
            _ => false,
        }
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        // `U` on an account (list or detail): the usage explorer for it.
        if let Input::Action(Action::Usage) = input {
            let code = match &self.view {
                View::List => self
                    .list
                    .window
                    .selected_account()
                    .and_then(|a| a.code.clone()),
                View::Detail(d) => d.account.code.clone(),
                _ => None,
            };
            if let Some(code) = code {
                return Outcome::Usage {
                    meter: None,
                    account: Some(code),
                };
            }
        }
        let step = match &mut self.view {
            View::List => self.list.update(ctx, input),
            View::Detail(d) => d.update(ctx, input),
            View::Form(f) => f.update(ctx, input),
            View::Conflict(c) => c.update(ctx, input),
            View::Delete(d) => d.update(ctx, input),
        };
        match step {
            Step::Stay => Outcome::Consumed,
            Step::Ignored => Outcome::Ignored,
            Step::To(go) => {
                self.show(go);
                Outcome::Consumed
            }
            Step::Out(o) => o,
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::AccountsChanged => self.list.reload(ctx),
            Msg::AccountsScreen(m) => self.on_acct_msg(ctx, m),
            _ => {}
        }
    }

    fn draw(&self, _ctx: &Ctx, frame: &mut Frame, area: Rect) {
        match &self.view {
            View::List => self.list.draw(frame, area),
            View::Detail(d) => d.draw(frame, area),
            View::Form(f) => form_draw::draw(f, frame, area),
            View::Conflict(c) => c.draw(frame, area),
            View::Delete(d) => {
                if d.from_detail {
                    detail::Detail::new(d.account.clone()).draw(frame, area);
                } else {
                    self.list.draw(frame, area);
                }
                d.draw(frame, area);
            }
        }
    }
}

impl AccountsScreen {
    /// An answer for this screen: each goes to the view it is for.
    fn on_acct_msg(&mut self, ctx: &mut Ctx, m: &AcctMsg) {
        match m {
            AcctMsg::Page { gen, tail, result } => {
                self.list.window.on_page(ctx, *gen, *tail, result)
            }
            AcctMsg::FilterDue(gen) => self.list.filter_due(ctx, *gen),
            AcctMsg::Deleted { account, result } => self.list.deleted(ctx, account, result),
            AcctMsg::Saved(r) => {
                if let View::Form(f) = &mut self.view {
                    let edited = f.editing.is_some();
                    let next = f.saved(ctx, r);
                    if let (Ok(a), true) = (r, edited) {
                        // Edited in place: the list keeps its position.
                        self.list.window.replace(a);
                    }
                    if let Some(go) = next {
                        self.show(go);
                    }
                }
            }
            AcctMsg::Current(r) => {
                // The list and the Submit picker show the server's copy from now on.
                if let Ok(server) = r {
                    self.list.window.replace(server);
                    ctx.remember_accounts(std::slice::from_ref(server));
                }
                if let View::Form(f) = &mut self.view {
                    if let Some(go) = f.current(ctx, r) {
                        self.show(go);
                    }
                }
            }
            AcctMsg::Reloaded(r) => {
                if let Ok(a) = r {
                    self.list.window.replace(a);
                }
                if let View::Detail(d) = &mut self.view {
                    d.reloaded(ctx, r);
                } else if let Err(e) = r {
                    ctx.error(format!("cannot reload: {e}"));
                }
            }
            AcctMsg::ParentCode { id, code } => match &mut self.view {
                View::Detail(d) if d.account.parent_account_id.as_ref() == Some(id) => {
                    d.parent_code = Some(code.clone())
                }
                View::Form(f) => f.parent_code(id, code),
                _ => {}
            },
            AcctMsg::ParentDue { gen, text } => {
                if let View::Form(f) = &mut self.view {
                    f.parent_due(ctx, *gen, text);
                }
            }
            AcctMsg::ParentHits { gen, hits } => {
                if let View::Form(f) = &mut self.view {
                    f.parent_hits(*gen, hits);
                }
            }
        }
    }
}
