//! The Submit screen's log-pane actions (open, filter, resend, edit, copy as curl), the
//! questions they ask, mouse handling and the uid refresh after an accepted submission.

use super::{draft, log_pane, Focus, Mode, Question, SubmitScreen};
use crate::m3ter::follow::FollowState;
use crate::m3ter::Measurement;
use crate::tui::keys::{Action, Input};
use crate::tui::screens::Outcome;
use crate::tui::state::log::LogEntry;
use crate::tui::state::Ctx;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;
use serde_json::Value;

impl SubmitScreen {
    /// `r` on a log entry asks first: it sends billable usage. A failed or unanswered entry goes
    /// again with its own uid (m3ter de-duplicates on it); an accepted one takes a new uid, and
    /// the question says so — unless m3ter dropped it after accepting it (an ingest failure):
    /// its uid was never ingested, so it goes again with the same uid, except after a
    /// DuplicateUid, whose uid another measurement holds.
    fn resend(&mut self, ctx: &mut Ctx) {
        let Some(entry) = ctx.log.selected_entry() else {
            return;
        };
        let (new_uid, why) = uid_plan(entry);
        self.question = Some(Question::Resend {
            request: entry.request.clone(),
            new_uid,
            why,
        });
    }

    /// `e` on a log entry: into the Advanced editor, with the uid [`uid_plan`] picks. Asks first
    /// when the panel holds something typed.
    fn edit_entry(&mut self, ctx: &mut Ctx) {
        let Some(entry) = ctx.log.selected_entry() else {
            return;
        };
        let (new_uid, why) = uid_plan(entry);
        let request = entry.request.clone();
        self.offer(ctx, request, new_uid, why);
    }

    /// Loads `v` into the Advanced editor, asking first when the panel holds a draft (typed now
    /// or restored), so nothing typed is replaced unseen.
    pub fn offer(&mut self, ctx: &mut Ctx, v: Value, new_uid: bool, why: String) {
        if self.dirty {
            self.question = Some(Question::Replace {
                request: v,
                new_uid,
                why,
            });
        } else {
            self.load_entry(ctx, v, new_uid);
        }
    }

    fn load_entry(&mut self, ctx: &mut Ctx, mut v: Value, new_uid: bool) {
        if new_uid {
            if let Some(o) = v.as_object_mut() {
                o.insert("uid".into(), Value::String(ctx.new_uid()));
            }
        }
        self.restored = false;
        let note = if new_uid {
            "loaded into the Advanced editor with a new uid"
        } else {
            "same uid loaded: resending is safe (m3ter ignores a uid it already has)"
        };
        self.advanced.set_text(&draft::pretty(&v), &self.meters);
        self.mode = Mode::Advanced;
        self.focus = Focus::Form;
        self.dirty = true;
        ctx.info(note);
    }

    fn resend_now(&mut self, ctx: &mut Ctx, mut v: Value, new_uid: bool) {
        if new_uid {
            if let Some(o) = v.as_object_mut() {
                o.insert("uid".into(), Value::String(ctx.new_uid()));
            }
        }
        let m = draft::check(&v, &self.meters)
            .map_err(|e| e.to_string())
            .or_else(|e| serde_json::from_value::<Measurement>(v).map_err(|_| e));
        match m {
            Ok(m) if self.pending.is_none() => {
                self.send(ctx, m);
                if new_uid {
                    ctx.info("sending again as a new measurement (new uid)…");
                } else {
                    ctx.info("sending again with the same uid…");
                }
            }
            Ok(_) => ctx.error("still sending the last measurement…"),
            Err(e) => ctx.error(format!("cannot resend: {e}")),
        }
    }

    /// The answer to the question on screen.
    pub(super) fn answer(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        match input {
            Input::Action(Action::Confirm) => match self.question.take() {
                Some(Question::Resend {
                    request, new_uid, ..
                }) => self.resend_now(ctx, request, new_uid),
                Some(Question::Replace {
                    request, new_uid, ..
                }) => self.load_entry(ctx, request, new_uid),
                None => {}
            },
            Input::Action(Action::Back) => {
                self.question = None;
                ctx.info("nothing done");
            }
            Input::Action(Action::QuitNow) => return Outcome::Ignored,
            // Anything else waits for the answer.
            _ => {}
        }
        Outcome::Consumed
    }

    /// Keys while the log filter is typed; `None` lets the usual handling run. (An entry opens
    /// in its own screen, the log entry detail.)
    pub(super) fn log_view_input(&mut self, ctx: &mut Ctx, input: &Input) -> Option<Outcome> {
        let v = &mut self.log_view;
        match input {
            Input::Action(Action::Choose) => v.filtering = false,
            Input::Action(Action::Back) => {
                v.filtering = false;
                v.filter.set("");
            }
            Input::Key(k) => {
                if !v.filter.handle_key(k) {
                    return Some(Outcome::Ignored);
                }
                self.select_visible(ctx, 0);
            }
            Input::Paste(s) => {
                v.filter.insert(s);
                self.select_visible(ctx, 0);
            }
            _ => return None,
        }
        Some(Outcome::Consumed)
    }

    /// Moves the log selection by `delta` among the entries the filter shows (0: onto the
    /// nearest shown one).
    fn select_visible(&self, ctx: &mut Ctx, delta: isize) {
        let visible = self.log_view.visible(&ctx.log);
        if visible.is_empty() {
            return;
        }
        let here = visible
            .iter()
            .position(|&i| i >= ctx.log.selected)
            .unwrap_or(visible.len() - 1) as isize;
        let to = (here + delta).clamp(0, visible.len() as isize - 1) as usize;
        ctx.log.select(visible[to] as isize);
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
        ctx.copy(cmd);
        ctx.info("copied as a curl command (set M3TER_API_TOKEN to a bearer token to run it)");
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
        match a {
            Action::Up => self.select_visible(ctx, -1),
            Action::Down => self.select_visible(ctx, 1),
            Action::PageUp => self.select_visible(ctx, -5),
            Action::PageDown => self.select_visible(ctx, 5),
            Action::Top => self.select_visible(ctx, -(isize::MAX / 2)),
            Action::Bottom => self.select_visible(ctx, isize::MAX / 2),
            Action::Resend => self.resend(ctx),
            Action::EditEntry => self.edit_entry(ctx),
            Action::CopyCurl => self.copy_curl(ctx),
            Action::Filter => self.log_view.filtering = true,
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

/// Which uid a measurement goes again with, and the sentence that says why.
fn uid_plan(entry: &LogEntry) -> (bool, String) {
    match entry.follow.as_ref().map(|t| &t.state) {
        Some(FollowState::Failed { failure, .. }) if failure == "DuplicateUid" => (
            true,
            "Dropped by m3ter as a DuplicateUid: it gets a new uid (the old one is taken).".into(),
        ),
        Some(FollowState::Failed { failure, .. }) => (
            false,
            format!("Dropped by m3ter ({failure}), never ingested: it keeps its uid."),
        ),
        _ if entry.accepted() => (
            true,
            "It was accepted: it goes as a NEW measurement with a new uid (billed again).".into(),
        ),
        _ => (
            false,
            "It was not accepted: it keeps its uid, so m3ter counts it once.".into(),
        ),
    }
}
