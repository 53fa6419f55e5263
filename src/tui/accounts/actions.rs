//! The form's keys and everything that talks to the server after the list: save (create or
//! update, with the `version` read), the conflict hand-off, delete, parent lookups, and the
//! answers coming back as [`AcctMsg`].

use super::conflict::Conflict;
use super::detail::{self, Detail};
use super::form::{FieldErrorExt, PARENT};
use super::{AccountsScreen, AcctMsg, SaveError, View};
use crate::m3ter::rules::FieldError;
use crate::m3ter::{Account, SearchQuery};
use crate::tui::keys::Action;
use crate::tui::msg::Msg;
use crate::tui::screen::{Input, Outcome};
use crate::tui::state::{Ctx, Loadable};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use std::time::Duration;

impl AccountsScreen {
    pub(super) fn form_update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let View::Form(f) = &mut self.view else {
            return Outcome::Ignored;
        };
        match input {
            Input::Action(Action::Submit) => self.save(ctx),
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
            Input::Action(Action::Back) => {
                self.view = match f.editing.take() {
                    Some(a) => View::Detail(Box::new(Detail::new(a))),
                    None => View::List,
                };
                ctx.info("not saved");
            }
            Input::Key(k) => {
                if let Some(text) = f.key(&k) {
                    self.search_parent(ctx, text);
                }
            }
            Input::Paste(s) => f.paste(&s),
            Input::Mouse(m) => {
                if !f.mouse(&m) {
                    return Outcome::Ignored;
                }
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    /// Saves the form if m3ter's rules pass; otherwise says what to fix and goes there.
    pub(super) fn save(&mut self, ctx: &mut Ctx) {
        let View::Form(f) = &mut self.view else {
            return;
        };
        if f.saving {
            ctx.error("still saving…");
            return;
        }
        let (req, errs) = f.request();
        if let Some(e) = errs.first() {
            f.focus = e.field_index().unwrap_or(f.focus);
            ctx.error(format!("not saved: {} {}", e.field, e.message));
            return;
        }
        f.saving = true;
        ctx.info("saving…");
        let client = ctx.client.clone();
        let id = f.editing.as_ref().map(|a| a.id.clone());
        ctx.spawn(async move {
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

    fn search_parent(&mut self, ctx: &Ctx, text: String) {
        self.parent_gen += 1;
        let gen = self.parent_gen;
        let client = ctx.client.clone();
        let text = text.replace('$', "");
        if text.is_empty() {
            return;
        }
        ctx.spawn(async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let q = SearchQuery {
                search_query: Some(format!("code~{text}")),
                page_size: Some(6),
                sort_by: Some("code".into()),
                sort_order: Some("ASC".into()),
                ..Default::default()
            };
            let hits = client
                .search_accounts(&q)
                .await
                .map(|p| {
                    p.data
                        .into_iter()
                        .map(|a| (a.id.clone(), detail::code(&a)))
                        .collect()
                })
                .unwrap_or_default();
            Msg::acct(AcctMsg::ParentHits { gen, hits })
        });
    }

    /// Looks up the parent's code (one GET), for the detail and the form.
    pub(super) fn lookup_parent(&self, ctx: &Ctx, a: &Account) {
        let Some(id) = a.parent_account_id.clone() else {
            return;
        };
        let client = ctx.client.clone();
        ctx.spawn(async move {
            match client.retrieve::<Account>(&id).await {
                Ok(p) => Msg::acct(AcctMsg::ParentCode {
                    id,
                    code: detail::code(&p),
                }),
                Err(e) => Msg::Status(format!("cannot look up the parent account: {e}")),
            }
        });
    }

    pub(super) fn reload_detail(&self, ctx: &mut Ctx) {
        let View::Detail(d) = &self.view else { return };
        let client = ctx.client.clone();
        let id = d.account.id.clone();
        ctx.info("reloading…");
        ctx.spawn(async move {
            let r = client.retrieve::<Account>(&id).await;
            Msg::acct(AcctMsg::Reloaded(r.map_err(|e| e.to_string())))
        });
    }

    pub(super) fn delete_update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let View::Delete {
            account,
            from_detail,
        } = &self.view
        else {
            return Outcome::Ignored;
        };
        match input {
            Input::Action(Action::Confirm) => {
                let account = account.clone();
                let client = ctx.client.clone();
                ctx.info(format!("deleting {}…", detail::code(&account)));
                ctx.spawn(async move {
                    let result = client
                        .delete::<Account>(&account.id)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    Msg::acct(AcctMsg::Deleted { account, result })
                });
                self.view = View::List;
            }
            Input::Action(Action::Back | Action::Quit) => {
                self.view = if *from_detail {
                    View::Detail(Box::new(Detail::new(account.as_ref().clone())))
                } else {
                    View::List
                };
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    pub(super) fn on_acct_msg(&mut self, ctx: &mut Ctx, m: &AcctMsg) {
        match m {
            AcctMsg::Page { gen, tail, result } => self.window.on_page(ctx, *gen, *tail, result),
            AcctMsg::FilterDue(gen) => self.filter_due(ctx, *gen),
            AcctMsg::Saved(r) => self.saved(ctx, r),
            AcctMsg::Current(r) => {
                let View::Form(f) = std::mem::replace(&mut self.view, View::List) else {
                    return;
                };
                match r {
                    Ok(server) => {
                        ctx.error(format!(
                            "not saved: {} was changed meanwhile — compare, then o or r",
                            detail::code(server)
                        ));
                        self.view = View::Conflict(Box::new(Conflict {
                            form: *f,
                            server: server.clone(),
                        }));
                    }
                    Err(e) => {
                        ctx.error(format!(
                            "not saved (changed meanwhile), and cannot fetch it: {e}"
                        ));
                        self.view = View::Form(f);
                    }
                }
            }
            AcctMsg::Deleted { account, result } => match result {
                Ok(()) => {
                    ctx.info(format!(
                        "deleted {} ({})",
                        detail::code(account),
                        account.name.clone().unwrap_or_default()
                    ));
                    // Removed in place: a reload would lose the place in a long list.
                    self.window.remove(&account.id);
                    if let Loadable::Loaded(list) = &mut ctx.accounts {
                        list.retain(|a| a.id != account.id);
                    }
                }
                Err(e) => ctx.error(format!("not deleted: {e}")),
            },
            AcctMsg::Reloaded(r) => match (r, &mut self.view) {
                (Ok(a), View::Detail(d)) if d.account.id == a.id => {
                    ctx.info("reloaded");
                    d.account = a.clone();
                    self.window.replace(a);
                }
                (Err(e), _) => ctx.error(format!("cannot reload: {e}")),
                _ => {}
            },
            AcctMsg::ParentCode { id, code } => match &mut self.view {
                View::Detail(d) if d.account.parent_account_id.as_ref() == Some(id) => {
                    d.parent_code = Some(code.clone())
                }
                View::Form(f) => f.parent_code(id, code),
                _ => {}
            },
            AcctMsg::ParentHits { gen, hits } => {
                if let (true, View::Form(f)) = (*gen == self.parent_gen, &mut self.view) {
                    if f.focus == PARENT {
                        f.parent_hits = hits.clone();
                        f.parent_pick = 0;
                    }
                }
            }
        }
    }

    fn saved(&mut self, ctx: &mut Ctx, r: &Result<Account, SaveError>) {
        let View::Form(f) = &mut self.view else {
            return;
        };
        f.saving = false;
        match r {
            Ok(a) => {
                ctx.info(format!(
                    "saved {} (version {})",
                    detail::code(a),
                    a.version.unwrap_or(1)
                ));
                let created = f.editing.is_none();
                self.view = View::Detail(Box::new(Detail::new(a.clone())));
                if created {
                    // New rows belong at the top (newest first): reload, and so does the picker.
                    let _ = ctx.tx.send(Msg::AccountsChanged);
                } else {
                    // Edited in place: the list keeps its position, the picker gets the change.
                    self.window.replace(a);
                    ctx.remember_accounts(std::slice::from_ref(a));
                }
            }
            Err(e) if e.conflict && f.editing.is_some() => {
                let id = f.editing.as_ref().map(|a| a.id.clone()).unwrap_or_default();
                let client = ctx.client.clone();
                ctx.spawn(async move {
                    let r = client.retrieve::<Account>(&id).await;
                    Msg::acct(AcctMsg::Current(r.map_err(|e| e.to_string())))
                });
            }
            Err(e) => {
                let field = e.field.clone().unwrap_or_default();
                let err = FieldError::new(field, e.message.clone());
                if let Some(i) = err.field_index() {
                    f.focus = i;
                }
                ctx.error(format!("not saved: {}", e.message));
                f.server_errors = vec![err];
            }
        }
    }
}

/// The confirmation popup, naming the account by code and name.
pub fn draw_delete(a: &Account, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::raw(""),
        Line::styled(
            format!(
                "Delete account {} ({})?",
                detail::code(a),
                a.name.clone().unwrap_or_default()
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::raw(""),
        Line::raw("y deletes it · n or Esc keeps it"),
    ];
    let width = (text[1].width() as u16 + 6).clamp(40, area.width);
    let [popup] = Layout::vertical([Constraint::Length(6)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Red))
        .title(" Delete ");
    frame.render_widget(Paragraph::new(text).centered().block(block), popup);
}
