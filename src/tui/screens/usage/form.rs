//! The usage explorer's settings and the usage query they make: a period (a preset or a custom
//! from/to), a meter (or every meter), an aggregation function applied to every field it fits
//! (none lists the raw measurements), a grouping, and account and dimension filters.

use crate::m3ter::period::{Period, Preset};
use crate::m3ter::{
    Aggregation, AggregationFieldType, AggregationFunction, DimensionFilter, Meter, TimeFrequency,
    UsageGroup, UsageQuery,
};
use crate::tui::widgets::input::TextInput;
use chrono::{DateTime, TimeZone};

/// Rows the explorer asks for (m3ter returns at most 20,000).
pub const ROWS_LIMIT: u32 = 5000;

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
            Self::Meter => "Meter",
            Self::Function => "Aggregate",
            Self::Group => "Group by",
            Self::Account => "Account",
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
}

/// A grouping of aggregated rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    None,
    Account,
    Time(TimeFrequency),
    /// A dimension field of the chosen meter.
    Field(String),
}

impl Group {
    pub fn label(&self) -> String {
        match self {
            Self::None => "nothing".into(),
            Self::Account => "account".into(),
            Self::Time(f) => format!("time: {}", format!("{f:?}").to_lowercase()),
            Self::Field(c) => format!("field: {c}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub focus: usize,
    /// `None`: a custom period from [`Form::from`] to [`Form::to`].
    pub preset: Option<Preset>,
    pub from: TextInput,
    pub to: TextInput,
    /// Meter code; `None`: every meter.
    pub meter: Option<String>,
    /// `None`: no aggregation, the raw measurements.
    pub function: Option<AggregationFunction>,
    pub group: Group,
    /// An account code.
    pub account: TextInput,
    /// `field=value[,value…]`.
    pub dimension: TextInput,
}

impl Form {
    pub fn new(meter: Option<String>, account: Option<String>) -> Self {
        Self {
            focus: 0,
            preset: Some(Preset::Today),
            from: TextInput::default(),
            to: TextInput::default(),
            meter,
            function: Some(AggregationFunction::Sum),
            group: Group::None,
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

    /// ←/→ on the focused setting: the previous/next option.
    pub fn cycle(&mut self, by: isize, meters: &[Meter]) {
        match self.focused() {
            Setting::Period => {
                let mut opts: Vec<Option<Preset>> = Preset::ALL.iter().copied().map(Some).collect();
                opts.push(None);
                self.preset = step(&opts, &self.preset, by);
                if self.preset.is_none() && self.from.value().is_empty() {
                    self.from.set("");
                }
            }
            Setting::Meter => {
                let mut opts: Vec<Option<String>> = vec![None];
                opts.extend(meters.iter().filter_map(|m| m.code.clone()).map(Some));
                self.meter = step(&opts, &self.meter, by);
                if let Group::Field(_) = self.group {
                    self.group = Group::None;
                }
            }
            Setting::Function => {
                let mut opts: Vec<Option<AggregationFunction>> = vec![None];
                opts.extend(AggregationFunction::ALL.iter().copied().map(Some));
                self.function = step(&opts, &self.function, by);
            }
            Setting::Group => {
                let mut opts = vec![Group::None, Group::Account];
                opts.extend(TimeFrequency::ALL.iter().map(|f| Group::Time(*f)));
                if let Some(m) = self.meter_of(meters) {
                    opts.extend(
                        m.data_fields
                            .iter()
                            .filter(|f| !f.category.is_numeric())
                            .map(|f| Group::Field(f.code.clone())),
                    );
                }
                self.group = step(&opts, &self.group, by);
            }
            _ => {}
        }
    }

    pub fn meter_of<'m>(&self, meters: &'m [Meter]) -> Option<&'m Meter> {
        let code = self.meter.as_deref()?;
        meters.iter().find(|m| m.code.as_deref() == Some(code))
    }

    /// The value shown for a setting.
    pub fn value(&self, s: Setting) -> String {
        match s {
            Setting::Period => self
                .preset
                .map_or("custom".into(), |p| p.label().to_string()),
            Setting::From => self.from.value().to_string(),
            Setting::To => self.to.value().to_string(),
            Setting::Meter => self.meter.clone().unwrap_or_else(|| "every meter".into()),
            Setting::Function => self
                .function
                .map_or("none (raw measurements)".into(), |f| f.name().to_string()),
            Setting::Group => self.group.label(),
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

    /// The usage query; `account_id` is the id of the typed account code (looked up by the
    /// caller). Errors say which setting is wrong.
    pub fn query<Tz: TimeZone>(
        &self,
        now: &DateTime<Tz>,
        meters: &[Meter],
        account_id: Option<String>,
    ) -> Result<UsageQuery, String> {
        let period = self.period(now)?;
        let chosen: Vec<&Meter> = match &self.meter {
            Some(code) => vec![self
                .meter_of(meters)
                .ok_or_else(|| format!("meter: no meter has the code {code:?}"))?],
            None => meters.iter().collect(),
        };
        let mut q = UsageQuery {
            start_date: Some(period.start_date()),
            end_date: Some(period.end_date()),
            meter_ids: if self.meter.is_some() {
                chosen.iter().map(|m| m.id.clone()).collect()
            } else {
                Vec::new()
            },
            account_ids: account_id.into_iter().collect(),
            limit: Some(ROWS_LIMIT),
            ..Default::default()
        };
        if let Some(f) = self.function {
            for m in &chosen {
                for field in &m.data_fields {
                    let t = if field.category.is_numeric() {
                        AggregationFieldType::Measure
                    } else {
                        AggregationFieldType::Dimension
                    };
                    if f.applies_to(t) {
                        q.aggregations.push(Aggregation {
                            meter_id: m.id.clone(),
                            field_code: field.code.clone(),
                            field_type: t,
                            function: f,
                        });
                    }
                }
            }
            if q.aggregations.is_empty() {
                return Err(format!(
                    "aggregate: no field of {} takes {}",
                    self.value(Setting::Meter),
                    f.name()
                ));
            }
            match &self.group {
                Group::None => {}
                Group::Account => q.groups.push(UsageGroup::Account),
                Group::Time(frequency) => q.groups.push(UsageGroup::Time {
                    frequency: *frequency,
                }),
                Group::Field(code) => {
                    for m in &chosen {
                        q.groups.push(UsageGroup::Dimension {
                            meter_id: m.id.clone(),
                            field_code: code.clone(),
                        });
                    }
                }
            }
        } else if self.group != Group::None {
            return Err(
                "group by: choose an aggregation first (raw measurements are not grouped)".into(),
            );
        }
        let dim = self.dimension.value().trim();
        if !dim.is_empty() {
            let (field, values) = dim
                .split_once('=')
                .ok_or_else(|| format!("where: {dim:?} is not field=value[,value…]"))?;
            let field = field.trim();
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(format!("where: no value for {field}"));
            }
            for m in &chosen {
                if m.data_fields
                    .iter()
                    .any(|f| f.code == field && !f.category.is_numeric())
                {
                    q.dimension_filters.push(DimensionFilter {
                        meter_id: m.id.clone(),
                        field_code: field.to_string(),
                        values: values.clone(),
                    });
                }
            }
            if q.dimension_filters.is_empty() {
                return Err(format!(
                    "where: {field} is not a dimension field of {}",
                    self.value(Setting::Meter)
                ));
            }
        }
        Ok(q)
    }
}

fn step<T: PartialEq + Clone>(opts: &[T], cur: &T, by: isize) -> T {
    let i = opts.iter().position(|o| o == cur).unwrap_or(0) as isize;
    let n = opts.len() as isize;
    opts[(i + by).rem_euclid(n) as usize].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::{DataField, DataFieldCategory};
    use chrono::Utc;

    fn meters() -> Vec<Meter> {
        let f = |category, code: &str| DataField {
            category,
            code: code.into(),
            name: code.into(),
            unit: None,
        };
        vec![Meter {
            id: "m1".into(),
            code: Some("api".into()),
            data_fields: vec![
                f(DataFieldCategory::Measure, "calls"),
                f(DataFieldCategory::Where, "region"),
            ],
            ..Default::default()
        }]
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T13:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn sum_per_day_for_one_meter_and_account() {
        let mut f = Form::new(Some("api".into()), None);
        f.group = Group::Time(TimeFrequency::Day);
        f.dimension.set("region=eu, us");
        let q = f.query(&now(), &meters(), Some("acc1".into())).unwrap();
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(v["startDate"], "2026-11-25T00:00:00.000Z");
        assert_eq!(v["meterIds"][0], "m1");
        assert_eq!(v["accountIds"][0], "acc1");
        assert_eq!(
            v["aggregations"].as_array().unwrap().len(),
            1,
            "SUM only fits calls"
        );
        assert_eq!(v["aggregations"][0]["fieldCode"], "calls");
        assert_eq!(v["groups"][0]["frequency"], "DAY");
        assert_eq!(v["dimensionFilters"][0]["values"][1], "us");
    }

    #[test]
    fn raw_list_has_no_aggregations_and_refuses_a_group() {
        let mut f = Form::new(None, None);
        f.function = None;
        let q = f.query(&now(), &meters(), None).unwrap();
        assert!(q.aggregations.is_empty() && q.meter_ids.is_empty());
        f.group = Group::Account;
        let e = f.query(&now(), &meters(), None).unwrap_err();
        assert!(e.starts_with("group by:"), "{e}");
    }

    #[test]
    fn errors_name_the_setting() {
        let mut f = Form::new(Some("api".into()), None);
        f.dimension.set("calls=3");
        assert!(f
            .query(&now(), &meters(), None)
            .unwrap_err()
            .starts_with("where:"));
        f.dimension.set("");
        f.preset = None;
        f.from.set("last week");
        assert!(f
            .query(&now(), &meters(), None)
            .unwrap_err()
            .starts_with("from:"));
    }

    #[test]
    fn cycling_walks_the_options_and_custom_shows_from_to() {
        let mut f = Form::new(None, None);
        let ms = meters();
        f.cycle(-1, &ms);
        assert_eq!(f.preset, None, "before Today comes custom (wraps)");
        assert_eq!(f.settings()[1], Setting::From);
        f.focus = f
            .settings()
            .iter()
            .position(|s| *s == Setting::Meter)
            .unwrap();
        f.cycle(1, &ms);
        assert_eq!(f.meter.as_deref(), Some("api"));
        f.focus = f
            .settings()
            .iter()
            .position(|s| *s == Setting::Group)
            .unwrap();
        for _ in 0..7 {
            f.cycle(1, &ms);
        }
        assert_eq!(f.group, Group::Field("region".into()));
    }
}
