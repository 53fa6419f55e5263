//! `accounts list|show|create|update|delete`. Updates read the account, change only the flags
//! given and PUT the whole entity back with the version read, so a concurrent edit is refused
//! (409) instead of silently overwritten.

mod args;
mod clear;
mod fields;
mod update;

use crate::cli::exit::usage;
use crate::cli::output::{self, OutputFormat, Table};
use crate::connect::Connection;
use crate::m3ter::{Account, ListQuery};
use args::{CreateFlags, UpdateFlags};
use fields::AccountFlags;
use futures::TryStreamExt;
use std::io::{BufRead, IsTerminal};

#[derive(Debug, clap::Subcommand)]
pub enum AccountsCommand {
    /// List accounts (auto-created ones are marked in the AUTO column).
    List {
        /// Only accounts m3ter created for measurements with an unknown account code.
        #[arg(long)]
        auto_created: bool,
    },
    /// Show one account.
    Show { code: String },
    /// Create an account.
    Create(CreateFlags),
    /// Change an account: only the fields given (or named by --clear) change.
    Update(UpdateFlags),
    /// Delete an account.
    Delete {
        code: String,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

pub async fn run(conn: &Connection, cmd: AccountsCommand, fmt: OutputFormat) -> anyhow::Result<()> {
    match cmd {
        AccountsCommand::List { auto_created } => list(conn, auto_created, fmt).await,
        AccountsCommand::Show { code } => show(&find(conn, &code).await?, fmt),
        AccountsCommand::Create(flags) => {
            let mut req = flags.to_request();
            flags.options.apply(conn, &mut req).await?;
            AccountFlags::check(&req)?;
            let created: Account = conn.client.create(&req).await?;
            eprintln!("created account {}", output::clean(&req.code));
            show(&created, fmt)
        }
        AccountsCommand::Update(flags) => {
            let updated = update::run(conn, &flags).await?;
            eprintln!("updated account {}", output::clean(&flags.code));
            show(&updated, fmt)
        }
        AccountsCommand::Delete { code, yes } => {
            let account = find(conn, &code).await?;
            if !yes && !confirm(&code)? {
                anyhow::bail!(crate::cli::exit::UsageError(format!("not deleting {code}")));
            }
            let _: Account = conn.client.delete(&account.id).await?;
            eprintln!("deleted account {}", output::clean(&code));
            Ok(())
        }
    }
}

/// Prints each page as it arrives: a long list is never held whole.
async fn list(conn: &Connection, auto_only: bool, fmt: OutputFormat) -> anyhow::Result<()> {
    let mut accounts = std::pin::pin!(conn
        .client
        .list::<Account>(ListQuery::page_size(100))
        .try_filter(|a| futures::future::ready(!auto_only || a.is_auto_created()))
        .try_ready_chunks(100));
    if fmt == OutputFormat::Json {
        let mut out = output::JsonArray::default();
        while let Some(page) = accounts.try_next().await.map_err(|e| e.1)? {
            for a in &page {
                out.push(a)?;
            }
        }
        return out.end();
    }
    let mut t = Table::new(&["CODE", "NAME", "EMAIL", "CURRENCY", "AUTO"]);
    let mut any = false;
    while let Some(page) = accounts.try_next().await.map_err(|e| e.1)? {
        for a in &page {
            t.row(vec![
                output::opt(&a.code),
                output::opt(&a.name),
                output::opt(&a.email_address),
                output::opt(&a.currency),
                if a.is_auto_created() { "auto" } else { "" }.into(),
            ]);
        }
        any = true;
        t.print_page()?;
    }
    if !any {
        t.print_page()?;
    }
    Ok(())
}

/// The account with this code; none is "not found" (exit 1).
pub async fn find(conn: &Connection, code: &str) -> anyhow::Result<Account> {
    conn.client.account_by_code(code).await?.ok_or_else(|| {
        crate::cli::exit::NotFound(format!("no account has the code {code:?}")).into()
    })
}

fn show(a: &Account, fmt: OutputFormat) -> anyhow::Result<()> {
    if fmt == OutputFormat::Json {
        return output::json(a);
    }
    let addr = a.address.as_ref().filter(|x| !x.is_empty()).map(|x| {
        [
            &x.address_line1,
            &x.address_line2,
            &x.address_line3,
            &x.address_line4,
            &x.locality,
            &x.region,
            &x.post_code,
            &x.country,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
    });
    let order = a
        .credit_application_order
        .as_ref()
        .map(|o| o.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","));
    let custom = a.custom_fields.as_ref().filter(|c| !c.is_empty()).map(|c| {
        c.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    let text = output::fields(&[
        ("code", a.code.clone()),
        ("name", a.name.clone()),
        ("email", a.email_address.clone()),
        ("id", Some(a.id.clone())),
        ("version", a.version.map(|v| v.to_string())),
        (
            "auto-created",
            a.is_auto_created().then(|| "yes".to_string()),
        ),
        ("currency", a.currency.clone()),
        ("purchase order", a.purchase_order_number.clone()),
        (
            "days before bill due",
            a.days_before_bill_due.map(|d| d.to_string()),
        ),
        ("bill epoch", a.bill_epoch.clone()),
        ("credit order", order),
        (
            "statement mode",
            a.auto_generate_statement_mode
                .map(|m| m.as_str().to_string()),
        ),
        ("parent id", a.parent_account_id.clone()),
        ("address", addr),
        ("custom fields", custom),
        ("created", a.audit.dt_created.clone()),
        ("last modified", a.audit.dt_last_modified.clone()),
    ]);
    output::print(&text)
}

/// Asks on the terminal; without one, refuses (a script must say `--yes`).
fn confirm(code: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "refusing to delete account {code} without confirmation: pass --yes"
        )));
    }
    eprint!("Delete account {}? [y/N] ", output::clean(code));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}
