//! The Submit panel's draft: taken into [`Ctx::drafts`] as it is typed (and written to disk
//! shortly after), kept when the panel closes, restored when the same meter's panel opens again,
//! and discarded only on a confirmed Ctrl+R/F8. Users never lose what they typed.

use super::{draft, Mode, SubmitScreen};
use crate::tui::drafts::{self, DraftMode, SavedDraft};
use crate::tui::state::Ctx;

impl SubmitScreen {
    fn meter_code(&self) -> String {
        self.meter.code.clone().unwrap_or_default()
    }

    /// The panel as a draft: the Simple form always, and the Advanced text verbatim.
    pub(super) fn saved(&self, ctx: &Ctx) -> SavedDraft {
        let d = self.simple.draft();
        SavedDraft {
            org: ctx.org_id().to_string(),
            meter: self.meter_code(),
            mode: match self.mode {
                Mode::Simple => DraftMode::Simple,
                Mode::Advanced => DraftMode::Advanced,
            },
            uid: d.uid,
            account: d.account,
            ts: d.ts,
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
            values: d.values.clone(),
        };
        self.simple.set(&self.meter, &form);
        match (&d.mode, &d.text) {
            (DraftMode::Advanced, Some(text)) => {
                self.advanced.set_text(text, &self.meters);
                self.mode = Mode::Advanced;
            }
            _ => {
                let v = draft::to_value(&self.meter, &form, true);
                self.advanced.set_text(&draft::pretty(&v), &self.meters);
                self.mode = Mode::Simple;
            }
        }
        self.restored = true;
        self.dirty = true;
    }

    /// The restored-draft notice, naming the key that discards it.
    pub(super) fn restored_notice(&self, ctx: &mut Ctx) {
        if self.restored {
            // Short enough for 80 columns: a UUID is cut to its first 8 characters.
            let uid = &self.simple.uid;
            let short = match uid.char_indices().nth(8) {
                Some((i, _)) if uid.len() > 12 => format!("{}…", &uid[..i]),
                _ => uid.clone(),
            };
            ctx.info(format!(
                "draft restored (uid {short}) · Ctrl+R/F8 discards it"
            ));
        }
    }

    /// After an edit: the draft into [`Ctx::drafts`] if it changed, written to disk shortly.
    pub(super) fn keep(&mut self, ctx: &mut Ctx) {
        if !self.dirty {
            return;
        }
        let now = self.saved(ctx);
        if ctx.drafts.get(&now.org, &now.meter) != Some(&now) {
            ctx.drafts.put(now);
            drafts::save_later(ctx);
        }
    }

    /// The panel closes: the draft is kept and written now.
    pub(super) fn keep_now(&mut self, ctx: &mut Ctx) {
        if self.dirty {
            ctx.drafts.put(self.saved(ctx));
            drafts::save(ctx);
        }
    }

    /// Ctrl+R/F8: the first press asks, the second discards the draft and starts a fresh form
    /// (new uid, ts now, nothing typed) in the same mode. Nothing typed: no question.
    pub(super) fn discard(&mut self, ctx: &mut Ctx, confirmed: bool) {
        if self.dirty && !confirmed {
            self.confirm_discard = true;
            ctx.info("press Ctrl+R/F8 again to discard this draft (values and uid)");
            return;
        }
        let fresh = draft::Draft {
            uid: ctx.new_uid(),
            account: String::new(),
            ts: ctx.now(),
            values: vec![String::new(); self.meter.data_fields.len()],
        };
        self.simple.set(&self.meter, &fresh);
        self.simple.focus = 0;
        self.simple.tried = false;
        let v = draft::to_value(&self.meter, &fresh, true);
        self.advanced.set_text(&draft::pretty(&v), &self.meters);
        self.dirty = false;
        self.restored = false;
        let org = ctx.org_id().to_string();
        if ctx.drafts.remove(&org, &self.meter_code()) {
            drafts::save(ctx);
        }
        ctx.info(format!("draft discarded: a fresh form (uid {})", fresh.uid));
    }
}
