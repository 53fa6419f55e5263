//! Turning read items into measurements ready to send: defaults filled in (a fresh `uid` so a
//! resend is de-duplicated, `ts` = now), a `ts`/`ets` without an offset read as UTC and sent
//! with `Z` (m3ter refuses it otherwise), then m3ter's own rules checked locally against the
//! meters, so a bad input is refused before a single request is made.

use super::input::{self, Item, Problem};
use super::meters::Meters;
use super::record::Location;
use super::record::Problems;
use super::{BulkError, Result};
use crate::m3ter::measurement_builder::utc_if_naive;
use crate::m3ter::{rules, Measurement};
use serde_json::Value;

/// Fills `uid` (a UUID v4) and `ts` (`now`, RFC 3339 UTC) when absent.
pub fn fill_defaults(value: &mut Value, now: &str) {
    if let Some(obj) = value.as_object_mut() {
        if obj.get("uid").is_none_or(Value::is_null) {
            obj.insert(
                "uid".into(),
                Value::String(uuid::Uuid::new_v4().to_string()),
            );
        }
        if obj.get("ts").is_none_or(Value::is_null) {
            obj.insert("ts".into(), Value::String(now.into()));
        }
    }
}

/// Rewrites a naive `ts`/`ets` as UTC with `Z`; returns whether it did.
fn offsets(value: &mut Value) -> bool {
    let mut changed = false;
    for key in ["ts", "ets"] {
        if let Some(Value::String(t)) = value.get_mut(key) {
            if let Some(utc) = utc_if_naive(t) {
                *t = utc;
                changed = true;
            }
        }
    }
    changed
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Checks the items of one input, one at a time, and keeps its problems for one report.
pub struct Checker {
    now: String,
    problems: Problems,
    syntax: usize,
    invalid: usize,
    naive: usize,
    /// Send anyway: only m3ter's request stage (its 400) refuses; what its second stage checks
    /// (the meter exists, the fields are the meter's, under their category) becomes a warning.
    anyway: bool,
    warnings: Problems,
}

impl Default for Checker {
    fn default() -> Self {
        Self::keeping(super::record::MAX_REPORTED)
    }
}

impl Checker {
    /// A checker that keeps the first `shown` problems in full (the rest are counted).
    pub fn keeping(shown: usize) -> Self {
        Checker {
            now: now_rfc3339(),
            problems: Problems::keeping(shown),
            syntax: 0,
            invalid: 0,
            naive: 0,
            anyway: false,
            warnings: Problems::keeping(shown),
        }
    }

    /// This checker in "send anyway" mode: measurements m3ter's request stage accepts pass,
    /// with what its second stage will drop or ignore kept as [`Checker::warnings`].
    pub fn sending_anyway(mut self, anyway: bool) -> Self {
        self.anyway = anyway;
        self
    }

    /// What m3ter will accept and then drop or ignore (send-anyway mode only).
    pub fn warnings(&self) -> &Problems {
        &self.warnings
    }

    /// Input that is not an item (a syntax error).
    pub fn syntax(&mut self, p: Problem) {
        self.syntax += 1;
        self.problems.push(|| p.message);
    }

    /// The measurement, or `None` with the problem kept for the report.
    pub fn check(&mut self, mut item: Item, meters: &Meters) -> Option<Measurement> {
        let at = item.at.clone();
        let raw = item.take_raw();
        let value = if self.anyway {
            item.into_value_anyway(meters)
        } else {
            item.into_value(meters)
        };
        let mut value = match value {
            Ok(v) => v,
            Err(msg) => {
                self.invalid += 1;
                self.problems.push(|| format!("{at}: {msg}"));
                return None;
            }
        };
        fill_defaults(&mut value, &self.now);
        if offsets(&mut value) {
            self.naive += 1;
        }
        let e = match rules::check_measurement(&value, |code| meters.find(code)) {
            Ok(m) => return Some(m),
            Err(e) => e,
        };
        // A record on a line of its own: point at the value's column too.
        let located = || {
            let column = raw
                .as_deref()
                .filter(|_| at.column.is_none())
                .and_then(|r| input::column_of(r, &e.field));
            let at = Location {
                column: column.or(at.column),
                ..at.clone()
            };
            format!("{at}: {e}")
        };
        if self.anyway {
            if let Ok(m) = rules::check_request(&value) {
                let then = if e.field == "meter" {
                    "m3ter will accept it, then drop it (UndefinedMeter)"
                } else {
                    "m3ter will accept it, then drop it or ignore the value"
                };
                self.warnings
                    .push(|| format!("warning: {}: {then}", located()));
                return Some(m);
            }
        }
        self.invalid += 1;
        self.problems.push(located);
        None
    }

    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems found so far (the first ones in full).
    pub fn problems(&self) -> &Problems {
        &self.problems
    }

    /// How many measurements had a `ts`/`ets` without a UTC offset (read as UTC, sent with `Z`).
    pub fn naive(&self) -> usize {
        self.naive
    }

    /// The note to show once when naive times were read as UTC.
    pub fn naive_note(&self) -> Option<String> {
        (self.naive > 0).then(|| {
            format!(
                "note: {} measurement(s) had a ts or ets without a UTC offset: read as UTC and sent with Z",
                self.naive
            )
        })
    }

    /// The warnings (send-anyway mode), one a line, then how many: `None` when there are none.
    pub fn warning_report(&self) -> Option<String> {
        let w = &self.warnings;
        if w.is_empty() {
            return None;
        }
        let mut msg = w.shown().join("\n");
        let more = w.count() - w.shown().len();
        if more > 0 {
            msg.push_str(&format!("\n… and {more} more"));
        }
        msg.push_str(&format!(
            "\n{} warning{}: sent anyway; m3ter checks these only after accepting them",
            w.count(),
            if w.count() == 1 { "" } else { "s" }
        ));
        Some(msg)
    }

    /// An input error listing every problem kept (the rest counted) if there were any.
    pub fn finish(self) -> Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let (syntax, invalid) = (self.syntax, self.invalid);
        Err(BulkError::Input(self.problems.report(|_| {
            let mut parts = Vec::new();
            if syntax > 0 {
                parts.push(format!(
                    "{syntax} line{} not valid",
                    if syntax == 1 { " is" } else { "s are" }
                ));
            }
            if invalid > 0 {
                parts.push(format!(
                    "{invalid} invalid measurement{}",
                    if invalid == 1 { "" } else { "s" }
                ));
            }
            format!("{}; nothing was sent", parts.join(" and "))
        })))
    }
}

/// One item checked (flags, `--json`): the measurement, or an input error naming the problem.
/// The naive-time note and (sending anyway) the warnings, if any, go to `note`.
pub fn one(
    item: Item,
    meters: &Meters,
    anyway: bool,
    mut note: impl FnMut(&str),
) -> Result<Measurement> {
    let mut c = Checker::default().sending_anyway(anyway);
    let m = c.check(item, meters);
    if let Some(n) = c.naive_note() {
        note(&n);
    }
    if let Some(w) = c.warning_report() {
        note(&w);
    }
    c.finish()?;
    Ok(m.expect("checked without problems"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::{DataField, DataFieldCategory, Meter};

    fn api_meter() -> Meters {
        Meters::from_list(vec![Meter {
            id: "m1".into(),
            code: Some("api".into()),
            data_fields: vec![DataField {
                category: DataFieldCategory::Measure,
                code: "calls".into(),
                name: "calls".into(),
                unit: None,
            }],
            ..Default::default()
        }])
    }

    #[test]
    fn sending_anyway_warns_of_what_m3ter_checks_after_accepting_and_still_refuses_a_400() {
        let text = "{\"meter\":\"api\",\"account\":\"A\",\"measure\":{\"nope\":3}}\n\
                    {\"meter\":\"ghost\",\"account\":\"A\"}\n\
                    {\"meter\":\"ghost\",\"account\":\"A\",\"measure\":{\"x\":\"3\"}}\n";
        let run = |anyway: bool| {
            let reader = Box::new(std::io::Cursor::new(text.to_string()));
            let mut c = Checker::default().sending_anyway(anyway);
            let items = input::items(reader, "f.ndjson", input::Format::Ndjson).unwrap();
            let passed = items
                .filter_map(|i| c.check(i.unwrap(), &api_meter()))
                .count();
            (passed, c)
        };
        let (passed, strict) = run(false);
        assert_eq!((passed, strict.problems().count()), (0, 3));
        assert!(strict.warning_report().is_none());
        let (passed, anyway) = run(true);
        assert_eq!(passed, 2);
        let w = anyway.warnings().shown();
        assert!(w[0].starts_with("warning: f.ndjson:1:"), "{w:?}");
        assert!(
            w[1].contains("ghost") && w[1].ends_with("(UndefinedMeter)"),
            "{w:?}"
        );
        // A string under a numeric category: m3ter's request stage answers 400.
        assert_eq!(anyway.problems().count(), 1);
        assert!(anyway.problems().shown()[0].starts_with("f.ndjson:3"));
    }

    #[test]
    fn a_problem_on_an_ndjson_line_names_the_value_column() {
        let meters = Meters::from_list(vec![Meter {
            id: "m1".into(),
            code: Some("api".into()),
            data_fields: vec![DataField {
                category: DataFieldCategory::Measure,
                code: "calls".into(),
                name: "calls".into(),
                unit: None,
            }],
            ..Default::default()
        }]);
        let text = "{\"meter\":\"api\",\"account\":\"A\",\"measure\":{\"calls\":\"3\"}}\n";
        let reader = Box::new(std::io::Cursor::new(text.to_string()));
        let mut c = Checker::default();
        for item in input::items(reader, "f.ndjson", input::Format::Ndjson).unwrap() {
            assert!(c.check(item.unwrap(), &meters).is_none());
        }
        let p = &c.problems().shown()[0];
        assert!(p.starts_with("f.ndjson:1:49: measure.calls: "), "{p}");
    }
}
