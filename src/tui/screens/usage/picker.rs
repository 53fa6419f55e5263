//! The explorer's multi-select: the meters, a function per field, or the groupings, one row each.
//! Space toggles a row, ←/→ steps through its options (a field's functions, the time
//! frequencies), `a` turns every shown row on or off, `/` filters; Enter or Esc closes it. Every
//! change goes straight back into the form.

use super::form::{frequency_name, FieldInfo, FieldKey, Form};
use crate::m3ter::{AggregationFunction, Meter, TimeFrequency};
use crate::tui::keys::{Action, Input};
use crate::tui::style;
use crate::tui::widgets::list::{FilterList, ListEvent};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    Meters,
    Functions,
    Groups,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Meter(String),
    Function(FieldKey),
    GroupAccount,
    GroupTime,
    GroupField(FieldKey),
}

#[derive(Debug, Clone)]
pub struct PickRow {
    pub key: RowKey,
    pub label: String,
    pub detail: String,
    /// `options[0]` is off.
    pub options: Vec<String>,
    pub current: usize,
}

impl PickRow {
    fn toggle_only(&self) -> bool {
        self.options.len() == 2
    }

    fn shown(&self, selected: bool) -> String {
        if self.toggle_only() {
            if self.current == 1 { "[x]" } else { "[ ]" }.into()
        } else if selected {
            format!("◀ {} ▶", self.options[self.current])
        } else {
            self.options[self.current].clone()
        }
    }
}

/// What a key did to the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickEvent {
    Ignored,
    Moved,
    /// A row's option changed: the form must take the rows.
    Changed,
    Close,
}

const OFF: &str = "—";

#[derive(Debug)]
pub struct Picker {
    pub kind: PickKind,
    pub rows: Vec<PickRow>,
    pub list: FilterList,
}

impl Picker {
    pub fn open(kind: PickKind, form: &Form, meters: &[Meter]) -> Self {
        let toggle = |on: bool| (vec![String::new(), "✓".into()], usize::from(on));
        let mut rows = Vec::new();
        match kind {
            PickKind::Meters => {
                for m in meters {
                    let Some(code) = m.code.clone() else { continue };
                    let (options, current) = toggle(form.meters.contains(&code));
                    rows.push(PickRow {
                        key: RowKey::Meter(code.clone()),
                        label: code,
                        detail: m.name.clone().unwrap_or_default(),
                        options,
                        current,
                    });
                }
            }
            PickKind::Functions => {
                let chosen: BTreeMap<FieldKey, AggregationFunction> = form
                    .functions(meters)
                    .into_iter()
                    .map(|(f, x)| (f.key, x))
                    .collect();
                for f in form.fields(meters) {
                    let mut options = vec![OFF.to_string()];
                    options.extend(
                        AggregationFunction::ALL
                            .iter()
                            .filter(|x| x.applies_to(f.field_type()))
                            .map(|x| x.name().to_string()),
                    );
                    let current = chosen
                        .get(&f.key)
                        .and_then(|x| options.iter().position(|o| o == x.name()))
                        .unwrap_or(0);
                    rows.push(PickRow {
                        label: form.field_label(&f.key, meters),
                        detail: describe(&f),
                        key: RowKey::Function(f.key),
                        options,
                        current,
                    });
                }
            }
            PickKind::Groups => {
                let (options, current) = toggle(form.groups.account);
                rows.push(PickRow {
                    key: RowKey::GroupAccount,
                    label: "account".into(),
                    detail: "one row per account".into(),
                    options,
                    current,
                });
                let mut options = vec![OFF.to_string()];
                options.extend(TimeFrequency::ALL.iter().map(|f| frequency_name(*f)));
                rows.push(PickRow {
                    key: RowKey::GroupTime,
                    label: "time".into(),
                    detail: "one row per period".into(),
                    current: form.groups.time.map_or(0, |f| {
                        1 + TimeFrequency::ALL.iter().position(|x| *x == f).unwrap_or(0)
                    }),
                    options,
                });
                for f in form
                    .fields(meters)
                    .into_iter()
                    .filter(FieldInfo::is_dimension)
                {
                    let (options, current) = toggle(form.groups.fields.contains(&f.key));
                    rows.push(PickRow {
                        label: form.field_label(&f.key, meters),
                        detail: describe(&f),
                        key: RowKey::GroupField(f.key),
                        options,
                        current,
                    });
                }
            }
        }
        Self {
            kind,
            rows,
            list: FilterList::default(),
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            PickKind::Meters => "Meters (none ticked: every meter)",
            PickKind::Functions => "Aggregate: a function per field (none: raw measurements)",
            PickKind::Groups => "Group by (together)",
        }
    }

    fn visible(&self) -> Vec<usize> {
        let hay: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("{} {}", r.label, r.detail))
            .collect();
        self.list.visible(&hay)
    }

    pub fn typing(&self) -> bool {
        self.list.typing()
    }

    pub fn update(&mut self, input: &Input) -> PickEvent {
        let visible = self.visible();
        let row = visible.get(self.list.selected).copied();
        if !self.list.typing() {
            match input {
                Input::Action(Action::Toggle) => {
                    let Some(r) = row else {
                        return PickEvent::Moved;
                    };
                    let r = &mut self.rows[r];
                    r.current = usize::from(r.current == 0);
                    return PickEvent::Changed;
                }
                Input::Action(a @ (Action::Prev | Action::Next)) => {
                    let Some(r) = row else {
                        return PickEvent::Moved;
                    };
                    let r = &mut self.rows[r];
                    let n = r.options.len();
                    r.current = if *a == Action::Next {
                        (r.current + 1) % n
                    } else {
                        (r.current + n - 1) % n
                    };
                    return PickEvent::Changed;
                }
                Input::Action(Action::ToggleAll) => {
                    let all_on = visible.iter().all(|&i| self.rows[i].current != 0);
                    for i in visible {
                        let r = &mut self.rows[i];
                        if all_on {
                            r.current = 0;
                        } else if r.current == 0 {
                            r.current = 1;
                        }
                    }
                    return PickEvent::Changed;
                }
                Input::Action(Action::Choose) => return PickEvent::Close,
                Input::Action(Action::Back) if self.list.filter.value().is_empty() => {
                    return PickEvent::Close
                }
                _ => {}
            }
        }
        match self.list.update(input, visible.len()) {
            ListEvent::Ignored => PickEvent::Ignored,
            ListEvent::Changed => PickEvent::Moved,
            // Enter closes; a click on the selected row toggles it.
            ListEvent::Chosen => match input {
                Input::Mouse(_) => self.update(&Input::Action(Action::Toggle)),
                _ => PickEvent::Close,
            },
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let visible = self.visible();
        let label_w = visible
            .iter()
            .map(|&i| self.rows[i].label.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 32) as u16;
        let rows: Vec<Row> = visible
            .iter()
            .enumerate()
            .map(|(n, &i)| {
                let r = &self.rows[i];
                let value = r.shown(n == self.list.selected);
                let value = if r.current == 0 {
                    Span::styled(value, style::muted())
                } else {
                    Span::styled(value, style::accent())
                };
                Row::new([
                    Cell::from(Line::from(value)),
                    Cell::from(r.label.clone()),
                    Cell::from(Span::styled(r.detail.clone(), style::muted())),
                ])
            })
            .collect();
        let header = Row::new(match self.kind {
            PickKind::Meters => ["", "meter", "name"],
            PickKind::Functions => ["function", "field", "type · name"],
            PickKind::Groups => ["", "group by", ""],
        });
        self.list.draw(
            frame,
            area,
            self.title(),
            header,
            rows,
            &[
                Constraint::Length(12),
                Constraint::Length(label_w),
                Constraint::Fill(1),
            ],
            true,
        );
    }
}

fn describe(f: &FieldInfo) -> String {
    format!(
        "{}{} · {}",
        f.category.as_str(),
        if f.derived { " derived" } else { "" },
        f.name
    )
}

impl Form {
    /// Takes the rows of a picker after a change.
    pub fn take_picked(&mut self, p: &Picker, meters: &[Meter]) {
        match p.kind {
            PickKind::Meters => {
                self.meters = p
                    .rows
                    .iter()
                    .filter(|r| r.current != 0)
                    .filter_map(|r| match &r.key {
                        RowKey::Meter(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect();
                self.forget_unchosen(meters);
            }
            PickKind::Functions => {
                let map = p
                    .rows
                    .iter()
                    .filter_map(|r| match &r.key {
                        RowKey::Function(k) => AggregationFunction::parse(&r.options[r.current])
                            .map(|x| (k.clone(), x)),
                        _ => None,
                    })
                    .collect();
                self.aggs = super::form::Aggs::PerField(map);
            }
            PickKind::Groups => {
                let mut fields = BTreeSet::new();
                for r in &p.rows {
                    match &r.key {
                        RowKey::GroupAccount => self.groups.account = r.current != 0,
                        RowKey::GroupTime => {
                            self.groups.time = r
                                .current
                                .checked_sub(1)
                                .and_then(|i| TimeFrequency::ALL.get(i).copied())
                        }
                        RowKey::GroupField(k) if r.current != 0 => {
                            fields.insert(k.clone());
                        }
                        _ => {}
                    }
                }
                self.groups.fields = fields;
            }
        }
    }
}
