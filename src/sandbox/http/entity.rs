//! What differs between products, meters and accounts, behind one trait so the CRUD handlers
//! (`crud.rs`) are written once.
//!
//! Decisions 15, 16, 22 of `sandbox/mod.rs`:
//! - codes are unique per org and entity kind; a duplicate is a 409 (with `x-should-retry: false`);
//! - a meter's `productId` must name an existing product (400 on `productId`); no `productId`
//!   means a Global meter, listed with the others and without `productId`;
//! - `parentAccountId` must name an existing account, not the account itself nor one of its
//!   descendants (400 on `parentAccountId`); `statementDefinitionId` and `groupId` are stored
//!   as given (the sandbox has no statement definitions or groups);
//! - deleting a product that still has meters, or an account that still has child accounts, is
//!   refused with 409; deleting an account with usage, or a meter with usage, is allowed (stored
//!   measurements keep their codes).

use super::error::{ApiError, ApiResult};
use super::pagination::{ACCOUNTS_MAX, METERS_MAX, PRODUCTS_MAX};
use super::request::Params;
use crate::m3ter::rules::{self, FieldError};
use crate::m3ter::*;
use crate::sandbox::db::{Cols, Db, Filter, Kind};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: Kind;
    /// Largest `pageSize` of the plain list.
    const MAX_PAGE: usize;
    type Req: DeserializeOwned + Send + 'static;

    /// Stateless rules (from `m3ter::rules`).
    fn errors(req: &Self::Req) -> Vec<FieldError>;
    fn req_code(req: &Self::Req) -> &str;
    fn req_version(req: &Self::Req) -> Option<i64>;
    /// Rules that need the store; `id` is the entity's own id (new or existing).
    fn check_refs(_db: Db, _req: &Self::Req, _id: &str) -> ApiResult<()> {
        Ok(())
    }
    /// The stored entity for a request; `prev` is the current one on update.
    fn build(req: Self::Req, id: String, version: i64, audit: Audit, prev: Option<&Self>) -> Self;
    fn cols(&self) -> Cols;
    fn audit(&self) -> &Audit;
    fn version(&self) -> i64;
    /// Refuses a delete that would leave dangling references.
    fn check_delete(_db: Db, _id: &str) -> ApiResult<()> {
        Ok(())
    }
    /// The list filters this kind accepts.
    fn filter(p: &Params) -> Filter {
        Filter {
            ids: p.list("ids"),
            codes: p.list("codes"),
            ..Default::default()
        }
    }
}

impl Entity for Product {
    const KIND: Kind = Kind::Product;
    const MAX_PAGE: usize = PRODUCTS_MAX;
    type Req = ProductRequest;

    fn errors(req: &ProductRequest) -> Vec<FieldError> {
        rules::product_errors(req)
    }
    fn req_code(req: &ProductRequest) -> &str {
        &req.code
    }
    fn req_version(req: &ProductRequest) -> Option<i64> {
        req.version
    }
    fn build(
        req: ProductRequest,
        id: String,
        version: i64,
        audit: Audit,
        _: Option<&Self>,
    ) -> Self {
        Product {
            id,
            version: Some(version),
            code: Some(req.code),
            name: Some(req.name),
            custom_fields: req.custom_fields,
            audit,
        }
    }
    fn cols(&self) -> Cols {
        cols(&self.id, &self.code, self.version, None, None)
    }
    fn audit(&self) -> &Audit {
        &self.audit
    }
    fn version(&self) -> i64 {
        self.version.unwrap_or(1)
    }
    fn check_delete(db: Db, id: &str) -> ApiResult<()> {
        let n = db.count_meters_of(id)?;
        if n > 0 {
            return Err(ApiError::conflict(format!(
                "the Product {id} still has {n} meter(s): delete them or move them to another product first"
            )));
        }
        Ok(())
    }
}

impl Entity for Meter {
    const KIND: Kind = Kind::Meter;
    const MAX_PAGE: usize = METERS_MAX;
    type Req = MeterRequest;

    fn errors(req: &MeterRequest) -> Vec<FieldError> {
        rules::meter_errors(req)
    }
    fn req_code(req: &MeterRequest) -> &str {
        &req.code
    }
    fn req_version(req: &MeterRequest) -> Option<i64> {
        req.version
    }
    fn check_refs(db: Db, req: &MeterRequest, _id: &str) -> ApiResult<()> {
        if let Some(p) = &req.product_id {
            if db.get(Kind::Product, p)?.is_none() {
                return Err(ApiError::field(
                    "productId",
                    format!("no Product has the id {p}"),
                ));
            }
        }
        Ok(())
    }
    fn build(req: MeterRequest, id: String, version: i64, audit: Audit, _: Option<&Self>) -> Self {
        Meter {
            id,
            version: Some(version),
            code: Some(req.code),
            name: Some(req.name),
            product_id: req.product_id,
            group_id: req.group_id,
            data_fields: req.data_fields,
            derived_fields: req.derived_fields,
            custom_fields: req.custom_fields,
            audit,
        }
    }
    fn cols(&self) -> Cols {
        cols(
            &self.id,
            &self.code,
            self.version,
            self.product_id.clone(),
            None,
        )
    }
    fn audit(&self) -> &Audit {
        &self.audit
    }
    fn version(&self) -> i64 {
        self.version.unwrap_or(1)
    }
    fn filter(p: &Params) -> Filter {
        Filter {
            ids: p.list("ids"),
            codes: p.list("codes"),
            product_ids: p.list("productId"),
            parent_id: None,
        }
    }
}

impl Entity for Account {
    const KIND: Kind = Kind::Account;
    const MAX_PAGE: usize = ACCOUNTS_MAX;
    type Req = AccountRequest;

    fn errors(req: &AccountRequest) -> Vec<FieldError> {
        rules::account_errors(req)
    }
    fn req_code(req: &AccountRequest) -> &str {
        &req.code
    }
    fn req_version(req: &AccountRequest) -> Option<i64> {
        req.version
    }
    fn check_refs(db: Db, req: &AccountRequest, id: &str) -> ApiResult<()> {
        let Some(parent) = &req.parent_account_id else {
            return Ok(());
        };
        let bad = |m: String| Err(ApiError::field("parentAccountId", m));
        if parent == id {
            return bad("must not be the account itself".into());
        }
        if db.get(Kind::Account, parent)?.is_none() {
            return bad(format!("no Account has the id {parent}"));
        }
        // Walk up from the new parent: meeting `id` would make a cycle.
        let mut cur = Some(parent.clone());
        let mut hops = 0;
        while let Some(c) = cur {
            if c == id || hops > 10_000 {
                return bad(
                    "must not be a descendant of the account (that would make a cycle)".into(),
                );
            }
            cur = db.parent_of(&c)?;
            hops += 1;
        }
        Ok(())
    }
    /// Decision: the `autoCreated` marker is always sent by the sandbox; it stays true across
    /// updates until the name or the email address changes, then becomes false for good.
    fn build(
        req: AccountRequest,
        id: String,
        version: i64,
        audit: Audit,
        prev: Option<&Self>,
    ) -> Self {
        let auto = prev.is_some_and(|p| {
            p.auto_created == Some(true)
                && p.name.as_deref() == Some(req.name.as_str())
                && p.email_address.as_deref() == Some(req.email_address.as_str())
        });
        Account {
            id,
            version: Some(version),
            code: Some(req.code),
            name: Some(req.name),
            email_address: Some(req.email_address),
            address: req.address,
            parent_account_id: req.parent_account_id,
            bill_epoch: req.bill_epoch,
            purchase_order_number: req.purchase_order_number,
            currency: req.currency,
            statement_definition_id: req.statement_definition_id,
            auto_generate_statement_mode: req.auto_generate_statement_mode,
            credit_application_order: req.credit_application_order,
            days_before_bill_due: req.days_before_bill_due,
            custom_fields: req.custom_fields,
            audit,
            auto_created: Some(auto),
        }
    }
    fn cols(&self) -> Cols {
        cols(
            &self.id,
            &self.code,
            self.version,
            None,
            self.parent_account_id.clone(),
        )
    }
    fn audit(&self) -> &Audit {
        &self.audit
    }
    fn version(&self) -> i64 {
        self.version.unwrap_or(1)
    }
    fn check_delete(db: Db, id: &str) -> ApiResult<()> {
        let n = db.count_children_of(id)?;
        if n > 0 {
            return Err(ApiError::conflict(format!(
                "the Account {id} still has {n} child account(s): delete them or change their parentAccountId first"
            )));
        }
        Ok(())
    }
}

fn cols(
    id: &str,
    code: &Option<String>,
    version: Option<i64>,
    product_id: Option<String>,
    parent_id: Option<String>,
) -> Cols {
    Cols {
        id: id.to_string(),
        code: code.clone().unwrap_or_default(),
        product_id,
        parent_id,
        version: version.unwrap_or(1),
    }
}
