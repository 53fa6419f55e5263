//! Reading outcomes out of m3ter's answers. Neither a usage query's rows nor an event's
//! `m3terEvent` has a published shape, so both are read leniently from JSON: a key is looked for
//! by any of the names it goes by, at any depth, and what cannot be read is skipped rather than
//! failing the round.

use crate::m3ter::types::{Event, INGEST_FAILURE_EVENT};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A measurement seen in a usage query (a row without aggregations).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub uid: String,
    /// The row's `ts`, when it has one (to narrow the next query when the answer was cut).
    pub ts: Option<DateTime<Utc>>,
    /// The whole row: the stored values, derived fields included.
    pub values: Map<String, Value>,
}

/// An ingest failure read from an `ingest.validation.failure` event.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub uid: String,
    /// m3ter's failure type, e.g. `UndefinedMeter`.
    pub failure_type: String,
    pub event_id: Option<String>,
    pub event_time: Option<String>,
    pub meter: Option<String>,
    pub account: Option<String>,
    pub message: Option<String>,
    /// The `getDownloadUrl` file path of the failure log.
    pub download_path: Option<String>,
}

const UID_KEYS: [&str; 3] = ["uid", "measurementUid", "measurementUID"];
const TS_KEYS: [&str; 2] = ["ts", "timestamp"];
const TYPE_KEYS: [&str; 5] = [
    "failureType",
    "errorType",
    "ingestFailureType",
    "errorCode",
    "type",
];
const MESSAGE_KEYS: [&str; 3] = ["message", "errorMessage", "reason"];
const DOWNLOAD_KEYS: [&str; 3] = ["getDownloadUrl", "downloadUrl", "file"];

/// Every row of a usage query that names a uid.
pub fn seen_from_usage_rows(rows: &[Map<String, Value>]) -> Vec<Seen> {
    rows.iter()
        .filter_map(|obj| {
            let row = Value::Object(obj.clone());
            let uid = find_str(&row, &UID_KEYS)?;
            let ts = find_str(&row, &TS_KEYS)
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc));
            Some(Seen {
                uid,
                ts,
                values: obj.clone(),
            })
        })
        .collect()
}

/// The ingest failure an event reports, if it is one and names a uid: the shape the sandbox
/// writes ([`Event::ingest_failure`]) first, else the same facts found anywhere in `m3terEvent`.
pub fn failure_from_event(event: &Event) -> Option<Failure> {
    if event
        .event_name
        .as_deref()
        .is_some_and(|n| n != INGEST_FAILURE_EVENT)
    {
        return None;
    }
    let body = event.m3ter_event.as_ref()?;
    let known = event.ingest_failure();
    let uid = known
        .as_ref()
        .and_then(|f| f.uid.clone())
        .or_else(|| find_str(body, &UID_KEYS))?;
    let failure_type = known
        .as_ref()
        .map(|f| f.failure_type.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| find_str(body, &TYPE_KEYS))
        .unwrap_or_else(|| "Unknown".into());
    Some(Failure {
        uid,
        failure_type,
        event_id: Some(event.id.clone()),
        event_time: event.event_time.clone(),
        meter: find_str(body, &["meter", "meterCode"]),
        account: find_str(body, &["account", "accountCode"]),
        message: find_str(body, &MESSAGE_KEYS),
        download_path: find_str(body, &DOWNLOAD_KEYS),
    })
}

/// The first string (or number, as text) under any of `keys`, breadth first so a top-level key
/// wins over a nested one.
fn find_str(v: &Value, keys: &[&str]) -> Option<String> {
    let mut level = vec![v];
    for _ in 0..6 {
        let mut next = Vec::new();
        for node in &level {
            match node {
                Value::Object(map) => {
                    for k in keys {
                        match map.get(*k) {
                            Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
                            Some(Value::Number(n)) => return Some(n.to_string()),
                            _ => {}
                        }
                    }
                    next.extend(map.values());
                }
                Value::Array(items) => next.extend(items.iter()),
                _ => {}
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: Value) -> Event {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_sandbox_shape_is_read() {
        let e = event(json!({"id": "e1", "eventName": INGEST_FAILURE_EVENT,
            "m3terEvent": {"eventData": {"failureType": "DuplicateUid", "message": "seen",
                "uid": "u1", "meter": "m", "account": "A", "getDownloadUrl": "f/e1.json"}}}));
        let f = failure_from_event(&e).unwrap();
        assert_eq!(
            (f.uid.as_str(), f.failure_type.as_str()),
            ("u1", "DuplicateUid")
        );
        assert_eq!(f.message.as_deref(), Some("seen"));
    }

    #[test]
    fn rows_with_a_uid_are_seen_with_their_values() {
        let rows: Vec<Map<String, Value>> = [
            json!({"uid": "u1", "ts": "2026-11-25T10:00:00Z", "measure": {"calls": 3}, "derived": {"x": 6}}),
            json!({"account": "A", "sum_calls": 9}),
        ]
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
        let seen = seen_from_usage_rows(&rows);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].uid, "u1");
        assert_eq!(seen[0].values["derived"]["x"], 6);
        assert_eq!(
            seen[0].ts.unwrap().to_rfc3339(),
            "2026-11-25T10:00:00+00:00"
        );
    }

    #[test]
    fn a_nested_failure_is_read() {
        let e = event(json!({
            "id": "ev1", "eventName": "ingest.validation.failure",
            "eventTime": "2026-11-25T10:00:01Z", "dtActioned": null,
            "m3terEvent": {"eventData": {
                "failureType": "UndefinedMeter", "message": "no meter nope",
                "measurement": {"uid": "u9", "meter": "nope", "account": "ACME"},
                "getDownloadUrl": "failed/ev1.json"
            }}
        }));
        let f = failure_from_event(&e).unwrap();
        assert_eq!(f.uid, "u9");
        assert_eq!(f.failure_type, "UndefinedMeter");
        assert_eq!(f.meter.as_deref(), Some("nope"));
        assert_eq!(f.account.as_deref(), Some("ACME"));
        assert_eq!(f.event_id.as_deref(), Some("ev1"));
        assert_eq!(f.download_path.as_deref(), Some("failed/ev1.json"));
    }

    #[test]
    fn other_events_and_events_without_uid_are_skipped() {
        let other = event(
            json!({"id": "1", "eventName": "configuration.account.created",
            "m3terEvent": {"uid": "u1"}}),
        );
        assert!(failure_from_event(&other).is_none());
        let no_uid = event(json!({"id": "2", "eventName": "ingest.validation.failure",
            "m3terEvent": {"failureType": "MissingField"}}));
        assert!(failure_from_event(&no_uid).is_none());
    }
}
