//! How a message from a task changes the shared [`Ctx`] (the app then hands it to every screen).
//! Kept apart from the app so that file stays about screens and keys.

use super::ctx::{Ctx, Loadable};
use super::msg::Msg;
use super::persistence;
use crate::tui::keys::tables::ACCOUNTS;

impl Ctx {
    pub fn apply(&mut self, msg: &Msg) {
        let ctx = self;
        match msg {
            Msg::Products(r) => {
                ctx.products = match r {
                    Ok(p) => Loadable::Loaded(p.clone()),
                    Err(e) => {
                        ctx.error(format!("cannot load products: {e}"));
                        Loadable::Failed(e.clone())
                    }
                }
            }
            Msg::Meters(r) => {
                ctx.meters = match r {
                    Ok(m) => Loadable::Loaded(m.clone()),
                    Err(e) => {
                        ctx.error(format!("cannot load meters: {e}"));
                        Loadable::Failed(e.clone())
                    }
                }
            }
            Msg::Accounts(r) => match r {
                Ok(a) => ctx.accounts = Loadable::Loaded(a.clone()),
                Err(e) => {
                    ctx.error(format!("cannot load accounts: {e}"));
                    if ctx.accounts.get().is_none() {
                        ctx.accounts = Loadable::Failed(e.clone());
                    }
                }
            },
            Msg::Submitted { id, result } => {
                let now = ctx.now();
                ctx.log.set_answered(*id, now);
                // Whether the account was known before this answer (the list is reloaded below).
                let account_known = ctx.log.get(*id).is_some_and(|e| {
                    let code = e.request.get("account").and_then(|a| a.as_str());
                    code.is_some_and(|c| ctx.account_codes().contains(&c))
                });
                if let Some(entry) = ctx.log.complete(*id, result.clone()) {
                    persistence::save_entry(ctx, &entry);
                    let account = entry.request.get("account").and_then(|a| a.as_str());
                    match result {
                        Ok(_) => {
                            let code = account.unwrap_or("");
                            let known = ctx.account_codes().contains(&code);
                            if known {
                                ctx.info(format!("submitted for {code}: {}", entry.outcome()));
                            } else {
                                // The point of the demo: say it, rather than leave it to be found.
                                // Only once m3ter ingests the measurement: one it drops (an unknown
                                // meter sent anyway) creates no account, so promise nothing yet.
                                let keys = ctx.keymap.label_for(&ACCOUNTS, true);
                                ctx.info(format!(
                                    "submitted for {code}: {} · {code} is a new account: m3ter \
                                     auto-creates it as {code}-autocreated when it ingests this \
                                     ({keys}: Accounts)",
                                    entry.outcome()
                                ));
                                ctx.post(Msg::AccountsChanged);
                            }
                        }
                        Err(_) => ctx.error(format!("submission failed: {}", entry.outcome())),
                    }
                    ctx.follow_answered(*id, account_known);
                }
            }
            Msg::LogLoaded(r) => match r {
                Ok(entries) => {
                    ctx.log.append_loaded(entries.clone());
                    ctx.follow_restore(entries);
                }
                Err(e) => ctx.error(e.clone()),
            },
            Msg::WriteFailed(e) => ctx.error(e.clone()),
            Msg::DraftsLoaded(r) => match r {
                Ok(list) => ctx.drafts.merge_loaded(list.clone()),
                Err(e) => {
                    ctx.drafts_unreadable = true;
                    ctx.error(e.clone())
                }
            },
            Msg::Damaged(note) => ctx.error(note.clone()),
            Msg::SaveDrafts(gen) => persistence::drafts_due(ctx, *gen),
            Msg::AccountsChanged => ctx.load_accounts(),
            Msg::Status(s) => ctx.info(s.clone()),
            Msg::SearchAccountsDue { gen, text } => ctx.search_accounts_due(*gen, text),
            Msg::AccountsFound(found) => ctx.remember_accounts(found),
            Msg::AccountChecked { found, .. } => {
                if let Ok(Some(a)) = found {
                    ctx.remember_accounts(std::slice::from_ref(a.as_ref()));
                }
            }
            // The app hands each entry its own `Submitted`.
            Msg::Upload(m) => ctx.on_upload_follow(m),
            Msg::AccountsScreen(_) | Msg::Explore(_) | Msg::SubmittedMany { .. } => {}
            Msg::Follow(m) => ctx.on_follow(m.as_ref()),
        }
    }
}
