//! m3ter's validation rules, written once: the sandbox enforces them on requests and the TUI applies
//! them as the user types, so both say the same thing in the same words.
//!
//! Limits come from m3ter's published OpenAPI document. Where the
//! reference is silent we decided, and say so at the rule (marked "Decision").

mod account;
mod catalog;
mod ingest;
mod measurement;

pub use account::account_errors;
pub use catalog::{meter_errors, product_errors};
pub use ingest::{
    check_against_meter, check_request, derive, parse_timestamp_with_offset, validate_request,
    Enriched, IngestFault,
};
pub use measurement::{check_measurement, describe, TOP_LEVEL_KEYS};

use super::types::CustomFields;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use regex::Regex;
use std::sync::LazyLock;

/// One broken rule: which field (a JSON path such as `measurements[2].measure.gb`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, placed under `prefix` (e.g. `measurements[3]`).
    pub fn under(self, prefix: &str) -> Self {
        let field = if self.field.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{}", self.field)
        };
        Self {
            field,
            message: self.message,
        }
    }
}

pub const CODE_MAX: usize = 80;
pub const NAME_MAX: usize = 200;
pub const PURCHASE_ORDER_MAX: usize = 100;
pub const CUSTOM_FIELDS_MAX: usize = 100;
pub const UID_MAX: usize = 50;
pub const METADATA_VALUE_MAX: usize = 256;
pub const DATA_FIELDS_MAX: usize = 15;
pub const UNIT_MAX: usize = 50;
pub const CALCULATION_MAX: usize = 5000;
/// Most measurements in one ingest request.
pub const BATCH_MAX_MEASUREMENTS: usize = 1000;
/// An ingest request body must be strictly smaller than this many bytes.
pub const BATCH_MAX_BYTES: usize = 512_000;

/// m3ter's code pattern translated from Java: no control characters, no whitespace but inner
/// plain spaces.
static CODE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^\x00-\x20\x7F](?:[^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$").unwrap()
});
pub(crate) static FIELD_CODE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}_$][\p{L}_$0-9]*$").unwrap());
/// Decision: a pragmatic address check (one `@`, a dotted domain, no spaces); m3ter only says
/// `format: email`.
static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$").unwrap());
/// Decision: ISO-4217 shape, three capital letters (the spec gives no pattern, only `USD`, `GBP`).
static CURRENCY_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z]{3}$").unwrap());

pub(crate) fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Code rule for product, meter and account codes (and a measurement's `meter`/`account`).
pub fn check_code(field: &str, code: &str) -> Result<(), FieldError> {
    let n = chars(code);
    if n == 0 {
        return Err(FieldError::new(field, "is required (1–80 characters)"));
    }
    if n > CODE_MAX {
        return Err(FieldError::new(
            field,
            format!("must be at most {CODE_MAX} characters (got {n})"),
        ));
    }
    if !CODE_RE.is_match(code) {
        return Err(FieldError::new(
            field,
            "must not start or end with a space, nor contain control characters, tabs or line breaks",
        ));
    }
    Ok(())
}

pub fn check_name(field: &str, name: &str) -> Result<(), FieldError> {
    check_len(field, name, 1, NAME_MAX)
}

pub(crate) fn check_len(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let n = chars(value);
    if n < min {
        return Err(FieldError::new(
            field,
            format!("is required ({min}–{max} characters)"),
        ));
    }
    if n > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters (got {n})"),
        ));
    }
    Ok(())
}

pub(crate) fn check_max(field: &str, value: &Option<String>, max: usize) -> Result<(), FieldError> {
    match value {
        Some(v) if chars(v) > max => Err(FieldError::new(
            field,
            format!("must be at most {max} characters (got {})", chars(v)),
        )),
        _ => Ok(()),
    }
}

pub fn check_email(field: &str, email: &str) -> Result<(), FieldError> {
    if email.is_empty() {
        return Err(FieldError::new(field, "is required (an email address)"));
    }
    if chars(email) > 256 || !EMAIL_RE.is_match(email) {
        return Err(FieldError::new(
            field,
            format!("must be an email address like name@example.com (got {email:?})"),
        ));
    }
    Ok(())
}

pub fn check_currency(field: &str, currency: &str) -> Result<(), FieldError> {
    if CURRENCY_RE.is_match(currency) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!("must be an ISO 4217 currency code such as USD or GBP (got {currency:?})"),
        ))
    }
}

pub fn check_date(field: &str, date: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, format!("must be a date YYYY-MM-DD (got {date:?})")))
}

/// Parses an ISO-8601 date-time. Decision: a time without an offset (what Python's naive
/// `datetime.isoformat()` gives) is read as UTC rather than rejected.
pub fn parse_timestamp(field: &str, ts: &str) -> Result<DateTime<Utc>, FieldError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ts) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(ts, fmt) {
            return Ok(t.and_utc());
        }
    }
    Err(FieldError::new(
        field,
        format!("must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z (got {ts:?})"),
    ))
}

pub fn check_custom_fields(field: &str, custom: &Option<CustomFields>) -> Result<(), FieldError> {
    let Some(map) = custom else { return Ok(()) };
    if map.len() > CUSTOM_FIELDS_MAX {
        return Err(FieldError::new(
            field,
            format!(
                "must have at most {CUSTOM_FIELDS_MAX} entries (got {})",
                map.len()
            ),
        ));
    }
    for (k, v) in map {
        if !(v.is_string() || v.is_number()) {
            return Err(FieldError::new(
                format!("{field}.{k}"),
                "must be a string or a number",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::types::*;
    use serde_json::json;

    fn meter() -> Meter {
        Meter {
            id: "m".into(),
            code: Some("api_calls".into()),
            data_fields: vec![
                DataField {
                    category: DataFieldCategory::Who,
                    code: "user".into(),
                    name: "User".into(),
                    unit: None,
                },
                DataField {
                    category: DataFieldCategory::Measure,
                    code: "calls".into(),
                    name: "Calls".into(),
                    unit: Some("{call}".into()),
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn codes() {
        assert!(check_code("code", "ACME Corp").is_ok());
        assert!(check_code("code", " ACME").is_err());
        assert!(check_code("code", "ACME ").is_err());
        assert!(check_code("code", "A\tB").is_err());
        assert!(check_code("code", "").is_err());
        assert!(check_code("code", &"x".repeat(80)).is_ok());
        assert!(check_code("code", &"x".repeat(81))
            .unwrap_err()
            .message
            .contains("at most 80"));
    }

    #[test]
    fn account_rules_name_each_field() {
        let req = AccountRequest {
            code: "".into(),
            name: "x".repeat(201),
            email_address: "nope".into(),
            purchase_order_number: Some("p".repeat(101)),
            days_before_bill_due: Some(0),
            currency: Some("usd".into()),
            bill_epoch: Some("2026-02-30".into()),
            credit_application_order: Some(vec![
                CreditApplication::Balance,
                CreditApplication::Balance,
            ]),
            ..Default::default()
        };
        let fields: Vec<_> = account_errors(&req).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "code",
                "name",
                "emailAddress",
                "purchaseOrderNumber",
                "daysBeforeBillDue",
                "currency",
                "billEpoch",
                "creditApplicationOrder"
            ]
        );
    }

    #[test]
    fn measurement_checks_name_the_field() {
        let m = meter();
        let ok = json!({"uid":"u1","meter":"api_calls","account":"ACME","ts":"2026-01-01T00:00:00Z","who":{"user":"bob"},"measure":{"calls":3}});
        assert_eq!(
            check_measurement(&ok, |_| Some(&m))
                .unwrap()
                .measure
                .unwrap()["calls"],
            serde_json::Number::from(3),
            "a whole number stays whole"
        );
        let bad = json!({"meter":"api_calls","account":"ACME","ts":"2026-01-01T00:00:00Z","measure":{"calls":"3"}});
        let e = check_measurement(&bad, |_| Some(&m)).unwrap_err();
        assert_eq!(e.field, "measure.calls");
        assert!(e.message.contains("must be a number"), "{e}");
        let wrong_cat = json!({"meter":"api_calls","account":"ACME","ts":"2026-01-01T00:00:00Z","what":{"user":"x"}});
        assert!(check_measurement(&wrong_cat, |_| Some(&m))
            .unwrap_err()
            .message
            .contains("under \"who\""));
        let unknown = json!({"meter":"api_calls","account":"ACME","ts":"2026-01-01T00:00:00Z","measure":{"nope":1}});
        assert_eq!(
            check_measurement(&unknown, |_| Some(&m)).unwrap_err().field,
            "measure.nope"
        );
        let no_meter = json!({"meter":"zzz","account":"ACME","ts":"2026-01-01T00:00:00Z"});
        assert_eq!(
            check_measurement(&no_meter, |_| None).unwrap_err().field,
            "meter"
        );
        let naive = json!({"meter":"api_calls","account":"ACME","ts":"2026-01-01T00:00:00"});
        assert!(check_measurement(&naive, |_| Some(&m)).is_ok());
    }
}
