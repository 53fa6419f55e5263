//! The one way from "a data field's code and the text a person typed" to a measurement's JSON,
//! shared by every input path (CLI `--field`, CSV cells, NDJSON lines, the TUI's Simple form), so
//! the same input becomes the same bytes on the wire whichever way it was entered.
//!
//! Typing follows the field's category: `measure`, `income` and `cost` take numbers, the others
//! strings. A number keeps the form it was typed in as far as JSON allows: a whole number stays an
//! integer (`3` → `3`, never `3.0`), a decimal keeps its digits (serde_json's `float_roundtrip`
//! parses the closest double and prints the shortest text that reads back as the same double).
//! The result is raw JSON that [`super::rules::check_measurement`] then checks and types.

use super::types::{DataField, DataFieldCategory};
use serde_json::{Map, Number, Value};

/// Text → JSON number when it is one, `None` otherwise (also for `NaN`, infinities and numbers
/// too large for a double). Integers stay integers; JSON's own number grammar is tried first, so
/// `3.0` stays `3.0` and `12` stays `12`; forms JSON lacks but people type (`+3`, `.5`, `5.`)
/// are read as the number they mean.
pub fn number(text: &str) -> Option<Number> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = serde_json::from_str::<Number>(t) {
        return Some(n);
    }
    let unsigned = t.strip_prefix('+').unwrap_or(t);
    if let Ok(i) = unsigned.parse::<u64>() {
        return Some(Number::from(i));
    }
    if unsigned.starts_with('-') {
        return None; // "+-3"
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(Number::from_f64)
}

/// A `ts`/`ets` written without an offset (`2026-01-31T12:00:00`), as UTC with `Z`
/// (`2026-01-31T12:00:00Z`): m3ter requires the offset, and reading a naive time as UTC is what
/// the console promises. `None` when it has an offset already, or is not a date-time at all
/// (the check reports that).
pub fn utc_if_naive(ts: &str) -> Option<String> {
    if chrono::DateTime::parse_from_rfc3339(ts).is_ok() {
        return None;
    }
    super::rules::parse_timestamp("ts", ts)
        .ok()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// The JSON value for `raw` typed in a field of this category: a string, or a number for the
/// numeric categories (an error saying so when it is not one).
pub fn typed_value(category: DataFieldCategory, raw: &str) -> Result<Value, String> {
    if !category.is_numeric() {
        return Ok(Value::String(raw.to_string()));
    }
    number(raw)
        .map(Value::Number)
        .ok_or_else(|| format!("must be a number (a {category} value), got {raw:?}"))
}

/// A measurement under construction, as the raw JSON object m3ter's ingest API takes. Keys keep
/// the order they were set in; [`super::rules::check_measurement`] turns the result into a typed
/// [`super::Measurement`], whose serialisation fixes the order on the wire.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasurementBuilder {
    obj: Map<String, Value>,
}

impl MeasurementBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a top-level string: `uid`, `meter`, `account`, `ts` or `ets`.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.obj
            .insert(key.to_string(), Value::String(value.into()));
        self
    }

    /// Puts an already-typed value under its category (`measure.calls = 3`).
    pub fn set_value(
        &mut self,
        category: DataFieldCategory,
        code: &str,
        value: Value,
    ) -> &mut Self {
        let slot = self
            .obj
            .entry(category.key())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(m) = slot {
            m.insert(code.to_string(), value);
        }
        self
    }

    /// Types `raw` for `field`'s category ([`typed_value`]) and sets it; the error says what the
    /// field needs, for the caller to place (flag, CSV line and column, form row).
    pub fn set_typed(&mut self, field: &DataField, raw: &str) -> Result<&mut Self, String> {
        let value = typed_value(field.category, raw)?;
        Ok(self.set_value(field.category, &field.code, value))
    }

    /// The raw JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::DataFieldCategory::*;

    fn text(n: Option<Number>) -> String {
        n.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
    }

    #[test]
    fn numbers_keep_their_form() {
        for (input, out) in [
            ("3", "3"),
            (" 3 ", "3"),
            ("-7", "-7"),
            ("+3", "3"),
            ("3.0", "3.0"),
            ("0.1", "0.1"),
            (".5", "0.5"),
            ("5.", "5.0"),
            ("1e3", "1000.0"),
            ("18446744073709551615", "18446744073709551615"),
            ("933270.2121806375", "933270.2121806375"),
            ("abc", "-"),
            ("", "-"),
            ("NaN", "-"),
            ("inf", "-"),
            ("1e400", "-"),
            ("+-3", "-"),
        ] {
            assert_eq!(text(number(input)), out, "{input:?}");
        }
    }

    #[test]
    fn naive_times_become_utc() {
        assert_eq!(
            utc_if_naive("2026-01-31T12:00:00").as_deref(),
            Some("2026-01-31T12:00:00Z")
        );
        assert_eq!(
            utc_if_naive("2026-01-31T12:00:00.250").as_deref(),
            Some("2026-01-31T12:00:00.250Z")
        );
        assert_eq!(
            utc_if_naive("2026-01-31T12:00").as_deref(),
            Some("2026-01-31T12:00:00Z")
        );
        assert_eq!(utc_if_naive("2026-01-31T12:00:00+02:00"), None);
        assert_eq!(utc_if_naive("yesterday"), None);
    }

    #[test]
    fn typed_values_follow_the_category() {
        assert_eq!(typed_value(Who, "3").unwrap(), Value::String("3".into()));
        assert_eq!(typed_value(Measure, "3").unwrap().to_string(), "3");
        let e = typed_value(Cost, "ten").unwrap_err();
        assert_eq!(e, "must be a number (a COST value), got \"ten\"");
    }

    #[test]
    fn builds_the_raw_object_in_order() {
        let calls = DataField {
            category: Measure,
            code: "calls".into(),
            name: "Calls".into(),
            unit: None,
        };
        let mut b = MeasurementBuilder::new();
        b.set("meter", "api").set("account", "ACME");
        b.set_typed(&calls, "3").unwrap();
        b.set_value(Who, "user", "bob".into());
        assert_eq!(
            b.into_value().to_string(),
            r#"{"meter":"api","account":"ACME","measure":{"calls":3},"who":{"user":"bob"}}"#
        );
    }
}
