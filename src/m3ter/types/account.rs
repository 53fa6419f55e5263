//! Accounts (m3ter's customers), including the skeletons m3ter auto-creates for unknown codes.

use super::{Audit, CustomFields, AUTO_CREATED_EMAIL_SUFFIX, AUTO_CREATED_NAME_SUFFIX};
use serde::{Deserialize, Serialize};

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
