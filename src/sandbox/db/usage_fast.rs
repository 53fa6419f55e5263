//! The usage query's fast path: aggregations of numeric fields grouped by time (or not grouped)
//! read the hourly rollups (`rollup`) for the whole hours of the period and the stored bodies
//! only for the partial hours at its ends, then merge both in one SQL aggregation that gives the
//! same rows as the exact path (`Db::usage_exact_aggregate`): same groups, values, order,
//! `limit` and `hasMoreData`.
//!
//! Plans the rollups cannot answer take the exact path: a dimension filter or group, an
//! account filter or ACCOUNT group (rollups are per meter, not per account), or an aggregation
//! of a dimension field (COUNT, UNIQUE of strings).

use super::handle::Db;
use super::rollup::{latest_key, HOUR_MS};
use super::usage::{time_bucket, Args, GroupPlan, UsagePlan};
use crate::m3ter::AggregationFunction;
use serde_json::{Map, Value};

/// Whether the rollups can answer `plan`.
fn fits(plan: &UsagePlan) -> bool {
    !plan.aggs.is_empty()
        && plan.dims.is_empty()
        && plan.account_ids.is_empty()
        && plan.groups.iter().all(|g| matches!(g, GroupPlan::Time(_)))
        && plan
            .aggs
            .iter()
            .all(|a| a.numeric && a.function != AggregationFunction::Unique)
}

fn floor_hour(ms: i64) -> i64 {
    ms - ms.rem_euclid(HOUR_MS)
}

fn ceil_hour(ms: i64) -> i64 {
    let f = floor_hour(ms);
    if f == ms {
        f
    } else {
        f + HOUR_MS
    }
}

impl Db<'_> {
    /// The plan's rows from the rollups, or `None` when it needs the exact path.
    pub fn usage_rollup_aggregate(
        &self,
        plan: &UsagePlan,
    ) -> rusqlite::Result<Option<Vec<Map<String, Value>>>> {
        if !fits(plan) {
            return Ok(None);
        }
        let from_h = plan.from_ms.map(ceil_hour);
        let to_h = plan.to_ms.map(floor_hour);
        if let (Some(f), Some(t)) = (from_h, to_h) {
            if f >= t {
                // Less than one whole hour: the exact path reads few rows anyway.
                return Ok(None);
            }
        }
        let mut a = Args(Vec::new());
        let org = a.push(self.org.to_string());
        let meters: Vec<String> = plan
            .meters()
            .into_iter()
            .map(|m| a.push(m.to_string()))
            .collect();
        let meters = meters.join(", ");
        let mut parts = Vec::new();
        let mut w = format!("org = {org} AND meter_id IN ({meters})");
        if let Some(f) = from_h {
            w += &format!(" AND bucket_ms >= {}", a.push(f));
        }
        if let Some(t) = to_h {
            w += &format!(" AND bucket_ms < {}", a.push(t));
        }
        parts.push(format!(
            "SELECT meter_id, bucket_ms AS t, field, n, s, mn, mx, latest, max_ts, max_seq
             FROM usage_hourly WHERE {w}"
        ));
        let mut edges = Vec::new();
        if let (Some(f), Some(fh)) = (plan.from_ms, from_h) {
            if f < fh {
                edges.push((f, fh));
            }
        }
        if let (Some(t), Some(th)) = (plan.to_ms, to_h) {
            if th < t {
                edges.push((th, t));
            }
        }
        let mut fields: Vec<(&str, &str)> = plan
            .aggs
            .iter()
            .map(|x| (x.meter_id.as_str(), x.path.as_str()))
            .collect();
        fields.sort();
        fields.dedup();
        for (lo, hi) in edges {
            let range = format!(
                "org = {org} AND ts_ms >= {} AND ts_ms < {} AND meter_id IN ({meters})",
                a.push(lo),
                a.push(hi)
            );
            parts.push(format!(
                "SELECT meter_id, ts_ms, '', 1, NULL, NULL, NULL, NULL, ts_ms, seq
                 FROM measurements WHERE {range}"
            ));
            for (m, p) in &fields {
                let (m, p) = (a.push(m.to_string()), a.push(p.to_string()));
                parts.push(format!(
                    "SELECT meter_id, ts_ms, {p}, 1, CAST(v AS REAL), v, v, {}, NULL, NULL
                     FROM (SELECT meter_id, ts_ms, seq, json_extract(body, {p}) AS v
                           FROM measurements WHERE {range} AND meter_id = {m})
                     WHERE v IS NOT NULL",
                    latest_key("ts_ms", "seq", "v")
                ));
            }
        }
        let mut select = Vec::new();
        let mut group_by = Vec::new();
        for (i, g) in plan.groups.iter().enumerate() {
            if let GroupPlan::Time(f) = g {
                select.push(format!("{} AS g{i}", time_bucket("t", *f)));
                group_by.push(format!("g{i}"));
            }
        }
        for (j, ag) in plan.aggs.iter().enumerate() {
            let m = a.push(ag.meter_id.clone());
            let p = a.push(ag.path.clone());
            let of = |col: &str| format!("CASE WHEN meter_id = {m} AND field = {p} THEN {col} END");
            let e = match ag.function {
                AggregationFunction::Sum => format!("SUM({})", of("s")),
                AggregationFunction::Min => format!("MIN({})", of("mn")),
                AggregationFunction::Max => format!("MAX({})", of("mx")),
                AggregationFunction::Mean => format!("SUM({}) / SUM({})", of("s"), of("n")),
                AggregationFunction::Count => format!("COALESCE(SUM({}), 0)", of("n")),
                AggregationFunction::Latest => format!("substr(MAX({}), 41)", of("latest")),
                AggregationFunction::Unique => {
                    unreachable!("`fits` sends UNIQUE to the exact path")
                }
            };
            select.push(format!("{e} AS a{j}"));
        }
        let lim = a.push((plan.limit + 1) as i64);
        let group = if group_by.is_empty() {
            String::new()
        } else {
            format!("GROUP BY {}", group_by.join(", "))
        };
        let sql = format!(
            "SELECT {} FROM ({}) {group}
             HAVING SUM(CASE WHEN field = '' THEN n END) > 0
             ORDER BY MAX(max_ts) DESC, MAX(max_seq) DESC LIMIT {lim}",
            select.join(", "),
            parts.join(" UNION ALL ")
        );
        self.aggregate_rows(plan, &sql, a.0).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::TimeFrequency;
    use crate::sandbox::db::{AggPlan, DimFilter, EnrichedRow, Store};
    use serde_json::json;

    const METERS: [&str; 3] = ["m1", "m2", "m3"];
    const PATHS: [&str; 3] = [
        "$.\"measure\".\"gb\"",
        "$.\"cost\".\"c\"",
        "$.\"income\".\"i\"",
    ];
    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    /// A small deterministic generator (no dependency on the `rand` version's streams).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// `n` measurements over ~100 days (some on exact hour starts, some sharing a `ts`, a few
    /// before 1970), values whole or in quarters, some fields missing; stored in several
    /// transactions so the rollups are merged across them.
    fn store_with_rows(n: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("u.db")).unwrap();
        let mut r = Lcg(7);
        let mut last_ts = T0;
        for chunk in 0..4 {
            store
                .write("o", |db| -> rusqlite::Result<()> {
                    for i in 0..n / 4 {
                        let meter = METERS[r.next(3) as usize];
                        let ts = match r.next(10) {
                            0 => last_ts,
                            1 => T0 + r.next(2400) as i64 * HOUR_MS,
                            2 => -(r.next(1_000_000_000) as i64),
                            _ => T0 + r.next(100 * 24 * HOUR_MS as u64) as i64,
                        };
                        last_ts = ts;
                        let num = |r: &mut Lcg| -> Value {
                            if r.next(2) == 0 {
                                json!(r.next(1000) as i64 - 100)
                            } else {
                                json!((r.next(4000) as f64 - 400.0) / 4.0)
                            }
                        };
                        let mut body = json!({"uid": format!("u{chunk}-{i}"), "meter": meter});
                        if r.next(5) != 0 {
                            body["measure"] = json!({"gb": num(&mut r)});
                        }
                        if r.next(3) != 0 {
                            body["cost"] = json!({"c": num(&mut r)});
                        }
                        if r.next(4) == 0 {
                            body["income"] = json!({"i": num(&mut r)});
                        }
                        body["who"] = json!({"user": format!("u{}", r.next(3))});
                        let ts_text = chrono::DateTime::from_timestamp_millis(ts)
                            .unwrap()
                            .to_rfc3339();
                        let account = format!("A{}", r.next(4));
                        db.insert_enriched(&EnrichedRow {
                            uid: None,
                            meter,
                            meter_id: meter,
                            account: &account,
                            account_id: &account,
                            ts: &ts_text,
                            ts_ms: ts,
                            received: "now",
                            body: &body.to_string(),
                        })?;
                    }
                    db.rollup_catch_up()
                })
                .unwrap();
        }
        (dir, store)
    }

    fn agg(m: &str, p: &str, f: AggregationFunction, numeric: bool) -> AggPlan {
        AggPlan {
            meter_id: m.into(),
            path: p.into(),
            function: f,
            column: format!("{f:?}({m}{p})"),
            numeric,
        }
    }

    fn plan(aggs: Vec<AggPlan>, groups: Vec<GroupPlan>) -> UsagePlan {
        UsagePlan {
            from_ms: None,
            to_ms: None,
            meter_ids: Vec::new(),
            account_ids: Vec::new(),
            dims: Vec::new(),
            aggs,
            groups,
            limit: 20_000,
        }
    }

    type Rows = Vec<Map<String, Value>>;

    fn both(store: &Store, p: &UsagePlan) -> (Option<Rows>, Rows) {
        store
            .read("o", |db| -> rusqlite::Result<_> {
                Ok((db.usage_rollup_aggregate(p)?, db.usage_exact_aggregate(p)?))
            })
            .unwrap()
    }

    use AggregationFunction::*;
    const MEASURE_FNS: [AggregationFunction; 6] = [Sum, Min, Max, Mean, Count, Latest];
    const FREQS: [TimeFrequency; 5] = [
        TimeFrequency::Hour,
        TimeFrequency::Day,
        TimeFrequency::Week,
        TimeFrequency::Month,
        TimeFrequency::Quarter,
    ];

    #[test]
    fn the_rollups_give_exactly_the_rows_of_the_exact_path() {
        let (_dir, store) = store_with_rows(4000);
        let h = HOUR_MS;
        let periods: [(Option<i64>, Option<i64>); 6] = [
            (None, None),
            (Some(T0 + 24 * h), Some(T0 + 60 * 24 * h)),
            (Some(T0 + 24 * h + 1234), Some(T0 + 60 * 24 * h - 5678)),
            (Some(T0 + 17), None),
            (None, Some(T0 + 3 * h + 1)),
            (Some(-500_000_000), Some(T0 + 40 * 24 * h + 999)),
        ];
        let meter_sets: [Vec<String>; 3] =
            [vec![], vec!["m1".into()], vec!["m1".into(), "m3".into()]];
        let mut compared = 0;
        for (from_ms, to_ms) in periods {
            for groups in [None].into_iter().chain(FREQS.map(Some)) {
                for meters in &meter_sets {
                    for limit in [20_000, 3] {
                        for aggs in [
                            MEASURE_FNS
                                .into_iter()
                                .map(|f| agg("m1", PATHS[0], f, true))
                                .collect(),
                            vec![
                                agg("m1", PATHS[0], Sum, true),
                                agg("m2", PATHS[1], Latest, true),
                                agg("m3", PATHS[2], Mean, true),
                                agg("m2", PATHS[0], Count, true),
                                agg("m3", PATHS[1], Min, true),
                            ],
                        ] {
                            let mut p =
                                plan(aggs, groups.map(GroupPlan::Time).into_iter().collect());
                            p.from_ms = from_ms;
                            p.to_ms = to_ms;
                            p.meter_ids = meters.clone();
                            p.limit = limit;
                            let (fast, exact) = both(&store, &p);
                            let fast = fast.expect("a time-grouped measure query uses the rollups");
                            assert_eq!(
                                Value::from(fast),
                                Value::from(exact.clone()),
                                "period {from_ms:?}..{to_ms:?}, group {groups:?}, meters {meters:?}, limit {limit}"
                            );
                            assert!(!exact.is_empty() || meters.len() == 1 || from_ms.is_some());
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(compared, 6 * 6 * 3 * 2 * 2);
        // `limit` cuts the groups, most recent first; one more row tells `hasMoreData`.
        let mut p = plan(
            vec![agg("m1", PATHS[0], Sum, true)],
            vec![GroupPlan::Time(TimeFrequency::Day)],
        );
        p.limit = 3;
        assert_eq!(both(&store, &p).1.len(), 4);
    }

    #[test]
    fn other_plans_take_the_exact_path() {
        let (_dir, store) = store_with_rows(400);
        let sum = || vec![agg("m1", PATHS[0], Sum, true)];
        let mut plans = vec![
            plan(sum(), vec![GroupPlan::Account]),
            plan(
                sum(),
                vec![GroupPlan::Dimension {
                    meter_id: "m1".into(),
                    path: "$.\"who\".\"user\"".into(),
                    column: "user".into(),
                }],
            ),
            plan(vec![agg("m1", "$.\"who\".\"user\"", Unique, false)], vec![]),
            plan(vec![agg("m1", "$.\"who\".\"user\"", Count, false)], vec![]),
        ];
        let mut p = plan(sum(), vec![]);
        p.account_ids = vec!["A1".into()];
        plans.push(p);
        let mut p = plan(sum(), vec![]);
        p.dims = vec![DimFilter {
            meter_id: "m1".into(),
            path: "$.\"who\".\"user\"".into(),
            values: vec!["u1".into()],
        }];
        plans.push(p);
        let mut p = plan(sum(), vec![]);
        (p.from_ms, p.to_ms) = (Some(T0 + 10), Some(T0 + HOUR_MS + 10));
        plans.push(p);
        for p in &plans {
            assert!(both(&store, p).0.is_none());
            let direct = store.read("o", |db| db.usage_aggregate(p)).unwrap();
            assert_eq!(direct, both(&store, p).1);
        }
    }

    /// A database whose measurements were stored before the rollups existed (or whose rollups
    /// were lost) is rolled up when the sandbox opens it.
    #[test]
    fn rollups_missing_at_open_are_rebuilt() {
        let (dir, store) = store_with_rows(400);
        let p = plan(
            vec![agg("m1", PATHS[0], Sum, true)],
            vec![GroupPlan::Time(TimeFrequency::Day)],
        );
        let before = both(&store, &p).0.unwrap();
        store
            .write("o", |db| {
                db.conn.execute_batch(
                    "DROP TABLE usage_hourly; DELETE FROM meta WHERE key = 'usage_hourly_through';",
                )
            })
            .unwrap();
        drop(store);
        let (store, _) = Store::open(&dir.path().join("u.db")).unwrap();
        let after = both(&store, &p);
        assert_eq!(after.0.unwrap(), before);
        assert_eq!(before, after.1);
    }
}
