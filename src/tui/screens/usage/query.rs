//! The usage query the explorer's settings make: exactly what `POST /usage/query` takes — meter
//! ids, an aggregation per field (MEASURE fields SUM/MIN/MAX/COUNT/LATEST/MEAN, DIMENSION fields
//! COUNT/UNIQUE), groups by account, time and dimension fields together (only with
//! aggregations), and dimension filters per meter. Account codes become ids on the task that
//! runs the query. Errors start with the setting they are about.

use super::form::{FieldInfo, Form, Setting};
use crate::m3ter::{Aggregation, DimensionFilter, Meter, UsageGroup, UsageQuery};
use chrono::{DateTime, TimeZone};

/// Rows the explorer asks for (m3ter returns at most 20,000).
pub const ROWS_LIMIT: u32 = 5000;

impl Form {
    /// The usage query; `account_ids` are the ids of the typed account codes (looked up by the
    /// caller).
    pub fn query<Tz: TimeZone>(
        &self,
        now: &DateTime<Tz>,
        meters: &[Meter],
        account_ids: Vec<String>,
    ) -> Result<UsageQuery, String> {
        let period = self.period(now)?;
        let chosen = self.chosen(meters)?;
        let id_of = |code: &str| {
            chosen
                .iter()
                .find(|m| m.code.as_deref().unwrap_or(&m.id) == code)
                .map(|m| m.id.clone())
        };
        let mut q = UsageQuery {
            start_date: Some(period.start_date()),
            end_date: Some(period.end_date()),
            meter_ids: if self.meters.is_empty() {
                Vec::new()
            } else {
                chosen.iter().map(|m| m.id.clone()).collect()
            },
            account_ids,
            limit: Some(ROWS_LIMIT),
            ..Default::default()
        };
        for (field, function) in self.functions(meters) {
            if !function.applies_to(field.field_type()) {
                return Err(format!(
                    "aggregate: {} takes {}, not {}",
                    self.field_label(&field.key, meters),
                    takes(&field),
                    function.name()
                ));
            }
            if let Some(meter_id) = id_of(&field.key.0) {
                q.aggregations.push(Aggregation {
                    meter_id,
                    field_code: field.key.1.clone(),
                    field_type: field.field_type(),
                    function,
                });
            }
        }
        if q.aggregations.is_empty() {
            if let super::form::Aggs::Every(Some(f)) = self.aggs {
                return Err(format!(
                    "aggregate: no field of {} takes {}",
                    self.value(Setting::Meter, meters),
                    f.name()
                ));
            }
            if !self.groups.is_empty() {
                return Err(
                    "group by: choose an aggregation first (raw measurements are not grouped)"
                        .into(),
                );
            }
        } else {
            if self.groups.account {
                q.groups.push(UsageGroup::Account);
            }
            if let Some(frequency) = self.groups.time {
                q.groups.push(UsageGroup::Time { frequency });
            }
            for (meter, field) in &self.groups.fields {
                if let Some(meter_id) = id_of(meter) {
                    q.groups.push(UsageGroup::Dimension {
                        meter_id,
                        field_code: field.clone(),
                    });
                }
            }
        }
        let fields = self.fields(meters);
        for part in self.dimension.value().split(';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (field, values) = part
                .split_once('=')
                .ok_or_else(|| format!("where: {part:?} is not field=value[,value…]"))?;
            let field = field.trim();
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(format!("where: no value for {field}"));
            }
            let before = q.dimension_filters.len();
            let mut metadata = false;
            for f in fields.iter().filter(|f| f.key.1 == field) {
                metadata |= f.category == crate::m3ter::DataFieldCategory::Metadata;
                if let (true, Some(meter_id)) = (f.is_dimension(), id_of(&f.key.0)) {
                    q.dimension_filters.push(DimensionFilter {
                        meter_id,
                        field_code: field.to_string(),
                        values: values.clone(),
                    });
                }
            }
            if q.dimension_filters.len() == before {
                return Err(if metadata {
                    format!("where: {field} is a METADATA field, which m3ter cannot filter on")
                } else {
                    format!(
                        "where: {field} is not a dimension field of {}",
                        self.value(Setting::Meter, meters)
                    )
                });
            }
        }
        Ok(q)
    }
}

fn takes(f: &FieldInfo) -> &'static str {
    if f.category.is_numeric() {
        "sum, min, max, count, latest or mean"
    } else {
        "count or unique"
    }
}

#[cfg(test)]
mod tests {
    use super::super::form::{Aggs, Group};
    use super::*;
    use crate::m3ter::{
        AggregationFieldType, AggregationFunction, DataField, DataFieldCategory, TimeFrequency,
    };
    use chrono::Utc;

    fn meter(id: &str, code: &str, fields: &[(DataFieldCategory, &str)]) -> Meter {
        Meter {
            id: id.into(),
            code: Some(code.into()),
            data_fields: fields
                .iter()
                .map(|(category, c)| DataField {
                    category: *category,
                    code: (*c).into(),
                    name: (*c).into(),
                    unit: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn meters() -> Vec<Meter> {
        use DataFieldCategory::*;
        vec![
            meter(
                "m1",
                "api",
                &[(Measure, "calls"), (Where, "region"), (Metadata, "note")],
            ),
            meter("m2", "storage", &[(Measure, "gb"), (Where, "region")]),
            meter("m3", "seats", &[(Measure, "seats")]),
        ]
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T13:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn sum_per_day_for_one_meter_and_accounts() {
        let mut f = Form::new(Some("api".into()), None);
        f.groups.time = Some(TimeFrequency::Day);
        f.dimension.set("region=eu, us");
        let q = f
            .query(&now(), &meters(), vec!["acc1".into(), "acc2".into()])
            .unwrap();
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(v["startDate"], "2026-11-25T00:00:00.000Z");
        assert_eq!(v["meterIds"], serde_json::json!(["m1"]));
        assert_eq!(v["accountIds"][1], "acc2");
        assert_eq!(
            v["aggregations"].as_array().unwrap().len(),
            1,
            "SUM only fits calls"
        );
        assert_eq!(v["aggregations"][0]["fieldCode"], "calls");
        assert_eq!(v["groups"][0]["frequency"], "DAY");
        assert_eq!(v["dimensionFilters"][0]["values"][1], "us");
    }

    #[test]
    fn several_meters_functions_per_field_groups_and_filters_together() {
        let ms = meters();
        let mut f = Form::new(None, None);
        f.meters = ["api".to_string(), "storage".to_string()].into();
        let key = |m: &str, c: &str| (m.to_string(), c.to_string());
        f.set_function(&key("api", "calls"), Some(AggregationFunction::Max), &ms);
        f.set_function(&key("storage", "gb"), None, &ms);
        f.set_function(
            &key("storage", "region"),
            Some(AggregationFunction::Unique),
            &ms,
        );
        assert!(matches!(f.aggs, Aggs::PerField(_)));
        assert_eq!(
            f.value(Setting::Function, &ms),
            "max(api.calls), unique(storage.region)"
        );
        f.groups.account = true;
        f.groups.time = Some(TimeFrequency::Hour);
        f.groups.fields.insert(key("api", "region"));
        f.dimension.set("region=eu; region=us");
        let q = f.query(&now(), &ms, Vec::new()).unwrap();
        assert_eq!(q.meter_ids, ["m1", "m2"]);
        let aggs: Vec<_> = q
            .aggregations
            .iter()
            .map(|a| {
                (
                    a.meter_id.as_str(),
                    a.field_code.as_str(),
                    a.field_type,
                    a.function,
                )
            })
            .collect();
        assert_eq!(
            aggs,
            [
                (
                    "m1",
                    "calls",
                    AggregationFieldType::Measure,
                    AggregationFunction::Max
                ),
                (
                    "m2",
                    "region",
                    AggregationFieldType::Dimension,
                    AggregationFunction::Unique
                )
            ]
        );
        let groups = serde_json::to_value(&q.groups).unwrap();
        assert_eq!(
            groups,
            serde_json::json!([{"groupType": "ACCOUNT"}, {"groupType": "TIME", "frequency": "HOUR"},
                {"groupType": "DIMENSION", "meterId": "m1", "fieldCode": "region"}])
        );
        // Each filter applies to every chosen meter that has the field.
        assert_eq!(q.dimension_filters.len(), 4);
        assert_eq!(q.dimension_filters[3].meter_id, "m2");
        assert_eq!(q.dimension_filters[3].values, ["us"]);
    }

    #[test]
    fn every_meter_sends_no_meter_ids_and_count_reaches_dimensions() {
        let mut f = Form::new(None, None);
        f.aggs = Aggs::Every(Some(AggregationFunction::Count));
        let q = f.query(&now(), &meters(), Vec::new()).unwrap();
        assert!(q.meter_ids.is_empty());
        // calls, region, note; gb, region; seats.
        assert_eq!(q.aggregations.len(), 6);
    }

    #[test]
    fn raw_list_has_no_aggregations_and_refuses_a_group() {
        let mut f = Form::new(None, None);
        f.aggs = Aggs::Every(None);
        let q = f.query(&now(), &meters(), Vec::new()).unwrap();
        assert!(q.aggregations.is_empty() && q.meter_ids.is_empty());
        f.groups.account = true;
        let e = f.query(&now(), &meters(), Vec::new()).unwrap_err();
        assert!(e.starts_with("group by:"), "{e}");
        // Clearing every field's function is the raw list too.
        f.groups.account = false;
        f.meters = ["seats".to_string()].into();
        f.aggs = Aggs::Every(Some(AggregationFunction::Sum));
        f.set_function(&("seats".into(), "seats".into()), None, &meters());
        assert!(f
            .query(&now(), &meters(), Vec::new())
            .unwrap()
            .aggregations
            .is_empty());
    }

    #[test]
    fn errors_name_the_setting() {
        let ms = meters();
        let mut f = Form::new(Some("api".into()), None);
        f.dimension.set("calls=3");
        let e = f.query(&now(), &ms, Vec::new()).unwrap_err();
        assert!(e.starts_with("where: calls is not a dimension"), "{e}");
        f.dimension.set("note=x");
        let e = f.query(&now(), &ms, Vec::new()).unwrap_err();
        assert!(e.contains("METADATA"), "{e}");
        f.dimension.set("region");
        let e = f.query(&now(), &ms, Vec::new()).unwrap_err();
        assert!(e.starts_with("where: \"region\""), "{e}");
        f.dimension.set("");
        f.aggs = Aggs::Every(Some(AggregationFunction::Unique));
        f.meters = ["seats".to_string()].into();
        let e = f.query(&now(), &ms, Vec::new()).unwrap_err();
        assert_eq!(e, "aggregate: no field of seats takes unique");
        f.meters = ["gone".to_string()].into();
        let e = f.query(&now(), &ms, Vec::new()).unwrap_err();
        assert!(
            e.starts_with("meters: no meter has the code \"gone\""),
            "{e}"
        );
        f.meters.clear();
        f.preset = None;
        f.from.set("last week");
        assert!(f
            .query(&now(), &ms, Vec::new())
            .unwrap_err()
            .starts_with("from:"));
    }

    #[test]
    fn cycling_walks_the_quick_options_and_custom_shows_from_to() {
        let ms = vec![meters().remove(0)];
        let mut f = Form::new(None, None);
        f.cycle(-1, &ms);
        assert_eq!(f.preset, None, "before Today comes custom (wraps)");
        assert_eq!(f.settings()[1], Setting::From);
        let at = |f: &Form, s: Setting| f.settings().iter().position(|x| *x == s).unwrap();
        f.focus = at(&f, Setting::Meter);
        f.cycle(1, &ms);
        assert_eq!(f.meters, ["api".to_string()].into());
        f.focus = at(&f, Setting::Group);
        for _ in 0..7 {
            f.cycle(1, &ms);
        }
        assert_eq!(
            f.groups.fields,
            [("api".to_string(), "region".to_string())].into(),
            "METADATA fields are not offered"
        );
        f.cycle(1, &ms);
        assert_eq!(f.groups, Default::default(), "wraps to nothing");
        let _ = Group::None;
    }
}
