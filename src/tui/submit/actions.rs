//! The Submit screen's log-pane actions (resend, edit, copy as curl), mouse handling and the uid
//! refresh after an accepted submission.

use super::{draft, log_pane, Focus, Mode, SubmitScreen};
use crate::m3ter::Measurement;
use crate::tui::keys::Action;
use crate::tui::screen::Outcome;
use crate::tui::state::Ctx;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;
use serde_json::Value;

impl SubmitScreen {
    /// `r` on a log entry: the same measurement again as a new one (new uid).
    fn resend(&mut self, ctx: &mut Ctx) {
        let Some(entry) = ctx.log.selected_entry() else {
            return;
        };
        let mut v = entry.request.clone();
        if let Some(o) = v.as_object_mut() {
            o.insert("uid".into(), Value::String(ctx.new_uid()));
        }
        let m = draft::check(&v, &self.meters)
            .map_err(|e| e.to_string())
            .or_else(|e| serde_json::from_value::<Measurement>(v).map_err(|_| e));
        match m {
            Ok(m) if self.pending.is_none() => self.send(ctx, m),
            Ok(_) => ctx.error("still sending the last measurement…"),
            Err(e) => ctx.error(format!("cannot resend: {e}")),
        }
    }

    /// `e` on a log entry: into the Advanced editor (a new uid if it was accepted, the same uid
    /// if it failed or its answer was never recorded, so a retry stays safe: m3ter ignores a uid
    /// it already has).
    fn edit_entry(&mut self, ctx: &mut Ctx) {
        let Some(entry) = ctx.log.selected_entry() else {
            return;
        };
        let mut v = entry.request.clone();
        if entry.accepted() {
            if let Some(o) = v.as_object_mut() {
                o.insert("uid".into(), Value::String(ctx.new_uid()));
            }
        }
        let note = if entry.interrupted {
            "same uid loaded: resending is safe (m3ter ignores a uid it already has)"
        } else {
            "loaded into the Advanced editor"
        };
        self.advanced.set_text(&draft::pretty(&v), &self.meters);
        self.mode = Mode::Advanced;
        self.focus = Focus::Form;
        self.dirty = true;
        ctx.info(note);
    }

    fn copy_curl(&self, ctx: &mut Ctx) {
        let Some(entry) = ctx.log.selected_entry() else {
            return;
        };
        let cmd = log_pane::curl(
            &ctx.client.config().ingest_url,
            ctx.org_id(),
            &entry.request,
        );
        ctx.clipboard.push(cmd);
        ctx.info("copied as a curl command (set M3TER_TOKEN to a bearer token to run it)");
    }

    pub(super) fn focus_step(&mut self, forward: bool) {
        let last = self.simple.inputs.len() - 1;
        match (self.focus, self.mode, forward) {
            (Focus::Form, Mode::Simple, true) if self.simple.focus < last => self.simple.next(1),
            (Focus::Form, Mode::Simple, false) if self.simple.focus > 0 => self.simple.next(-1),
            (Focus::Form, _, _) => self.focus = Focus::Log,
            (Focus::Log, Mode::Simple, fwd) => {
                self.focus = Focus::Form;
                self.simple.focus = if fwd { 0 } else { last };
            }
            (Focus::Log, Mode::Advanced, _) => self.focus = Focus::Form,
        }
    }

    pub(super) fn log_action(&mut self, ctx: &mut Ctx, a: Action) -> bool {
        let sel = ctx.log.selected as isize;
        match a {
            Action::Up => ctx.log.select(sel - 1),
            Action::Down => ctx.log.select(sel + 1),
            Action::PageUp => ctx.log.select(sel - 5),
            Action::PageDown => ctx.log.select(sel + 5),
            Action::Top => ctx.log.select(0),
            Action::Bottom => ctx.log.select(isize::MAX / 2),
            Action::Resend => self.resend(ctx),
            Action::EditEntry => self.edit_entry(ctx),
            Action::CopyCurl => self.copy_curl(ctx),
            _ => return false,
        }
        true
    }

    pub(super) fn mouse(&mut self, ctx: &mut Ctx, m: MouseEvent) -> Outcome {
        let at = Position::new(m.column, m.row);
        if self.log_area.get().contains(at) {
            match m.kind {
                MouseEventKind::ScrollUp => ctx.log.select(ctx.log.selected as isize - 1),
                MouseEventKind::ScrollDown => ctx.log.select(ctx.log.selected as isize + 1),
                MouseEventKind::Down(MouseButton::Left) => {
                    self.focus = Focus::Log;
                    let hit = self
                        .log_rows
                        .borrow()
                        .iter()
                        .find(|(y, _)| *y == m.row)
                        .copied();
                    if let Some((_, i)) = hit {
                        ctx.log.select(i as isize);
                    }
                }
                _ => return Outcome::Ignored,
            }
            return Outcome::Consumed;
        }
        if self.form_area.get().contains(at) {
            if m.kind == MouseEventKind::Down(MouseButton::Left) {
                self.focus = Focus::Form;
            }
            match self.mode {
                Mode::Simple => {
                    self.simple.mouse(&m);
                }
                Mode::Advanced => self.advanced.mouse(m),
            }
            return Outcome::Consumed;
        }
        Outcome::Ignored
    }

    /// Ctrl+N/F7: the timestamp becomes now (in Advanced, only while the JSON is valid, since
    /// the text is rewritten).
    pub(super) fn set_now(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        match self.mode {
            Mode::Simple => self.simple.inputs[super::simple::TS].set(now),
            Mode::Advanced => match self.advanced.value() {
                Some(Value::Object(mut o)) => {
                    o.insert("ts".into(), Value::String(now));
                    let text = draft::pretty(&Value::Object(o));
                    self.advanced.set_text(&text, &self.meters);
                }
                _ => ctx.error("fix the JSON first: setting ts rewrites the text"),
            },
        }
    }

    /// After an accepted submission: a new uid (only if the draft still carries the one sent).
    pub(super) fn refresh_uid(&mut self, ctx: &mut Ctx, sent: &str) {
        let new = ctx.new_uid();
        if self.simple.uid == sent {
            self.simple.uid = new.clone();
        }
        if let Some(mut v) = self.advanced.value() {
            if v.get("uid").and_then(Value::as_str) == Some(sent) {
                v["uid"] = Value::String(new);
                self.advanced.set_text(&draft::pretty(&v), &self.meters);
            }
        }
    }
}
