//! The two stages of m3ter's ingest, as rules.
//!
//! [`check_request`] is the synchronous stage: it looks only at the request (schema, code
//! patterns, `uid` length, RFC 3339 timestamps *with* an offset, value types per category) and
//! never at the organization, so the sandbox can acknowledge a batch as soon as it is durable.
//! [`check_against_meter`] is the part of the asynchronous enrichment that needs only the meter:
//! missing and duplicated fields and derived calculations. The organization-wide checks
//! (unknown meter, duplicate `uid`, account codes) need the store and live in the sandbox.

use super::measurement::{check_top_keys, opt_string, put_value, req_string};
use super::*;
use crate::m3ter::calc::{self, CalcValue};
use crate::m3ter::types::{DataFieldCategory, IngestFailureType, Measurement, Meter};
use serde_json::{Map, Value};

/// Parses an RFC 3339 date-time that carries an offset (`Z` or `±hh:mm`), as m3ter's spec
/// requires for `ts`/`ets`; a naive `2026-01-31T12:00:00` is refused with a hint.
pub fn parse_timestamp_with_offset(field: &str, ts: &str) -> Result<DateTime<Utc>, FieldError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ts) {
        return Ok(t.with_timezone(&Utc));
    }
    let hint = if parse_timestamp(field, ts).is_ok() {
        format!(" — it has no offset: add Z for UTC ({ts}Z)")
    } else {
        String::new()
    };
    Err(FieldError::new(
        field,
        format!(
            "must be an RFC 3339 date-time with an offset such as 2026-01-31T12:00:00Z (got {ts:?}){hint}"
        ),
    ))
}

/// The synchronous stage for one measurement (raw JSON, so a wrong type is named): returns it
/// typed, or the first broken rule with the field under the measurement (`measure.gb`).
///
/// Decisions: unknown top-level keys are refused (a typo such as `mesure` would otherwise drop
/// data); `uid` is optional, 1–50 characters; data field keys must be field codes (letters,
/// digits, `_`, `$`, not starting with a digit); a code appearing in two categories is left to
/// the enrichment stage (`DuplicateField`), as m3ter does.
pub fn check_request(value: &Value) -> Result<Measurement, FieldError> {
    let obj = value
        .as_object()
        .ok_or_else(|| FieldError::new("", "must be a JSON object"))?;
    check_top_keys(obj)?;
    let uid = opt_string(obj, "uid")?;
    if let Some(u) = &uid {
        check_len("uid", u, 1, UID_MAX)?;
    }
    let meter = req_string(obj, "meter")?;
    check_code("meter", &meter)?;
    let account = req_string(obj, "account")?;
    check_code("account", &account)?;
    let ts = req_string(obj, "ts")?;
    parse_timestamp_with_offset("ts", &ts)?;
    let ets = opt_string(obj, "ets")?;
    if let Some(e) = &ets {
        parse_timestamp_with_offset("ets", e)?;
    }
    let mut m = Measurement {
        uid,
        meter,
        account,
        ts,
        ets,
        ..Default::default()
    };
    for cat in DataFieldCategory::ALL {
        let Some(raw) = obj.get(cat.key()) else {
            continue;
        };
        if raw.is_null() {
            continue;
        }
        let map = raw.as_object().ok_or_else(|| {
            FieldError::new(
                cat.key(),
                format!(
                    "must be an object of field code → {}",
                    if cat.is_numeric() { "number" } else { "string" }
                ),
            )
        })?;
        for (code, v) in map {
            let at = format!("{}.{code}", cat.key());
            if !FIELD_CODE_RE.is_match(code) {
                return Err(FieldError::new(
                    &at,
                    "is not a field code (letters, digits, _ or $, not starting with a digit)",
                ));
            }
            put_value(&mut m, cat, code, v, &at)?;
        }
    }
    Ok(m)
}

/// The synchronous stage for one measurement when only the verdict matters (the sandbox's
/// acknowledged ingest keeps the request bytes, not the typed measurement): the same rules as
/// [`check_request`] without building the measurement, so a valid measurement costs no
/// allocation. A broken one is re-checked by [`check_request`], so the error is the very same.
pub fn validate_request(value: &Value) -> Result<(), FieldError> {
    if passes_request_checks(value) {
        return Ok(());
    }
    check_request(value).map(|_| ())
}

/// [`check_request`]'s rules as a yes/no, with no allocation on the way.
fn passes_request_checks(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    if check_top_keys(obj).is_err() {
        return false;
    }
    let opt = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.as_str())),
        Some(_) => None,
    };
    match opt("uid") {
        Some(None) => {}
        Some(Some(u)) if (1..=UID_MAX).contains(&chars(u)) => {}
        _ => return false,
    }
    for key in ["meter", "account"] {
        match opt(key) {
            Some(Some(code)) if check_code(key, code).is_ok() => {}
            _ => return false,
        }
    }
    match opt("ts") {
        Some(Some(ts)) if DateTime::parse_from_rfc3339(ts).is_ok() => {}
        _ => return false,
    }
    match opt("ets") {
        Some(None) => {}
        Some(Some(ets)) if DateTime::parse_from_rfc3339(ets).is_ok() => {}
        _ => return false,
    }
    for cat in DataFieldCategory::ALL {
        let map = match obj.get(cat.key()) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(map)) => map,
            Some(_) => return false,
        };
        for (code, v) in map {
            if !is_field_code(code) {
                return false;
            }
            let ok = match v {
                Value::Number(_) => cat.is_numeric(),
                Value::String(s) => {
                    !cat.is_numeric()
                        && (cat != DataFieldCategory::Metadata || chars(s) <= METADATA_VALUE_MAX)
                }
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// [`FIELD_CODE_RE`] with an ASCII fast path (field codes are nearly always ASCII).
fn is_field_code(code: &str) -> bool {
    if !code.is_ascii() {
        return FIELD_CODE_RE.is_match(code);
    }
    let mut bytes = code.bytes();
    let first_ok = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b == b'$';
    match bytes.next() {
        Some(b) if first_ok(b) => bytes.all(|b| first_ok(b) || b.is_ascii_digit()),
        _ => false,
    }
}

/// Why the enrichment stage failed a measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestFault {
    pub kind: IngestFailureType,
    /// The measurement field at fault (`measure.gb`), when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl IngestFault {
    pub fn new(kind: IngestFailureType, field: Option<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            field,
            message: message.into(),
        }
    }
}

/// A measurement that passed the meter checks, with its derived values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Enriched {
    /// Derived field code → value (`null` when its calculation failed).
    pub derived: Map<String, Value>,
    /// The first failed calculation: the measurement is still ingested (m3ter's rule) but an
    /// event is raised.
    pub calculation_error: Option<IngestFault>,
}

/// The meter part of the enrichment stage.
///
/// Decisions (m3ter publishes the failure names, not their exact rules):
/// - `DuplicateField`: one field code under two categories of the measurement;
/// - `MissingField`: a value sits under the wrong category (so the meter's field is missing
///   where it belongs), or the measurement carries values but none of them is a field of the
///   meter (nothing of it would be ingested — almost certainly the wrong meter or a typo). A
///   measurement with no values at all is ingested: it still counts. Other fields may be left
///   out, as m3ter's own examples do; values for codes the meter does not define are ignored,
///   as m3ter keeps only the meter's fields;
/// - `CalculationError`: a derived field's calculation fails to parse or evaluate (the
///   measurement is ingested with that value `null`); fields are looked up by code, `ts` and
///   `ets` are epoch milliseconds.
pub fn check_against_meter(m: &Measurement, meter: &Meter) -> Result<Enriched, IngestFault> {
    let mut seen: std::collections::HashMap<&str, DataFieldCategory> = Default::default();
    for (cat, code, _) in m.values() {
        if let Some(first) = seen.insert(code, cat) {
            return Err(IngestFault::new(
                IngestFailureType::DuplicateField,
                Some(format!("{}.{code}", cat.key())),
                format!(
                    "the field code {code:?} is used under both {:?} and {:?}",
                    first.key(),
                    cat.key()
                ),
            ));
        }
    }
    for f in &meter.data_fields {
        match seen.get(f.code.as_str()) {
            Some(other) if *other != f.category => {
                return Err(IngestFault::new(
                    IngestFailureType::MissingField,
                    Some(format!("{}.{}", f.category.key(), f.code)),
                    format!(
                        "meter {:?}'s field {:?} is a {} field but was sent under {:?}",
                        meter.code.as_deref().unwrap_or(""),
                        f.code,
                        f.category,
                        other.key()
                    ),
                ))
            }
            _ => {}
        }
    }
    let carried = !seen.is_empty();
    if carried
        && !meter
            .data_fields
            .iter()
            .any(|f| seen.contains_key(f.code.as_str()))
    {
        let names: Vec<String> = meter
            .data_fields
            .iter()
            .map(|f| format!("{}.{}", f.category.key(), f.code))
            .collect();
        let sent: Vec<String> = m
            .values()
            .iter()
            .map(|(c, code, _)| format!("{}.{code}", c.key()))
            .collect();
        return Err(IngestFault::new(
            IngestFailureType::MissingField,
            names.first().cloned(),
            format!(
                "none of the values ({}) is a field of meter {:?}, so nothing would be ingested; its fields are {}",
                sent.join(", "),
                meter.code.as_deref().unwrap_or(""),
                names.join(", ")
            ),
        ));
    }
    Ok(derive(m, meter))
}

/// The derived values of `m` on `meter` (no checks): each calculation's result, or `null` and
/// the first failure as a `CalculationError`.
pub fn derive(m: &Measurement, meter: &Meter) -> Enriched {
    let ts_ms = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| CalcValue::Number(t.timestamp_millis() as f64))
    };
    let ts = ts_ms(&Some(m.ts.clone()));
    let ets = ts_ms(&m.ets);
    let values: std::collections::HashMap<&str, Value> =
        m.values().into_iter().map(|(_, c, v)| (c, v)).collect();
    let mut out = Enriched::default();
    for d in &meter.derived_fields {
        let lookup = |name: &str| -> Option<CalcValue> {
            match name {
                "ts" => ts.clone(),
                "ets" => ets.clone(),
                _ => {
                    let code = name.rsplit('.').next().unwrap_or(name);
                    values
                        .get(name)
                        .or_else(|| values.get(code))
                        .map(CalcValue::from_json)
                }
            }
        };
        match calc::evaluate(&d.calculation, lookup) {
            Ok(v) => {
                out.derived.insert(d.code.clone(), v.to_json());
            }
            Err(e) => {
                out.derived.insert(d.code.clone(), Value::Null);
                out.calculation_error.get_or_insert(IngestFault::new(
                    IngestFailureType::CalculationError,
                    Some(format!("{}.{}", d.category.key(), d.code)),
                    format!("derived field {:?}: {e} in {:?}", d.code, d.calculation),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::types::{DataField, DerivedField};
    use serde_json::json;

    fn meter() -> Meter {
        let f = |category, code: &str| DataField {
            category,
            code: code.into(),
            name: code.into(),
            unit: None,
        };
        Meter {
            id: "m".into(),
            code: Some("api".into()),
            data_fields: vec![
                f(DataFieldCategory::Who, "user"),
                f(DataFieldCategory::Measure, "calls"),
                f(DataFieldCategory::Metadata, "note"),
            ],
            derived_fields: vec![DerivedField {
                category: DataFieldCategory::Measure,
                code: "per_k".into(),
                name: "per k".into(),
                unit: None,
                calculation: "calls / 1000".into(),
            }],
            ..Default::default()
        }
    }

    fn ok_json() -> Value {
        json!({"uid":"u1","meter":"api","account":"ACME","ts":"2026-01-01T00:00:00Z","who":{"user":"bob"},"measure":{"calls":3000}})
    }

    /// The allocation-free verdict agrees with the typed check on every rule, error included.
    #[test]
    fn validate_request_says_what_check_request_says() {
        let long_meta = "x".repeat(METADATA_VALUE_MAX + 1);
        let cases: Vec<(&str, Value)> = vec![
            ("uid", json!(null)),
            ("uid", json!("")),
            ("uid", json!("u".repeat(UID_MAX + 1))),
            ("uid", json!(7)),
            ("meter", json!(null)),
            ("meter", json!(" api")),
            ("meter", json!("")),
            ("account", json!(["A"])),
            ("account", json!("a\tb")),
            ("ts", json!("2026-01-01T00:00:00")),
            ("ts", json!(1)),
            ("ets", json!("2026-01-01T00:00:00+02:00")),
            ("ets", json!("yesterday")),
            ("mesure", json!({"calls": 1})),
            ("measure", json!({"calls": "1"})),
            ("measure", json!({"1calls": 1})),
            ("measure", json!({"çalls_$2": 1.5})),
            ("measure", json!({"calls-x": 1})),
            ("measure", json!([1])),
            ("cost", json!(null)),
            ("who", json!({"user": 3})),
            ("where", json!({"_x$": "here"})),
            ("metadata", json!({"note": long_meta})),
            ("metadata", json!({"note": "x".repeat(METADATA_VALUE_MAX)})),
        ];
        assert_eq!(validate_request(&ok_json()), Ok(()));
        assert_eq!(
            validate_request(&json!("x")),
            check_request(&json!("x")).map(|_| ())
        );
        for (key, val) in cases {
            let mut v = ok_json();
            v[key] = val.clone();
            assert_eq!(
                validate_request(&v),
                check_request(&v).map(|_| ()),
                "{key}: {val}"
            );
        }
    }

    #[test]
    fn request_stage_refuses_naive_timestamps_with_a_hint() {
        let mut v = ok_json();
        v["ts"] = json!("2026-01-01T00:00:00");
        let e = check_request(&v).unwrap_err();
        assert_eq!(e.field, "ts");
        assert!(e.message.contains("add Z for UTC"), "{e}");
        v["ts"] = json!("2026-01-01T00:00:00+02:00");
        v["ets"] = json!("yesterday");
        let e = check_request(&v).unwrap_err();
        assert_eq!(e.field, "ets");
        assert!(!e.message.contains("add Z"), "{e}");
    }

    #[test]
    fn request_stage_checks_shape_not_the_org() {
        let mut v = ok_json();
        v["meter"] = json!("no such meter");
        v["measure"]["unknown_field"] = json!(1);
        assert!(
            check_request(&v).is_ok(),
            "meters and fields are the enrichment's business"
        );
        let cases = [
            (json!({"uid": "x".repeat(51)}), "uid"),
            (json!({"meter": " api"}), "meter"),
            (json!({"account": 3}), "account"),
            (json!({"measure": {"calls": "3"}}), "measure.calls"),
            (json!({"who": {"user": 1}}), "who.user"),
            (json!({"who": {"1bad": "x"}}), "who.1bad"),
            (json!({"metadata": {"n": "x".repeat(257)}}), "metadata.n"),
            (json!({"mesure": {}}), "mesure"),
            (json!({"what": []}), "what"),
        ];
        for (patch, field) in cases {
            let mut v = ok_json();
            for (k, x) in patch.as_object().unwrap() {
                v[k] = x.clone();
            }
            assert_eq!(check_request(&v).unwrap_err().field, field, "{patch}");
        }
        let mut v = ok_json();
        v.as_object_mut().unwrap().remove("ts");
        assert_eq!(check_request(&v).unwrap_err().message, "is required");
    }

    #[test]
    fn meter_stage_computes_derived_values() {
        let m = check_request(&ok_json()).unwrap();
        let e = check_against_meter(&m, &meter()).unwrap();
        assert_eq!(e.derived["per_k"], json!(3));
        assert!(e.calculation_error.is_none());
    }

    #[test]
    fn meter_stage_failures() {
        let meter = meter();
        let mut v = ok_json();
        v["what"] = json!({"calls": "x"});
        let f = check_against_meter(&check_request(&v).unwrap(), &meter).unwrap_err();
        assert_eq!(f.kind, IngestFailureType::DuplicateField);

        let mut v = ok_json();
        v.as_object_mut().unwrap().remove("who");
        v["measure"] = json!({"cals": 1});
        let f = check_against_meter(&check_request(&v).unwrap(), &meter).unwrap_err();
        assert_eq!(
            (f.kind, f.field.as_deref()),
            (IngestFailureType::MissingField, Some("who.user"))
        );
        assert!(
            f.message.contains("nothing would be ingested"),
            "{}",
            f.message
        );
        assert!(f.message.contains("measure.cals"), "{}", f.message);

        let mut v = ok_json();
        v.as_object_mut().unwrap().remove("who");
        v.as_object_mut().unwrap().remove("measure");
        assert!(
            check_against_meter(&check_request(&v).unwrap(), &meter).is_ok(),
            "an empty measurement still counts"
        );

        let mut v = ok_json();
        v.as_object_mut().unwrap().remove("who");
        assert!(
            check_against_meter(&check_request(&v).unwrap(), &meter).is_ok(),
            "dimensions may be left out"
        );

        let mut v = ok_json();
        v.as_object_mut().unwrap().remove("who");
        v["what"] = json!({"user": "bob"});
        let f = check_against_meter(&check_request(&v).unwrap(), &meter).unwrap_err();
        assert!(f.message.contains("sent under \"what\""), "{}", f.message);

        let mut v = ok_json();
        v["measure"]["extra"] = json!(1);
        assert!(
            check_against_meter(&check_request(&v).unwrap(), &meter).is_ok(),
            "unknown codes are ignored, metadata optional"
        );
    }

    #[test]
    fn failed_calculation_is_still_ingested_with_null() {
        let mut meter = meter();
        meter.derived_fields[0].calculation = "calls / (calls - calls)".into();
        let e = check_against_meter(&check_request(&ok_json()).unwrap(), &meter).unwrap();
        assert_eq!(e.derived["per_k"], Value::Null);
        let f = e.calculation_error.unwrap();
        assert_eq!(f.kind, IngestFailureType::CalculationError);
        assert!(f.message.contains("division by zero"), "{}", f.message);
        assert_eq!(f.field.as_deref(), Some("measure.per_k"));
    }
}
