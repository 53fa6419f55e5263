//! The arguments of `accounts create` and `accounts update`: the required fields, the shared
//! [`AccountFlags`], and `--clear` (which must not name a field a flag also sets).

use super::clear::{self, custom_key, Clear, Field};
use super::fields::AccountFlags;
use crate::cli::exit::usage;
use crate::m3ter::AccountRequest;

#[derive(Debug, clap::Args)]
pub struct CreateFlags {
    /// Unique account code (what measurements name in `account`).
    #[arg(long)]
    pub code: String,
    /// Display name (1–200 characters).
    #[arg(long)]
    pub name: String,
    /// Billing email address.
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub options: AccountFlags,
}

impl CreateFlags {
    pub fn to_request(&self) -> AccountRequest {
        AccountRequest {
            code: self.code.clone(),
            name: self.name.clone(),
            email_address: self.email.clone(),
            ..Default::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct UpdateFlags {
    /// The code of the account to change.
    pub code: String,
    /// Give the account a new code.
    #[arg(long)]
    pub new_code: Option<String>,
    /// New display name.
    #[arg(long)]
    pub name: Option<String>,
    /// New billing email address.
    #[arg(long)]
    pub email: Option<String>,
    #[command(flatten)]
    pub options: AccountFlags,
    /// Remove a field (PUT replaces the whole account, so it is simply left out). FIELD is a
    /// flag name or its JSON name: parent, po, currency, bill-epoch, credit-order,
    /// statement-mode, days-before-bill-due, statement-definition, address (or one part:
    /// locality, post-code, …), custom (all custom fields) or custom.KEY. Repeatable; code,
    /// name and email are required and cannot be cleared.
    #[arg(long, value_name = "FIELD", value_parser = clear::parse)]
    pub clear: Vec<Clear>,
}

impl UpdateFlags {
    pub fn apply(&self, req: &mut AccountRequest) {
        if let Some(c) = &self.new_code {
            req.code = c.clone();
        }
        if let Some(n) = &self.name {
            req.name = n.clone();
        }
        if let Some(e) = &self.email {
            req.email_address = e.clone();
        }
    }
}

/// Refuses `--clear X` together with the flag that sets X: which one was meant is unclear.
pub fn check_conflicts(clears: &[Clear], flags: &AccountFlags) -> anyhow::Result<()> {
    for c in clears {
        let address = [
            ("--address-line1", &flags.address_line1),
            ("--address-line2", &flags.address_line2),
            ("--locality", &flags.locality),
            ("--region", &flags.region),
            ("--post-code", &flags.post_code),
            ("--country", &flags.country),
        ];
        let given = |f: &'static str, set: bool| set.then_some(f);
        let conflict = match c.field {
            Field::Parent => given("--parent", flags.parent.is_some()),
            Field::Po => given("--po", flags.po.is_some()),
            Field::Currency => given("--currency", flags.currency.is_some()),
            Field::BillEpoch => given("--bill-epoch", flags.bill_epoch.is_some()),
            Field::CreditOrder => given("--credit-order", flags.credit_order.is_some()),
            Field::StatementMode => given("--statement-mode", flags.statement_mode.is_some()),
            Field::DaysBeforeBillDue => given(
                "--days-before-bill-due",
                flags.days_before_bill_due.is_some(),
            ),
            Field::StatementDefinition => given(
                "--statement-definition-id",
                flags.statement_definition_id.is_some(),
            ),
            Field::Address => address.iter().find(|(_, v)| v.is_some()).map(|(f, _)| *f),
            Field::Line1 => given(address[0].0, address[0].1.is_some()),
            Field::Line2 => given(address[1].0, address[1].1.is_some()),
            Field::Locality => given(address[2].0, address[2].1.is_some()),
            Field::Region => given(address[3].0, address[3].1.is_some()),
            Field::PostCode => given(address[4].0, address[4].1.is_some()),
            Field::Country => given(address[5].0, address[5].1.is_some()),
            Field::Custom => given(
                "--custom",
                flags
                    .custom
                    .iter()
                    .any(|kv| c.key.as_deref().is_none_or(|k| custom_key(kv) == k)),
            ),
        };
        if let Some(flag) = conflict {
            return Err(usage(format!(
                "--clear {} and {flag} both change that field: set it or clear it, not both",
                c.name
            )));
        }
    }
    Ok(())
}
