//! Measurement rules: one measurement checked against its meter.

use super::*;
use crate::m3ter::types::{DataFieldCategory, Measurement, Meter};
use serde_json::{Map, Value};

/// Checks one measurement (as raw JSON, so a wrong type is reported by name rather than as a
/// serde message) against its meter, and returns it typed.
///
/// Decisions: unknown top-level keys are rejected (a typo such as `mesure` would otherwise drop
/// data silently); a value must be under its field's category; fields may be left out; `uid` is
/// optional. `meter` is looked up by code through `find_meter`; an unknown meter is an error
/// (and so never auto-creates an account).
pub fn check_measurement<'m>(
    value: &Value,
    find_meter: impl FnOnce(&str) -> Option<&'m Meter>,
) -> Result<Measurement, FieldError> {
    let obj = value
        .as_object()
        .ok_or_else(|| FieldError::new("", "must be a JSON object"))?;
    check_top_keys(obj)?;
    let uid = opt_string(obj, "uid")?;
    if let Some(u) = &uid {
        check_len("uid", u, 1, UID_MAX)?;
    }
    let meter_code = req_string(obj, "meter")?;
    check_code("meter", &meter_code)?;
    let account = req_string(obj, "account")?;
    check_code("account", &account)?;
    let ts = req_string(obj, "ts")?;
    parse_timestamp("ts", &ts)?;
    let ets = opt_string(obj, "ets")?;
    if let Some(e) = &ets {
        parse_timestamp("ets", e)?;
    }
    let meter = find_meter(&meter_code)
        .ok_or_else(|| FieldError::new("meter", format!("no meter has the code {meter_code:?}")))?;
    let mut m = Measurement {
        uid,
        meter: meter_code,
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
        let map = raw
            .as_object()
            .ok_or_else(|| FieldError::new(cat.key(), "must be an object of field code → value"))?;
        for (code, v) in map {
            let at = format!("{}.{code}", cat.key());
            let field = meter.data_field(code).ok_or_else(|| {
                let known: Vec<_> = meter.data_fields.iter().map(|f| f.code.as_str()).collect();
                FieldError::new(
                    &at,
                    format!(
                        "meter {:?} has no data field {code:?} (it has: {})",
                        meter.code.as_deref().unwrap_or(""),
                        known.join(", ")
                    ),
                )
            })?;
            if field.category != cat {
                return Err(FieldError::new(
                    &at,
                    format!(
                        "{code:?} is a {} field: put it under \"{}\"",
                        field.category,
                        field.category.key()
                    ),
                ));
            }
            put_value(&mut m, cat, code, v, &at)?;
        }
    }
    Ok(m)
}

/// A short description of a JSON value for error messages: `the number 3`, `the string "x"`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

pub(super) fn req_string(obj: &Map<String, Value>, key: &str) -> Result<String, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(FieldError::new(key, "is required")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(FieldError::new(
            key,
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

pub(super) fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(FieldError::new(
            key,
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

/// Puts one value under its category, typed by the category (numbers for measure/income/cost,
/// strings otherwise; metadata at most [`METADATA_VALUE_MAX`] characters). `at` names the value
/// in errors. Shared by both ingest stages' checks, so they say the same thing.
pub(super) fn put_value(
    m: &mut Measurement,
    cat: DataFieldCategory,
    code: &str,
    v: &serde_json::Value,
    at: &str,
) -> Result<(), FieldError> {
    if cat.is_numeric() {
        let n = v.as_number().cloned().ok_or_else(|| {
            FieldError::new(
                at,
                format!("must be a number (a {cat} value), got {}", describe(v)),
            )
        })?;
        m.numbers_mut(cat).unwrap().insert(code.to_string(), n);
    } else {
        let s = v.as_str().ok_or_else(|| {
            FieldError::new(
                at,
                format!("must be a string (a {cat} value), got {}", describe(v)),
            )
        })?;
        if cat == DataFieldCategory::Metadata && chars(s) > METADATA_VALUE_MAX {
            return Err(FieldError::new(
                at,
                format!("must be at most {METADATA_VALUE_MAX} characters"),
            ));
        }
        m.strings_mut(cat)
            .unwrap()
            .insert(code.to_string(), s.to_string());
    }
    Ok(())
}

/// The keys of a measurement that are not categories of values.
pub const TOP_LEVEL_KEYS: [&str; 5] = ["uid", "meter", "account", "ts", "ets"];

/// Every top-level key is uid, meter, account, ts, ets or a category (both ingest stages).
pub(super) fn check_top_keys(obj: &Map<String, Value>) -> Result<(), FieldError> {
    for key in obj.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) && DataFieldCategory::from_key(key).is_none() {
            return Err(FieldError::new(
                key.clone(),
                "is not a measurement field (expected uid, meter, account, ts, ets, who, where, what, other, metadata, measure, income or cost)",
            ));
        }
    }
    Ok(())
}
