//! Events: what m3ter raises when something happens in an organization, among them
//! `ingest.validation.failure` for each measurement the asynchronous ingest stage drops.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The event m3ter raises for a measurement that failed the enrichment stage.
pub const INGEST_FAILURE_EVENT: &str = "ingest.validation.failure";

/// `EventResponse`. `m3terEvent`'s shape is not published; for ingest failures see
/// [`IngestFailure`], which [`Event::ingest_failure`] reads out of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// When the event was marked as followed up; `null` while it is not.
    #[serde(default)]
    pub dt_actioned: Option<String>,
    #[serde(default)]
    pub m3ter_event: Option<Value>,
}

impl Event {
    /// The ingest failure this event describes, when it is one and its payload has the shape the
    /// sandbox writes (`m3terEvent.eventData`, see [`IngestFailure`]).
    pub fn ingest_failure(&self) -> Option<IngestFailure> {
        let data = self.m3ter_event.as_ref()?.get("eventData")?;
        serde_json::from_value(data.clone()).ok()
    }
}

/// The failure types of m3ter's asynchronous ingest stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IngestFailureType {
    UndefinedMeter,
    MissingField,
    DuplicateUid,
    DuplicateField,
    InvalidAccountCode,
    CalculationError,
}

impl IngestFailureType {
    pub const ALL: [Self; 6] = [
        Self::UndefinedMeter,
        Self::MissingField,
        Self::DuplicateUid,
        Self::DuplicateField,
        Self::InvalidAccountCode,
        Self::CalculationError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UndefinedMeter => "UndefinedMeter",
            Self::MissingField => "MissingField",
            Self::DuplicateUid => "DuplicateUid",
            Self::DuplicateField => "DuplicateField",
            Self::InvalidAccountCode => "InvalidAccountCode",
            Self::CalculationError => "CalculationError",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the measurement is still ingested despite the failure (only a failed derived
    /// calculation: the measurement lands with that derived value null).
    pub fn still_ingested(self) -> bool {
        self == Self::CalculationError
    }
}

impl std::fmt::Display for IngestFailureType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `m3terEvent.eventData` of an ingest failure, as the sandbox writes it.
///
/// Decision (m3ter does not publish the shape): the failure type, a human message, the
/// measurement's `uid`, `meter` and `account` codes, the account id when the account exists,
/// the field at fault when there is one, and `getDownloadUrl`: the `file` to pass to
/// `GET /measurements/failedIngest/getDownloadUrl` for the JSON log.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestFailure {
    pub failure_type: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_download_url: Option<String>,
}

impl IngestFailure {
    pub fn kind(&self) -> Option<IngestFailureType> {
        IngestFailureType::parse(&self.failure_type)
    }
}

/// `GET /events` filters (every one optional; arrays go comma-joined).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub event_name: Option<String>,
    pub event_type: Option<String>,
    /// m3ter's default leaves actioned events out.
    pub include_actioned: Option<bool>,
    pub account_id: Option<String>,
    pub resource_id: Option<String>,
    pub notification_id: Option<String>,
    pub notification_code: Option<String>,
    pub ids: Vec<String>,
    /// 1–100.
    pub page_size: Option<u32>,
}

impl EventQuery {
    /// Un-actioned ingest failures, the Console's *Ingest Events* page.
    pub fn ingest_failures() -> Self {
        Self {
            event_name: Some(INGEST_FAILURE_EVENT.into()),
            ..Default::default()
        }
    }

    pub(crate) fn params(&self, next_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        let opts = [
            ("eventName", &self.event_name),
            ("eventType", &self.event_type),
            ("accountId", &self.account_id),
            ("resourceId", &self.resource_id),
            ("notificationId", &self.notification_id),
            ("notificationCode", &self.notification_code),
        ];
        for (k, v) in opts {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(b) = self.include_actioned {
            p.push(("includeActioned", b.to_string()));
        }
        if !self.ids.is_empty() {
            p.push(("ids", self.ids.join(",")));
        }
        if let Some(n) = self.page_size {
            p.push(("pageSize", n.to_string()));
        }
        if let Some(t) = next_token {
            p.push(("nextToken", t.to_string()));
        }
        p
    }
}

/// `GET /events/types`: every event name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventTypes {
    #[serde(default)]
    pub events: Vec<String>,
}

/// `GET /events/fields`: event name → field path → type name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventFields {
    #[serde(default)]
    pub events: BTreeMap<String, BTreeMap<String, String>>,
}

/// `GenerateDownloadUrlResponse`: a presigned link.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DownloadUrl {
    #[serde(default)]
    pub url: String,
}

/// The JSON log behind a failed-ingest download link: the error and the original measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedIngestLog {
    pub event_id: String,
    pub failure_type: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The measurement as it was submitted.
    pub measurement: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_reads_its_ingest_failure() {
        let e: Event = serde_json::from_value(json!({
            "id": "e1", "eventName": INGEST_FAILURE_EVENT, "eventTime": "2026-01-01T00:00:00Z",
            "dtActioned": null,
            "m3terEvent": {"eventData": {"failureType": "UndefinedMeter", "message": "no meter",
                "uid": "u1", "meter": "nope", "account": "ACME",
                "getDownloadUrl": "failedIngest/e1.json"}}
        }))
        .unwrap();
        let f = e.ingest_failure().unwrap();
        assert_eq!(f.kind(), Some(IngestFailureType::UndefinedMeter));
        assert_eq!(f.get_download_url.as_deref(), Some("failedIngest/e1.json"));
        assert!(e.dt_actioned.is_none());
    }

    #[test]
    fn event_query_params_use_wire_names() {
        let q = EventQuery {
            include_actioned: Some(true),
            ids: vec!["a".into(), "b".into()],
            page_size: Some(10),
            ..EventQuery::ingest_failures()
        };
        let p = q.params(Some("t"));
        assert_eq!(
            p,
            [
                ("eventName", INGEST_FAILURE_EVENT.to_string()),
                ("includeActioned", "true".into()),
                ("ids", "a,b".into()),
                ("pageSize", "10".into()),
                ("nextToken", "t".into())
            ]
        );
    }

    #[test]
    fn failure_types_round_trip() {
        for t in IngestFailureType::ALL {
            assert_eq!(IngestFailureType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        assert!(IngestFailureType::CalculationError.still_ingested());
        assert!(!IngestFailureType::DuplicateUid.still_ingested());
    }
}
