//! The organization's meters by code, fetched once per run: what a measurement is checked
//! against, and how a data field is named in flags and CSV headers.

use crate::m3ter::{Client, DataField, ListQuery, Meter, Result};
use std::collections::{HashMap, HashSet};

/// The organization's meters by code: only those an input names are fetched (`?codes=`), the
/// whole list only when a code is not found (to name the codes that exist).
#[derive(Default)]
pub struct Meters {
    by_code: HashMap<String, Meter>,
    asked: HashSet<String>,
    all: bool,
}

/// Codes per `?codes=` request (the URL stays short).
const CODES_PER_REQUEST: usize = 50;

impl Meters {
    /// Makes sure the meters with these codes are known (fetching those not asked for yet).
    pub async fn ensure<'a>(
        &mut self,
        client: &Client,
        codes: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let mut wanted: Vec<String> = Vec::new();
        for code in codes {
            if !self.asked.contains(code) && !wanted.iter().any(|w| w == code) {
                wanted.push(code.to_string());
            }
        }
        if wanted.is_empty() || self.all {
            return Ok(());
        }
        // `codes` is comma-separated: a code holding a comma cannot be asked for by name.
        if wanted.iter().any(|c| c.is_empty() || c.contains(',')) {
            return self.fetch_all(client).await;
        }
        for chunk in wanted.chunks(CODES_PER_REQUEST) {
            let query = ListQuery {
                codes: chunk.to_vec(),
                ..ListQuery::page_size(100)
            };
            let found: Vec<Meter> = client.list_all(query).await?;
            self.add(found);
        }
        let missing = wanted.iter().any(|c| !self.by_code.contains_key(c));
        self.asked.extend(wanted);
        if missing {
            self.fetch_all(client).await?;
        }
        Ok(())
    }

    async fn fetch_all(&mut self, client: &Client) -> Result<()> {
        let all: Vec<Meter> = client.list_all(ListQuery::page_size(100)).await?;
        self.add(all);
        self.all = true;
        Ok(())
    }

    fn add(&mut self, meters: Vec<Meter>) {
        self.by_code.extend(
            meters
                .into_iter()
                .filter_map(|m| Some((m.code.clone()?, m))),
        );
    }

    /// Meters known already (a test's, or a list the caller fetched).
    pub fn from_list(meters: Vec<Meter>) -> Meters {
        let mut m = Meters {
            all: true,
            ..Default::default()
        };
        m.add(meters);
        m
    }

    /// The meter with this code, if any.
    pub fn find(&self, code: &str) -> Option<&Meter> {
        self.by_code.get(code)
    }

    /// The meter with this code, or a message naming the codes that exist.
    pub fn get(&self, code: &str) -> Result<&Meter, String> {
        self.by_code.get(code).ok_or_else(|| {
            let mut known: Vec<_> = self.by_code.keys().map(String::as_str).collect();
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

    /// A stand-in for a meter the organization does not have, sent anyway: its data fields are
    /// the `category.code` names given (the category cannot be looked up, so it must be named;
    /// top-level keys such as `account` are skipped). Lets a value be typed by its category.
    pub fn stand_in<'n>(
        code: &str,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<Meter, String> {
        let mut fields = Vec::new();
        for name in names {
            if crate::m3ter::rules::TOP_LEVEL_KEYS.contains(&name) {
                continue;
            }
            let cat = name.split_once('.').and_then(|(cat, code)| {
                let c = crate::m3ter::DataFieldCategory::ALL
                    .into_iter()
                    .find(|c| c.key() == cat)?;
                (!code.is_empty()).then_some((c, code))
            });
            let Some((category, field)) = cat else {
                return Err(format!(
                    "{name}: meter {code:?} does not exist, so the category of a value cannot be \
                     looked up: name it as category.code (e.g. measure.{name}=3 or who.{name}=bob)"
                ));
            };
            fields.push(DataField {
                category,
                code: field.into(),
                name: field.into(),
                unit: None,
            });
        }
        Ok(Meter {
            code: Some(code.into()),
            data_fields: fields,
            ..Default::default()
        })
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
