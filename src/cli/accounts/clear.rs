//! `accounts update --clear FIELD`. m3ter's PUT replaces the whole entity, so a field is cleared
//! by leaving it out of the request; there is no "set to null" to send. A field may be named by
//! the flag that sets it or by its JSON (wire) name, so a name copied from `--help` or from
//! `-o json` output both work.

use crate::m3ter::{AccountRequest, Address};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Parent,
    Po,
    Currency,
    BillEpoch,
    CreditOrder,
    StatementMode,
    DaysBeforeBillDue,
    StatementDefinition,
    Address,
    Line1,
    Line2,
    Locality,
    Region,
    PostCode,
    Country,
    Custom,
}

/// Every clearable field: the names it answers to (flag name first, then wire name).
const FIELDS: &[(&[&str], Field)] = &[
    (&["parent", "parentAccountId"], Field::Parent),
    (&["po", "purchaseOrderNumber"], Field::Po),
    (&["currency"], Field::Currency),
    (&["bill-epoch", "billEpoch"], Field::BillEpoch),
    (
        &["credit-order", "creditApplicationOrder"],
        Field::CreditOrder,
    ),
    (
        &["statement-mode", "autoGenerateStatementMode"],
        Field::StatementMode,
    ),
    (
        &["days-before-bill-due", "daysBeforeBillDue"],
        Field::DaysBeforeBillDue,
    ),
    (
        &[
            "statement-definition",
            "statement-definition-id",
            "statementDefinitionId",
        ],
        Field::StatementDefinition,
    ),
    (&["address"], Field::Address),
    (&["address-line1", "address.addressLine1"], Field::Line1),
    (&["address-line2", "address.addressLine2"], Field::Line2),
    (&["locality", "address.locality"], Field::Locality),
    (&["region", "address.region"], Field::Region),
    (&["post-code", "address.postCode"], Field::PostCode),
    (&["country", "address.country"], Field::Country),
    (&["custom", "customFields"], Field::Custom),
];

/// Fields m3ter requires: (wire name, the flag that changes it instead).
const REQUIRED: &[(&str, &[&str], &str)] = &[
    ("code", &["code", "new-code"], "--new-code"),
    ("name", &["name"], "--name"),
    ("emailAddress", &["email", "emailAddress"], "--email"),
];

/// One parsed `--clear`: a field, or one key of the custom fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clear {
    pub(super) field: Field,
    pub(super) key: Option<String>,
    /// As the user wrote it, for messages.
    pub(super) name: String,
}

/// clap's value parser: an unknown or required field is a usage error (exit 2) naming it.
pub fn parse(s: &str) -> Result<Clear, String> {
    let t = s.trim().trim_start_matches("--");
    let name = t.to_string();
    if let Some(key) = t
        .strip_prefix("custom.")
        .or_else(|| t.strip_prefix("customFields."))
    {
        if key.is_empty() {
            return Err("custom.KEY needs a key (or `custom` for all custom fields)".into());
        }
        let key = Some(key.to_string());
        let field = Field::Custom;
        return Ok(Clear { field, key, name });
    }
    if let Some((wire, _, flag)) = REQUIRED.iter().find(|(_, names, _)| names.contains(&t)) {
        return Err(format!(
            "{wire} is required by m3ter and cannot be cleared (change it with {flag})"
        ));
    }
    let field = FIELDS
        .iter()
        .find(|(names, _)| names.contains(&t))
        .map(|&(_, f)| f)
        .ok_or_else(|| {
            let names: Vec<&str> = FIELDS.iter().map(|(n, _)| n[0]).collect();
            format!(
                "no field {t:?}; one of: {}, custom.KEY (or the JSON names)",
                names.join(", ")
            )
        })?;
    Ok(Clear {
        field,
        key: None,
        name,
    })
}

/// Removes the fields from the request; returns the names that were not set to begin with
/// (cleared anyway, but worth a note: a typo'd custom key would otherwise pass silently).
pub fn apply(clears: &[Clear], req: &mut AccountRequest) -> Vec<String> {
    let mut absent = Vec::new();
    for c in clears {
        let was_set = match c.field {
            Field::Parent => req.parent_account_id.take().is_some(),
            Field::Po => req.purchase_order_number.take().is_some(),
            Field::Currency => req.currency.take().is_some(),
            Field::BillEpoch => req.bill_epoch.take().is_some(),
            Field::CreditOrder => req.credit_application_order.take().is_some(),
            Field::StatementMode => req.auto_generate_statement_mode.take().is_some(),
            Field::DaysBeforeBillDue => req.days_before_bill_due.take().is_some(),
            Field::StatementDefinition => req.statement_definition_id.take().is_some(),
            Field::Address => req.address.take().is_some_and(|a| !a.is_empty()),
            Field::Line1 => address_part(req, |a| &mut a.address_line1),
            Field::Line2 => address_part(req, |a| &mut a.address_line2),
            Field::Locality => address_part(req, |a| &mut a.locality),
            Field::Region => address_part(req, |a| &mut a.region),
            Field::PostCode => address_part(req, |a| &mut a.post_code),
            Field::Country => address_part(req, |a| &mut a.country),
            Field::Custom => match (&c.key, req.custom_fields.as_mut()) {
                (None, _) => req.custom_fields.take().is_some_and(|m| !m.is_empty()),
                (Some(k), Some(map)) => map.shift_remove(k).is_some(),
                (Some(_), None) => false,
            },
        };
        if !was_set {
            absent.push(c.name.clone());
        }
    }
    // An empty object left behind is the same as no field: send none.
    if req.address.as_ref().is_some_and(Address::is_empty) {
        req.address = None;
    }
    if req.custom_fields.as_ref().is_some_and(|m| m.is_empty()) {
        req.custom_fields = None;
    }
    absent
}

/// The KEY of a `--custom KEY=VALUE`.
pub(super) fn custom_key(kv: &str) -> &str {
    kv.split_once('=').map_or(kv, |(k, _)| k)
}

fn address_part(req: &mut AccountRequest, part: fn(&mut Address) -> &mut Option<String>) -> bool {
    req.address
        .as_mut()
        .is_some_and(|a| part(a).take().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_flags_or_wire_names_and_refuses_required_fields() {
        assert_eq!(parse("po").unwrap().field, Field::Po);
        assert_eq!(parse("purchaseOrderNumber").unwrap().field, Field::Po);
        assert_eq!(parse("--bill-epoch").unwrap().field, Field::BillEpoch);
        let c = parse("custom.tier").unwrap();
        assert_eq!((c.field, c.key.as_deref()), (Field::Custom, Some("tier")));
        assert!(parse("email").unwrap_err().contains("emailAddress"));
        assert!(parse("code").unwrap_err().contains("--new-code"));
        assert!(parse("colour").unwrap_err().contains("\"colour\""));
    }

    #[test]
    fn clears_only_what_is_named() {
        let mut req = AccountRequest {
            currency: Some("USD".into()),
            purchase_order_number: Some("PO".into()),
            address: Some(Address {
                locality: Some("Leeds".into()),
                ..Default::default()
            }),
            custom_fields: Some(serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap()),
            ..Default::default()
        };
        let clears: Vec<Clear> = ["currency", "locality", "custom.a", "custom.zz"]
            .iter()
            .map(|s| parse(s).unwrap())
            .collect();
        assert_eq!(apply(&clears, &mut req), ["custom.zz"]);
        assert_eq!(req.currency, None);
        assert_eq!(req.address, None, "an emptied address is left out");
        assert_eq!(req.purchase_order_number.as_deref(), Some("PO"));
        assert_eq!(
            serde_json::json!(req.custom_fields),
            serde_json::json!({"b": 2})
        );
    }
}
