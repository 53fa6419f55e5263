//! The same measurement entered as flags, as a CSV row and as an NDJSON line goes out as the
//! same bytes: all three go through [`crate::m3ter::measurement_builder`] and the same check.

use super::args::SubmitArgs;
use super::flags;
use crate::m3ter::bulk::input::{self, Format, Item};
use crate::m3ter::bulk::prepare;
use crate::m3ter::bulk::Meters;
use crate::m3ter::{DataField, DataFieldCategory, Meter};
use clap::Parser;

#[derive(Parser)]
struct Cmd {
    #[command(flatten)]
    args: SubmitArgs,
}

fn meters() -> Meters {
    let field = |category, code: &str| DataField {
        category,
        code: code.into(),
        name: code.into(),
        unit: None,
    };
    Meters::from_list(vec![Meter {
        id: "m1".into(),
        code: Some("api".into()),
        data_fields: vec![
            field(DataFieldCategory::Who, "user"),
            field(DataFieldCategory::Measure, "calls"),
            field(DataFieldCategory::Cost, "price"),
        ],
        ..Default::default()
    }])
}

fn wire(mut items: Vec<Item>, meters: &Meters) -> String {
    assert_eq!(items.len(), 1);
    let m = prepare::one(items.remove(0), meters, false, |_| {}).unwrap();
    serde_json::to_string(&m).unwrap()
}

fn read(text: &str, format: Format) -> Vec<Item> {
    let reader = Box::new(std::io::Cursor::new(text.to_string()));
    input::items(reader, "f", format)
        .unwrap()
        .map(|i| i.unwrap())
        .collect()
}

#[test]
fn flags_csv_and_ndjson_build_identical_json() {
    let meters = meters();
    let ts = "2026-01-31T12:00:00Z";
    let cmd = Cmd::try_parse_from([
        "submit",
        "--meter",
        "api",
        "--account",
        "ACME",
        "--ts",
        ts,
        "--uid",
        "u-1",
        "--field",
        "user=bob",
        "--field",
        "measure.calls=3",
        "--field",
        "price=933270.2121806375",
    ])
    .unwrap();
    let from_flags = wire(
        vec![flags::from_flags(&cmd.args, &meters).unwrap()],
        &meters,
    );
    let csv = format!(
        "meter,account,ts,uid,who.user,calls,cost.price\napi,ACME,{ts},u-1,bob,3,933270.2121806375\n"
    );
    let from_csv = wire(read(&csv, Format::Csv), &meters);
    let line = format!(
        r#"{{"uid":"u-1","meter":"api","account":"ACME","ts":"{ts}","who":{{"user":"bob"}},"measure":{{"calls":3}},"cost":{{"price":933270.2121806375}}}}"#
    );
    let from_ndjson = wire(read(&line, Format::Ndjson), &meters);
    let from_json = wire(read(&format!("[{line}]"), Format::Json), &meters);
    assert_eq!(from_flags, from_csv);
    assert_eq!(from_flags, from_ndjson);
    assert_eq!(from_flags, from_json);
    assert!(
        from_flags.contains(r#""calls":3}"#) && from_flags.contains("933270.2121806375"),
        "{from_flags}"
    );
}
