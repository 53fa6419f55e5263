//! Product and meter rules.

use super::*;
use crate::m3ter::types::{MeterRequest, ProductRequest};

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
