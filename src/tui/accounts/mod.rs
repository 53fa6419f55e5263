//! The Accounts screen (issue 6): the org's accounts, loaded page by page as the list scrolls
//! ([`model::Window`]), filtered and sorted on the server ([`query::Query`]); a detail view with
//! every field; create/edit forms checked as the user types ([`form`]); a side-by-side conflict
//! view when someone else saved first ([`conflict`]); delete with confirmation; and `s` to
//! submit usage for the account.
//!
//! One screen, several views (list, detail, form, conflict, delete confirmation); each view has
//! its own key table in [`keys`]. Network answers arrive as [`AcctMsg`] inside
//! [`Msg::AccountsScreen`]. After any change the screen sends [`Msg::AccountsChanged`] so the
//! Submit picker's list reloads; that message (also sent after a submission that auto-created an
//! account) makes this list reload too, so a new account shows up without a manual reload.

mod actions;
mod conflict;
mod detail;
mod form;
mod form_draw;
mod keys;
mod list;
mod model;
#[cfg(test)]
mod model_tests;
mod query;
mod values;

pub use form::{Form, Values};
pub use model::{PageResult, Window};
pub use query::{Cursor, Query, SortKey};

use super::keys::KeyBinding;
use super::msg::Msg;
use super::screen::{Input, Outcome, Screen, ScreenKind};
use super::state::Ctx;
use super::widgets::input::TextInput;
use crate::m3ter::Account;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::cell::Cell;

/// Answers of the screen's background tasks.
#[derive(Debug, Clone)]
pub enum AcctMsg {
    Page {
        gen: u64,
        tail: bool,
        result: PageResult,
    },
    /// The filter text settled (debounce): search if `gen` is still the latest.
    FilterDue(u64),
    Saved(Result<Account, SaveError>),
    /// The server's current version, after a save was refused as stale.
    Current(Result<Account, String>),
    Deleted {
        account: Box<Account>,
        result: Result<(), String>,
    },
    /// The detail's account fetched again (`r`).
    Reloaded(Result<Account, String>),
    /// A parent account's code, for an id the view shows.
    ParentCode {
        id: String,
        code: String,
    },
    /// Accounts matching the typed parent code: (id, code).
    ParentHits {
        gen: u64,
        hits: Vec<(String, String)>,
    },
}

/// Why a save failed, kept as data so it can travel in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveError {
    pub conflict: bool,
    pub field: Option<String>,
    pub message: String,
}

/// What the screen shows.
#[derive(Debug)]
pub enum View {
    List,
    Detail(Box<detail::Detail>),
    Form(Box<Form>),
    Conflict(Box<conflict::Conflict>),
    Delete {
        account: Box<Account>,
        from_detail: bool,
    },
}

pub struct AccountsScreen {
    pub window: Window,
    pub view: View,
    filter: TextInput,
    filtering: bool,
    filter_gen: u64,
    parent_gen: u64,
    /// Where the table was drawn and its first shown row, for mouse clicks.
    list_area: Cell<Rect>,
    list_offset: Cell<usize>,
}

impl AccountsScreen {
    pub fn new(ctx: &mut Ctx) -> Self {
        let mut s = Self::offline();
        s.window.reset(ctx, Query::default());
        s
    }

    /// A screen that has fetched nothing (tests feed it pages as messages).
    pub fn offline() -> Self {
        Self {
            window: Window::new(Query::default()),
            view: View::List,
            filter: TextInput::default(),
            filtering: false,
            filter_gen: 0,
            parent_gen: 0,
            list_area: Cell::new(Rect::default()),
            list_offset: Cell::new(0),
        }
    }
}

impl Screen for AccountsScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Accounts
    }

    fn title(&self) -> String {
        match &self.view {
            View::List | View::Delete { .. } => "Accounts".into(),
            View::Detail(d) => format!("Accounts › {}", detail::code(&d.account)),
            View::Form(f) => format!("Accounts › {}", form_draw::title(f)),
            View::Conflict(c) => format!("Accounts › {} › conflict", detail::code(&c.server)),
        }
    }

    fn keys(&self) -> &[KeyBinding] {
        match &self.view {
            View::List if self.filtering => &keys::FILTERING,
            View::List => &keys::LIST,
            View::Detail(_) => &keys::DETAIL,
            View::Form(_) => &keys::FORM,
            View::Conflict(_) => &keys::CONFLICT,
            View::Delete { .. } => &keys::DELETE_CONFIRM,
        }
    }

    fn typing(&self) -> bool {
        matches!(self.view, View::Form(_)) || (self.filtering && matches!(self.view, View::List))
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        match &self.view {
            View::List => self.list_update(ctx, input),
            View::Detail(_) => self.detail_update(ctx, input),
            View::Form(_) => self.form_update(ctx, input),
            View::Conflict(_) => self.conflict_update(ctx, input),
            View::Delete { .. } => self.delete_update(ctx, input),
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::AccountsChanged => {
                let q = self.window.query.clone();
                self.window.reset(ctx, q);
            }
            Msg::AccountsScreen(m) => self.on_acct_msg(ctx, m),
            _ => {}
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        match &self.view {
            View::List => self.draw_list(frame, area),
            View::Detail(d) => d.draw(frame, area),
            View::Form(f) => form_draw::draw(f, frame, area),
            View::Conflict(c) => c.draw(frame, area),
            View::Delete {
                account,
                from_detail,
            } => {
                if *from_detail {
                    detail::Detail::new(account.as_ref().clone()).draw(frame, area);
                } else {
                    self.draw_list(frame, area);
                }
                actions::draw_delete(account, frame, area);
            }
        }
        let _ = ctx;
    }
}
