//! The usage explorer: what m3ter ingested, queried like the Console's Usage Data Explorer.
//! Settings on the left (period, meters, a function per field, groupings, account and dimension
//! filters), the result on the right as a table or a chart (lines over time, bars for one point
//! in time or categories), `hasMoreData` said plainly. Without an aggregation it lists the raw
//! measurements, newest first. Queries run on tasks (a newer query makes an older answer stale);
//! Ctrl+X/F4 exports the result to a CSV file.

mod chart;
mod draw;
pub mod form;
pub mod picker;
pub mod query;

use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::usage_table::UsageTable;
use crate::m3ter::{Meter, UsageQueryResponse};
use crate::tui::keys::tables::{FILTER, FILTERING, NAV};
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::explore::ExploreMsg;
use crate::tui::state::{Ctx, Debounce, Msg};
use crate::tui::widgets::input::TextInput;
use form::Form;
use picker::{PickEvent, PickKind, Picker};
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::Frame;

const RUN: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter), Key::f(5)],
    Action::Choose,
    "run",
    "Run the query",
)
.bar()
.text();
const NEXT_SETTING: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Down), Key::plain(KeyCode::Tab)],
    Action::Down,
    "next",
    "Next setting (or row of the result)",
)
.text();
const PREV_SETTING: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Up), Key::plain(KeyCode::BackTab)],
    Action::Up,
    "previous",
    "Previous setting (or row of the result)",
)
.text();
const OPTION_PREV: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Left)],
    Action::Prev,
    "change",
    "Previous option of the setting (on the result: scroll its columns left)",
)
.bar();
const OPTION_NEXT: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Right)],
    Action::Next,
    "change",
    "Next option of the setting (on the result: scroll its columns right)",
);
pub(super) const PICK: KeyBinding = KeyBinding::new(
    &[Key::ch(' ')],
    Action::Toggle,
    "pick",
    "Meters, Aggregate, Group by: pick several (meters, a function per field, groupings)",
);
const CHART: KeyBinding = KeyBinding::new(
    &[Key::ctrl('g'), Key::f(3)],
    Action::Chart,
    "chart",
    "Show the result as a chart over time, or as a table",
)
.bar()
.text();
const EXPORT: KeyBinding = KeyBinding::new(
    &[Key::ctrl('x'), Key::f(4)],
    Action::Export,
    "export",
    "Export the result to a CSV file",
)
.bar()
.text();
const RESULT_FOCUS: KeyBinding = KeyBinding::new(
    &[Key::ctrl('o'), Key::f(2)],
    Action::FocusNext,
    "result",
    "Move between the settings and the result",
)
.text();
const OWN: &[KeyBinding] = &[
    RUN,
    PREV_SETTING,
    NEXT_SETTING,
    OPTION_PREV,
    OPTION_NEXT,
    PICK,
    CHART,
    EXPORT,
    RESULT_FOCUS,
];
const KEYS: Tables = &[OWN];

const PICKER_OWN: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::ch(' ')],
        Action::Toggle,
        "toggle",
        "Tick or untick the row",
    )
    .bar(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "done",
        "Close the picker (the choice is kept)",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('a')],
        Action::ToggleAll,
        "all/none",
        "Tick every shown row, or untick them all",
    )
    .bar(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Left), Key::ch('h')],
        Action::Prev,
        "change",
        "The row's previous option (a field's function, the time frequency)",
    )
    .bar(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Right), Key::ch('l')],
        Action::Next,
        "change",
        "The row's next option",
    ),
    FILTER,
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc), Key::ch('q')],
        Action::Back,
        "done",
        "Clear the filter, or close the picker (the choice is kept)",
    ),
];
const PICKER_KEYS: Tables = &[PICKER_OWN, NAV];
const PICKER_FILTERING: Tables = &[FILTERING];

const PROMPT_KEYS: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "write",
        "Write the CSV file",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "cancel",
        "Do not write",
    )
    .bar()
    .text(),
];

/// The last answer.
#[derive(Debug, Clone)]
pub enum QueryState {
    /// `aggregated`: the query had aggregations (its text columns are group keys).
    Running {
        aggregated: bool,
    },
    Done {
        table: UsageTable,
        has_more: bool,
        aggregated: bool,
    },
    Failed(String),
    /// The form makes no query (e.g. a grouping with Aggregate none): the last result no longer
    /// matches the settings, so it gives way to the reason.
    Refused(String),
}

pub struct UsageScreen {
    pub form: Form,
    result: Option<QueryState>,
    chart: bool,
    /// Focus on the result (scrolling its rows) rather than the settings.
    on_result: bool,
    row: usize,
    /// The first result column shown (←/→ on the result scroll through wide tables).
    col: usize,
    gen: Debounce,
    export: Option<TextInput>,
    picker: Option<Picker>,
}

impl UsageScreen {
    /// Opened for a meter and/or an account code; runs the default query (today, sum) at once.
    pub fn new(ctx: &mut Ctx, meter: Option<String>, account: Option<String>) -> Self {
        let mut s = Self::offline(meter, account);
        s.run(ctx);
        s
    }

    pub fn offline(meter: Option<String>, account: Option<String>) -> Self {
        Self {
            form: Form::new(meter, account),
            result: None,
            chart: false,
            on_result: false,
            row: 0,
            col: 0,
            gen: Debounce::default(),
            export: None,
            picker: None,
        }
    }

    /// Takes an answer (tests feed them directly). Columns named after a meter id
    /// (`sum(gb)@<id>`, two meters' fields of one name) get the meter's code instead.
    pub fn answered(&mut self, r: Result<UsageQueryResponse, String>, meters: &[Meter]) {
        self.row = 0;
        self.col = 0;
        let aggregated = match &self.result {
            Some(QueryState::Running { aggregated }) => *aggregated,
            _ => true,
        };
        self.result = Some(match r {
            Ok(resp) => {
                let mut table = UsageTable::from_rows(&resp.data);
                table.ids_last();
                table.rename_columns(|c| {
                    let (base, id) = c.rsplit_once('@')?;
                    let m = meters.iter().find(|m| m.id == id)?;
                    Some(format!("{base}@{}", m.code.as_deref()?))
                });
                QueryState::Done {
                    table,
                    has_more: resp.has_more_data,
                    aggregated,
                }
            }
            Err(e) => QueryState::Failed(e),
        });
    }

    fn run(&mut self, ctx: &mut Ctx) {
        let meters = ctx.meters.get().cloned().unwrap_or_default();
        let now = (ctx.clock)().with_timezone(&chrono::Local);
        // Accounts are typed as codes; the query takes their ids (looked up on the task).
        let query = match self.form.query(&now, &meters, Vec::new()) {
            Ok(q) => q,
            Err(e) => {
                // An answer still on its way is for other settings: it is dropped too.
                self.gen.arm();
                self.row = 0;
                self.col = 0;
                self.result = Some(QueryState::Refused(e.clone()));
                ctx.error(e);
                return;
            }
        };
        let accounts = self.form.account_codes();
        let gen = self.gen.arm();
        self.result = Some(QueryState::Running {
            aggregated: !query.aggregations.is_empty(),
        });
        let c = ctx.client.clone();
        ctx.spawn("usage query", async move {
            let result = async {
                let mut query = query;
                for code in accounts {
                    match c.account_by_code(&code).await? {
                        Some(a) => query.account_ids.push(a.id),
                        None => {
                            return Ok(Err(format!("accounts: no account has the code {code:?}")))
                        }
                    }
                }
                c.usage_query(&query).await.map(Ok)
            }
            .await
            .map_err(|e: crate::m3ter::Error| e.to_string())
            .and_then(|r| r);
            Msg::Explore(Box::new(ExploreMsg::Usage { gen, result }))
        });
    }

    fn table(&self) -> Option<&UsageTable> {
        match &self.result {
            Some(QueryState::Done { table, .. }) => Some(table),
            _ => None,
        }
    }

    /// The picker, while one is open (tests look at it).
    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    fn update_export(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        let Some(prompt) = &mut self.export else {
            return Outcome::Ignored;
        };
        match input {
            Input::Action(Action::Choose) => {
                let path = prompt.value().to_string();
                if let Some(t) = self.table() {
                    let csv = t.to_csv();
                    ctx.write_user_file("usage export", &path, csv);
                }
                self.export = None;
            }
            Input::Action(Action::Back) => self.export = None,
            Input::Key(k) => {
                prompt.handle_key(&k);
            }
            Input::Paste(s) => prompt.insert(&s),
            _ => {}
        }
        Outcome::Consumed
    }
}

impl Screen for UsageScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Usage
    }

    fn title(&self) -> String {
        "Usage".into()
    }

    fn keys(&self) -> Tables {
        if self.export.is_some() {
            &[PROMPT_KEYS]
        } else if let Some(p) = &self.picker {
            if p.typing() {
                PICKER_FILTERING
            } else {
                PICKER_KEYS
            }
        } else {
            KEYS
        }
    }

    fn typing(&self) -> bool {
        if let Some(p) = &self.picker {
            return p.typing();
        }
        self.export.is_some() || (!self.on_result && self.form.focused().is_text())
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        let Msg::Explore(m) = msg else { return };
        match m.as_ref() {
            ExploreMsg::Usage { gen, result } if self.gen.due(*gen) => {
                let meters = ctx.meters.get().cloned().unwrap_or_default();
                self.answered(result.clone(), &meters)
            }
            ExploreMsg::Written { what, result } if what == "usage export" => match result {
                Ok(p) => ctx.info(format!("exported to {}", p.display())),
                Err(e) => ctx.error(format!("not exported: {e}")),
            },
            _ => {}
        }
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if self.export.is_some() {
            return self.update_export(ctx, input);
        }
        let meters = ctx.meters.get().cloned().unwrap_or_default();
        if let Some(p) = &mut self.picker {
            match p.update(&input) {
                PickEvent::Ignored => return Outcome::Ignored,
                PickEvent::Moved => {}
                PickEvent::Changed => self.form.take_picked(p, &meters),
                PickEvent::Close => self.picker = None,
            }
            return Outcome::Consumed;
        }
        let rows = self.table().map_or(0, |t| t.rows.len());
        let cols = self.table().map_or(0, |t| t.columns.len());
        match input {
            Input::Action(Action::Choose) => self.run(ctx),
            Input::Action(Action::FocusNext) => self.on_result = !self.on_result,
            Input::Action(Action::Down) if self.on_result => {
                self.row = (self.row + 1).min(rows.saturating_sub(1))
            }
            Input::Action(Action::Up) if self.on_result => self.row = self.row.saturating_sub(1),
            Input::Action(Action::Down) => self.form.move_focus(1),
            Input::Action(Action::Up) => self.form.move_focus(-1),
            Input::Action(Action::Prev) if self.on_result => self.col = self.col.saturating_sub(1),
            Input::Action(Action::Next) if self.on_result => {
                self.col = (self.col + 1).min(cols.saturating_sub(1))
            }
            Input::Action(Action::Prev) => self.form.cycle(-1, &meters),
            Input::Action(Action::Next) => self.form.cycle(1, &meters),
            Input::Action(Action::Toggle) if !self.on_result => {
                let kind = match self.form.focused() {
                    form::Setting::Meter => PickKind::Meters,
                    form::Setting::Function => PickKind::Functions,
                    form::Setting::Group => PickKind::Groups,
                    _ => return Outcome::Ignored,
                };
                let p = Picker::open(kind, &self.form, &meters);
                if p.rows.is_empty() {
                    ctx.error(match kind {
                        PickKind::Meters => "meters: no meter is loaded yet",
                        _ => "no field to pick: the chosen meters have none",
                    });
                } else {
                    self.picker = Some(p);
                }
            }
            Input::Action(Action::Chart) => self.chart = !self.chart,
            Input::Action(Action::Export) => {
                if self.table().is_some_and(|t| !t.is_empty()) {
                    self.export = Some(TextInput::new("usage.csv"));
                } else {
                    ctx.error("nothing to export: run a query that returns rows");
                }
            }
            Input::Key(k) if !self.on_result => match self.form.input_mut() {
                Some(inp) => {
                    if !inp.handle_key(&k) {
                        return Outcome::Ignored;
                    }
                }
                None => return Outcome::Ignored,
            },
            Input::Paste(s) if !self.on_result => match self.form.input_mut() {
                Some(inp) => inp.insert(&s),
                None => return Outcome::Ignored,
            },
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        draw::draw(self, ctx, frame, area);
    }
}
