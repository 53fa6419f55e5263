//! The form's values as typed — what a conflict must never lose — and the AccountRequest they
//! make, with the checks only the form can do (numbers, JSON, a picked parent) before m3ter's
//! own rules.

use super::fields::Field;
use crate::m3ter::rules::{self, FieldError};
use crate::m3ter::*;
use std::ops::{Index, IndexMut};

/// Everything the user can change, as typed: what a conflict must never lose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// One per field, in [`Field::ALL`] order (the two choices' entries are unused); index it
    /// by [`Field`].
    pub text: Vec<String>,
    /// 0 = unset, else 1 + index into [`CREDIT_APPLICATION_ORDERS`].
    pub credit: usize,
    /// 0 = unset, else 1 + index into [`AutoGenerateStatementMode::ALL`].
    pub mode: usize,
    /// The chosen parent: (id, code).
    pub parent: Option<(String, String)>,
}

impl Index<Field> for Values {
    type Output = String;
    fn index(&self, f: Field) -> &String {
        &self.text[f.index()]
    }
}

impl IndexMut<Field> for Values {
    fn index_mut(&mut self, f: Field) -> &mut String {
        &mut self.text[f.index()]
    }
}

impl Values {
    /// Nothing typed: the new-account form.
    pub fn empty() -> Self {
        Self {
            text: vec![String::new(); Field::ALL.len()],
            ..Default::default()
        }
    }

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
        let t = |f: Field| self[f].trim().to_string();
        let opt = |f: Field| Some(t(f)).filter(|v| !v.is_empty());
        let days = match opt(Field::DaysBeforeDue) {
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
        let custom = match opt(Field::CustomFields) {
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
        let parent = match (&self.parent, opt(Field::Parent)) {
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
            address_line1: opt(Field::Address1),
            address_line2: opt(Field::Address2),
            address_line3: opt(Field::Address3),
            address_line4: opt(Field::Address4),
            locality: opt(Field::Locality),
            region: opt(Field::Region),
            post_code: opt(Field::PostCode),
            country: opt(Field::Country),
        };
        let req = AccountRequest {
            code: self[Field::Code].clone(),
            name: self[Field::Name].clone(),
            email_address: t(Field::Email),
            address: (!address.is_empty()).then_some(address),
            parent_account_id: parent,
            bill_epoch: opt(Field::BillEpoch),
            purchase_order_number: opt(Field::PurchaseOrder),
            currency: opt(Field::Currency),
            statement_definition_id: opt(Field::StatementDef),
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
