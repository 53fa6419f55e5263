//! The app: a stack of screens over the shared [`Ctx`]. Terminal events are resolved through the
//! top screen's key tables (then the global one) into actions; the top screen handles them, and
//! what it does not handle bubbles up to the global keys here (help, back, quit, accounts,
//! zoom). Messages from tasks update [`Ctx`] first and then reach every screen on the stack.
//! Side effects queued on [`Ctx`] are carried out by the loop ([`event_loop`]).

pub mod effects;
pub mod event_loop;
pub mod help;
mod title;

use crate::tui::keys::tables::{GLOBAL, HELP_OVERLAY};
use crate::tui::keys::{resolve, Action, Input, KeyBinding, Resolved};
use crate::tui::screens::accounts::AccountsScreen;
use crate::tui::screens::events::EventsScreen;
use crate::tui::screens::products::ProductsScreen;
use crate::tui::screens::upload::UploadScreen;
use crate::tui::screens::usage::UsageScreen;
use crate::tui::screens::{Outcome, Screen, ScreenKind};
use crate::tui::state::{persistence, Ctx, Effect, Msg, Status};
use crate::tui::style;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Below this size the screens cannot show their input: the app says so instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

pub struct App {
    pub ctx: Ctx,
    stack: Vec<Box<dyn Screen>>,
    help: help::HelpOverlay,
    pending_key: Option<char>,
    /// The focused pane fills the screen (the zoom key).
    zoomed: bool,
}

impl App {
    pub fn new(ctx: Ctx) -> Self {
        Self {
            ctx,
            stack: vec![Box::new(ProductsScreen::new())],
            help: help::HelpOverlay::default(),
            pending_key: None,
            zoomed: false,
        }
    }

    /// Starts the first loads (products, meters, accounts, the saved log and drafts).
    pub fn start(&mut self) {
        self.ctx.load_products();
        self.ctx.load_meters();
        self.ctx.load_accounts();
        self.load_saved();
    }

    /// Reads what earlier sessions left in the data dir: the submission log and the drafts.
    pub fn load_saved(&mut self) {
        persistence::load_log(&mut self.ctx);
        persistence::load_drafts(&mut self.ctx);
    }

    /// Before the process ends: every screen closes (an open Submit panel keeps its draft), and
    /// the writes asked so far (drafts, log lines) are waited for, off the UI task.
    pub async fn shutdown(&mut self) {
        while let Some(mut s) = self.stack.pop() {
            s.closing(&mut self.ctx);
        }
        self.ctx.close_upload_follow();
        self.stack.push(Box::new(ProductsScreen::new()));
        self.ctx.disk.flush().await;
    }

    /// Whether a quit was asked (the loop ends after this input).
    pub fn quitting(&self) -> bool {
        self.ctx.effects.iter().any(|e| matches!(e, Effect::Quit))
    }

    /// Starts the queued tasks and timers on the current tokio runtime; the other effects
    /// (clipboard, editor, quit) stay queued for the loop. Tests call it to let requests run.
    pub fn start_tasks(&mut self) {
        effects::start_tasks(&mut self.ctx);
    }

    /// Something on screen moves by itself: the loop ticks while true.
    pub fn animating(&self) -> bool {
        self.stack.iter().any(|s| s.animating())
    }

    /// Removes the screens above the first `len`, letting each know (a Submit panel keeps its
    /// draft).
    fn truncate(&mut self, len: usize) {
        while self.stack.len() > len.max(1) {
            if let Some(mut s) = self.stack.pop() {
                s.closing(&mut self.ctx);
            }
        }
    }

    fn top(&self) -> &dyn Screen {
        self.stack
            .last()
            .expect("the stack is never empty")
            .as_ref()
    }

    pub fn top_kind(&self) -> ScreenKind {
        self.top().kind()
    }

    pub fn help_open(&self) -> bool {
        self.help.open
    }

    pub fn zoomed(&self) -> bool {
        self.zoomed
    }

    /// The top view's tables and the global one, in resolution order.
    fn tables(&self) -> Vec<&'static [KeyBinding]> {
        let mut t: Vec<&'static [KeyBinding]> = self.top().keys().to_vec();
        t.push(GLOBAL);
        t
    }

    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                if self.help.open {
                    let mut none = None;
                    match resolve(&self.ctx.keymap, &[HELP_OVERLAY], &k, &mut none, false) {
                        Resolved::Action(Action::QuitNow) => self.quit(),
                        Resolved::Action(a) => self.help.action(a),
                        _ => {}
                    }
                    return;
                }
                // A message answers the last key; the next key starts afresh (the log keeps
                // every submission's outcome).
                self.ctx.status = None;
                let typing = self.top().typing();
                let mut pending = self.pending_key.take();
                let resolved = resolve(&self.ctx.keymap, &self.tables(), &k, &mut pending, typing);
                self.pending_key = pending;
                match resolved {
                    Resolved::Pending => {}
                    Resolved::Action(Action::QuitNow) => self.quit(),
                    Resolved::Action(a) => self.dispatch(Input::Action(a)),
                    Resolved::Unbound => self.dispatch(Input::Key(k)),
                }
            }
            Event::Mouse(m) if self.help.open => match m.kind {
                MouseEventKind::ScrollUp => self.help.scroll_by(-1),
                MouseEventKind::ScrollDown => self.help.scroll_by(1),
                _ => {}
            },
            Event::Mouse(m) => self.dispatch(Input::Mouse(m)),
            // Most terminals send CR line ends in a paste: the inputs get `\n`.
            Event::Paste(s) if !self.help.open => {
                self.dispatch(Input::Paste(s.replace("\r\n", "\n").replace('\r', "\n")))
            }
            _ => {}
        }
    }

    fn quit(&mut self) {
        self.ctx.effects.push(Effect::Quit);
    }

    fn dispatch(&mut self, input: Input) {
        let action = match &input {
            Input::Action(a) => Some(*a),
            _ => None,
        };
        let screen = self.stack.last_mut().expect("the stack is never empty");
        match screen.update(&mut self.ctx, input) {
            Outcome::Ignored => {
                if let Some(a) = action {
                    self.global(a);
                }
            }
            other => self.apply(other),
        }
    }

    fn global(&mut self, action: Action) {
        match action {
            Action::Help => self.help.show(),
            Action::Back if self.zoomed => self.zoomed = false,
            Action::Back if self.stack.len() > 1 => self.apply(Outcome::Pop),
            Action::Quit => self.apply(Outcome::Pop),
            Action::Accounts => self.apply(Outcome::OpenAccounts),
            Action::Usage => self.open_usage(None, None),
            Action::Events => {
                self.open_kind(ScreenKind::Events, |ctx| Box::new(EventsScreen::new(ctx)))
            }
            Action::Upload => self.open_kind(ScreenKind::Upload, |ctx| {
                Box::new(UploadScreen::reopened(ctx))
            }),
            Action::Zoom => self.zoomed = !self.zoomed,
            _ => {}
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Consumed | Outcome::Ignored => {}
            Outcome::Push(s) => {
                self.ctx.status = None;
                self.zoomed = false;
                self.stack.push(s);
                if let Some(top) = self.stack.last_mut() {
                    top.opened(&mut self.ctx);
                }
            }
            Outcome::Pop if self.stack.len() > 1 => {
                self.ctx.status = None;
                self.zoomed = false;
                self.truncate(self.stack.len() - 1);
            }
            Outcome::Pop | Outcome::Quit => self.quit(),
            Outcome::OpenAccounts => {
                self.zoomed = false;
                match self.find(ScreenKind::Accounts) {
                    Some(i) => self.truncate(i + 1),
                    None => {
                        let s = AccountsScreen::new(&mut self.ctx);
                        self.stack.push(Box::new(s));
                    }
                }
            }
            Outcome::SubmitFor(code) => self.submit_for(code),
            Outcome::Usage { meter, account } => self.open_usage(meter, account),
            Outcome::ShowAccount(code) => {
                self.apply(Outcome::OpenAccounts);
                if let Some(top) = self.stack.last_mut() {
                    top.show_account(&mut self.ctx, &code);
                }
            }
        }
    }

    /// Back to the screen of `kind` on the stack, or a new one on top.
    fn open_kind(&mut self, kind: ScreenKind, make: impl FnOnce(&mut Ctx) -> Box<dyn Screen>) {
        self.zoomed = false;
        match self.find(kind) {
            Some(i) => self.truncate(i + 1),
            None => {
                let s = make(&mut self.ctx);
                self.apply(Outcome::Push(s));
            }
        }
    }

    /// The usage explorer: a new one for a meter or an account, else the open one.
    fn open_usage(&mut self, meter: Option<String>, account: Option<String>) {
        if meter.is_some() || account.is_some() {
            let s = UsageScreen::new(&mut self.ctx, meter, account);
            self.apply(Outcome::Push(Box::new(s)));
        } else {
            self.open_kind(ScreenKind::Usage, |ctx| {
                Box::new(UsageScreen::new(ctx, None, None))
            });
        }
    }

    fn find(&self, kind: ScreenKind) -> Option<usize> {
        self.stack.iter().rposition(|s| s.kind() == kind)
    }

    /// Back to an open Submit panel with the account chosen, or to the meter list with the
    /// account remembered for the next panel.
    fn submit_for(&mut self, code: String) {
        self.zoomed = false;
        if let Some(i) = self.find(ScreenKind::Submit) {
            self.truncate(i + 1);
            let top = self.stack.last_mut().expect("just found");
            if top.preselect_account(&mut self.ctx, &code) {
                return;
            }
        }
        let back_to = self
            .find(ScreenKind::Meters)
            .or_else(|| self.find(ScreenKind::Products))
            .unwrap_or(0);
        self.truncate(back_to + 1);
        self.ctx
            .info(format!("choose a meter to submit usage for account {code}"));
        self.ctx.preselect_account = Some(code);
    }

    /// The text back from `$EDITOR` (or why it could not run).
    pub fn editor_done(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => self.dispatch(Input::Edited(text)),
            Err(e) => self.ctx.error(e),
        }
    }

    pub fn on_tick(&mut self) {
        self.ctx.ticks = self.ctx.ticks.wrapping_add(1);
    }

    pub fn on_msg(&mut self, msg: Msg) {
        // One request's answer is each of its entries' answer.
        if let Msg::SubmittedMany { ids, result } = msg {
            for id in ids {
                self.on_msg(Msg::Submitted {
                    id,
                    result: result.clone(),
                });
            }
            return;
        }
        self.ctx.apply(&msg);
        for s in self.stack.iter_mut() {
            s.on_msg(&mut self.ctx, &msg);
        }
        // After the screens: an open panel refreshes its own uid first, so only the drafts of
        // closed panels still carry the accepted one.
        if let Msg::Submitted { id, result: Ok(_) } = &msg {
            let sent = self.ctx.log.get(*id).and_then(|e| e.request.get("uid"));
            let sent = sent.and_then(|u| u.as_str()).unwrap_or("").to_string();
            let uids = self.ctx.uids.clone();
            if self.ctx.drafts.uid_accepted(&sent, || uids()) {
                persistence::save_drafts(&mut self.ctx);
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!(
                "terminal too small ({}×{}): needs {MIN_WIDTH}×{MIN_HEIGHT}",
                area.width, area.height
            );
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
            return;
        }
        // A long message wraps onto more lines (up to a third of the screen) rather than
        // being cut.
        let status_lines = self.status_lines(area.width);
        let status_h = (status_lines.len() as u16).clamp(1, (area.height / 3).max(1));
        let [title, body, status, bar] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(status_h),
            Constraint::Length(1),
        ])
        .areas(area);
        title::draw(frame, title, &self.ctx, &self.stack_titles());
        if self.zoomed {
            self.top().draw_zoomed(&self.ctx, frame, body);
        } else {
            self.top().draw(&self.ctx, frame, body);
        }
        frame.render_widget(Paragraph::new(status_lines), status);
        let own = self.top().keys();
        // On the Accounts screen its own key would only take room.
        let global: Vec<KeyBinding> = GLOBAL
            .iter()
            .filter(|b| !(b.action == Action::Accounts && self.top_kind() == ScreenKind::Accounts))
            .copied()
            .collect();
        help::draw_bar(
            frame,
            bar,
            &self.ctx.keymap,
            own,
            &global,
            self.top().typing(),
        );
        if self.help.open {
            self.help.draw(
                frame,
                body,
                &self.top().title(),
                &self.ctx.keymap,
                &self.tables(),
                self.top().typing(),
            );
        }
    }

    fn stack_titles(&self) -> Vec<String> {
        self.stack.iter().map(|s| s.title()).collect()
    }

    /// The status message, wrapped to the width.
    fn status_lines(&self, width: u16) -> Vec<Line<'static>> {
        let (text, style) = match &self.ctx.status {
            Some(Status::Info(s)) => (s.as_str(), style::ok()),
            Some(Status::Error(s)) => (s.as_str(), style::error()),
            None => ("", ratatui::style::Style::default()),
        };
        crate::tui::widgets::text::wrap(text, width as usize)
            .into_iter()
            .map(|l| Line::styled(l, style))
            .collect()
    }
}
