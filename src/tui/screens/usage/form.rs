//! The usage explorer's settings: a period (a preset or a custom from/to), the meters (one, several
//! or every one), an aggregation function per field (none lists the raw measurements), the
//! groupings (account, time and dimension fields together), account codes and dimension filters.
//!
//! The three list settings have a quick form, changed with ←/→ (one meter, one function on every
//! field it fits, one grouping), and a full one edited in a [`super::picker`]; the query they make
//! is built in [`super::query`].

use crate::m3ter::period::{Period, Preset};
use crate::m3ter::{
    AggregationFieldType, AggregationFunction, DataFieldCategory, Meter, TimeFrequency,
};
use crate::tui::widgets::input::TextInput;
use chrono::{DateTime, TimeZone};
use std::collections::{BTreeMap, BTreeSet};

/// One line of the settings pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Period,
    From,
    To,
    Meter,
    Function,
    Group,
    Account,
    Dimension,
}

impl Setting {
    pub fn label(self) -> &'static str {
        match self {
            Self::Period => "Period",
            Self::From => "From",
            Self::To => "To",
            Self::Meter => "Meters",
            Self::Function => "Aggregate",
            Self::Group => "Group by",
            Self::Account => "Accounts",
            Self::Dimension => "Where",
        }
    }

    /// Typed rather than chosen with ←/→.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::From | Self::To | Self::Account | Self::Dimension
        )
    }

    /// Has a picker (Space) for choosing several things.
    pub fn has_picker(self) -> bool {
        matches!(self, Self::Meter | Self::Function | Self::Group)
    }
}

/// A field of a meter: (meter code, field code).
pub type FieldKey = (String, String);

/// A field the explorer can aggregate or group on, with what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    pub key: FieldKey,
    pub name: String,
    pub category: DataFieldCategory,
    pub derived: bool,
}

impl FieldInfo {
    pub fn field_type(&self) -> AggregationFieldType {
        if self.category.is_numeric() {
            AggregationFieldType::Measure
        } else {
            AggregationFieldType::Dimension
        }
    }

    /// WHO, WHERE, WHAT and OTHER fields can be filtered and grouped on (METADATA cannot).
    pub fn is_dimension(&self) -> bool {
        !self.category.is_numeric() && self.category != DataFieldCategory::Metadata
    }
}

/// The aggregations asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Aggs {
    /// One function on every field of the chosen meters it applies to; `None`: no aggregation,
    /// the raw measurements.
    Every(Option<AggregationFunction>),
    /// A function per field; fields of meters not chosen are left out of the query.
    PerField(BTreeMap<FieldKey, AggregationFunction>),
}

/// The groupings asked for (m3ter takes them together).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Groups {
    pub account: bool,
    pub time: Option<TimeFrequency>,
    /// Dimension fields.
    pub fields: BTreeSet<FieldKey>,
}

/// One grouping, as the ←/→ quick form of the Group by setting offers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    None,
    Account,
    Time(TimeFrequency),
    Field(FieldKey),
}

impl Groups {
    pub fn is_empty(&self) -> bool {
        !self.account && self.time.is_none() && self.fields.is_empty()
    }

    /// The single grouping this is, if it is one (or none).
    fn single(&self) -> Option<Group> {
        match (self.account, self.time, self.fields.len()) {
            (false, None, 0) => Some(Group::None),
            (true, None, 0) => Some(Group::Account),
            (false, Some(f), 0) => Some(Group::Time(f)),
            (false, None, 1) => self.fields.iter().next().cloned().map(Group::Field),
            _ => None,
        }
    }

    fn set_single(&mut self, g: Group) {
        *self = Groups::default();
        match g {
            Group::None => {}
            Group::Account => self.account = true,
            Group::Time(f) => self.time = Some(f),
            Group::Field(k) => {
                self.fields.insert(k);
            }
        }
    }
}

pub fn frequency_name(f: TimeFrequency) -> String {
    format!("{f:?}").to_lowercase()
}

#[derive(Debug, Clone)]
pub struct Form {
    pub focus: usize,
    /// `None`: a custom period from [`Form::from`] to [`Form::to`].
    pub preset: Option<Preset>,
    pub from: TextInput,
    pub to: TextInput,
    /// Meter codes; empty: every meter.
    pub meters: BTreeSet<String>,
    pub aggs: Aggs,
    pub groups: Groups,
    /// Account codes, comma-separated.
    pub account: TextInput,
    /// `field=value[,value…]`, several separated by `;`.
    pub dimension: TextInput,
}

impl Form {
    pub fn new(meter: Option<String>, account: Option<String>) -> Self {
        Self {
            focus: 0,
            preset: Some(Preset::Today),
            from: TextInput::default(),
            to: TextInput::default(),
            meters: meter.into_iter().collect(),
            aggs: Aggs::Every(Some(AggregationFunction::Sum)),
            groups: Groups::default(),
            account: TextInput::new(account.unwrap_or_default()),
            dimension: TextInput::default(),
        }
    }

    /// The settings shown, in order (From/To only for a custom period).
    pub fn settings(&self) -> Vec<Setting> {
        let mut s = vec![Setting::Period];
        if self.preset.is_none() {
            s.extend([Setting::From, Setting::To]);
        }
        s.extend([
            Setting::Meter,
            Setting::Function,
            Setting::Group,
            Setting::Account,
            Setting::Dimension,
        ]);
        s
    }

    pub fn focused(&self) -> Setting {
        let s = self.settings();
        s[self.focus.min(s.len() - 1)]
    }

    pub fn move_focus(&mut self, by: isize) {
        let n = self.settings().len() as isize;
        self.focus = (self.focus as isize + by).rem_euclid(n) as usize;
    }

    /// The text input of the focused setting, if it is typed.
    pub fn input_mut(&mut self) -> Option<&mut TextInput> {
        match self.focused() {
            Setting::From => Some(&mut self.from),
            Setting::To => Some(&mut self.to),
            Setting::Account => Some(&mut self.account),
            Setting::Dimension => Some(&mut self.dimension),
            _ => None,
        }
    }

    pub fn input(&self, s: Setting) -> Option<&TextInput> {
        match s {
            Setting::From => Some(&self.from),
            Setting::To => Some(&self.to),
            Setting::Account => Some(&self.account),
            Setting::Dimension => Some(&self.dimension),
            _ => None,
        }
    }

    /// ←/→ on the focused setting: the previous/next option of its quick form.
    pub fn cycle(&mut self, by: isize, meters: &[Meter]) {
        match self.focused() {
            Setting::Period => {
                let mut opts: Vec<Option<Preset>> = Preset::ALL.iter().copied().map(Some).collect();
                opts.push(None);
                self.preset = step(&opts, &self.preset, by);
            }
            Setting::Meter => {
                let mut opts: Vec<Option<String>> = vec![None];
                opts.extend(meters.iter().filter_map(|m| m.code.clone()).map(Some));
                let cur = match self.meters.len() {
                    0 => None,
                    1 => self.meters.iter().next().cloned(),
                    _ => Some(String::new()),
                };
                self.meters = step(&opts, &cur, by).into_iter().collect();
                self.forget_unchosen(meters);
            }
            Setting::Function => {
                let mut opts: Vec<Option<AggregationFunction>> = vec![None];
                opts.extend(AggregationFunction::ALL.iter().copied().map(Some));
                let cur = match &self.aggs {
                    Aggs::Every(f) => *f,
                    Aggs::PerField(_) => None,
                };
                self.aggs = Aggs::Every(step(&opts, &cur, by));
            }
            Setting::Group => {
                let mut opts = vec![Group::None, Group::Account];
                opts.extend(TimeFrequency::ALL.iter().map(|f| Group::Time(*f)));
                opts.extend(
                    self.fields(meters)
                        .into_iter()
                        .filter(FieldInfo::is_dimension)
                        .map(|f| Group::Field(f.key)),
                );
                let cur = self.groups.single().unwrap_or(Group::None);
                self.groups.set_single(step(&opts, &cur, by));
            }
            _ => {}
        }
    }

    /// Drops groupings on fields of meters no longer chosen.
    pub fn forget_unchosen(&mut self, meters: &[Meter]) {
        let keep: BTreeSet<FieldKey> = self.fields(meters).into_iter().map(|f| f.key).collect();
        self.groups.fields.retain(|k| keep.contains(k));
    }

    /// The chosen meters in the order of `meters` (every meter when none is chosen); a chosen
    /// code no meter has is an error naming it.
    pub fn chosen<'m>(&self, meters: &'m [Meter]) -> Result<Vec<&'m Meter>, String> {
        if let Some(code) = self
            .meters
            .iter()
            .find(|c| !meters.iter().any(|m| m.code.as_deref() == Some(c.as_str())))
        {
            return Err(format!("meters: no meter has the code {code:?}"));
        }
        Ok(meters
            .iter()
            .filter(|m| {
                self.meters.is_empty() || m.code.as_ref().is_some_and(|c| self.meters.contains(c))
            })
            .collect())
    }

    /// The data and derived fields of the chosen meters (unknown codes ignored).
    pub fn fields(&self, meters: &[Meter]) -> Vec<FieldInfo> {
        let chosen = self.chosen(meters).unwrap_or_default();
        let mut out = Vec::new();
        for m in chosen {
            let code = m.code.clone().unwrap_or_else(|| m.id.clone());
            for f in &m.data_fields {
                out.push(FieldInfo {
                    key: (code.clone(), f.code.clone()),
                    name: f.name.clone(),
                    category: f.category,
                    derived: false,
                });
            }
            for f in &m.derived_fields {
                out.push(FieldInfo {
                    key: (code.clone(), f.code.clone()),
                    name: f.name.clone(),
                    category: f.category,
                    derived: true,
                });
            }
        }
        out
    }

    /// The function for each field that has one, in field order.
    pub fn functions(&self, meters: &[Meter]) -> Vec<(FieldInfo, AggregationFunction)> {
        self.fields(meters)
            .into_iter()
            .filter_map(|f| {
                let func = match &self.aggs {
                    Aggs::Every(Some(func)) => Some(*func).filter(|x| x.applies_to(f.field_type())),
                    Aggs::Every(None) => None,
                    Aggs::PerField(map) => map.get(&f.key).copied(),
                };
                func.map(|x| (f, x))
            })
            .collect()
    }

    /// Sets (or clears) one field's function; a whole-meter function becomes per field first.
    pub fn set_function(
        &mut self,
        key: &FieldKey,
        func: Option<AggregationFunction>,
        meters: &[Meter],
    ) {
        if let Aggs::Every(_) = self.aggs {
            let map = self
                .functions(meters)
                .into_iter()
                .map(|(f, x)| (f.key, x))
                .collect();
            self.aggs = Aggs::PerField(map);
        }
        if let Aggs::PerField(map) = &mut self.aggs {
            match func {
                Some(x) => map.insert(key.clone(), x),
                None => map.remove(key),
            };
        }
    }

    /// How a field is named to the user: its code, with its meter's when several are in play.
    pub fn field_label(&self, key: &FieldKey, meters: &[Meter]) -> String {
        if self.chosen(meters).map_or(0, |c| c.len()) > 1 {
            format!("{}.{}", key.0, key.1)
        } else {
            key.1.clone()
        }
    }

    /// The value shown for a setting.
    pub fn value(&self, s: Setting, meters: &[Meter]) -> String {
        match s {
            Setting::Period => self
                .preset
                .map_or("custom".into(), |p| p.label().to_string()),
            Setting::From => self.from.value().to_string(),
            Setting::To => self.to.value().to_string(),
            Setting::Meter => match self.meters.len() {
                0 => "every meter".into(),
                1 => self.meters.iter().next().cloned().unwrap_or_default(),
                n => format!(
                    "{n}: {}",
                    self.meters.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            },
            Setting::Function => match &self.aggs {
                Aggs::Every(None) => "none (raw measurements)".into(),
                Aggs::Every(Some(f)) => f.name().to_string(),
                Aggs::PerField(_) => {
                    let fs = self.functions(meters);
                    if fs.is_empty() {
                        "none (raw measurements)".into()
                    } else {
                        fs.iter()
                            .map(|(f, x)| {
                                format!("{}({})", x.name(), self.field_label(&f.key, meters))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                }
            },
            Setting::Group => {
                let mut parts = Vec::new();
                if self.groups.account {
                    parts.push("account".to_string());
                }
                if let Some(f) = self.groups.time {
                    parts.push(format!("time: {}", frequency_name(f)));
                }
                for k in &self.groups.fields {
                    parts.push(format!("field: {}", self.field_label(k, meters)));
                }
                if parts.is_empty() {
                    "nothing".into()
                } else {
                    parts.join(", ")
                }
            }
            Setting::Account => self.account.value().to_string(),
            Setting::Dimension => self.dimension.value().to_string(),
        }
    }

    pub fn period<Tz: TimeZone>(&self, now: &DateTime<Tz>) -> Result<Period, String> {
        match self.preset {
            Some(p) => Ok(p.resolve(now)),
            None => Period::custom(self.from.value(), self.to.value(), &now.timezone()),
        }
    }

    /// The account codes typed (comma-separated, duplicates dropped).
    pub fn account_codes(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.account
            .value()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && seen.insert(c.to_string()))
            .map(String::from)
            .collect()
    }
}

fn step<T: PartialEq + Clone>(opts: &[T], cur: &T, by: isize) -> T {
    let i = opts.iter().position(|o| o == cur).unwrap_or(0) as isize;
    let n = opts.len() as isize;
    opts[(i + by).rem_euclid(n) as usize].clone()
}
