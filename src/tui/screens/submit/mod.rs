//! The Submit usage panel for one meter — Simple form or Advanced JSON (Ctrl+T/F2), submitted
//! on a task (Ctrl+S/F5) — and the log pane beside (wide) or under (narrow) it.

mod actions;
pub mod advanced;
pub mod draft;
mod draw;
mod keep;
pub mod keys;
pub mod log_pane;
mod sending;
pub mod simple;

use self::advanced::{AdvancedEditor, Diagnostic};
use self::draft::Draft;
use self::log_pane::LogView;
use self::simple::SimpleForm;
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::Meter;
use crate::tui::keys::{Action, Input, Tables};
use crate::tui::state::{Ctx, Effect, Msg};
use ratatui::layout::Rect;
use ratatui::Frame;
use serde_json::Value;
use std::cell::{Cell, RefCell};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Simple,
    Advanced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    Log,
}

/// A question on screen, waiting for y (or n/Esc).
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// Send this log entry's measurement again; `why` says which uid it goes with and why.
    Resend {
        request: Value,
        new_uid: bool,
        why: String,
    },
    /// Replace what is in the panel with this measurement (a log entry's or an event's).
    Replace {
        request: Value,
        new_uid: bool,
        why: String,
    },
}

pub struct SubmitScreen {
    meter: Meter,
    /// Every meter known (for checking a JSON that names another meter), this one included.
    meters: Vec<Meter>,
    pub mode: Mode,
    pub focus: Focus,
    pub simple: SimpleForm,
    pub advanced: AdvancedEditor,
    /// The submission in flight: its log id and the uid it was sent with.
    pending: Option<(u64, String)>,
    form_area: Cell<Rect>,
    log_area: Cell<Rect>,
    /// Which log entry each screen row of the log pane showed at the last draw.
    log_rows: RefCell<Vec<(u16, usize)>>,
    /// Something was typed (or a draft restored): the panel's draft is worth keeping.
    dirty: bool,
    /// The panel opened with a saved draft.
    restored: bool,
    /// Ctrl+R/F8 was pressed once: the next press discards the draft.
    confirm_discard: bool,
    /// A question waiting for its answer.
    pub question: Option<Question>,
    /// The log pane's filter and the entry opened in full.
    pub log_view: LogView,
    /// The Simple account is being looked up on the server before sending.
    checking: Option<String>,
}

impl SubmitScreen {
    /// The panel for `meter`: the draft kept for it if there is one, else a fresh form.
    pub fn new(ctx: &mut Ctx, meter: Meter) -> Self {
        let preselect = ctx.preselect_account.take();
        let code = meter.code.clone().unwrap_or_default();
        let saved = ctx.drafts.get(&ctx.connection.id(), &code).cloned();
        let mut s = Self::fresh(ctx, meter, preselect.clone().unwrap_or_default());
        if let Some(d) = saved {
            s.restore(&d);
            if let Some(code) = preselect {
                s.preselect_account(ctx, &code);
            }
        }
        s
    }

    fn fresh(ctx: &mut Ctx, meter: Meter, account: String) -> Self {
        let draft = Draft {
            uid: ctx.new_uid(),
            account,
            ts: ctx.now(),
            ets: String::new(),
            values: vec![String::new(); meter.data_fields.len()],
        };
        let meters = known_meters(ctx, &meter);
        let text = draft::pretty(&draft::template(&meter, &draft));
        let mut simple = SimpleForm::new(&meter, &draft);
        if !draft.account.is_empty() && simple.inputs.len() > simple::FIELDS + 1 {
            // The account came chosen: start at the first data field.
            simple.focus = simple::FIELDS;
        }
        Self {
            simple,
            advanced: AdvancedEditor::new(&text, &meters),
            meter,
            meters,
            mode: Mode::Simple,
            focus: Focus::Form,
            pending: None,
            form_area: Cell::new(Rect::default()),
            log_area: Cell::new(Rect::default()),
            log_rows: RefCell::new(Vec::new()),
            dirty: false,
            restored: false,
            confirm_discard: false,
            question: None,
            log_view: LogView::default(),
            checking: None,
        }
    }

    /// Switches mode, carrying every value across; refuses (keeping the text) when the JSON
    /// cannot be shown as the form.
    fn toggle(&mut self, ctx: &mut Ctx) -> bool {
        match self.mode {
            Mode::Simple => {
                let v = draft::template(&self.meter, &self.simple.draft());
                self.advanced.set_text(&draft::pretty(&v), &self.meters);
                self.mode = Mode::Advanced;
            }
            Mode::Advanced => {
                if let Diagnostic::Json { line, column, .. } = self.advanced.diagnostic {
                    ctx.error(format!(
                        "stays in Advanced: the JSON is invalid at line {line}, column {column} — fix it first"
                    ));
                    return false;
                }
                let v = self.advanced.value().unwrap_or(Value::Null);
                match draft::from_value(&self.meter, &v) {
                    Ok(d) => {
                        self.simple.set(&self.meter, &d);
                        self.mode = Mode::Simple;
                    }
                    Err(e) => {
                        ctx.error(format!("stays in Advanced: {e}"));
                        return false;
                    }
                }
            }
        }
        self.focus = Focus::Form;
        ctx.status = None;
        true
    }
}

fn known_meters(ctx: &Ctx, meter: &Meter) -> Vec<Meter> {
    let mut v: Vec<Meter> = ctx.meters.get().cloned().unwrap_or_default();
    if !v.iter().any(|m| m.code == meter.code) {
        v.push(meter.clone());
    }
    v
}

impl SubmitScreen {
    /// One input, resolved; `confirming` says the previous key was a first Ctrl+R/F8.
    fn handle(&mut self, ctx: &mut Ctx, input: Input, confirming: bool) -> Outcome {
        if self.question.is_some() {
            return self.answer(ctx, input);
        }
        if self.focus == Focus::Log && self.log_view.filtering {
            if let Some(o) = self.log_view_input(ctx, &input) {
                return o;
            }
        }
        match input {
            Input::Action(Action::Submit) => self.submit(ctx),

            Input::Action(Action::ToggleMode) => {
                self.toggle(ctx);
            }
            Input::Action(Action::OpenEditor) => {
                if self.mode == Mode::Advanced || self.toggle(ctx) {
                    ctx.effects.push(Effect::Edit(self.advanced.text()));
                }
            }
            Input::Action(Action::Now) => {
                self.set_now(ctx);
                self.dirty = true;
            }
            Input::Action(Action::Reset) => self.discard(ctx, confirming),
            Input::Action(Action::FocusNext) => self.focus_step(true),
            Input::Action(Action::FocusPrev) => self.focus_step(false),
            Input::Edited(text) => {
                self.dirty = true;
                self.advanced.set_text(&text, &self.meters);
                self.mode = Mode::Advanced;
                self.focus = Focus::Form;
                ctx.info("back from the editor");
            }
            Input::Mouse(m) => return self.mouse(ctx, m),
            Input::Action(Action::Open) if self.focus == Focus::Log => {
                return match ctx.log.selected_entry() {
                    Some(e) => Outcome::Push(Box::new(
                        crate::tui::screens::log_detail::LogDetailScreen::new(e),
                    )),
                    None => Outcome::Consumed,
                };
            }
            Input::Action(Action::JumpAccount) if self.focus == Focus::Log => {
                let auto = ctx.log.selected_entry().and_then(|e| e.follow.as_ref());
                return match auto.filter(|t| t.auto_created_account.is_some()) {
                    Some(t) => Outcome::ShowAccount(t.account.clone()),
                    None => {
                        ctx.info("this measurement did not auto-create an account");
                        Outcome::Consumed
                    }
                };
            }
            Input::Action(a) if self.focus == Focus::Log => {
                if !self.log_action(ctx, a) {
                    return Outcome::Ignored;
                }
            }
            Input::Action(Action::Back) if self.mode == Mode::Simple => {
                // Esc closes the account suggestions first; only then does it leave.
                let codes = ctx.account_codes();
                if !self.simple.dismiss(&codes) {
                    return Outcome::Ignored;
                }
            }
            Input::Action(a) if self.mode == Mode::Simple => {
                let codes = ctx.account_codes();
                match a {
                    Action::Up => self.simple.up_down(-1, &codes),
                    Action::Down => self.simple.up_down(1, &codes),
                    Action::Choose => {
                        self.simple.enter(&codes);
                        self.dirty = true;
                    }
                    _ => return Outcome::Ignored,
                }
            }
            Input::Action(a @ (Action::Undo | Action::Redo)) if self.mode == Mode::Advanced => {
                self.dirty |= self.advanced.undo_redo(a == Action::Undo, &self.meters);
            }
            Input::Key(k) if self.focus == Focus::Form => match self.mode {
                Mode::Simple => {
                    if !self.simple.key(&k) {
                        return Outcome::Ignored;
                    }
                    self.dirty = true;
                    if self.simple.focus == simple::ACCOUNT {
                        // Only the newest accounts are preloaded: ask the server for the rest.
                        ctx.search_accounts(self.simple.draft().account.as_str());
                    }
                }
                Mode::Advanced => self.dirty |= self.advanced.key(k, &self.meters),
            },
            Input::Paste(s) if self.focus == Focus::Form => {
                self.dirty = true;
                match self.mode {
                    Mode::Simple => self.simple.paste(&s),
                    Mode::Advanced => self.advanced.paste(&s, &self.meters),
                }
            }
            _ => return Outcome::Ignored,
        }
        self.advanced.set_focused(self.focus == Focus::Form);
        Outcome::Consumed
    }
}

impl Screen for SubmitScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Submit
    }

    fn title(&self) -> String {
        format!("Submit · {}", self.meter.code.as_deref().unwrap_or(""))
    }

    fn keys(&self) -> Tables {
        if self.question.is_some() {
            return keys::CONFIRMING;
        }
        match (self.focus, self.mode) {
            (Focus::Log, _) if self.log_view.filtering => keys::LOG_FILTERING,
            (Focus::Log, _) => keys::LOG,
            (Focus::Form, Mode::Simple) => keys::SIMPLE,
            (Focus::Form, Mode::Advanced) => keys::ADVANCED,
        }
    }

    fn typing(&self) -> bool {
        self.question.is_none()
            && (self.focus == Focus::Form || (self.focus == Focus::Log && self.log_view.filtering))
    }

    fn animating(&self) -> bool {
        self.pending.is_some()
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let confirming = std::mem::take(&mut self.confirm_discard);
        let outcome = self.handle(ctx, input, confirming);
        if matches!(outcome, Outcome::Consumed) {
            self.keep(ctx);
        }
        outcome
    }

    fn opened(&mut self, ctx: &mut Ctx) {
        self.restored_notice(ctx);
    }

    fn closing(&mut self, ctx: &mut Ctx) {
        self.keep_now(ctx);
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Submitted { id, result } => {
                let Some((pid, sent_uid)) = self.pending.clone() else {
                    return;
                };
                if pid != *id {
                    return;
                }
                self.pending = None;
                if result.is_ok() {
                    self.refresh_uid(ctx, &sent_uid);
                    self.keep(ctx);
                }
            }
            // Read at start-up; a panel opened before that, still untouched, takes its draft.
            Msg::DraftsLoaded(Ok(_)) if !self.dirty => {
                let code = self.meter.code.clone().unwrap_or_default();
                if let Some(d) = ctx.drafts.get(&ctx.connection.id(), &code).cloned() {
                    self.restore(&d);
                    self.restored_notice(ctx);
                }
            }
            Msg::AccountChecked { code, found } => self.account_checked(ctx, code, found),
            Msg::Meters(Ok(_)) => {
                self.meters = known_meters(ctx, &self.meter);
                self.advanced.check(&self.meters);
            }
            _ => {}
        }
    }

    fn preselect_account(&mut self, _ctx: &mut Ctx, code: &str) -> bool {
        self.dirty = true;
        self.simple.inputs[simple::ACCOUNT].set(code);
        if let Some(mut v) = self.advanced.value() {
            if let Some(o) = v.as_object_mut() {
                o.insert("account".into(), Value::String(code.into()));
                self.advanced.set_text(&draft::pretty(&v), &self.meters);
            }
        }
        self.focus = Focus::Form;
        true
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.draw_panel(ctx, frame, area, false);
    }

    fn draw_zoomed(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.draw_panel(ctx, frame, area, true);
    }
}
