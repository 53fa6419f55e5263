//! One measurement from the command line: `--meter/--account/--field …` or `--json FILE`.

use super::args::SubmitArgs;
use crate::cli::exit::usage;
use crate::m3ter::bulk::input::{self, Item};
use crate::m3ter::bulk::record::Location;
use crate::m3ter::bulk::Meters;
use crate::m3ter::measurement_builder::MeasurementBuilder;
use serde_json::Value;
use std::io::Read;

/// `--json FILE|-`: one object; a syntax error names line and column.
pub fn read_one(path: &std::path::Path) -> anyhow::Result<Item> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let mut text = String::new();
    input::open(path, |r| r)?
        .read_to_string(&mut text)
        .map_err(|e| usage(format!("{name}: cannot read: {e}")))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("{name}:{}:{}: {e}", e.line(), e.column())))?;
    if !value.is_object() {
        return Err(usage(format!(
            "{name}: expected one measurement object (for many, use --file)"
        )));
    }
    Ok(Item::json(
        Location {
            file: name,
            line: 1,
            column: None,
        },
        value,
    ))
}

/// The measurement the flags describe; each `--field` goes under its data field's category.
/// A field is named by its code (`calls`) or as m3ter's templates do (`measure.calls`).
pub fn from_flags(args: &SubmitArgs, meters: &Meters) -> anyhow::Result<Item> {
    let code = args.meter.as_deref().unwrap_or_default();
    // Sending anyway to a meter the organization lacks: each --field names its category.
    let stand_in;
    let meter = match meters.get(code) {
        Ok(m) => m,
        Err(_) if args.send_anyway => {
            let names = args
                .fields
                .iter()
                .map(|kv| kv.split('=').next().unwrap_or(kv));
            stand_in = Meters::stand_in(code, names).map_err(|m| usage(format!("--field {m}")))?;
            &stand_in
        }
        Err(m) => return Err(usage(m)),
    };
    let mut b = MeasurementBuilder::new();
    b.set("meter", code)
        .set("account", args.account.clone().unwrap_or_default());
    for (k, v) in [("ts", &args.ts), ("ets", &args.ets), ("uid", &args.uid)] {
        if let Some(v) = v {
            b.set(k, v.clone());
        }
    }
    for kv in &args.fields {
        let (name, raw) = kv
            .split_once('=')
            .ok_or_else(|| usage(format!("--field {kv:?}: expected CODE=VALUE")))?;
        let field =
            Meters::field(meter, name).map_err(|m| usage(format!("--field {name}: {m}")))?;
        b.set_typed(field, raw).map_err(|m| {
            usage(format!(
                "--field {name} ({}.{}): {m}",
                field.category.key(),
                field.code
            ))
        })?;
    }
    Ok(Item::json(
        Location {
            file: "command line".into(),
            line: 0,
            column: None,
        },
        b.into_value(),
    ))
}
