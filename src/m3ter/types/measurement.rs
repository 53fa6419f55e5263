//! Usage measurements as the ingest API takes them.

use super::DataFieldCategory;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Values of one string category (`who`, `where`, `what`, `other`, `metadata`).
pub type StringValues = BTreeMap<String, String>;
/// Values of one numeric category (`measure`, `income`, `cost`). JSON numbers rather than `f64`
/// so a value goes out as it was typed (`12`, not `12.0`) and echoes back the same in the log.
pub type NumberValues = BTreeMap<String, serde_json::Number>;

/// One usage measurement as the ingest API takes it.
///
/// `ts`/`ets` stay strings so what the user typed is sent as typed; [`crate::m3ter::rules`]
/// checks them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Measurement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    pub meter: String,
    pub account: String,
    pub ts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ets: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<StringValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<StringValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<StringValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<StringValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<StringValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<NumberValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<NumberValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<NumberValues>,
}

impl Measurement {
    /// Every (category, code, value) this measurement carries, numbers as JSON numbers.
    pub fn values(&self) -> Vec<(DataFieldCategory, &str, Value)> {
        let mut out = Vec::new();
        for cat in DataFieldCategory::ALL {
            if cat.is_numeric() {
                if let Some(map) = self.numbers(cat) {
                    for (k, v) in map {
                        out.push((cat, k.as_str(), Value::Number(v.clone())));
                    }
                }
            } else if let Some(map) = self.strings(cat) {
                for (k, v) in map {
                    out.push((cat, k.as_str(), Value::String(v.clone())));
                }
            }
        }
        out
    }

    pub fn strings(&self, cat: DataFieldCategory) -> Option<&StringValues> {
        match cat {
            DataFieldCategory::Who => self.who.as_ref(),
            DataFieldCategory::Where => self.r#where.as_ref(),
            DataFieldCategory::What => self.what.as_ref(),
            DataFieldCategory::Other => self.other.as_ref(),
            DataFieldCategory::Metadata => self.metadata.as_ref(),
            _ => None,
        }
    }

    pub fn numbers(&self, cat: DataFieldCategory) -> Option<&NumberValues> {
        match cat {
            DataFieldCategory::Measure => self.measure.as_ref(),
            DataFieldCategory::Income => self.income.as_ref(),
            DataFieldCategory::Cost => self.cost.as_ref(),
            _ => None,
        }
    }

    pub fn strings_mut(&mut self, cat: DataFieldCategory) -> Option<&mut StringValues> {
        let slot = match cat {
            DataFieldCategory::Who => &mut self.who,
            DataFieldCategory::Where => &mut self.r#where,
            DataFieldCategory::What => &mut self.what,
            DataFieldCategory::Other => &mut self.other,
            DataFieldCategory::Metadata => &mut self.metadata,
            _ => return None,
        };
        Some(slot.get_or_insert_with(Default::default))
    }

    pub fn numbers_mut(&mut self, cat: DataFieldCategory) -> Option<&mut NumberValues> {
        let slot = match cat {
            DataFieldCategory::Measure => &mut self.measure,
            DataFieldCategory::Income => &mut self.income,
            DataFieldCategory::Cost => &mut self.cost,
            _ => return None,
        };
        Some(slot.get_or_insert_with(Default::default))
    }
}

/// `POST /measurements` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MeasurementBatch {
    pub measurements: Vec<Measurement>,
}

/// `POST /measurements` answer: `{"result":"accepted"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}
