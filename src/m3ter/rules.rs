//! m3ter's validation rules, written once: the sandbox enforces them on requests and the TUI applies
//! them as the user types, so both say the same thing in the same words.
//!
//! Limits come from m3ter's OpenAPI document (`shared/reference/m3ter-openapi.json`). Where the
//! reference is silent we decided, and say so at the rule (marked "Decision").

use super::types::*;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use regex::Regex;
use serde_json::{Map, Value};
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
static FIELD_CODE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}_$][\p{L}_$0-9]*$").unwrap());
/// Decision: a pragmatic address check (one `@`, a dotted domain, no spaces); m3ter only says
/// `format: email`.
static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$").unwrap());
/// Decision: ISO-4217 shape, three capital letters (the spec gives no pattern, only `USD`, `GBP`).
static CURRENCY_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z]{3}$").unwrap());

fn chars(s: &str) -> usize {
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

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
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

fn check_max(field: &str, value: &Option<String>, max: usize) -> Result<(), FieldError> {
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

/// Every rule an AccountRequest breaks (all of them, so a form can mark each field at once).
///
/// Referential rules (parent exists, code unique) need the store and live in the sandbox.
pub fn account_errors(req: &AccountRequest) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut push = |r: Result<(), FieldError>| {
        if let Err(e) = r {
            errs.push(e)
        }
    };
    push(check_code("code", &req.code));
    push(check_name("name", &req.name));
    push(check_email("emailAddress", &req.email_address));
    push(check_max(
        "purchaseOrderNumber",
        &req.purchase_order_number,
        PURCHASE_ORDER_MAX,
    ));
    if let Some(d) = req.days_before_bill_due {
        if d <= 0 {
            push(Err(FieldError::new(
                "daysBeforeBillDue",
                format!("must be greater than 0 (got {d})"),
            )));
        }
    }
    if let Some(c) = &req.currency {
        push(check_currency("currency", c));
    }
    if let Some(b) = &req.bill_epoch {
        push(check_date("billEpoch", b).map(|_| ()));
    }
    if let Some(order) = &req.credit_application_order {
        // Decision: only the four orders m3ter documents (no empty list, no repeats).
        if !CREDIT_APPLICATION_ORDERS
            .iter()
            .any(|o| *o == order.as_slice())
        {
            push(Err(FieldError::new(
                "creditApplicationOrder",
                "must be one of [PREPAYMENT,BALANCE], [BALANCE,PREPAYMENT], [PREPAYMENT], [BALANCE]",
            )));
        }
    }
    if let Some(a) = &req.address {
        push(check_max("address.addressLine1", &a.address_line1, 50));
        push(check_max("address.addressLine2", &a.address_line2, 50));
        push(check_max("address.locality", &a.locality, 100));
        push(check_max("address.region", &a.region, 50));
        push(check_max("address.postCode", &a.post_code, 20));
        push(check_max("address.country", &a.country, 100));
    }
    push(check_custom_fields("customFields", &req.custom_fields));
    errs
}

pub fn product_errors(req: &ProductRequest) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for r in [
        check_code("code", &req.code),
        check_name("name", &req.name),
        check_custom_fields("customFields", &req.custom_fields),
    ] {
        if let Err(e) = r {
            errs.push(e);
        }
    }
    errs
}

/// Meter rules. Decision: a unit is required for MEASURE/INCOME/COST fields (m3ter: "required
/// only for numeric field categories"); data- and derived-field codes share one namespace per
/// meter; a derived field's `calculation` is stored as text (m3ter does not publish its grammar).
pub fn meter_errors(req: &MeterRequest) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut push = |r: Result<(), FieldError>| {
        if let Err(e) = r {
            errs.push(e)
        }
    };
    push(check_code("code", &req.code));
    push(check_name("name", &req.name));
    if req.data_fields.is_empty() || req.data_fields.len() > DATA_FIELDS_MAX {
        push(Err(FieldError::new(
            "dataFields",
            format!(
                "must have 1–{DATA_FIELDS_MAX} fields (got {})",
                req.data_fields.len()
            ),
        )));
    }
    if req.derived_fields.len() > DATA_FIELDS_MAX {
        push(Err(FieldError::new(
            "derivedFields",
            format!(
                "must have at most {DATA_FIELDS_MAX} fields (got {})",
                req.derived_fields.len()
            ),
        )));
    }
    for (k, id) in [("productId", &req.product_id), ("groupId", &req.group_id)] {
        if let Some(id) = id {
            if chars(id) != 36 {
                push(Err(FieldError::new(k, "must be a 36-character UUID")));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let fields = req
        .data_fields
        .iter()
        .map(|f| ("dataFields", f.category, &f.code, &f.name, &f.unit, None));
    let derived = req.derived_fields.iter().map(|f| {
        (
            "derivedFields",
            f.category,
            &f.code,
            &f.name,
            &f.unit,
            Some(&f.calculation),
        )
    });
    let mut index = std::collections::HashMap::<&str, usize>::new();
    for (list, cat, code, name, unit, calc) in fields.chain(derived) {
        let i = index.entry(list).or_default();
        let at = format!("{list}[{i}]");
        *i += 1;
        if !FIELD_CODE_RE.is_match(code) || chars(code) > CODE_MAX {
            push(Err(FieldError::new(
                format!("{at}.code"),
                format!("must be 1–80 letters, digits, _ or $, not starting with a digit (got {code:?})"),
            )));
        } else if !seen.insert(code.clone()) {
            push(Err(FieldError::new(
                format!("{at}.code"),
                format!("duplicates the field code {code:?} on this meter"),
            )));
        }
        push(check_name(&format!("{at}.name"), name));
        match unit {
            Some(u) => push(check_len(&format!("{at}.unit"), u, 1, UNIT_MAX)),
            None if cat.is_numeric() => push(Err(FieldError::new(
                format!("{at}.unit"),
                format!("is required for a {cat} field"),
            ))),
            None => {}
        }
        if let Some(c) = calc {
            push(check_len(
                &format!("{at}.calculation"),
                c,
                1,
                CALCULATION_MAX,
            ));
        }
    }
    push(check_custom_fields("customFields", &req.custom_fields));
    errs
}

/// Checks one measurement (as raw JSON, so a wrong type is reported by name rather than as a
/// serde message) against its meter, and returns it typed.
///
/// Decisions: unknown top-level keys are rejected (a typo such as `mesure` would otherwise drop
/// data silently); a value must be under its field's category; fields may be left out; `uid` is
/// optional. `meter` is looked up by code through `find_meter`; an unknown meter is an error
/// (and so never auto-creates an account).
pub fn check_measurement<'m>(
    value: &Value,
    find_meter: impl FnOnce(&str) -> Option<&'m Meter>,
) -> Result<Measurement, FieldError> {
    let obj = value
        .as_object()
        .ok_or_else(|| FieldError::new("", "must be a JSON object"))?;
    const TOP: [&str; 5] = ["uid", "meter", "account", "ts", "ets"];
    for key in obj.keys() {
        if !TOP.contains(&key.as_str()) && DataFieldCategory::from_key(key).is_none() {
            return Err(FieldError::new(
                key.clone(),
                "is not a measurement field (expected uid, meter, account, ts, ets, who, where, what, other, metadata, measure, income or cost)",
            ));
        }
    }
    let uid = opt_string(obj, "uid")?;
    if let Some(u) = &uid {
        check_len("uid", u, 1, UID_MAX)?;
    }
    let meter_code = req_string(obj, "meter")?;
    check_code("meter", &meter_code)?;
    let account = req_string(obj, "account")?;
    check_code("account", &account)?;
    let ts = req_string(obj, "ts")?;
    parse_timestamp("ts", &ts)?;
    let ets = opt_string(obj, "ets")?;
    if let Some(e) = &ets {
        parse_timestamp("ets", e)?;
    }
    let meter = find_meter(&meter_code)
        .ok_or_else(|| FieldError::new("meter", format!("no meter has the code {meter_code:?}")))?;
    let mut m = Measurement {
        uid,
        meter: meter_code,
        account,
        ts,
        ets,
        ..Default::default()
    };
    for cat in DataFieldCategory::ALL {
        let Some(raw) = obj.get(cat.key()) else {
            continue;
        };
        if raw.is_null() {
            continue;
        }
        let map = raw
            .as_object()
            .ok_or_else(|| FieldError::new(cat.key(), "must be an object of field code → value"))?;
        for (code, v) in map {
            let at = format!("{}.{code}", cat.key());
            let field = meter.data_field(code).ok_or_else(|| {
                let known: Vec<_> = meter.data_fields.iter().map(|f| f.code.as_str()).collect();
                FieldError::new(
                    &at,
                    format!(
                        "meter {:?} has no data field {code:?} (it has: {})",
                        meter.code.as_deref().unwrap_or(""),
                        known.join(", ")
                    ),
                )
            })?;
            if field.category != cat {
                return Err(FieldError::new(
                    &at,
                    format!(
                        "{code:?} is a {} field: put it under \"{}\"",
                        field.category,
                        field.category.key()
                    ),
                ));
            }
            if cat.is_numeric() {
                let n = v.as_number().cloned().ok_or_else(|| {
                    FieldError::new(
                        &at,
                        format!("must be a number (a {cat} value), got {}", describe(v)),
                    )
                })?;
                m.numbers_mut(cat).unwrap().insert(code.clone(), n);
            } else {
                let s = v.as_str().ok_or_else(|| {
                    FieldError::new(
                        &at,
                        format!("must be a string (a {cat} value), got {}", describe(v)),
                    )
                })?;
                if cat == DataFieldCategory::Metadata && chars(s) > METADATA_VALUE_MAX {
                    return Err(FieldError::new(
                        &at,
                        format!("must be at most {METADATA_VALUE_MAX} characters"),
                    ));
                }
                m.strings_mut(cat)
                    .unwrap()
                    .insert(code.clone(), s.to_string());
            }
        }
    }
    Ok(m)
}

/// A short description of a JSON value for error messages: `the number 3`, `the string "x"`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn req_string(obj: &Map<String, Value>, key: &str) -> Result<String, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(FieldError::new(key, "is required")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(FieldError::new(
            key,
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

fn opt_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(FieldError::new(
            key,
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
