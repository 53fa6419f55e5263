//! m3ter's wire types, defined once and shared by the HTTP client, the sandbox and the TUI.
//!
//! Names are m3ter's camelCase JSON names (see `shared/reference/m3ter-api.md`). Response types are
//! lenient on purpose — every field but `id` is optional and date-times are kept as the strings the
//! server sent — so a field real m3ter omits or formats differently never makes a whole list fail to
//! decode. Request types omit unset fields, as the official SDK does.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// `customFields`: name → string | integer | number.
pub type CustomFields = Map<String, Value>;

/// Suffix m3ter gives the name of an account it created for an unknown code.
pub const AUTO_CREATED_NAME_SUFFIX: &str = "-autocreated";
/// Suffix (after the random hash) of an auto-created account's email address.
pub const AUTO_CREATED_EMAIL_SUFFIX: &str = "-autocreated@example.com";

/// One page of a cursor-paginated list: `{"data": [...], "nextToken": "..."}`.
///
/// `nextToken` is present only when another page exists; the SDK stops on an absent, null or
/// empty token, and so does our client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    /// The token for the next page, treating `""` like absent (as the SDK does).
    pub fn next(&self) -> Option<&str> {
        self.next_token.as_deref().filter(|t| !t.is_empty())
    }
}

/// m3ter's error body. m3ter documents only "an informative message in the JSON body"; the
/// sandbox always sends `{"message": ...}` and the client falls back to the raw text otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    /// The request field the error is about (sandbox extension, so forms can place the error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /oauth/token` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default = "default_token_type")]
    pub token_type: String,
    pub expires_in: u64,
}

fn default_token_type() -> String {
    "Bearer".into()
}

// ---------------------------------------------------------------- products

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(flatten)]
    pub audit: Audit,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRequest {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// Who created/changed an entity and when (RFC 3339 strings, as sent).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dt_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dt_last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
}

// ---------------------------------------------------------------- meters

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

// ---------------------------------------------------------------- accounts

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AutoGenerateStatementMode {
    None,
    Json,
    JsonAndCsv,
}

impl AutoGenerateStatementMode {
    pub const ALL: [Self; 3] = [Self::None, Self::Json, Self::JsonAndCsv];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Json => "JSON",
            Self::JsonAndCsv => "JSON_AND_CSV",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CreditApplication {
    Prepayment,
    Balance,
}

impl CreditApplication {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepayment => "PREPAYMENT",
            Self::Balance => "BALANCE",
        }
    }
}

/// The four orders m3ter documents for `creditApplicationOrder`.
pub const CREDIT_APPLICATION_ORDERS: [&[CreditApplication]; 4] = [
    &[CreditApplication::Prepayment, CreditApplication::Balance],
    &[CreditApplication::Balance, CreditApplication::Prepayment],
    &[CreditApplication::Prepayment],
    &[CreditApplication::Balance],
];

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self == &Address::default()
    }
}

/// m3ter's AccountResponse, every field, plus the sandbox's `autoCreated` marker.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_epoch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_definition_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_generate_statement_mode: Option<AutoGenerateStatementMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_application_order: Option<Vec<CreditApplication>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_before_bill_due: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(flatten)]
    pub audit: Audit,
    /// Sandbox extension: true when a measurement created this account. Real m3ter does not
    /// send it; [`Account::is_auto_created`] then recognises m3ter's name and email pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_created: Option<bool>,
}

impl Account {
    /// Whether m3ter created this account for a measurement with an unknown code and nobody has
    /// since turned it into a real account (a new name or email clears the mark).
    pub fn is_auto_created(&self) -> bool {
        if let Some(flag) = self.auto_created {
            return flag;
        }
        let (Some(code), Some(name), Some(email)) = (&self.code, &self.name, &self.email_address)
        else {
            return false;
        };
        *name == format!("{code}{AUTO_CREATED_NAME_SUFFIX}")
            && email.ends_with(AUTO_CREATED_EMAIL_SUFFIX)
    }

    /// The update request that leaves the account as it is (PUT replaces the whole entity).
    pub fn to_request(&self) -> AccountRequest {
        AccountRequest {
            code: self.code.clone().unwrap_or_default(),
            name: self.name.clone().unwrap_or_default(),
            email_address: self.email_address.clone().unwrap_or_default(),
            address: self.address.clone(),
            parent_account_id: self.parent_account_id.clone(),
            bill_epoch: self.bill_epoch.clone(),
            purchase_order_number: self.purchase_order_number.clone(),
            currency: self.currency.clone(),
            statement_definition_id: self.statement_definition_id.clone(),
            auto_generate_statement_mode: self.auto_generate_statement_mode,
            credit_application_order: self.credit_application_order.clone(),
            days_before_bill_due: self.days_before_bill_due,
            custom_fields: self.custom_fields.clone(),
            version: self.version,
        }
    }
}

/// AccountRequest: create and update share it; `version` is required on update only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRequest {
    pub code: String,
    pub name: String,
    pub email_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_epoch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_definition_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_generate_statement_mode: Option<AutoGenerateStatementMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_application_order: Option<Vec<CreditApplication>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_before_bill_due: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

// ---------------------------------------------------------------- measurements

/// Values of one string category (`who`, `where`, `what`, `other`, `metadata`).
pub type StringValues = BTreeMap<String, String>;
/// Values of one numeric category (`measure`, `income`, `cost`).
pub type NumberValues = BTreeMap<String, f64>;

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
                        out.push((cat, k.as_str(), serde_json::json!(v)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_wire_names_are_camel_case() {
        let a = Account {
            id: "1".into(),
            email_address: Some("a@b.c".into()),
            days_before_bill_due: Some(3),
            auto_generate_statement_mode: Some(AutoGenerateStatementMode::JsonAndCsv),
            credit_application_order: Some(vec![CreditApplication::Balance]),
            ..Default::default()
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["emailAddress"], "a@b.c");
        assert_eq!(v["daysBeforeBillDue"], 3);
        assert_eq!(v["autoGenerateStatementMode"], "JSON_AND_CSV");
        assert_eq!(v["creditApplicationOrder"][0], "BALANCE");
        assert!(v.get("name").is_none(), "unset fields are omitted");
    }

    #[test]
    fn auto_created_is_recognised_without_the_sandbox_marker() {
        let mut a = Account {
            id: "x".into(),
            code: Some("ACME".into()),
            name: Some("ACME-autocreated".into()),
            email_address: Some("3fa9c2-autocreated@example.com".into()),
            ..Default::default()
        };
        assert!(a.is_auto_created());
        a.name = Some("Acme Corp".into());
        assert!(!a.is_auto_created());
        a.auto_created = Some(true);
        assert!(a.is_auto_created(), "the sandbox marker wins");
    }

    #[test]
    fn where_is_spelled_where_on_the_wire() {
        let mut m = Measurement {
            meter: "m".into(),
            account: "a".into(),
            ts: "t".into(),
            ..Default::default()
        };
        m.strings_mut(DataFieldCategory::Where)
            .unwrap()
            .insert("region".into(), "eu".into());
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["where"]["region"], "eu");
    }
}
