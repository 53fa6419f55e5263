//! `POST /usage/query`: m3ter's Data Explorer query over ingested measurements.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Most rows one usage query returns (and the largest `limit`).
pub const USAGE_QUERY_LIMIT_MAX: u32 = 20_000;

/// `UsageQueryRequest`. `startDate` is inclusive, `endDate` exclusive, both on the
/// measurement's `ts`. Groups apply only with aggregations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meter_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimension_filters: Vec<DimensionFilter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregations: Vec<Aggregation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<UsageGroup>,
    /// 1–20000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Keep only measurements whose dimension `fieldCode` of meter `meterId` is one of `values`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DimensionFilter {
    pub meter_id: String,
    pub field_code: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregation {
    pub meter_id: String,
    pub field_code: String,
    pub field_type: AggregationFieldType,
    pub function: AggregationFunction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AggregationFieldType {
    Measure,
    Dimension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AggregationFunction {
    Sum,
    Min,
    Max,
    Count,
    Latest,
    Mean,
    Unique,
}

impl AggregationFunction {
    pub const ALL: [Self; 7] = [
        Self::Sum,
        Self::Min,
        Self::Max,
        Self::Count,
        Self::Latest,
        Self::Mean,
        Self::Unique,
    ];

    /// Lower-case name, as used in result column names (`sum(calls)`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Min => "min",
            Self::Max => "max",
            Self::Count => "count",
            Self::Latest => "latest",
            Self::Mean => "mean",
            Self::Unique => "unique",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// Whether the function applies to a field type: measures take SUM, MIN, MAX, COUNT, LATEST
    /// and MEAN; dimensions COUNT and UNIQUE.
    pub fn applies_to(self, t: AggregationFieldType) -> bool {
        match t {
            AggregationFieldType::Measure => self != Self::Unique,
            AggregationFieldType::Dimension => matches!(self, Self::Count | Self::Unique),
        }
    }
}

impl Aggregation {
    /// The result column this aggregation fills: `sum(calls)`.
    ///
    /// Decision (m3ter does not publish the row shape): `function(fieldCode)`, lower-case.
    pub fn column(&self) -> String {
        format!("{}({})", self.function.name(), self.field_code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimeFrequency {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
}

impl TimeFrequency {
    pub const ALL: [Self; 5] = [
        Self::Hour,
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Quarter,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(|n| n.eq_ignore_ascii_case(s)))
                .unwrap_or(false)
        })
    }
}

/// `groups[]`, tagged by `groupType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "groupType", rename_all = "UPPERCASE")]
pub enum UsageGroup {
    Account,
    Time {
        frequency: TimeFrequency,
    },
    Dimension {
        #[serde(rename = "meterId")]
        meter_id: String,
        #[serde(rename = "fieldCode")]
        field_code: String,
    },
}

/// `UsageQueryResponse`: rows (shape unpublished, see the sandbox's usage query for ours) and
/// whether more rows matched than were returned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageQueryResponse {
    #[serde(default)]
    pub data: Vec<Map<String, Value>>,
    #[serde(default)]
    pub has_more_data: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_wire_shape_matches_the_spec() {
        let q = UsageQuery {
            start_date: Some("2026-01-01T00:00:00Z".into()),
            meter_ids: vec!["m1".into()],
            aggregations: vec![Aggregation {
                meter_id: "m1".into(),
                field_code: "calls".into(),
                field_type: AggregationFieldType::Measure,
                function: AggregationFunction::Sum,
            }],
            groups: vec![
                UsageGroup::Account,
                UsageGroup::Time {
                    frequency: TimeFrequency::Day,
                },
                UsageGroup::Dimension {
                    meter_id: "m1".into(),
                    field_code: "region".into(),
                },
            ],
            limit: Some(100),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            json!({
                "startDate": "2026-01-01T00:00:00Z", "meterIds": ["m1"],
                "aggregations": [{"meterId": "m1", "fieldCode": "calls", "fieldType": "MEASURE", "function": "SUM"}],
                "groups": [{"groupType": "ACCOUNT"}, {"groupType": "TIME", "frequency": "DAY"},
                           {"groupType": "DIMENSION", "meterId": "m1", "fieldCode": "region"}],
                "limit": 100
            })
        );
    }

    #[test]
    fn functions_know_their_field_types() {
        use AggregationFieldType::*;
        assert!(AggregationFunction::Sum.applies_to(Measure));
        assert!(!AggregationFunction::Sum.applies_to(Dimension));
        assert!(AggregationFunction::Unique.applies_to(Dimension));
        assert!(!AggregationFunction::Unique.applies_to(Measure));
        assert_eq!(
            AggregationFunction::parse("mean"),
            Some(AggregationFunction::Mean)
        );
        assert_eq!(
            TimeFrequency::parse("quarter"),
            Some(TimeFrequency::Quarter)
        );
    }

    #[test]
    fn response_defaults_when_fields_are_missing() {
        let r: UsageQueryResponse = serde_json::from_str("{}").unwrap();
        assert!(r.data.is_empty() && !r.has_more_data);
    }
}
