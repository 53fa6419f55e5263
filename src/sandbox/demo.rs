//! Demo data seeded into a new database (unless `--empty`): two products with two meters each, a
//! Global meter, and a few customer accounts. Together the meters use all eight data-field
//! categories, numeric ones with UCUM units.

use super::db::Store;
use super::http::crud::insert_new;
use super::http::error::ApiError;
use crate::m3ter::rules;
use crate::m3ter::*;

fn field(category: DataFieldCategory, code: &str, name: &str, unit: Option<&str>) -> DataField {
    DataField {
        category,
        code: code.into(),
        name: name.into(),
        unit: unit.map(String::from),
    }
}

fn meter(
    code: &str,
    name: &str,
    product_id: Option<&str>,
    data_fields: Vec<DataField>,
) -> MeterRequest {
    MeterRequest {
        code: code.into(),
        name: name.into(),
        data_fields,
        product_id: product_id.map(String::from),
        ..Default::default()
    }
}

fn account(
    code: &str,
    name: &str,
    email: &str,
    currency: &str,
    parent: Option<&str>,
) -> AccountRequest {
    AccountRequest {
        code: code.into(),
        name: name.into(),
        email_address: email.into(),
        currency: Some(currency.into()),
        parent_account_id: parent.map(String::from),
        days_before_bill_due: Some(30),
        ..Default::default()
    }
}

/// Seeds the demo entities in one transaction.
pub fn seed(store: &Store, org: &str) -> anyhow::Result<()> {
    store
        .write(org, seed_in)
        .map_err(|e: ApiError| anyhow::anyhow!("seeding demo data: {}", e.message))
}

fn seed_in(db: super::db::Db) -> Result<(), ApiError> {
    use DataFieldCategory::*;
    let product = |code: &str, name: &str| ProductRequest {
        code: code.into(),
        name: name.into(),
        ..Default::default()
    };
    let compute: Product = insert_new(db, product("CLOUD-COMPUTE", "Cloud Compute"))?;
    let pipeline: Product = insert_new(db, product("DATA-PIPELINE", "Data Pipeline"))?;
    let meters = [
        meter(
            "vm_hours",
            "VM hours",
            Some(&compute.id),
            vec![
                field(Who, "user", "User", None),
                field(Where, "region", "Region", None),
                field(What, "instance_type", "Instance type", None),
                field(Measure, "hours", "Hours", Some("h")),
            ],
        ),
        meter(
            "storage_gb",
            "Storage (GB)",
            Some(&compute.id),
            vec![
                field(Where, "region", "Region", None),
                field(Measure, "gb", "Gigabytes stored", Some("GBy")),
                field(Cost, "storage_cost", "Storage cost", Some("USD")),
            ],
        ),
        meter(
            "rows_processed",
            "Rows processed",
            Some(&pipeline.id),
            vec![
                field(What, "pipeline", "Pipeline", None),
                field(Metadata, "job_id", "Job id", None),
                field(Measure, "rows", "Rows", Some("{row}")),
                field(Income, "revenue", "Revenue", Some("USD")),
            ],
        ),
        meter(
            "pipeline_runs",
            "Pipeline runs",
            Some(&pipeline.id),
            vec![
                field(Other, "trigger", "Trigger", None),
                field(Measure, "runs", "Runs", Some("{run}")),
            ],
        ),
        meter(
            "api_calls",
            "API calls",
            None,
            vec![
                field(Who, "user", "User", None),
                field(Other, "endpoint", "Endpoint", None),
                field(Measure, "calls", "Calls", Some("{call}")),
            ],
        ),
    ];
    for m in meters {
        debug_assert!(
            rules::meter_errors(&m).is_empty(),
            "{:?}",
            rules::meter_errors(&m)
        );
        insert_new::<Meter>(db, m)?;
    }
    let acme: Account = insert_new(
        db,
        account(
            "ACME-ROBOTICS",
            "Acme Robotics",
            "billing@acme-robotics.example",
            "USD",
            None,
        ),
    )?;
    for a in [
        account(
            "ACME-ROBOTICS-EU",
            "Acme Robotics Europe",
            "billing-eu@acme-robotics.example",
            "EUR",
            Some(&acme.id),
        ),
        account(
            "GLOBEX-LOGISTICS",
            "Globex Logistics",
            "accounts@globex-logistics.example",
            "GBP",
            None,
        ),
        account(
            "INITECH",
            "Initech Software",
            "finance@initech.example",
            "USD",
            None,
        ),
    ] {
        debug_assert!(rules::account_errors(&a).is_empty());
        insert_new::<Account>(db, a)?;
    }
    Ok(())
}
