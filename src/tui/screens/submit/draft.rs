//! The measurement being written, as plain values, and its conversions between the Simple form
//! and the Advanced JSON. Pure functions: the screens call them, the tests check them directly.
//!
//! Carrying values across must lose nothing: a number field holding `abc` becomes the JSON string
//! `"abc"` (which Advanced then reports by name), and JSON that Simple cannot show (an `ets`, an
//! unknown field, another meter) makes the switch refuse rather than drop it.

use crate::m3ter::measurement_builder::{self, MeasurementBuilder};
use crate::m3ter::rules::{self, FieldError};
use crate::m3ter::{DataFieldCategory, Measurement, Meter};
use chrono::{DateTime, Utc};
use serde_json::{Number, Value};

/// What the Simple form holds: every value as the text the user typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub uid: String,
    pub account: String,
    pub ts: String,
    /// The optional end timestamp, as m3ter's form has it.
    pub ets: String,
    /// One per data field of the meter, in the meter's order.
    pub values: Vec<String>,
}

/// Text → JSON number when it is one (integers stay integers), `None` otherwise: the domain's
/// one reading of a typed number, shared with the CLI.
pub fn number(text: &str) -> Option<Number> {
    measurement_builder::number(text)
}

/// The measurement as sent: `uid, meter, account, ts`, then one object per category in m3ter's
/// order with the fields in the meter's order. Fields left blank are left out.
pub fn to_value(meter: &Meter, d: &Draft) -> Value {
    build(meter, d, false)
}

/// The same for the Advanced editor: every field of the meter is shown, a blank one as `null`
/// so it is easy to fill — and, like a blank Simple field, never sent ([`without_blanks`]).
pub fn template(meter: &Meter, d: &Draft) -> Value {
    build(meter, d, true)
}

/// The JSON without `null` data fields (and without categories left empty by that): what the
/// user did not fill is never sent as a value.
pub fn without_blanks(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(obj) = v.as_object_mut() {
        for cat in DataFieldCategory::ALL {
            let key = cat.key();
            let Some(Value::Object(fields)) = obj.get_mut(key) else {
                continue;
            };
            fields.retain(|_, x| !x.is_null());
            if fields.is_empty() {
                obj.remove(key);
            }
        }
    }
    v
}

/// Through the domain's [`MeasurementBuilder`], as the CLI's flags, CSV and NDJSON input are,
/// so the same values go out as the same bytes. A value that is not a number for a numeric
/// field crosses as the string typed (Advanced then names the field), so nothing is lost.
fn build(meter: &Meter, d: &Draft, all_fields: bool) -> Value {
    let mut b = MeasurementBuilder::new();
    b.set("uid", d.uid.clone())
        .set("meter", meter.code.clone().unwrap_or_default())
        .set("account", d.account.clone())
        .set("ts", d.ts.clone());
    if !d.ets.trim().is_empty() {
        b.set("ets", d.ets.clone());
    }
    for cat in DataFieldCategory::ALL {
        for (f, v) in meter.data_fields.iter().zip(&d.values) {
            if f.category != cat {
                continue;
            }
            let v = v.trim();
            if v.is_empty() {
                if all_fields {
                    b.set_value(cat, &f.code, Value::Null);
                }
                continue;
            }
            if b.set_typed(f, v).is_err() {
                b.set_value(cat, &f.code, Value::String(v.to_string()));
            }
        }
    }
    b.into_value()
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// JSON back into the form, or why the form cannot hold it.
pub fn from_value(meter: &Meter, v: &Value) -> Result<Draft, String> {
    let obj = v
        .as_object()
        .ok_or("the JSON is not an object: Simple mode needs one measurement")?;
    let code = meter.code.as_deref().unwrap_or("");
    let text = |key: &str| -> Result<String, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(other) => Err(format!(
                "{key} is {}: Simple mode has no place for it",
                rules::describe(other)
            )),
        }
    };
    let mut d = Draft {
        uid: text("uid")?,
        account: text("account")?,
        ts: text("ts")?,
        ets: text("ets")?,
        values: vec![String::new(); meter.data_fields.len()],
    };
    let in_json = text("meter")?;
    if in_json != code {
        return Err(format!(
            "the JSON is for meter {in_json:?}: Simple mode shows meter {code:?}"
        ));
    }
    for (key, raw) in obj {
        match key.as_str() {
            "uid" | "meter" | "account" | "ts" | "ets" => continue,
            _ => {}
        }
        let Some(cat) = DataFieldCategory::from_key(key) else {
            return Err(format!("{key} is not a measurement field: remove it first"));
        };
        let Some(map) = raw.as_object() else {
            return Err(format!("{key} must be an object of field code → value"));
        };
        for (fcode, fv) in map {
            let Some(i) = meter
                .data_fields
                .iter()
                .position(|f| f.code == *fcode && f.category == cat)
            else {
                return Err(format!(
                    "{key}.{fcode} is not a {} field of meter {code}: remove it first",
                    cat
                ));
            };
            d.values[i] = match fv {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                other => {
                    return Err(format!(
                        "{key}.{fcode} is {}: Simple mode has no place for it",
                        rules::describe(other)
                    ))
                }
            };
        }
    }
    Ok(d)
}

/// Per-row problems of the form: `[account, ts, field0, field1, …, ets]`. Whether the account
/// exists is the server's to say (the panel asks it), not this list's. A `ts` later than `now`
/// is flagged (m3ter refuses future timestamps), and so is an `ets` before the `ts`.
pub fn row_errors(meter: &Meter, d: &Draft, now: DateTime<Utc>) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(3 + d.values.len());
    let acc = d.account.trim();
    out.push(if acc.is_empty() {
        Some("pick an account".into())
    } else {
        rules::check_code("account", acc).err().map(|e| e.message)
    });
    let ts = rules::parse_timestamp("ts", d.ts.trim());
    out.push(match &ts {
        Err(e) => Some(e.message.clone()),
        Ok(t) if *t > now => Some("is in the future: m3ter refuses future timestamps".into()),
        Ok(_) => None,
    });
    for (f, v) in meter.data_fields.iter().zip(&d.values) {
        let v = v.trim();
        out.push(
            if f.category.is_numeric() && !v.is_empty() && number(v).is_none() {
                Some(format!("must be a number (a {} value)", f.category))
            } else if f.category == DataFieldCategory::Metadata
                && v.chars().count() > rules::METADATA_VALUE_MAX
            {
                Some(format!(
                    "must be at most {} characters",
                    rules::METADATA_VALUE_MAX
                ))
            } else {
                None
            },
        );
    }
    let ets = d.ets.trim();
    out.push(if ets.is_empty() {
        None
    } else {
        match (rules::parse_timestamp("ets", ets), &ts) {
            (Err(e), _) => Some(e.message),
            (Ok(e), Ok(t)) if e < *t => Some("ends before the timestamp (ts)".into()),
            _ => None,
        }
    });
    out
}

/// Checks a measurement JSON against the meter it names (looked up in `meters`).
pub fn check(v: &Value, meters: &[Meter]) -> Result<Measurement, FieldError> {
    rules::check_measurement(v, |code| {
        meters.iter().find(|m| m.code.as_deref() == Some(code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::DataField;
    use serde_json::json;

    fn meter() -> Meter {
        Meter {
            id: "m".into(),
            code: Some("m1".into()),
            data_fields: vec![
                DataField {
                    category: DataFieldCategory::Who,
                    code: "user".into(),
                    name: "User".into(),
                    unit: None,
                },
                DataField {
                    category: DataFieldCategory::Measure,
                    code: "n".into(),
                    name: "N".into(),
                    unit: Some("1".into()),
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_bad_number_crosses_as_a_string_and_comes_back() {
        let d = Draft {
            uid: "u".into(),
            account: "A".into(),
            ts: "t".into(),
            ets: String::new(),
            values: vec!["bob".into(), "12x".into()],
        };
        let v = template(&meter(), &d);
        assert_eq!(v["measure"]["n"], json!("12x"));
        assert_eq!(from_value(&meter(), &v).unwrap(), d);
        let empty = Draft {
            values: vec![String::new(), String::new()],
            ..d
        };
        // Blank: shown as null in the editor, sent by neither mode.
        let shown = template(&meter(), &empty);
        assert_eq!(shown["measure"]["n"], json!(null));
        assert_eq!(from_value(&meter(), &shown).unwrap(), empty);
        assert_eq!(without_blanks(&shown), to_value(&meter(), &empty));
        assert!(to_value(&meter(), &empty).get("measure").is_none());
    }

    fn now() -> DateTime<Utc> {
        "2026-01-02T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn ets_crosses_both_ways_and_is_sent_only_when_typed() {
        let d = Draft {
            uid: "u".into(),
            account: "A".into(),
            ts: "2026-01-02T01:00:00Z".into(),
            ets: "2026-01-02T02:00:00Z".into(),
            values: vec![String::new(), "1".into()],
        };
        let v = to_value(&meter(), &d);
        assert_eq!(v["ets"], "2026-01-02T02:00:00Z");
        assert_eq!(from_value(&meter(), &v).unwrap(), d);
        let no_ets = Draft {
            ets: "  ".into(),
            ..d
        };
        assert!(to_value(&meter(), &no_ets).get("ets").is_none());
    }

    #[test]
    fn a_future_ts_and_an_ets_before_ts_are_flagged() {
        let row = |ts: &str, ets: &str| {
            let d = Draft {
                uid: "u".into(),
                account: "A".into(),
                ts: ts.into(),
                ets: ets.into(),
                values: vec![String::new(), String::new()],
            };
            let e = row_errors(&meter(), &d, now());
            (e[1].clone(), e[e.len() - 1].clone())
        };
        assert_eq!(row("2026-01-02T02:00:00Z", ""), (None, None));
        let (ts, _) = row("2026-01-02T04:00:00Z", "");
        assert!(ts.unwrap().contains("in the future"));
        let (_, ets) = row("2026-01-02T02:00:00Z", "2026-01-02T01:00:00Z");
        assert_eq!(ets.as_deref(), Some("ends before the timestamp (ts)"));
        let (_, ets) = row("2026-01-02T02:00:00Z", "tomorrow");
        assert!(ets.is_some(), "a bad ets is named");
        assert_eq!(
            row("2026-01-02T01:00:00Z", "2026-01-02T02:00:00Z"),
            (None, None)
        );
    }

    #[test]
    fn json_the_form_cannot_hold_is_refused_by_name() {
        let m = meter();
        let base = json!({"meter": "m1", "account": "A", "ts": "t"});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            from_value(&m, &b).unwrap_err()
        };
        assert!(with("ets", json!(true)).contains("ets"));
        assert!(with("measure", json!({"gb": 1})).contains("measure.gb"));
        assert!(with("meter", json!("other")).contains("\"other\""));
        assert!(with("who", json!({"user": true})).contains("who.user"));
    }
}
