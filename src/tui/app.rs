//! The app: a stack of screens over the shared [`Ctx`]. Terminal events are resolved through the
//! top screen's key table (then the global one) into actions; the top screen handles them, and
//! what it does not handle bubbles up to the global keys here (help, back, quit, accounts).
//! Messages from tasks update [`Ctx`] first and then reach every screen on the stack.

use super::accounts::AccountsScreen;
use super::drafts;
use super::help;
use super::keys::{resolve, Action, Key, KeyBinding, Resolved};
use super::log;
use super::msg::Msg;
use super::products::ProductsScreen;
use super::screen::{Input, Outcome, Screen, ScreenKind};
use super::state::{Ctx, Status};
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Keys that work on every screen.
pub const GLOBAL_KEYS: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::ch('?'), Key::f(1)],
        Action::Help,
        "help",
        "Show or hide this help",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "back",
        "Back to the previous screen",
    )
    .bar_typing()
    .text(),
    KeyBinding::new(
        &[Key::ch('q')],
        Action::Quit,
        "back/quit",
        "Back; quit on the first screen",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('A'), Key::f(9)],
        Action::Accounts,
        "accounts",
        "Open the Accounts screen",
    )
    .text(),
    KeyBinding::new(
        &[Key::ctrl('c'), Key::f(10)],
        Action::Quit,
        "quit",
        "Quit at once (from anywhere)",
    )
    .text(),
];

pub struct App {
    pub ctx: Ctx,
    stack: Vec<Box<dyn Screen>>,
    help: help::HelpOverlay,
    pending_key: Option<char>,
    pub quit: bool,
    /// Text a screen asked to edit in `$EDITOR`; the loop takes it, runs the editor and calls
    /// [`App::editor_done`].
    pub editor_request: Option<String>,
}

impl App {
    pub fn new(ctx: Ctx) -> Self {
        Self {
            ctx,
            stack: vec![Box::new(ProductsScreen::new())],
            help: help::HelpOverlay::default(),
            pending_key: None,
            quit: false,
            editor_request: None,
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
        log::load(&self.ctx);
        drafts::load(&self.ctx);
    }

    /// Before the process ends: every screen closes (an open Submit panel keeps its draft), and
    /// the writes asked so far (drafts, log lines) are waited for, off the UI task.
    pub async fn shutdown(&mut self) {
        while let Some(mut s) = self.stack.pop() {
            s.closing(&mut self.ctx);
        }
        self.stack.push(Box::new(ProductsScreen::new()));
        self.ctx.disk.flush().await;
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

    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                let ctrl_c =
                    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                if ctrl_c || k.code == KeyCode::F(10) {
                    self.quit = true;
                    return;
                }
                if self.help.open {
                    self.help.key(k.code);
                    return;
                }
                // A message answers the last key; the next key starts afresh (the log keeps
                // every submission's outcome).
                self.ctx.status = None;
                let typing = self.top().typing();
                let mut pending = self.pending_key.take();
                let resolved = {
                    let tables: [&[KeyBinding]; 2] = [self.top().keys(), GLOBAL_KEYS];
                    resolve(&tables, &k, &mut pending, typing)
                };
                self.pending_key = pending;
                match resolved {
                    Resolved::Pending => {}
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
            Event::Paste(s) if !self.help.open => self.dispatch(Input::Paste(s)),
            _ => {}
        }
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
            Action::Back if self.stack.len() > 1 => self.apply(Outcome::Pop),
            Action::Quit => self.apply(Outcome::Pop),
            Action::Accounts => self.apply(Outcome::OpenAccounts),
            _ => {}
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Consumed | Outcome::Ignored => {}
            Outcome::Push(s) => {
                self.ctx.status = None;
                self.stack.push(s);
                if let Some(top) = self.stack.last_mut() {
                    top.opened(&mut self.ctx);
                }
            }
            Outcome::Pop if self.stack.len() > 1 => {
                self.ctx.status = None;
                self.truncate(self.stack.len() - 1);
            }
            Outcome::Pop | Outcome::Quit => self.quit = true,
            Outcome::OpenAccounts => match self.find(ScreenKind::Accounts) {
                Some(i) => self.truncate(i + 1),
                None => self
                    .stack
                    .push(Box::new(AccountsScreen::new(&mut self.ctx))),
            },
            Outcome::SubmitFor(code) => self.submit_for(code),
            Outcome::EditExternally(text) => self.editor_request = Some(text),
        }
    }

    fn find(&self, kind: ScreenKind) -> Option<usize> {
        self.stack.iter().rposition(|s| s.kind() == kind)
    }

    /// Back to an open Submit panel with the account chosen, or to the meter list with the
    /// account remembered for the next panel.
    fn submit_for(&mut self, code: String) {
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
                drafts::save(&self.ctx);
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        let [title, body, status, bar] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_title(frame, title);
        self.top().draw(&self.ctx, frame, body);
        let (text, style) = match &self.ctx.status {
            Some(Status::Info(s)) => (s.as_str(), Style::default().fg(Color::Green)),
            Some(Status::Error(s)) => (s.as_str(), Style::default().fg(Color::Red)),
            None => ("", Style::default()),
        };
        frame.render_widget(Paragraph::new(text).style(style), status);
        let tables: [&[KeyBinding]; 2] = [self.top().keys(), GLOBAL_KEYS];
        help::draw_bar(frame, bar, &tables, self.top().typing());
        if self.help.open {
            self.help.draw(
                frame,
                body,
                &self.top().title(),
                &tables,
                self.top().typing(),
            );
        }
    }

    /// What we talk to (m3ter or the sandbox, and the org) on the right — always shown, in a
    /// short form when narrow — and where we are on the left, cut from the left when needed.
    fn draw_title(&self, frame: &mut Frame, area: Rect) {
        let style = Style::default().bg(Color::Blue).fg(Color::White);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        frame.render_widget(Paragraph::new("").style(style), area);
        let width = area.width as usize;
        let full = self.ctx.label.clone();
        let short = format!(
            "{} · org {}",
            full.split_whitespace().next().unwrap_or(""),
            self.ctx.org_id()
        );
        let conn = if full.chars().count() + 30 <= width {
            full
        } else {
            short
        };
        let conn = format!(" {conn} ");
        let app_name = if width >= 100 {
            " m3ter-console │"
        } else {
            ""
        };
        let room = width
            .saturating_sub(conn.chars().count() + app_name.chars().count() + 2)
            .max(1);
        let mut crumbs: Vec<String> = self.stack.iter().map(|s| s.title()).collect();
        let mut text = crumbs.join(" › ");
        while text.chars().count() > room && crumbs.len() > 1 {
            crumbs.remove(0);
            text = format!("… › {}", crumbs.join(" › "));
        }
        let text: String = text.chars().take(room).collect();
        let line = Line::from(vec![
            Span::styled(app_name, bold),
            Span::styled(format!(" {text}"), bold),
        ]);
        let [l, r] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(conn.chars().count() as u16),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(line).style(style), l);
        frame.render_widget(Paragraph::new(conn).style(style), r);
    }
}
