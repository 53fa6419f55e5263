//! The form's values as typed — what a conflict must never lose — and the AccountRequest they
//! make, with the checks only the form can do (numbers, JSON, a picked parent) before m3ter's
//! own rules.

use super::form::{CODE, CUSTOM, EMAIL, NAME, PARENT};
use crate::m3ter::rules::{self, FieldError};
use crate::m3ter::*;

/// Everything the user can change, as typed: what a conflict must never lose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// One per field (the two pickers' entries are unused).
    pub text: Vec<String>,
    /// 0 = unset, else 1 + index into [`CREDIT_APPLICATION_ORDERS`].
    pub credit: usize,
    /// 0 = unset, else 1 + index into [`AutoGenerateStatementMode::ALL`].
    pub mode: usize,
    /// The chosen parent: (id, code).
    pub parent: Option<(String, String)>,
}

impl Values {
    pub fn from_account(a: &Account) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let ad = a.address.clone().unwrap_or_default();
        let text = vec![
            s(&a.code),
            s(&a.name),
            s(&a.email_address),
            s(&a.currency),
            // The parent's code replaces its id once it is looked up.
            s(&a.parent_account_id),
            s(&a.bill_epoch),
            s(&a.purchase_order_number),
            a.days_before_bill_due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            String::new(),
            String::new(),
            s(&a.statement_definition_id),
            s(&ad.address_line1),
            s(&ad.address_line2),
            s(&ad.address_line3),
            s(&ad.address_line4),
            s(&ad.locality),
            s(&ad.region),
            s(&ad.post_code),
            s(&ad.country),
            a.custom_fields
                .as_ref()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .unwrap_or_default(),
        ];
        let credit = a
            .credit_application_order
            .as_ref()
            .and_then(|o| {
                CREDIT_APPLICATION_ORDERS
                    .iter()
                    .position(|x| *x == o.as_slice())
            })
            .map_or(0, |i| i + 1);
        let mode = a
            .auto_generate_statement_mode
            .and_then(|m| AutoGenerateStatementMode::ALL.iter().position(|x| *x == m))
            .map_or(0, |i| i + 1);
        let parent = a.parent_account_id.clone().map(|id| (id.clone(), id));
        Self {
            text,
            credit,
            mode,
            parent,
        }
    }

    /// The request these values make, and the problems only the form can see (a number that is
    /// not one, custom fields that are not JSON, a parent typed but not picked).
    pub fn request(&self, version: Option<i64>) -> (AccountRequest, Vec<FieldError>) {
        let mut errs = Vec::new();
        let t = |i: usize| self.text[i].trim().to_string();
        let opt = |i: usize| Some(t(i)).filter(|v| !v.is_empty());
        let days = match opt(7) {
            None => None,
            Some(d) => match d.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.push(FieldError::new(
                        "daysBeforeBillDue",
                        format!("must be a whole number of days (got {d:?})"),
                    ));
                    None
                }
            },
        };
        let custom = match opt(CUSTOM) {
            None => None,
            Some(j) => match serde_json::from_str::<CustomFields>(&j) {
                Ok(m) => Some(m),
                Err(e) => {
                    errs.push(FieldError::new(
                        "customFields",
                        format!("must be a JSON object like {{\"tier\": \"gold\"}}: {e}"),
                    ));
                    None
                }
            },
        };
        let parent = match (&self.parent, opt(PARENT)) {
            (_, None) => None,
            (Some((id, code)), Some(typed)) if *code == typed || *id == typed => Some(id.clone()),
            (_, Some(_)) => {
                errs.push(FieldError::new(
                    "parentAccountId",
                    "pick an account from the suggestions (↑/↓, Enter), or clear the field",
                ));
                None
            }
        };
        let address = Address {
            address_line1: opt(11),
            address_line2: opt(12),
            address_line3: opt(13),
            address_line4: opt(14),
            locality: opt(15),
            region: opt(16),
            post_code: opt(17),
            country: opt(18),
        };
        let req = AccountRequest {
            code: self.text[CODE].clone(),
            name: self.text[NAME].clone(),
            email_address: t(EMAIL),
            address: (!address.is_empty()).then_some(address),
            parent_account_id: parent,
            bill_epoch: opt(5),
            purchase_order_number: opt(6),
            currency: opt(3),
            statement_definition_id: opt(10),
            auto_generate_statement_mode: self
                .mode
                .checked_sub(1)
                .map(|i| AutoGenerateStatementMode::ALL[i]),
            credit_application_order: self
                .credit
                .checked_sub(1)
                .map(|i| CREDIT_APPLICATION_ORDERS[i].to_vec()),
            days_before_bill_due: days,
            custom_fields: custom,
            version,
        };
        errs.extend(rules::account_errors(&req));
        (req, errs)
    }
}

/// How an enum picker value reads.
pub fn credit_label(i: usize) -> String {
    match i.checked_sub(1) {
        None => "— unset".into(),
        Some(i) => CREDIT_APPLICATION_ORDERS[i]
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub fn mode_label(i: usize) -> String {
    match i.checked_sub(1) {
        None => "— unset".into(),
        Some(i) => AutoGenerateStatementMode::ALL[i].as_str().into(),
    }
}
