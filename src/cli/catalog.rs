//! `products list` and `meters list`: the read-only catalogue a submit needs (meter codes and
//! their data fields).

use super::output::{self, OutputFormat, Table};
use crate::connect::Connection;
use crate::m3ter::{ListQuery, Meter, Product};

#[derive(Debug, clap::Subcommand)]
pub enum ProductsCommand {
    /// List every product.
    List,
}

#[derive(Debug, clap::Subcommand)]
pub enum MetersCommand {
    /// List meters with their data fields (the keys a measurement may carry).
    List(MetersList),
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
    let MetersCommand::List(args) = cmd;
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
