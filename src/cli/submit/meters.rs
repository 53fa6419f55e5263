//! The organization's meters by code, fetched once per run: what a measurement is checked
//! against, and how a data field is named in flags and CSV headers.

use crate::connect::Connection;
use crate::m3ter::{DataField, ListQuery, Meter};
use std::collections::HashMap;

/// The organization's meters by code.
pub struct Meters(HashMap<String, Meter>);

impl Meters {
    pub async fn fetch(conn: &Connection) -> anyhow::Result<Meters> {
        let all: Vec<Meter> = conn.client.list_all(ListQuery::page_size(100)).await?;
        Ok(Self::from_list(all))
    }

    pub fn from_list(meters: Vec<Meter>) -> Meters {
        Meters(
            meters
                .into_iter()
                .filter_map(|m| Some((m.code.clone()?, m)))
                .collect(),
        )
    }

    /// The meter with this code, if any.
    pub fn find(&self, code: &str) -> Option<&Meter> {
        self.0.get(code)
    }

    /// The meter with this code, or a message naming the codes that exist.
    pub fn get(&self, code: &str) -> Result<&Meter, String> {
        self.0.get(code).ok_or_else(|| {
            let mut known: Vec<_> = self.0.keys().map(String::as_str).collect();
            known.sort_unstable();
            format!(
                "meter: no meter has the code {code:?} (meters: {})",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )
        })
    }

    /// `who.user, measure.calls` — what a measurement for this meter may carry, named the way
    /// flags and CSV headers accept (and m3ter's own CSV template writes).
    pub fn field_list(meter: &Meter) -> String {
        meter
            .data_fields
            .iter()
            .map(|f| format!("{}.{}", f.category.key(), f.code))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The data field `name` means: `category.code` (m3ter's template form, e.g.
    /// `measure.num_apps`) or the bare code when only one field of the meter has it.
    pub fn field<'m>(meter: &'m Meter, name: &str) -> Result<&'m DataField, String> {
        let meter_code = meter.code.as_deref().unwrap_or("");
        if let Some((cat, code)) = name.split_once('.') {
            if let Some(f) = meter
                .data_fields
                .iter()
                .find(|f| f.category.key() == cat && f.code == code)
            {
                return Ok(f);
            }
        }
        let matches: Vec<&DataField> = meter
            .data_fields
            .iter()
            .filter(|f| f.code == name)
            .collect();
        match matches.as_slice() {
            [f] => Ok(f),
            [] => Err(format!(
                "meter {meter_code:?} has no data field {name:?} (it has: {})",
                Self::field_list(meter)
            )),
            several => Err(format!(
                "meter {meter_code:?} has {} data fields with the code {name:?}: name one as {}",
                several.len(),
                several
                    .iter()
                    .map(|f| format!("{}.{}", f.category.key(), f.code))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }
}
