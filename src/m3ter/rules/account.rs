//! Account rules (create and update share them).

use super::*;
use crate::m3ter::types::{AccountRequest, CREDIT_APPLICATION_ORDERS};

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
        if !CREDIT_APPLICATION_ORDERS.contains(&order.as_slice()) {
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
