//! The usage rollups the enrichment accumulates (`db::RollupAcc`) against the rollups rebuilt
//! from the stored bodies by SQL.

use super::db::{Cols, IngestQueue, Kind, Store};
use super::enrich::{drain_backlog, now};
use crate::m3ter::*;
use rusqlite::Result;
use serde_json::{json, Value};

/// The rollups the enrichment accumulates from decoded values are the ones rebuilt from
/// the stored bodies (what the exact usage query reads), derived values included.
#[test]
fn enrichment_rollups_equal_the_rollups_of_the_stored_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("s.db")).unwrap();
    let queue = IngestQueue::open(&dir.path().join("s.db.queue")).unwrap();
    let field = |category, code: &str| DataField {
        category,
        code: code.into(),
        name: code.into(),
        unit: None,
    };
    let meter = Meter {
        id: "meter-1".into(),
        code: Some("m".into()),
        data_fields: vec![
            field(DataFieldCategory::Who, "user"),
            field(DataFieldCategory::Measure, "gb"),
            field(DataFieldCategory::Cost, "c"),
        ],
        derived_fields: vec![DerivedField {
            category: DataFieldCategory::Income,
            code: "inc".into(),
            name: "inc".into(),
            unit: None,
            calculation: "gb * 2".into(),
        }],
        ..Default::default()
    };
    let cols = Cols {
        id: meter.id.clone(),
        code: "m".into(),
        version: 1,
        ..Default::default()
    };
    let body = serde_json::to_string(&meter).unwrap();
    store
        .write("o", |db| db.insert(Kind::Meter, &cols, &body))
        .unwrap();
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    for b in 0..3i64 {
        let ms: Vec<Value> = (0..300i64)
            .map(|i| {
                let n = b * 300 + i;
                let ts = t0 + chrono::Duration::seconds((n * 7919) % (50 * 3600));
                let mut m = json!({
                    "uid": format!("u{n}"), "meter": "m", "account": "A",
                    "ts": ts.to_rfc3339(), "who": {"user": "x"},
                });
                // Whole numbers, and fractions that are never whole (no 2 vs 2.0 ties).
                let gb = if n % 2 == 0 {
                    json!(n % 17)
                } else {
                    json!((n % 13) as f64 + 0.25)
                };
                if n % 5 != 0 {
                    m["measure"] = json!({"gb": gb});
                }
                if n % 3 != 0 {
                    m["cost"] = json!({"c": (n % 11) as f64 + 0.5});
                }
                m
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "measurements": ms })).unwrap();
        queue.append("o", &now(), "api", body).unwrap();
    }
    drain_backlog(&store, &queue, "o").unwrap();
    let rollups = |store: &Store| -> Vec<Vec<String>> {
        store
            .read("o", |db| -> Result<_> {
                let mut st = db.conn.prepare(
                    "SELECT org, meter_id, bucket_ms, field, n, s, quote(mn), quote(mx),
                            latest, max_ts, max_seq FROM usage_hourly
                     ORDER BY meter_id, bucket_ms, field",
                )?;
                let rows = st.query_map([], |r| {
                    (0..11)
                        .map(|i| Ok(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?)))
                        .collect::<Result<Vec<_>>>()
                })?;
                rows.collect()
            })
            .unwrap()
    };
    let accumulated = rollups(&store);
    assert!(accumulated.len() > 100, "{}", accumulated.len());
    assert!(
        accumulated.iter().any(|r| r[3].contains("inc")),
        "derived values rolled up"
    );
    store
        .write("o", |db| {
            db.conn.execute_batch(
                "DELETE FROM usage_hourly; DELETE FROM meta WHERE key = 'usage_hourly_through';",
            )?;
            db.rollup_catch_up()
        })
        .unwrap();
    assert_eq!(accumulated, rollups(&store));
}
