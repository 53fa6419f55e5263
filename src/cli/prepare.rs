//! Turning raw records into measurements ready to send: defaults filled in (a fresh `uid` so a
//! resend is de-duplicated, `ts` = now), then m3ter's own rules checked locally against the
//! meters, fetched once, so a bad file is refused before a single request is made.

use super::exit::usage;
use super::input::Record;
use crate::config::Connection;
use crate::m3ter::{rules, ListQuery, Measurement, Meter};
use serde_json::Value;
use std::collections::HashMap;

/// Most problems listed before giving up (the rest are counted).
pub(crate) const MAX_REPORTED: usize = 20;

/// The organization's meters by code.
pub struct Meters(HashMap<String, Meter>);

impl Meters {
    pub async fn fetch(conn: &Connection) -> anyhow::Result<Meters> {
        let all: Vec<Meter> = conn.client.list_all(ListQuery::page_size(100)).await?;
        Ok(Meters(
            all.into_iter()
                .filter_map(|m| Some((m.code.clone()?, m)))
                .collect(),
        ))
    }

    pub fn from_list(meters: Vec<Meter>) -> Meters {
        Meters(
            meters
                .into_iter()
                .filter_map(|m| Some((m.code.clone()?, m)))
                .collect(),
        )
    }

    /// The meter with this code, or a message naming the codes that exist.
    pub fn get(&self, code: &str) -> Result<&Meter, String> {
        self.0.get(code).ok_or_else(|| {
            let mut known: Vec<_> = self.0.keys().map(String::as_str).collect();
            known.sort_unstable();
            format!(
                "meter: no meter has the code {code:?} (meters: {})",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )
        })
    }

    /// `who.user, measure.calls` — what a measurement for this meter may carry.
    pub fn field_list(meter: &Meter) -> String {
        meter
            .data_fields
            .iter()
            .map(|f| format!("{}.{}", f.category.key(), f.code))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

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
    rules::check_measurement(value, |code| meters.0.get(code))
}

/// Every record checked; all problems (up to [`MAX_REPORTED`]) in one usage error.
pub fn prepare(records: Vec<Record>, meters: &Meters) -> anyhow::Result<Vec<Measurement>> {
    let now = now_rfc3339();
    let mut out = Vec::with_capacity(records.len());
    let mut problems = Vec::new();
    let mut failed = 0usize;
    for mut r in records {
        fill_defaults(&mut r.value, &now);
        match check(&r.value, meters) {
            Ok(m) => out.push(m),
            Err(e) => {
                failed += 1;
                if problems.len() < MAX_REPORTED {
                    problems.push(format!("{}: {e}", r.at));
                }
            }
        }
    }
    if failed == 0 {
        return Ok(out);
    }
    let more = failed - problems.len();
    let mut msg = problems.join("\n");
    if more > 0 {
        msg.push_str(&format!("\n… and {more} more"));
    }
    msg.push_str(&format!(
        "\n{failed} invalid measurement{}; nothing was sent",
        if failed == 1 { "" } else { "s" }
    ));
    Err(usage(msg))
}
