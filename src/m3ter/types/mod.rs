//! m3ter's wire types, defined once and shared by the HTTP client, the sandbox and the TUI.
//!
//! Names are m3ter's camelCase JSON names (as in its published API reference). Response types are
//! lenient on purpose — every field but `id` is optional and date-times are kept as the strings the
//! server sent — so a field real m3ter omits or formats differently never makes a whole list fail to
//! decode. Request types omit unset fields, as the official SDK does.

mod account;
mod event;
mod file_upload;
mod measurement;
mod meter;
mod product;
mod usage;

pub use account::*;
pub use event::*;
pub use file_upload::*;
pub use measurement::*;
pub use meter::*;
pub use product::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
pub use usage::*;

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
