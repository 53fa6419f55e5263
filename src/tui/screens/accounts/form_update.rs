//! The form's keys and everything that talks to the server after it: save (create or update,
//! with the `version` read), the conflict hand-off, the parent search, and the answers.

use super::fields::Field;
use super::form::Form;
use super::nav::{self, Go, Step};
use crate::m3ter::rules::FieldError;
use crate::m3ter::{Account, SearchQuery};
use crate::tui::keys::{Action, Input};
use crate::tui::state::msg::{AcctMsg, SaveError};
use crate::tui::state::{Ctx, Msg};
use std::time::Duration;

/// Wait this long after the last keystroke in the parent field before searching.
const PARENT_SEARCH_AFTER: Duration = Duration::from_millis(250);

impl Form {
    pub fn update(&mut self, ctx: &mut Ctx, input: Input) -> Step {
        let f = self;
        match input {
            Input::Action(Action::Submit) => f.save(ctx),
            Input::Action(Action::FocusNext) => f.move_focus(1),
            Input::Action(Action::FocusPrev) => f.move_focus(-1),
            Input::Action(Action::Up) => f.up_down(-1),
            Input::Action(Action::Down) => f.up_down(1),
            Input::Action(Action::Choose) => f.enter(),
            Input::Action(Action::Restore) => {
                if f.swap_stash() {
                    ctx.info("swapped: Ctrl+Z/F8 again swaps back");
                } else {
                    ctx.info("nothing to swap back to");
                }
            }
            Input::Action(Action::Back) if f.parent_hits.is_empty() => {
                // Typed changes are never dropped silently: the first Esc asks.
                if f.changed() && !f.leaving && !f.saving {
                    f.leaving = true;
                    ctx.error("unsaved changes: Esc again leaves without saving, Ctrl+S/F5 saves");
                    return Step::Stay;
                }
                ctx.info("not saved");
                return Step::To(match f.editing.take() {
                    Some(a) => Go::Detail(Box::new(a)),
                    None => Go::List,
                });
            }
            // Esc with the parent suggestions open closes them.
            Input::Action(Action::Back) => f.parent_hits.clear(),
            Input::Key(k) => {
                if let Some(text) = f.key(&k) {
                    f.search_parent(ctx, text);
                }
            }
            Input::Paste(s) => f.paste(&s),
            Input::Mouse(m) => {
                if !f.mouse(&m) {
                    return Step::Ignored;
                }
            }
            _ => return Step::Ignored,
        }
        Step::Stay
    }

    /// Saves the form if m3ter's rules pass; otherwise names every problem by its label and
    /// goes to the first.
    pub fn save(&mut self, ctx: &mut Ctx) {
        let f = self;
        if f.saving {
            ctx.error("still saving…");
            return;
        }
        let (req, errs) = f.request();
        if let Some(first) = errs.first() {
            f.tried = true;
            f.focus = Field::of(first).unwrap_or(f.focus);
            let named: Vec<String> = errs
                .iter()
                .map(|e| match Field::of(e) {
                    Some(fl) => format!("{} {}", fl.label(), e.message),
                    None => format!("{} {}", e.field, e.message),
                })
                .collect();
            ctx.error(format!("not saved: {}", named.join("; ")));
            return;
        }
        f.saving = true;
        ctx.info("saving…");
        let client = ctx.client.clone();
        let id = f.editing.as_ref().map(|a| a.id.clone());
        ctx.spawn("save the account", async move {
            let result = match &id {
                Some(id) => client.update::<Account>(id, &req).await,
                None => client.create::<Account>(&req).await,
            };
            Msg::acct(AcctMsg::Saved(result.map_err(|e| SaveError {
                conflict: e.is_conflict(),
                field: e.field().map(String::from),
                message: match &e {
                    crate::m3ter::Error::Api { message, .. } => message.clone(),
                    other => other.to_string(),
                },
            })))
        });
    }

    fn search_parent(&mut self, ctx: &mut Ctx, text: String) {
        let gen = self.parent_search.arm();
        let text = text.replace('$', "");
        if !text.is_empty() {
            ctx.later(
                PARENT_SEARCH_AFTER,
                Msg::acct(AcctMsg::ParentDue { gen, text }),
            );
        }
    }

    /// The typed parent code settled: search for it.
    pub fn parent_due(&mut self, ctx: &mut Ctx, gen: u64, text: &str) {
        if !self.parent_search.due(gen) {
            return;
        }
        let client = ctx.client.clone();
        let q = SearchQuery {
            search_query: Some(format!("code~{text}")),
            page_size: Some(6),
            sort_by: Some("code".into()),
            sort_order: Some("ASC".into()),
            ..Default::default()
        };
        ctx.spawn("search parent accounts", async move {
            let hits = client
                .search_accounts(&q)
                .await
                .map(|p| {
                    p.data
                        .into_iter()
                        .map(|a| (a.id.clone(), nav::code(&a)))
                        .collect()
                })
                .unwrap_or_default();
            Msg::acct(AcctMsg::ParentHits { gen, hits })
        });
    }

    pub fn parent_hits(&mut self, gen: u64, hits: &[(String, String)]) {
        if self.parent_search.due(gen) && self.focus == Field::Parent {
            self.parent_hits = hits.to_vec();
            self.parent_pick = 0;
        }
    }

    /// The server's current copy after a refused save: the conflict view (or back to the form
    /// when it cannot be fetched).
    pub fn current(&mut self, ctx: &mut Ctx, r: &Result<Account, String>) -> Option<Go> {
        match r {
            Ok(server) => {
                ctx.error(format!(
                    "not saved: {} was changed meanwhile — compare, then o or r",
                    nav::code(server)
                ));
                let form = std::mem::replace(self, Form::create());
                Some(Go::Conflict {
                    form: Box::new(form),
                    server: Box::new(server.clone()),
                })
            }
            Err(e) => {
                ctx.error(format!(
                    "not saved (changed meanwhile), and cannot fetch it: {e}"
                ));
                None
            }
        }
    }

    /// The save's answer: the detail of the saved account, the conflict hand-off, or the
    /// server's complaint on its field.
    pub fn saved(&mut self, ctx: &mut Ctx, r: &Result<Account, SaveError>) -> Option<Go> {
        let f = self;
        f.saving = false;
        match r {
            Ok(a) => {
                ctx.info(format!(
                    "saved {} (version {})",
                    nav::code(a),
                    a.version.unwrap_or(1)
                ));
                let created = f.editing.is_none();
                if created {
                    // New rows belong at the top (newest first): reload, and so does the picker.
                    ctx.post(Msg::AccountsChanged);
                } else {
                    // Edited in place (the screen replaces its row): the picker gets it too.
                    ctx.remember_accounts(std::slice::from_ref(a));
                }
                Some(Go::Detail(Box::new(a.clone())))
            }
            Err(e) if e.conflict && f.editing.is_some() => {
                let id = f.editing.as_ref().map(|a| a.id.clone()).unwrap_or_default();
                let client = ctx.client.clone();
                ctx.spawn("fetch the current account", async move {
                    let r = client.retrieve::<Account>(&id).await;
                    Msg::acct(AcctMsg::Current(r.map_err(|e| e.to_string())))
                });
                None
            }
            Err(e) => {
                let field = e.field.clone().unwrap_or_default();
                let err = FieldError::new(field, e.message.clone());
                if let Some(fl) = Field::of(&err) {
                    f.focus = fl;
                }
                ctx.error(format!("not saved: {}", e.message));
                f.server_errors = vec![err];
                None
            }
        }
    }
}
