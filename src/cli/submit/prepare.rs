//! Turning raw records into measurements ready to send: defaults filled in (a fresh `uid` so a
//! resend is de-duplicated, `ts` = now), then m3ter's own rules checked locally against the
//! meters, fetched once, so a bad file is refused before a single request is made.

use super::meters::Meters;
use super::record::{Problems, Record};
use crate::cli::exit::usage;
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

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Checks one measurement; the error names the field.
pub fn check(value: &Value, meters: &Meters) -> Result<Measurement, rules::FieldError> {
    rules::check_measurement(value, |code| meters.find(code))
}

/// Every record checked; all problems (up to [`super::record::MAX_REPORTED`]) in one usage
/// error.
pub fn prepare(records: Vec<Record>, meters: &Meters) -> anyhow::Result<Vec<Measurement>> {
    let now = now_rfc3339();
    let mut out = Vec::with_capacity(records.len());
    let mut problems = Problems::default();
    for mut r in records {
        fill_defaults(&mut r.value, &now);
        match check(&r.value, meters) {
            Ok(m) => out.push(m),
            Err(e) => problems.push(|| format!("{}: {e}", r.at)),
        }
    }
    if problems.is_empty() {
        return Ok(out);
    }
    Err(usage(problems.report(|n| {
        format!(
            "{n} invalid measurement{}; nothing was sent",
            if n == 1 { "" } else { "s" }
        )
    })))
}
