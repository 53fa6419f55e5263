//! One ingest failure: the event, and the failure log m3ter keeps for it (the error and the
//! original measurement), downloaded through its signed link. `e` loads that measurement into
//! the Advanced editor of its meter to fix and send again — with the same uid, which m3ter
//! allows since a failed measurement was never ingested.

use super::submit::SubmitScreen;
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::{Event, IngestFailure, Meter};
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::explore::ExploreMsg;
use crate::tui::state::{Ctx, Msg};
use crate::tui::style;
use crate::tui::widgets::scroll::{self, Scroll};
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use ratatui::Frame;
use serde_json::Value;

pub const MARK_ACTIONED: KeyBinding = KeyBinding::new(
    &[Key::ch('x')],
    Action::MarkActioned,
    "actioned",
    "Mark the event as actioned (followed up)",
)
.bar();

/// One event, read for the list.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub event: Event,
    pub failure: IngestFailure,
}

impl EventRow {
    pub fn new(event: Event) -> Self {
        let failure = event.ingest_failure().unwrap_or_default();
        Self { event, failure }
    }

    /// Time, type, meter, account, uid: the list's columns.
    pub fn cells(&self) -> [String; 5] {
        [
            short_time(self.event.event_time.as_deref().unwrap_or("")),
            self.failure.failure_type.clone(),
            self.failure.meter.clone().unwrap_or_default(),
            self.failure.account.clone().unwrap_or_default(),
            self.failure.uid.clone().unwrap_or_default(),
        ]
    }
}

/// `2026-11-25T09:01:02.123Z` → `2026-11-25 09:01:02`
pub fn short_time(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => t.to_string(),
    }
}

/// Marks event `id` actioned on a task; the answer is [`ExploreMsg::Actioned`].
pub fn mark_actioned(ctx: &mut Ctx, id: String) {
    let c = ctx.client.clone();
    ctx.spawn("mark actioned", async move {
        let result = c.mark_event_actioned(&id).await.map_err(|e| e.to_string());
        Msg::Explore(Box::new(ExploreMsg::Actioned { id, result }))
    });
}

const FIX: KeyBinding = KeyBinding::new(
    &[Key::ch('e')],
    Action::Edit,
    "fix & resend",
    "Load the measurement into the Advanced editor of its meter (same uid)",
)
.bar();
const COPY_UID: KeyBinding =
    KeyBinding::new(&[Key::ch('y')], Action::CopyUid, "copy uid", "Copy the uid");
const COPY_JSON: KeyBinding = KeyBinding::new(
    &[Key::ch('Y')],
    Action::CopyJson,
    "copy JSON",
    "Copy the original measurement's JSON",
);
const OWN: &[KeyBinding] = &[FIX, MARK_ACTIONED, COPY_UID, COPY_JSON];
const KEYS: Tables = &[OWN, scroll::KEYS];

pub struct EventDetailScreen {
    row: EventRow,
    log: Option<Result<String, String>>,
    scroll: Scroll,
}

impl EventDetailScreen {
    pub fn new(ctx: &mut Ctx, row: EventRow) -> Self {
        ctx.fetch_failure_log(row.event.id.clone(), row.failure.get_download_url.clone());
        Self::offline(row)
    }

    pub fn offline(row: EventRow) -> Self {
        Self {
            row,
            log: None,
            scroll: Scroll::default(),
        }
    }

    /// The original measurement, from the downloaded log.
    fn measurement(&self) -> Option<Value> {
        let text = self.log.as_ref()?.as_ref().ok()?;
        let v: Value = serde_json::from_str(text).ok()?;
        v.get("measurement").cloned()
    }

    fn fix(&self, ctx: &mut Ctx) -> Outcome {
        let Some(m) = self.measurement() else {
            ctx.error("the failure log is not here yet: nothing to load");
            return Outcome::Consumed;
        };
        let code = m
            .get("meter")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let meters: Vec<Meter> = ctx.meters.get().cloned().unwrap_or_default();
        let meter = meters
            .iter()
            .find(|x| x.code.as_deref() == Some(code.as_str()))
            .or_else(|| meters.first())
            .cloned();
        let Some(meter) = meter else {
            ctx.error("no meters are loaded: cannot open the editor");
            return Outcome::Consumed;
        };
        let known = meter.code.as_deref() == Some(code.as_str());
        let mut screen = SubmitScreen::new(ctx, meter.clone());
        // Dropped measurements were never ingested: the same uid is free, except after a
        // DuplicateUid, whose uid another measurement holds.
        let (new_uid, why) = if self.row.failure.failure_type == "DuplicateUid" {
            (
                true,
                "Dropped by m3ter as a DuplicateUid: it gets a new uid (the old one is taken).",
            )
        } else {
            (false, "Dropped by m3ter, never ingested: it keeps its uid.")
        };
        screen.offer(ctx, m, new_uid, why.to_string());
        if !known {
            ctx.error(format!(
                "meter {code:?} does not exist: opened {}; fix the meter code before sending",
                meter.code.as_deref().unwrap_or("")
            ));
        }
        Outcome::Push(Box::new(screen))
    }
}

fn label(name: &str) -> Span<'static> {
    Span::raw(format!("{name:<10}")).dim()
}

impl Screen for EventDetailScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::EventDetail
    }

    fn title(&self) -> String {
        format!("Event {}", self.row.failure.failure_type)
    }

    fn keys(&self) -> Tables {
        KEYS
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        let Msg::Explore(m) = msg else { return };
        match m.as_ref() {
            ExploreMsg::FailureLog { event_id, result } if *event_id == self.row.event.id => {
                self.log = Some(result.clone())
            }
            ExploreMsg::Actioned { id, result: Ok(_) } if *id == self.row.event.id => {
                self.row.event.dt_actioned = Some(ctx.now())
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
        match a {
            a if self.scroll.apply(a) => {}
            Action::Edit => return self.fix(ctx),
            Action::MarkActioned => mark_actioned(ctx, self.row.event.id.clone()),
            Action::CopyUid => {
                let uid = self.row.failure.uid.clone().unwrap_or_default();
                ctx.copy(uid.clone());
                ctx.info(format!("copied uid {uid}"));
            }
            Action::CopyJson => match self.measurement() {
                Some(m) => {
                    ctx.copy(serde_json::to_string_pretty(&m).unwrap_or_default());
                    ctx.info("copied the original measurement");
                }
                None => ctx.error("the failure log is not here yet"),
            },
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn draw(&self, _ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let f = &self.row.failure;
        let e = &self.row.event;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut text = vec![
            Line::from(vec![
                label("type"),
                Span::styled(f.failure_type.clone(), style::error()),
            ]),
            Line::from(vec![label("message"), Span::raw(f.message.clone())]),
            Line::from(vec![
                label("time"),
                Span::raw(short_time(e.event_time.as_deref().unwrap_or(""))),
            ]),
            Line::from(vec![label("meter"), Span::raw(opt(&f.meter))]),
            Line::from(vec![label("account"), Span::raw(opt(&f.account))]),
            Line::from(vec![label("uid"), Span::raw(opt(&f.uid))]),
            Line::from(vec![label("event"), Span::raw(e.id.clone())]),
            Line::from(vec![
                label("actioned"),
                Span::raw(e.dt_actioned.clone().unwrap_or_else(|| "no".into())),
            ]),
            Line::from(""),
            Line::from(label("failure log")),
        ];
        match &self.log {
            None => text.push(Line::from("  downloading…").dim()),
            Some(Err(err)) => text.push(Line::from(Span::styled(
                format!("  cannot download the failure log: {err}"),
                style::error(),
            ))),
            Some(Ok(body)) => text.extend(body.lines().map(|l| Line::from(format!("  {l}")))),
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(true))
            .title(" Ingest failure ");
        self.scroll.render(frame, area, block, text);
    }
}
