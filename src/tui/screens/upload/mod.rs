//! Upload a file of measurements: type a path (Tab completes, `~` is home), see what the file
//! holds — its format, the first rows, the count and every problem with its
//! `file:line:column` — then send it in m3ter-sized batches with a progress gauge, cancel it
//! (batches in flight finish, the journal stays resumable) or resume it, and watch every
//! measurement reach its outcome: ingested, or failed by type.
//!
//! A file with any invalid measurement is refused whole, as `submit --file` refuses it: fixing
//! the file and sending it once is what a QA run wants, not half a file. The journal is the
//! CLI's (`<file>.journal`), so `m3ter-console submit --file F --resume` finishes an upload
//! begun here, and opening a file whose CLI run was interrupted offers to resume it.
//!
//! Everything slow — listing a directory, reading and checking the file, sending, following —
//! runs on tasks ([`tasks`]); the screen only holds what they report.

mod draw;
mod keys;
mod path;
mod tasks;

use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::bulk::journal::JournalWriter;
use crate::m3ter::bulk::send::thousands;
use crate::m3ter::bulk::settle::Tally;
use crate::m3ter::bulk::Cancel;
use crate::tui::keys::{Action, Input, Tables};
use crate::tui::state::msg_upload::{JournalPlan, Preview, SendProgress, UploadMsg};
use crate::tui::state::upload_follow::{self, UploadFollow};
use crate::tui::state::upload_follow_log::write_entry;
use crate::tui::state::{persistence, Ctx, Msg};
use crate::tui::widgets::input::TextInput;
use ratatui::layout::Rect;
use ratatui::Frame;

/// Requests in flight at once (the CLI's default).
const CONCURRENCY: usize = 4;

/// An upload under way or finished.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub progress: SendProgress,
    /// The send loop is still running.
    pub sending: bool,
    /// The measurements are being followed to their outcome.
    pub following: bool,
    pub tally: Option<Tally>,
    /// Why it stopped short, or what could not be done.
    pub error: Option<String>,
    /// Something to know that is not a failure (a file too large to follow).
    pub note: Option<String>,
    pub done: bool,
    /// The file's name, for the log line.
    pub name: String,
}

pub struct UploadScreen {
    path: TextInput,
    typing: bool,
    /// Tags the requests; answers to older ones are dropped.
    gen: u64,
    /// Tab found several entries: they are listed under the input.
    candidates: Vec<String>,
    checking: bool,
    /// The file could not be read (missing, unreadable, a directory, a bad CSV header).
    failed: Option<String>,
    preview: Option<Box<Preview>>,
    run: Option<Run>,
    /// First problem row shown.
    scroll: usize,
    asking_cancel: bool,
    cancel: Cancel,
    /// The log entry that sums the upload up.
    log_id: Option<u64>,
}

impl Default for UploadScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl UploadScreen {
    pub fn new() -> Self {
        Self {
            path: TextInput::default(),
            typing: true,
            gen: 0,
            candidates: Vec::new(),
            checking: false,
            failed: None,
            preview: None,
            run: None,
            scroll: 0,
            asking_cancel: false,
            cancel: Cancel::default(),
            log_id: None,
        }
    }

    /// With the path typed last time in (nothing typed is lost by leaving the screen), and
    /// the upload that was followed after it was left, as it stands now.
    pub fn reopened(ctx: &mut Ctx) -> Self {
        let mut s = Self::new();
        s.path.set(ctx.last_upload_path.clone());
        if let Some(up) = ctx.upload_follow.take() {
            s.gen = up.gen;
            s.log_id = (!up.done).then_some(up.log_id);
            s.cancel = up.cancel;
            s.typing = false;
            s.run = Some(Run {
                progress: up.progress,
                following: !up.done,
                tally: up.tally,
                error: up.error,
                done: up.done,
                name: up.name,
                ..Default::default()
            });
        }
        s
    }

    fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.sending)
    }

    /// Forgets the preview; returns the journal it wrote but never sent, to be removed on a
    /// task (before a new check of the same file writes its own beside it).
    fn drop_preview(&mut self) -> Option<JournalWriter> {
        let p = self.preview.take()?;
        match &p.journal {
            JournalPlan::Fresh { writer, .. } => writer.take(),
            _ => None,
        }
    }

    /// Stops an upload that is still being followed (the log entry says so) before the screen
    /// moves on to another file or closes.
    fn stop_run(&mut self, ctx: &mut Ctx) {
        self.cancel.cancel();
        let journal = self
            .preview
            .as_ref()
            .map(|p| tasks::journal_of(&p.path).display().to_string())
            .unwrap_or_default();
        if let Some(r) = self.run.as_mut() {
            if r.sending {
                r.error.get_or_insert_with(|| {
                    format!("left while sending: the journal {journal} keeps what was not accepted; open the file again to resume")
                });
            } else if !r.done {
                r.error
                    .get_or_insert_with(|| "left before every outcome was known".into());
            }
        }
        self.log_outcome(ctx);
    }

    fn check(&mut self, ctx: &mut Ctx) {
        self.stop_run(ctx);
        self.gen += 1;
        self.checking = true;
        self.failed = None;
        let discard = self.drop_preview();
        self.run = None;
        self.candidates.clear();
        self.scroll = 0;
        self.typing = false;
        let client = ctx.client.clone();
        let typed = self.path.value().to_string();
        ctx.spawn(
            "check upload",
            tasks::check(client, self.gen, typed, discard),
        );
    }

    fn complete(&mut self, ctx: &mut Ctx) {
        self.gen += 1;
        let typed = self.path.value().to_string();
        ctx.spawn("list directory", tasks::listing(self.gen, typed));
    }

    fn send(&mut self, ctx: &mut Ctx) {
        let Some(p) = &self.preview else { return };
        if p.problem_count > 0 {
            ctx.error(format!(
                "nothing is sent while the file has problems ({} found): fix them, then r checks again — as submit --file, a file is sent whole or not at all",
                thousands(p.problem_count as u64)
            ));
            return;
        }
        if matches!(p.journal, JournalPlan::None) {
            ctx.error("no measurements to send");
            return;
        }
        self.gen += 1;
        self.cancel = Cancel::default();
        let (measurements, batches) = match &p.journal {
            JournalPlan::Resume {
                measurements,
                pending_batches,
                ..
            } => (*measurements, *pending_batches),
            _ => (p.valid, p.batches),
        };
        let request = serde_json::json!({
            "upload": p.path.display().to_string(),
            "format": p.format.label(),
            "measurements": measurements,
            "batches": batches,
            "journal": tasks::journal_of(&p.path).display().to_string(),
        });
        let conn = ctx.connection.id();
        let id = ctx.log.push_pending(&conn, ctx.now(), request);
        if let Some(e) = ctx.log.get(id) {
            persistence::save_entry(ctx, e);
        }
        self.log_id = Some(id);
        self.run = Some(Run {
            sending: true,
            name: p
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..Default::default()
        });
        let task = tasks::upload(
            ctx.client.clone(),
            self.gen,
            p.journal.clone(),
            CONCURRENCY,
            self.cancel.clone(),
            ctx.tx.clone(),
        );
        ctx.spawn("upload", task);
        ctx.info(format!("sending {}…", p.path.display()));
    }

    /// The log entry's answer: what the upload did, in one line.
    fn summary(&self) -> String {
        let Some(run) = &self.run else {
            return String::new();
        };
        upload_follow::summary(&run.name, &run.progress, run.tally.as_ref())
    }

    /// Writes the upload's one log entry (once).
    fn log_outcome(&mut self, ctx: &mut Ctx) {
        let Some(id) = self.log_id.take() else { return };
        let summary = self.summary();
        let error = self.run.as_ref().and_then(|r| r.error.clone());
        let stopped = self
            .run
            .as_ref()
            .is_some_and(|r| r.tally.is_none() && r.error.is_some());
        write_entry(ctx, id, summary, error, stopped, true);
    }

    fn on_upload(&mut self, ctx: &mut Ctx, m: &UploadMsg) {
        match m {
            UploadMsg::Listing { gen, typed, result } if *gen == self.gen => match result {
                Ok(entries) if typed == self.path.value() => {
                    let c = path::complete(typed, entries);
                    if c.value == *typed && c.candidates.is_empty() {
                        ctx.info("no file matches");
                    }
                    self.path.set(c.value);
                    self.candidates = c.candidates;
                }
                Ok(_) => {}
                Err(e) => ctx.error(e.clone()),
            },
            UploadMsg::Checked { gen, result } if *gen == self.gen => {
                self.checking = false;
                match result {
                    Ok(p) => {
                        self.preview = Some(p.clone());
                        if let JournalPlan::Resume { .. } = p.journal {
                            ctx.info(
                                "an earlier upload of this file was not finished: Enter resumes it",
                            );
                        } else if let Some(note) = &p.note {
                            ctx.info(note.trim_start_matches("note: "));
                        }
                    }
                    Err(e) => {
                        self.failed = Some(e.clone());
                        self.typing = true;
                    }
                }
            }
            UploadMsg::Sending { gen, progress } if *gen == self.gen => {
                if let Some(r) = self.run.as_mut() {
                    r.progress = progress.clone();
                }
            }
            UploadMsg::Sent {
                gen,
                progress,
                error,
                following,
            } if *gen == self.gen => {
                self.asking_cancel = false;
                if let Some(r) = self.run.as_mut() {
                    r.progress = progress.clone();
                    r.sending = false;
                    r.following = *following;
                    r.error = error.clone();
                    r.done = !following;
                    if *following {
                        r.tally = Some(Tally {
                            pending: progress.accepted + progress.previously_accepted,
                            ..Default::default()
                        });
                    }
                }
                match error {
                    Some(e) => {
                        ctx.error(e.clone());
                        self.log_outcome(ctx);
                    }
                    None => {
                        ctx.info("all batches accepted: following each measurement to its outcome…")
                    }
                }
            }
            UploadMsg::Followed {
                gen,
                tally,
                done,
                error,
            } if *gen == self.gen => {
                if let Some(r) = self.run.as_mut() {
                    if error.is_none() {
                        r.tally = Some(tally.clone());
                    } else {
                        r.error = error.clone();
                    }
                    if *done {
                        r.following = false;
                        r.done = true;
                    }
                }
                if *done {
                    let line = self.summary();
                    self.log_outcome(ctx);
                    ctx.info(line);
                }
            }
            _ => {}
        }
    }

    fn keys_now(&self) -> Tables {
        if self.typing {
            return keys::PATH;
        }
        if self.asking_cancel {
            return keys::CONFIRM;
        }
        if let Some(r) = &self.run {
            return if r.sending { keys::SENDING } else { keys::DONE };
        }
        match &self.preview {
            Some(p) if p.problem_count > 0 => keys::PROBLEMS,
            Some(p) if matches!(p.journal, JournalPlan::Resume { .. }) => keys::RESUMABLE,
            Some(_) => keys::READY,
            None => keys::PROBLEMS,
        }
    }

    fn scroll_by(&mut self, d: isize) {
        let max = self
            .preview
            .as_ref()
            .map_or(0, |p| p.problems.len().saturating_sub(1));
        self.scroll = self.scroll.saturating_add_signed(d).min(max);
    }
}

impl Screen for UploadScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Upload
    }

    fn title(&self) -> String {
        "Upload a file".into()
    }

    fn keys(&self) -> Tables {
        self.keys_now()
    }

    fn typing(&self) -> bool {
        self.typing
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if self.typing {
            return match input {
                Input::Action(Action::Choose) => {
                    self.check(ctx);
                    Outcome::Consumed
                }
                Input::Action(Action::FocusNext) => {
                    self.complete(ctx);
                    Outcome::Consumed
                }
                Input::Action(Action::Back) if self.preview.is_some() || self.run.is_some() => {
                    self.typing = false;
                    self.candidates.clear();
                    Outcome::Consumed
                }
                Input::Key(k) => {
                    if self.path.handle_key(&k) {
                        self.candidates.clear();
                        self.failed = None;
                    }
                    Outcome::Consumed
                }
                Input::Paste(s) => {
                    self.path.insert(s.trim_end_matches('\n'));
                    self.candidates.clear();
                    Outcome::Consumed
                }
                _ => Outcome::Ignored,
            };
        }
        if self.asking_cancel {
            match input {
                Input::Action(Action::Confirm) => {
                    self.asking_cancel = false;
                    self.cancel.cancel();
                    ctx.info("cancelling: batches in flight finish, the journal keeps the rest");
                }
                Input::Action(Action::Back) => self.asking_cancel = false,
                _ => {}
            }
            return Outcome::Consumed;
        }
        match input {
            Input::Action(Action::Cancel | Action::Back | Action::Quit) if self.running() => {
                self.asking_cancel = true;
                Outcome::Consumed
            }
            Input::Action(Action::Submit) if self.run.is_none() => {
                self.send(ctx);
                Outcome::Consumed
            }
            Input::Action(Action::Edit) if !self.running() => {
                self.typing = true;
                Outcome::Consumed
            }
            Input::Action(Action::Refresh) if !self.running() => {
                self.check(ctx);
                Outcome::Consumed
            }
            Input::Action(Action::Up) => {
                self.scroll_by(-1);
                Outcome::Consumed
            }
            Input::Action(Action::Down) => {
                self.scroll_by(1);
                Outcome::Consumed
            }
            Input::Action(Action::PageUp) => {
                self.scroll_by(-10);
                Outcome::Consumed
            }
            Input::Action(Action::PageDown) => {
                self.scroll_by(10);
                Outcome::Consumed
            }
            Input::Action(Action::Top) => {
                self.scroll = 0;
                Outcome::Consumed
            }
            Input::Action(Action::Bottom) => {
                self.scroll_by(isize::MAX);
                Outcome::Consumed
            }
            _ => Outcome::Ignored,
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Upload(m) = msg {
            self.on_upload(ctx, m);
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        draw::draw(self, ctx, frame, area);
    }

    fn animating(&self) -> bool {
        self.checking || self.run.as_ref().is_some_and(|r| r.sending || r.following)
    }

    /// Leaving while sending asks first (see `update`), then stops; an upload being followed
    /// goes on in the background, its log entry updated until every measurement is settled,
    /// and opening the screen again shows it. A checked, unsent file leaves no journal behind.
    fn closing(&mut self, ctx: &mut Ctx) {
        match (self.run.take(), self.log_id) {
            (Some(r), Some(id)) if r.following && !r.done => {
                self.log_id = None;
                let mut up =
                    UploadFollow::new(self.gen, id, r.name, r.progress, self.cancel.clone());
                up.tally = r.tally;
                ctx.follow_upload_in_background(up);
            }
            (r, _) => {
                self.run = r;
                self.stop_run(ctx);
            }
        }
        ctx.last_upload_path = self.path.value().to_string();
        if let Some(w) = self.drop_preview() {
            ctx.spawn("discard journal", tasks::discard(w));
        }
    }
}
