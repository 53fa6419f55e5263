//! The flags that set account fields, shared by `accounts create` and `accounts update`, and the
//! local check that names the flag to fix before anything is sent.

use crate::cli::exit::usage;
use crate::connect::Connection;
use crate::m3ter::rules;
use crate::m3ter::{AccountRequest, AutoGenerateStatementMode, CreditApplication};
use serde_json::Value;

#[derive(Debug, Default, clap::Args)]
pub struct AccountFlags {
    /// ISO 4217 currency, e.g. USD.
    #[arg(long)]
    pub currency: Option<String>,
    /// Purchase order number.
    #[arg(long)]
    pub po: Option<String>,
    /// Days between a bill's date and its due date (> 0).
    #[arg(long)]
    pub days_before_bill_due: Option<i32>,
    /// First bill date reference, YYYY-MM-DD.
    #[arg(long)]
    pub bill_epoch: Option<String>,
    /// Credit application order: PREPAYMENT,BALANCE | BALANCE,PREPAYMENT | PREPAYMENT | BALANCE.
    #[arg(long, value_parser = parse_credit_order)]
    pub credit_order: Option<CreditOrder>,
    /// Statement generation: NONE, JSON or JSON_AND_CSV.
    #[arg(long, value_parser = parse_statement_mode)]
    pub statement_mode: Option<AutoGenerateStatementMode>,
    /// The code of the parent account.
    #[arg(long)]
    pub parent: Option<String>,
    /// Id of the statement definition to use.
    #[arg(long)]
    pub statement_definition_id: Option<String>,
    /// Address: first line.
    #[arg(long)]
    pub address_line1: Option<String>,
    /// Address: second line.
    #[arg(long)]
    pub address_line2: Option<String>,
    /// Address: town or city.
    #[arg(long)]
    pub locality: Option<String>,
    /// Address: region or state.
    #[arg(long)]
    pub region: Option<String>,
    /// Address: post code.
    #[arg(long)]
    pub post_code: Option<String>,
    /// Address: country.
    #[arg(long)]
    pub country: Option<String>,
    /// A custom field, KEY=VALUE (a number when VALUE parses as one); repeatable.
    #[arg(long = "custom", value_name = "KEY=VALUE")]
    pub custom: Vec<String>,
}

/// A parsed `--credit-order` (a newtype so clap does not treat it as a repeated flag).
#[derive(Debug, Clone)]
pub struct CreditOrder(pub Vec<CreditApplication>);

fn parse_credit_order(s: &str) -> Result<CreditOrder, String> {
    s.split(',')
        .map(|p| match p.trim().to_ascii_uppercase().as_str() {
            "PREPAYMENT" => Ok(CreditApplication::Prepayment),
            "BALANCE" => Ok(CreditApplication::Balance),
            other => Err(format!("{other:?} is not PREPAYMENT or BALANCE")),
        })
        .collect::<Result<_, _>>()
        .map(CreditOrder)
}

fn parse_statement_mode(s: &str) -> Result<AutoGenerateStatementMode, String> {
    let norm = s.trim().to_ascii_uppercase().replace('-', "_");
    AutoGenerateStatementMode::ALL
        .into_iter()
        .find(|m| m.as_str() == norm)
        .ok_or_else(|| format!("{s:?} is not NONE, JSON or JSON_AND_CSV"))
}

impl AccountFlags {
    /// Sets every field given on the command line; `--parent` is looked up by code.
    pub async fn apply(&self, conn: &Connection, req: &mut AccountRequest) -> anyhow::Result<()> {
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone());
            }
        };
        set(&mut req.currency, &self.currency);
        set(&mut req.purchase_order_number, &self.po);
        set(&mut req.bill_epoch, &self.bill_epoch);
        set(
            &mut req.statement_definition_id,
            &self.statement_definition_id,
        );
        if let Some(d) = self.days_before_bill_due {
            req.days_before_bill_due = Some(d);
        }
        if let Some(o) = &self.credit_order {
            req.credit_application_order = Some(o.0.clone());
        }
        if let Some(m) = self.statement_mode {
            req.auto_generate_statement_mode = Some(m);
        }
        let mut addr = req.address.clone().unwrap_or_default();
        set(&mut addr.address_line1, &self.address_line1);
        set(&mut addr.address_line2, &self.address_line2);
        set(&mut addr.locality, &self.locality);
        set(&mut addr.region, &self.region);
        set(&mut addr.post_code, &self.post_code);
        set(&mut addr.country, &self.country);
        req.address = (!addr.is_empty()).then_some(addr);
        if !self.custom.is_empty() {
            let map = req.custom_fields.get_or_insert_with(Default::default);
            for kv in &self.custom {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| usage(format!("--custom {kv:?}: expected KEY=VALUE")))?;
                let value = match (v.parse::<i64>(), v.parse::<f64>()) {
                    (Ok(i), _) => serde_json::json!(i),
                    (_, Ok(n)) if n.is_finite() => serde_json::json!(n),
                    _ => Value::String(v.to_string()),
                };
                map.insert(k.to_string(), value);
            }
        }
        if let Some(code) = &self.parent {
            let parent = conn
                .client
                .account_by_code(code)
                .await?
                .ok_or_else(|| usage(format!("--parent: no account has the code {code:?}")))?;
            req.parent_account_id = Some(parent.id);
        }
        Ok(())
    }

    /// m3ter's rules, checked locally so the message names the flag rather than a JSON field.
    pub fn check(req: &AccountRequest) -> anyhow::Result<()> {
        Self::check_only(req, |_| true)
    }

    /// Like [`Self::check`], for the errors whose JSON field `relevant` accepts (an update checks
    /// what it changes: a value the server already holds is not the user's to fix now).
    pub fn check_only(req: &AccountRequest, relevant: impl Fn(&str) -> bool) -> anyhow::Result<()> {
        let errs: Vec<_> = rules::account_errors(req)
            .into_iter()
            .filter(|e| relevant(&e.field))
            .collect();
        if errs.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = errs
            .iter()
            .map(|e| format!("  {} ({}): {}", flag_for(&e.field), e.field, e.message))
            .collect();
        Err(usage(format!("invalid account:\n{}", lines.join("\n"))))
    }
}

fn flag_for(field: &str) -> String {
    let flag = match field {
        "code" => "--code",
        "name" => "--name",
        "emailAddress" => "--email",
        "purchaseOrderNumber" => "--po",
        "daysBeforeBillDue" => "--days-before-bill-due",
        "currency" => "--currency",
        "billEpoch" => "--bill-epoch",
        "creditApplicationOrder" => "--credit-order",
        "address.addressLine1" => "--address-line1",
        "address.addressLine2" => "--address-line2",
        "address.locality" => "--locality",
        "address.region" => "--region",
        "address.postCode" => "--post-code",
        "address.country" => "--country",
        f if f.starts_with("customFields") => "--custom",
        _ => "",
    };
    flag.to_string()
}
