//! `products list` and `meters list`: the read-only catalogue a submit needs (meter codes and
//! their data fields).

use super::exit::NotFound;
use super::output::{self, OutputFormat, Table};
use crate::connect::Connection;
use crate::m3ter::{csv_template, ListQuery, Meter, Product};

#[derive(Debug, clap::Subcommand)]
pub enum ProductsCommand {
    /// List every product.
    List,
}

#[derive(Debug, clap::Subcommand)]
pub enum MetersCommand {
    /// List meters with their data fields (the keys a measurement may carry).
    List(MetersList),
    /// Show one meter: every field, its data fields and its derived calculations.
    Show {
        /// The meter's code.
        code: String,
    },
    /// Print the meter's CSV template (as m3ter's Console offers it), ready for
    /// `submit --file` or `upload`.
    Template {
        /// The meter's code.
        code: String,
        /// The account code of the example row.
        #[arg(long, default_value = "ACCOUNT-CODE")]
        account: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct MetersList {
    /// Only the meters of the product with this code.
    #[arg(long, conflicts_with = "global")]
    pub product: Option<String>,
    /// Only global meters (not tied to a product).
    #[arg(long)]
    pub global: bool,
}

pub async fn products(
    conn: &Connection,
    cmd: ProductsCommand,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let ProductsCommand::List = cmd;
    let products: Vec<Product> = conn.client.list_all(ListQuery::page_size(200)).await?;
    if fmt == OutputFormat::Json {
        return output::json(&products);
    }
    let mut t = Table::new(&["CODE", "NAME", "ID"]);
    for p in &products {
        t.row(vec![
            output::opt(&p.code),
            output::opt(&p.name),
            p.id.clone(),
        ]);
    }
    t.print()
}

pub async fn meters(
    conn: &Connection,
    cmd: MetersCommand,
    fmt: OutputFormat,
) -> anyhow::Result<()> {
    let args = match cmd {
        MetersCommand::List(args) => args,
        MetersCommand::Show { code } => return show(conn, &code, fmt).await,
        MetersCommand::Template { code, account } => {
            let meter = find(conn, &code).await?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            return output::print_data(&csv_template::template_csv(&meter, &account, &now));
        }
    };
    let mut query = ListQuery::page_size(100);
    let products: Vec<Product> = conn.client.list_all(ListQuery::page_size(200)).await?;
    if let Some(code) = &args.product {
        let p = products
            .iter()
            .find(|p| p.code.as_deref() == Some(code.as_str()))
            .ok_or_else(|| {
                let known: Vec<_> = products.iter().filter_map(|p| p.code.as_deref()).collect();
                anyhow::Error::from(super::exit::NotFound(format!(
                    "no product has the code {code:?} (products: {})",
                    known.join(", ")
                )))
            })?;
        query.product_ids = vec![p.id.clone()];
    }
    let mut meters: Vec<Meter> = conn.client.list_all(query).await?;
    if args.global {
        meters.retain(Meter::is_global);
    }
    if fmt == OutputFormat::Json {
        return output::json(&meters);
    }
    let product_code = |m: &Meter| match &m.product_id {
        Some(id) if !id.is_empty() => products
            .iter()
            .find(|p| &p.id == id)
            .and_then(|p| p.code.clone())
            .unwrap_or_else(|| id.clone()),
        _ => "(global)".into(),
    };
    let mut t = Table::new(&["CODE", "NAME", "PRODUCT", "DATA FIELDS"]);
    for m in &meters {
        let fields: Vec<String> = m
            .data_fields
            .iter()
            .map(|f| format!("{}.{}", f.category.key(), f.code))
            .collect();
        t.row(vec![
            output::opt(&m.code),
            output::opt(&m.name),
            product_code(m),
            fields.join(" "),
        ]);
    }
    t.print()
}

/// The meter with this code; none is "not found" (exit 1).
async fn find(conn: &Connection, code: &str) -> anyhow::Result<Meter> {
    let found: Vec<Meter> = conn.client.list_all(ListQuery::codes([code])).await?;
    found
        .into_iter()
        .find(|m| m.code.as_deref() == Some(code))
        .ok_or_else(|| NotFound(format!("no meter has the code {code:?}")).into())
}

async fn show(conn: &Connection, code: &str, fmt: OutputFormat) -> anyhow::Result<()> {
    let m = find(conn, code).await?;
    if fmt == OutputFormat::Json {
        return output::json(&m);
    }
    let product = match &m.product_id {
        Some(id) if !id.is_empty() => Some(
            conn.client
                .retrieve::<Product>(id)
                .await
                .ok()
                .and_then(|p| p.code)
                .unwrap_or_else(|| id.clone()),
        ),
        _ => Some("(global)".into()),
    };
    let custom = m.custom_fields.as_ref().filter(|c| !c.is_empty()).map(|c| {
        c.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut text = output::fields(&[
        ("code", m.code.clone()),
        ("name", m.name.clone()),
        ("id", Some(m.id.clone())),
        ("version", m.version.map(|v| v.to_string())),
        ("product", product),
        ("group id", m.group_id.clone()),
        ("custom fields", custom),
        ("created", m.audit.dt_created.clone()),
        ("last modified", m.audit.dt_last_modified.clone()),
    ]);
    let mut t = Table::new(&["DATA FIELD", "CATEGORY", "NAME", "UNIT"]);
    for f in &m.data_fields {
        t.row(vec![
            format!("{}.{}", f.category.key(), f.code),
            f.category.to_string(),
            f.name.clone(),
            output::opt(&f.unit),
        ]);
    }
    text.push('\n');
    text.push_str(&t.render());
    if !m.derived_fields.is_empty() {
        let mut t = Table::new(&["DERIVED FIELD", "CATEGORY", "NAME", "UNIT", "CALCULATION"]);
        for f in &m.derived_fields {
            t.row(vec![
                format!("{}.{}", f.category.key(), f.code),
                f.category.to_string(),
                f.name.clone(),
                output::opt(&f.unit),
                f.calculation.clone(),
            ]);
        }
        text.push('\n');
        text.push_str(&t.render());
    }
    output::print(&text)
}
