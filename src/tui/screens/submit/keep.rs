//! The Submit panel's draft: taken into [`Ctx::drafts`] as it is typed (and written to disk
//! shortly after), kept when the panel closes, restored when the same meter's panel opens again,
//! and discarded only on a confirmed Ctrl+R/F8. Users never lose what they typed.

use super::{draft, Mode, SubmitScreen};
use crate::tui::state::drafts::{DraftMode, SavedDraft};
use crate::tui::state::persistence;
use crate::tui::state::Ctx;

impl SubmitScreen {
    fn meter_code(&self) -> String {
        self.meter.code.clone().unwrap_or_default()
    }

    /// The panel as a draft: the Simple form always, and the Advanced text verbatim.
    pub(super) fn saved(&self, ctx: &Ctx) -> SavedDraft {
        let d = self.simple.draft();
        SavedDraft {
            conn: ctx.connection.id(),
            org: ctx.org_id().to_string(),
            meter: self.meter_code(),
            mode: match self.mode {
                Mode::Simple => DraftMode::Simple,
                Mode::Advanced => DraftMode::Advanced,
            },
            uid: d.uid,
            account: d.account,
            ts: d.ts,
            ets: d.ets,
            values: d.values,
            text: (self.mode == Mode::Advanced).then(|| self.advanced.text()),
        }
    }

    /// Puts a saved draft back into the panel (its uid included: a failed submission's uid
    /// stays, so a retry is safe).
    pub(super) fn restore(&mut self, d: &SavedDraft) {
        let form = draft::Draft {
            uid: d.uid.clone(),
            account: d.account.clone(),
            ts: d.ts.clone(),
            ets: d.ets.clone(),
            values: d.values.clone(),
        };
        self.simple.set(&self.meter, &form);
        match (&d.mode, &d.text) {
            (DraftMode::Advanced, Some(text)) => {
                self.advanced.set_text(text, &self.meters);
                self.mode = Mode::Advanced;
            }
            _ => {
                let v = draft::template(&self.meter, &form);
                self.advanced.set_text(&draft::pretty(&v), &self.meters);
                self.mode = Mode::Simple;
            }
        }
        self.restored = true;
        self.dirty = true;
    }

    /// The restored-draft notice, naming the keys that discard it and (when its `ts` is not
    /// today's) set the timestamp to now. An account not among the preloaded ones is looked up,
    /// so a real one is not called unknown.
    pub(super) fn restored_notice(&self, ctx: &mut Ctx) {
        if !self.restored {
            return;
        }
        // Short enough for 80 columns: a UUID is cut to its first 8 characters.
        // The uid the panel shows: the editor's in Advanced mode (it may differ from the form's).
        let uid = match self.mode {
            Mode::Advanced => self
                .advanced
                .value()
                .and_then(|v| v.get("uid").and_then(|u| u.as_str()).map(str::to_string))
                .unwrap_or_else(|| self.simple.uid.clone()),
            Mode::Simple => self.simple.uid.clone(),
        };
        let uid = &uid;
        let short = match uid.char_indices().nth(8) {
            Some((i, _)) if uid.len() > 12 => format!("{}…", &uid[..i]),
            _ => uid.clone(),
        };
        let reset = ctx.keymap.label(&super::keys::RESET);
        let ts = self.simple.draft().ts;
        let today = ctx.now().chars().take(10).collect::<String>();
        let old_ts = !ts.trim().is_empty() && !ts.starts_with(&today);
        let mut note = format!("draft restored (uid {short}) · {reset} discards it");
        if old_ts {
            let now = ctx.keymap.label(&super::keys::NOW);
            note = format!("{note} · ts is {ts}: {now} sets it to now");
        }
        ctx.info(note);
        let account = self.simple.draft().account.trim().to_string();
        if !account.is_empty() && !ctx.account_codes().contains(&account.as_str()) {
            ctx.check_account(&account);
        }
    }

    /// After an edit: the draft into [`Ctx::drafts`] if it changed, written to disk shortly.
    pub(super) fn keep(&mut self, ctx: &mut Ctx) {
        if !self.dirty {
            return;
        }
        let now = self.saved(ctx);
        if ctx.drafts.get(&now.conn, &now.meter) != Some(&now) {
            ctx.drafts.put(now);
            persistence::save_drafts_later(ctx);
        }
    }

    /// The panel closes: the draft is kept and written now.
    pub(super) fn keep_now(&mut self, ctx: &mut Ctx) {
        if self.dirty {
            ctx.drafts.put(self.saved(ctx));
            persistence::save_drafts(ctx);
        }
    }

    /// Ctrl+R/F8: the first press asks, the second discards the draft and starts a fresh form
    /// (new uid, ts now, nothing typed) in the same mode. Nothing typed: no question.
    pub(super) fn discard(&mut self, ctx: &mut Ctx, confirmed: bool) {
        if self.dirty && !confirmed {
            self.confirm_discard = true;
            let reset = ctx.keymap.label(&super::keys::RESET);
            ctx.info(format!(
                "press {reset} again to discard this draft (values and uid)"
            ));
            return;
        }
        let fresh = draft::Draft {
            uid: ctx.new_uid(),
            account: String::new(),
            ts: ctx.now(),
            ets: String::new(),
            values: vec![String::new(); self.meter.data_fields.len()],
        };
        self.simple.set(&self.meter, &fresh);
        self.simple.focus = 0;
        self.simple.tried = false;
        let v = draft::template(&self.meter, &fresh);
        self.advanced.set_text(&draft::pretty(&v), &self.meters);
        self.dirty = false;
        self.restored = false;
        let conn = ctx.connection.id();
        if ctx.drafts.remove(&conn, &self.meter_code()) {
            persistence::save_drafts(ctx);
        }
        ctx.info(format!("draft discarded: a fresh form (uid {})", fresh.uid));
    }
}
