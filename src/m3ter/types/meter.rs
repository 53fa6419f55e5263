//! Meters and their data fields: which values a measurement carries, and of what type.

use super::{Audit, CustomFields};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A data field's category; it decides the measurement key the value goes under and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DataFieldCategory {
    Who,
    Where,
    What,
    Other,
    Metadata,
    Measure,
    Income,
    Cost,
}

impl DataFieldCategory {
    pub const ALL: [DataFieldCategory; 8] = [
        Self::Who,
        Self::Where,
        Self::What,
        Self::Other,
        Self::Metadata,
        Self::Measure,
        Self::Income,
        Self::Cost,
    ];

    /// The measurement key that holds values of this category (`WHO` → `who`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Who => "who",
            Self::Where => "where",
            Self::What => "what",
            Self::Other => "other",
            Self::Metadata => "metadata",
            Self::Measure => "measure",
            Self::Income => "income",
            Self::Cost => "cost",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// MEASURE, INCOME and COST hold numbers; the others hold strings.
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Measure | Self::Income | Self::Cost)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Who => "WHO",
            Self::Where => "WHERE",
            Self::What => "WHAT",
            Self::Other => "OTHER",
            Self::Metadata => "METADATA",
            Self::Measure => "MEASURE",
            Self::Income => "INCOME",
            Self::Cost => "COST",
        }
    }
}

impl fmt::Display for DataFieldCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataField {
    pub category: DataFieldCategory,
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A field computed by m3ter from the data fields; never part of a submitted measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DerivedField {
    pub category: DataFieldCategory,
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub calculation: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meter {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Absent for a Global meter (one not tied to a product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default)]
    pub data_fields: Vec<DataField>,
    #[serde(default)]
    pub derived_fields: Vec<DerivedField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(flatten)]
    pub audit: Audit,
}

impl Meter {
    pub fn is_global(&self) -> bool {
        self.product_id.as_deref().is_none_or(str::is_empty)
    }

    pub fn data_field(&self, code: &str) -> Option<&DataField> {
        self.data_fields.iter().find(|f| f.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeterRequest {
    pub code: String,
    pub name: String,
    pub data_fields: Vec<DataField>,
    /// Always sent (`[]` for none): m3ter rejects `null`.
    #[serde(default)]
    pub derived_fields: Vec<DerivedField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}
