//! The Console's CSV template for a meter: lower-case headers `uid,meter,account,ts,ets` and one
//! column per data field named `category.code` (e.g. `measure.num_apps`), so a column says both
//! where its value goes and whether it must be a number.
//!
//! [`Column::parse`] reads such a header cell back (and a bare field code, as older files have),
//! so what the template writes, an upload reads.

use super::types::{DataFieldCategory, Meter};

/// The columns every template starts with, in order.
pub const TOP_COLUMNS: [&str; 5] = ["uid", "meter", "account", "ts", "ets"];

/// One header cell of a measurements CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// `uid`, `meter`, `account`, `ts` or `ets`.
    Top(&'static str),
    /// `category.code`.
    Field {
        category: DataFieldCategory,
        code: String,
    },
    /// A bare field code: its category comes from the row's meter.
    Code(String),
}

impl Column {
    /// Reads a header cell, ignoring case and surrounding spaces in the names m3ter defines
    /// (field codes keep their case: m3ter codes are case-sensitive).
    pub fn parse(cell: &str) -> Column {
        let cell = cell.trim();
        let lower = cell.to_ascii_lowercase();
        if let Some(top) = TOP_COLUMNS.iter().find(|t| **t == lower) {
            return Column::Top(top);
        }
        if let Some((cat, code)) = cell.split_once('.') {
            if let Some(category) = DataFieldCategory::from_key(&cat.to_ascii_lowercase()) {
                if !code.is_empty() {
                    return Column::Field {
                        category,
                        code: code.to_string(),
                    };
                }
            }
        }
        Column::Code(cell.to_string())
    }
}

/// The header of `meter`'s template: the top columns, then every data field as `category.code`
/// in the meter's order.
pub fn template_header(meter: &Meter) -> Vec<String> {
    TOP_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(
            meter
                .data_fields
                .iter()
                .map(|f| format!("{}.{}", f.category.key(), f.code)),
        )
        .collect()
}

/// The template as a file: the header, then one example row for `account` at `ts` (empty `uid`
/// and `ets`: m3ter fills a missing uid; ets is optional) with `1` in numeric fields and empty
/// string fields, so it uploads as is once the account is right.
pub fn template_csv(meter: &Meter, account: &str, ts: &str) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(template_header(meter))
        .expect("writing to memory");
    let mut row = vec![
        String::new(),
        meter.code.clone().unwrap_or_default(),
        account.to_string(),
        ts.to_string(),
        String::new(),
    ];
    row.extend(meter.data_fields.iter().map(|f| {
        if f.category.is_numeric() {
            "1".to_string()
        } else {
            String::new()
        }
    }));
    w.write_record(row).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("csv of UTF-8 is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::types::DataField;

    fn meter() -> Meter {
        let field = |category, code: &str| DataField {
            category,
            code: code.into(),
            name: code.into(),
            unit: None,
        };
        Meter {
            id: "m".into(),
            code: Some("api_calls".into()),
            data_fields: vec![
                field(DataFieldCategory::Measure, "num_apps"),
                field(DataFieldCategory::Where, "region"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn header_is_top_columns_then_category_dot_code() {
        assert_eq!(
            template_header(&meter()),
            [
                "uid",
                "meter",
                "account",
                "ts",
                "ets",
                "measure.num_apps",
                "where.region"
            ]
        );
    }

    #[test]
    fn template_has_header_and_an_example_row() {
        let text = template_csv(&meter(), "ACME", "2026-11-25T00:00:00Z");
        assert_eq!(
            text,
            "uid,meter,account,ts,ets,measure.num_apps,where.region\r\n,api_calls,ACME,2026-11-25T00:00:00Z,,1,\r\n"
        );
    }

    #[test]
    fn every_template_header_reads_back() {
        for cell in template_header(&meter()) {
            let col = Column::parse(&cell);
            assert!(!matches!(col, Column::Code(_)), "{cell} read as {col:?}");
        }
        assert_eq!(
            Column::parse(" Measure.num_apps "),
            Column::Field {
                category: DataFieldCategory::Measure,
                code: "num_apps".into()
            }
        );
        assert_eq!(Column::parse("TS"), Column::Top("ts"));
        assert_eq!(Column::parse("calls"), Column::Code("calls".into()));
        assert_eq!(
            Column::parse("nocat.x"),
            Column::Code("nocat.x".into()),
            "an unknown category is a bare code"
        );
    }
}
