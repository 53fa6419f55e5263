//! One submission in full: when it was sent and answered (the latency), the whole request and
//! the whole answer or error (wrapped, never cut), where it stands in m3ter's ingest (ingested
//! with the stored values, failed with the event and its downloaded log, or not confirmed yet),
//! and the account it auto-created. `y`/`Y`/`c` copy the uid, the JSON and a curl command.

use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::follow::{FollowState, Tracked};
use crate::m3ter::samples::{IngestSamples, SampleLanguage};
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::explore::ExploreMsg;
use crate::tui::state::log::LogEntry;
use crate::tui::state::{Ctx, Msg};
use crate::tui::style;
use crate::tui::widgets::scroll::{self, Scroll};
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

const COPY_UID: KeyBinding =
    KeyBinding::new(&[Key::ch('y')], Action::CopyUid, "copy uid", "Copy the uid").bar();
const COPY_JSON: KeyBinding = KeyBinding::new(
    &[Key::ch('Y')],
    Action::CopyJson,
    "copy JSON",
    "Copy the measurement's JSON",
)
.bar();
const COPY_CURL: KeyBinding = KeyBinding::new(
    &[Key::ch('c')],
    Action::CopyCurl,
    "curl",
    "Copy it as a curl command (the token stays a variable)",
)
.bar();
const JUMP: KeyBinding = KeyBinding::new(
    &[Key::ch('a')],
    Action::JumpAccount,
    "account",
    "Open the account this measurement auto-created",
)
.bar();
const RECHECK: KeyBinding = KeyBinding::new(
    &[Key::ch('r')],
    Action::Recheck,
    "check again",
    "Follow a not-confirmed submission again",
)
.bar();
const OWN: &[KeyBinding] = &[COPY_UID, COPY_JSON, COPY_CURL, JUMP, RECHECK];
pub const KEYS: Tables = &[OWN, scroll::KEYS];

pub struct LogDetailScreen {
    /// The entry's key in the log (entries move as new ones arrive on top).
    key: String,
    scroll: Scroll,
    /// The failure log behind the event, once fetched.
    failure_log: Option<Result<String, String>>,
    asked_log: bool,
    event_id: String,
}

impl LogDetailScreen {
    pub fn new(entry: &LogEntry) -> Self {
        Self {
            key: entry.key.clone(),
            scroll: Scroll::default(),
            failure_log: None,
            asked_log: false,
            event_id: String::new(),
        }
    }

    fn entry<'c>(&self, ctx: &'c Ctx) -> Option<&'c LogEntry> {
        ctx.log.entries.iter().find(|e| e.key == self.key)
    }

    /// Asks for the failure log once the entry is known to have failed.
    fn fetch_log_if_failed(&mut self, ctx: &mut Ctx) {
        if self.asked_log {
            return;
        }
        let event_id = match self
            .entry(ctx)
            .and_then(|e| e.follow.as_ref())
            .map(|t| &t.state)
        {
            Some(FollowState::Failed {
                event_id: Some(id), ..
            }) => id.clone(),
            _ => return,
        };
        self.asked_log = true;
        self.event_id = event_id.clone();
        ctx.fetch_failure_log(event_id, None);
    }

    fn curl(ctx: &Ctx, e: &LogEntry) -> String {
        IngestSamples::from_json(
            &ctx.client.config().ingest_url,
            ctx.org_id(),
            std::slice::from_ref(&e.request),
        )
        .render(SampleLanguage::Curl)
    }
}

/// `12 ms`, `1.4 s`.
fn latency(e: &LogEntry) -> Option<String> {
    let sent = chrono::DateTime::parse_from_rfc3339(&e.time).ok()?;
    let answered = chrono::DateTime::parse_from_rfc3339(e.answered.as_deref()?).ok()?;
    let ms = (answered - sent).num_milliseconds().max(0);
    Some(if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    })
}

fn label(name: &str) -> Span<'static> {
    Span::raw(format!("{name:<10}")).dim()
}

fn json_lines(v: &serde_json::Value) -> Vec<Line<'static>> {
    serde_json::to_string_pretty(v)
        .unwrap_or_default()
        .lines()
        .map(|l| Line::from(format!("  {l}")))
        .collect()
}

/// The ingest state and what it says in one line or two (the details come after the request).
fn ingest_lines(t: &Tracked) -> Vec<Line<'static>> {
    let st = match &t.state {
        FollowState::Ingested { .. } => style::ok(),
        FollowState::Failed { .. } | FollowState::Refused { .. } => style::error(),
        _ => style::warn(),
    };
    let mut out = vec![Line::from(vec![
        label("ingest"),
        Span::styled(t.state.label(), st),
    ])];
    if let Some(note) = t.auto_created_note() {
        out.push(Line::from(vec![
            label(""),
            Span::styled(format!("★ {note}"), style::accent()),
            Span::raw("  (a opens it)").dim(),
        ]));
    }
    match &t.state {
        FollowState::Failed {
            event_id, message, ..
        } => {
            if let Some(m) = message {
                out.push(Line::from(vec![label("reason"), Span::raw(m.clone())]));
            }
            if let Some(id) = event_id {
                out.push(Line::from(vec![label("event"), Span::raw(id.clone())]));
            }
        }
        FollowState::NotConfirmed => out.push(Line::from(vec![
            label(""),
            Span::raw("neither seen in usage nor in the ingest events yet (r checks again)").dim(),
        ])),
        _ => {}
    }
    out
}

impl Screen for LogDetailScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::LogDetail
    }

    fn title(&self) -> String {
        "Log entry".into()
    }

    fn keys(&self) -> Tables {
        KEYS
    }

    fn opened(&mut self, ctx: &mut Ctx) {
        self.fetch_log_if_failed(ctx);
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        match msg {
            Msg::Follow(_) => self.fetch_log_if_failed(ctx),
            Msg::Explore(m) => {
                if let ExploreMsg::FailureLog { event_id, result } = m.as_ref() {
                    if *event_id == self.event_id {
                        self.failure_log = Some(result.clone());
                    }
                }
            }
            _ => {}
        }
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if self.scroll.mouse(&input) {
            return Outcome::Consumed;
        }
        let Input::Action(a) = input else {
            return Outcome::Ignored;
        };
        let Some(e) = self.entry(ctx).cloned() else {
            return Outcome::Ignored;
        };
        let uid = e
            .request
            .get("uid")
            .and_then(|u| u.as_str())
            .unwrap_or("")
            .to_string();
        match a {
            a if self.scroll.apply(a) => {}
            Action::CopyUid if !uid.is_empty() => {
                ctx.copy(uid.clone());
                ctx.info(format!("copied uid {uid}"));
            }
            Action::CopyJson => {
                ctx.copy(serde_json::to_string_pretty(&e.request).unwrap_or_default());
                ctx.info("copied the measurement's JSON");
            }
            Action::CopyCurl => {
                ctx.copy(Self::curl(ctx, &e));
                ctx.info("copied a curl command (it reads $M3TER_API_TOKEN)");
            }
            Action::JumpAccount => {
                let auto = e
                    .follow
                    .as_ref()
                    .and_then(|t| t.auto_created_account.clone());
                if auto.is_none() {
                    ctx.info("this measurement did not auto-create an account");
                    return Outcome::Consumed;
                }
                let code = e
                    .follow
                    .as_ref()
                    .map(|t| t.account.clone())
                    .unwrap_or_default();
                return Outcome::ShowAccount(code);
            }
            Action::Recheck => {
                if ctx.follow_recheck(&uid) {
                    ctx.info(format!("following {uid} again"));
                } else {
                    ctx.info("only a not-confirmed submission is checked again");
                }
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(true))
            .title(" Log entry ");
        let Some(e) = self.entry(ctx) else {
            frame.render_widget(Paragraph::new("this entry is gone").block(block), area);
            return;
        };
        let mut text = vec![Line::from(vec![label("sent"), Span::raw(e.time.clone())])];
        if let Some(a) = &e.answered {
            let mut l = vec![label("answered"), Span::raw(a.clone())];
            if let Some(lat) = latency(e) {
                l.push(Span::raw(format!("  ({lat})")).dim());
            }
            text.push(Line::from(l));
        }
        let (answer, st) = match (&e.answer, &e.error) {
            (_, Some(err)) => (
                match err.status {
                    Some(s) => format!("HTTP {s}"),
                    None => "no answer".into(),
                },
                style::error(),
            ),
            (Some(_), None) => ("HTTP 200".into(), style::ok()),
            (None, None) if e.interrupted => (e.outcome(), style::warn()),
            (None, None) => ("waiting for the answer…".into(), style::warn()),
        };
        text.push(Line::from(vec![label("answer"), Span::styled(answer, st)]));
        if let Some(err) = &e.error {
            // The whole message: never cut.
            for l in err.message.lines() {
                text.push(Line::from(vec![
                    label(""),
                    Span::styled(l.to_string(), style::error()),
                ]));
            }
        }
        if let Some(a) = &e.answer {
            text.extend(json_lines(a));
        }
        if let Some(t) = &e.follow {
            text.extend(ingest_lines(t));
        }
        text.push(Line::from(""));
        text.push(Line::from(label("request")));
        text.extend(json_lines(&e.request));
        if let Some(FollowState::Ingested { values }) = e.follow.as_ref().map(|t| &t.state) {
            if !values.is_empty() {
                text.push(Line::from(""));
                text.push(Line::from(label(
                    "stored (as m3ter keeps it, derived fields included)",
                )));
                text.extend(json_lines(&serde_json::Value::Object(values.clone())));
            }
        }
        if let Some(log) = &self.failure_log {
            text.push(Line::from(""));
            text.push(Line::from(label("event log")));
            match log {
                Ok(body) => text.extend(body.lines().map(|l| Line::from(format!("  {l}")))),
                Err(err) => text.push(Line::from(Span::styled(
                    format!("  cannot fetch the failure log: {err}"),
                    style::error(),
                ))),
            }
        }
        self.scroll.render(frame, area, block, text);
    }
}
