//! Ingest events: every measurement m3ter dropped after accepting it (time, failure type, meter,
//! account, uid), newest first, filterable with `/`. Enter opens one with its failure log; `x`
//! marks it actioned; `h` shows or hides the actioned ones.

use super::event_detail::{mark_actioned, EventDetailScreen, EventRow, MARK_ACTIONED};
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::{Event, EventQuery};
use crate::tui::keys::tables::{FILTERING, LIST_ACTIONS, NAV};
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::explore::ExploreMsg;
use crate::tui::state::{Ctx, Loadable, Msg};
use crate::tui::widgets::list::{column_widths, FilterList, ListEvent};
use crate::tui::widgets::text::cut;
use futures::{StreamExt, TryStreamExt};
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;

/// Most events one load shows (the newest).
pub const EVENTS_MAX: usize = 1000;

const SHOW_ACTIONED: KeyBinding = KeyBinding::new(
    &[Key::ch('h')],
    Action::AutoOnly,
    "actioned",
    "Show or hide the events already actioned",
);
const OWN: &[KeyBinding] = &[MARK_ACTIONED, SHOW_ACTIONED];
const KEYS: Tables = &[NAV, LIST_ACTIONS, OWN];

/// Time, type, meter, account, uid: a cell wider than its column ends in `…`.
const WIDTHS: [Constraint; 5] = [
    Constraint::Length(19),
    Constraint::Length(18),
    Constraint::Fill(2),
    Constraint::Fill(2),
    Constraint::Fill(3),
];

/// Below this width the fixed time and type columns leave the others no room: the time (in the
/// event's detail) gives way and every column shares the width, so the type and uid stay seen.
const NARROW: u16 = 60;
const NARROW_WIDTHS: [Constraint; 5] = [
    Constraint::Length(0),
    Constraint::Fill(3),
    Constraint::Fill(2),
    Constraint::Fill(2),
    Constraint::Fill(3),
];

fn widths(area: Rect) -> &'static [Constraint; 5] {
    if area.width < NARROW {
        &NARROW_WIDTHS
    } else {
        &WIDTHS
    }
}

pub struct EventsScreen {
    rows: Loadable<Vec<EventRow>>,
    list: FilterList,
    include_actioned: bool,
}

impl EventsScreen {
    pub fn new(ctx: &mut Ctx) -> Self {
        let mut s = Self::offline();
        s.load(ctx);
        s
    }

    /// A screen that fetched nothing (tests feed it the events).
    pub fn offline() -> Self {
        Self {
            rows: Loadable::Loading,
            list: FilterList::default(),
            include_actioned: false,
        }
    }

    fn load(&mut self, ctx: &mut Ctx) {
        self.rows = Loadable::Loading;
        let c = ctx.client.clone();
        let query = EventQuery {
            include_actioned: Some(self.include_actioned),
            page_size: Some(100),
            ..EventQuery::ingest_failures()
        };
        ctx.spawn("load events", async move {
            let r = c
                .events(query)
                .take(EVENTS_MAX)
                .try_collect::<Vec<_>>()
                .await
                .map_err(|e| e.to_string());
            Msg::Explore(Box::new(ExploreMsg::Events(r)))
        });
    }

    /// Takes a loaded list (newest first).
    pub fn loaded(&mut self, r: Result<Vec<Event>, String>) {
        self.rows = match r {
            Ok(mut events) => {
                events.sort_by(|a, b| b.event_time.cmp(&a.event_time));
                Loadable::Loaded(events.into_iter().map(EventRow::new).collect())
            }
            Err(e) => Loadable::Failed(e),
        };
        let n = self.visible().len();
        self.list.selected = self.list.selected.min(n.saturating_sub(1));
    }

    fn visible(&self) -> Vec<&EventRow> {
        let rows = self.rows.get().map(Vec::as_slice).unwrap_or_default();
        let hay: Vec<String> = rows.iter().map(|r| r.cells().join(" ")).collect();
        self.list
            .visible(&hay)
            .into_iter()
            .map(|i| &rows[i])
            .collect()
    }
}

impl Screen for EventsScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Events
    }

    fn title(&self) -> String {
        "Ingest events".into()
    }

    fn keys(&self) -> Tables {
        if self.list.typing() {
            &[FILTERING]
        } else {
            KEYS
        }
    }

    fn typing(&self) -> bool {
        self.list.typing()
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        let Msg::Explore(m) = msg else { return };
        match m.as_ref() {
            ExploreMsg::Events(r) => self.loaded(r.clone()),
            ExploreMsg::Actioned { id, result } => match result {
                Ok(_) => {
                    if let Loadable::Loaded(rows) = &mut self.rows {
                        if self.include_actioned {
                            for r in rows.iter_mut().filter(|r| &r.event.id == id) {
                                r.event.dt_actioned = Some(ctx.now());
                            }
                        } else {
                            rows.retain(|r| &r.event.id != id);
                        }
                    }
                    ctx.info("marked actioned");
                }
                Err(e) => ctx.error(format!("cannot mark the event actioned: {e}")),
            },
            _ => {}
        }
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        match input {
            Input::Action(Action::Refresh) => {
                self.load(ctx);
                return Outcome::Consumed;
            }
            Input::Action(Action::AutoOnly) if !self.list.typing() => {
                self.include_actioned = !self.include_actioned;
                self.load(ctx);
                ctx.info(if self.include_actioned {
                    "showing actioned events too"
                } else {
                    "hiding actioned events"
                });
                return Outcome::Consumed;
            }
            Input::Action(Action::MarkActioned) if !self.list.typing() => {
                if let Some(r) = self.visible().get(self.list.selected) {
                    mark_actioned(ctx, r.event.id.clone());
                }
                return Outcome::Consumed;
            }
            _ => {}
        }
        let n = self.visible().len();
        match self.list.update(&input, n) {
            ListEvent::Ignored => Outcome::Ignored,
            ListEvent::Changed => Outcome::Consumed,
            ListEvent::Chosen => match self.visible().get(self.list.selected) {
                Some(r) => Outcome::Push(Box::new(EventDetailScreen::new(ctx, (*r).clone()))),
                None => Outcome::Consumed,
            },
        }
    }

    fn draw(&self, _ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let visible = self.visible();
        let widths = widths(area);
        let w = column_widths(area, widths);
        let rows: Vec<Row> = visible
            .iter()
            .map(|r| {
                let mut row = Row::new(
                    r.cells()
                        .iter()
                        .zip(&w)
                        .map(|(c, w)| Cell::from(cut(c, *w)))
                        .collect::<Vec<_>>(),
                );
                if r.event.dt_actioned.is_some() {
                    row = row.style(crate::tui::style::muted());
                }
                row
            })
            .collect();
        let count = match &self.rows {
            Loadable::Loaded(r) => format!("{} of {}", visible.len(), r.len()),
            _ => String::new(),
        };
        let title = format!(
            "Ingest failures{} · {count}",
            if self.include_actioned {
                " (with actioned)"
            } else {
                ""
            }
        );
        self.list.draw(
            frame,
            area,
            &title,
            Row::new(
                ["Time", "Type", "Meter", "Account", "Uid"]
                    .iter()
                    .zip(&w)
                    .map(|(h, w)| Cell::from(cut(h, *w)))
                    .collect::<Vec<_>>(),
            ),
            rows,
            widths,
            true,
        );
        let note = match &self.rows {
            Loadable::Loading => Some("loading ingest events…".to_string()),
            Loadable::Failed(e) => Some(format!("cannot load the events: {e}  (r to retry)")),
            Loadable::Loaded(r) if r.is_empty() => {
                Some("no ingest failures: every accepted measurement was ingested".to_string())
            }
            _ => None,
        };
        if let Some(note) = note {
            if area.height > 3 && area.width > 4 {
                let r = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
                frame.render_widget(Paragraph::new(note), r);
            }
        }
    }
}
