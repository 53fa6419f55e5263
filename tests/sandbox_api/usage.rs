//! `POST /usage/query` over ingested measurements: filters, every aggregation, groups, limits.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Meter `storage` (WHO user, MEASURE gb) with six measurements over three days and two
/// accounts: (day, account, user, gb).
async fn env() -> (Env, String) {
    let env = Env::new().await;
    let meter = env.create("/meters", meter("storage", None)).await;
    let rows = [
        ("2026-03-01T10:00:00Z", "A", "ann", 1.0),
        ("2026-03-01T11:00:00Z", "A", "bob", 2.0),
        ("2026-03-02T10:00:00Z", "B", "ann", 4.0),
        ("2026-03-02T13:00:00+02:00", "A", "ann", 8.0),
        ("2026-03-03T23:59:59Z", "B", "cat", 16.0),
        ("2026-02-27T00:00:00Z", "B", "cat", 32.0),
    ];
    let ms: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (ts, acct, user, gb))| {
            let mut m = measurement("storage", acct, Some(&format!("q{i}")), *gb);
            m["ts"] = json!(ts);
            m["who"]["user"] = json!(user);
            m
        })
        .collect();
    let (s, _) = env
        .post("/measurements", json!({ "measurements": ms }))
        .await;
    assert_eq!(s, StatusCode::OK);
    env.list_all("/measurements", 100).await; // waits for the enrichment
    (env, meter["id"].as_str().unwrap().to_string())
}

async fn query(env: &Env, q: Value) -> Value {
    let (s, v) = env.post("/usage/query", q).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn agg(meter: &str, code: &str, ty: &str, f: &str) -> Value {
    json!({"meterId": meter, "fieldCode": code, "fieldType": ty, "function": f})
}

#[tokio::test]
async fn without_aggregations_rows_are_measurements_newest_first() {
    let (env, meter) = env().await;
    let v = query(
        &env,
        json!({"startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-03T00:00:00Z"}),
    )
    .await;
    let uids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uid"].as_str().unwrap())
        .collect();
    assert_eq!(
        uids,
        ["q3", "q2", "q1", "q0"],
        "ts in [start, end), newest first (q3 is 11:00Z)"
    );
    assert_eq!(v["hasMoreData"], false);
    assert_eq!(v["data"][0]["meterId"], meter);
    let v = query(&env, json!({"limit": 2})).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["hasMoreData"], true);
    assert_eq!(v["data"][0]["uid"], "q4");
}

#[tokio::test]
async fn every_measure_function_and_account_and_day_groups() {
    let (env, m) = env().await;
    let fs = ["SUM", "MIN", "MAX", "COUNT", "LATEST", "MEAN"];
    let v = query(
        &env,
        json!({
            "aggregations": fs.iter().map(|f| agg(&m, "gb", "MEASURE", f)).collect::<Vec<_>>(),
        }),
    )
    .await;
    assert_eq!(
        v["data"],
        json!([{"sum(gb)": 63, "min(gb)": 1, "max(gb)": 32, "count(gb)": 6, "latest(gb)": 16, "mean(gb)": 10.5}])
    );
    let v = query(
        &env,
        json!({
            "startDate": "2026-03-01T00:00:00Z",
            "aggregations": [agg(&m, "gb", "MEASURE", "SUM")],
            "groups": [{"groupType": "ACCOUNT"}, {"groupType": "TIME", "frequency": "DAY"}],
        }),
    )
    .await;
    let got: Vec<(String, String, f64)> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account"].as_str().unwrap().into(),
                r["time"].as_str().unwrap().into(),
                r["sum(gb)"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("B".into(), "2026-03-03T00:00:00Z".into(), 16.0),
            ("A".into(), "2026-03-02T00:00:00Z".into(), 8.0),
            ("B".into(), "2026-03-02T00:00:00Z".into(), 4.0),
            ("A".into(), "2026-03-01T00:00:00Z".into(), 3.0),
        ]
    );
    assert!(v["data"][0]["accountId"].is_string());
}

#[tokio::test]
async fn week_month_quarter_hour_buckets() {
    let (env, m) = env().await;
    let bucket = |f: &'static str| {
        let (env, m) = (&env, m.clone());
        async move {
            let v = query(
                env,
                json!({
                    "aggregations": [agg(&m, "gb", "MEASURE", "COUNT")],
                    "groups": [{"groupType": "TIME", "frequency": f}],
                }),
            )
            .await;
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["time"].as_str().unwrap().to_string(),
                        r["count(gb)"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        bucket("WEEK").await,
        [
            ("2026-03-02T00:00:00Z".into(), 3),
            ("2026-02-23T00:00:00Z".into(), 3)
        ]
    );
    assert_eq!(
        bucket("MONTH").await,
        [
            ("2026-03-01T00:00:00Z".into(), 5),
            ("2026-02-01T00:00:00Z".into(), 1)
        ]
    );
    assert_eq!(
        bucket("QUARTER").await,
        [("2026-01-01T00:00:00Z".into(), 6)]
    );
    assert_eq!(bucket("HOUR").await.len(), 6);
}

#[tokio::test]
async fn dimension_functions_filters_and_groups() {
    let (env, m) = env().await;
    let v = query(&env, json!({
        "aggregations": [agg(&m, "user", "DIMENSION", "UNIQUE"), agg(&m, "user", "DIMENSION", "COUNT")],
    }))
    .await;
    assert_eq!(v["data"], json!([{"unique(user)": 3, "count(user)": 6}]));
    let v = query(
        &env,
        json!({
            "dimensionFilters": [{"meterId": m, "fieldCode": "user", "values": ["ann", "bob"]}],
            "aggregations": [agg(&m, "gb", "MEASURE", "SUM")],
            "groups": [{"groupType": "DIMENSION", "meterId": m, "fieldCode": "user"}],
        }),
    )
    .await;
    assert_eq!(
        v["data"],
        json!([{"user": "ann", "sum(gb)": 13}, {"user": "bob", "sum(gb)": 2}])
    );
    let (_, accts) = env.get("/accounts?codes=A").await;
    let a = accts["data"][0]["id"].as_str().unwrap();
    let v = query(&env, json!({"accountIds": [a], "meterIds": [m]})).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bad_queries_name_the_field() {
    let (env, m) = env().await;
    let cases = [
        (json!({"limit": 20001}), "limit"),
        (json!({"limit": 0}), "limit"),
        (json!({"groups": [{"groupType": "ACCOUNT"}]}), "groups"),
        (json!({"startDate": "2026-03-01T00:00:00"}), "startDate"),
        (
            json!({"aggregations": [agg(&m, "gb", "MEASURE", "UNIQUE")]}),
            "aggregations[0].function",
        ),
        (
            json!({"aggregations": [agg(&m, "gb", "DIMENSION", "COUNT")]}),
            "aggregations[0].fieldType",
        ),
        (
            json!({"aggregations": [agg(&m, "nope", "MEASURE", "SUM")]}),
            "aggregations[0].fieldCode",
        ),
        (
            json!({"aggregations": [agg("no-meter", "gb", "MEASURE", "SUM")]}),
            "aggregations[0].meterId",
        ),
        (
            json!({"dimensionFilters": [{"meterId": m, "fieldCode": "gb", "values": ["1"]}]}),
            "dimensionFilters[0].fieldCode",
        ),
    ];
    for (q, field) in cases {
        let (s, v) = env.post("/usage/query", q.clone()).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let (s, v) = env.post("/usage/query", json!({"aggregations": [{"meterId": m, "fieldCode": "gb", "fieldType": "MEASURE", "function": "MEDIAN"}]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

/// Two meters grouped on a dimension field of the same code get a column each: the first keeps
/// the code, the second is `code@<meterId>`.
#[tokio::test]
async fn same_dimension_code_on_two_meters_gets_two_columns() {
    let (env, m) = env().await;
    let other = env.create("/meters", meter("other", None)).await;
    let m2 = other["id"].as_str().unwrap().to_string();
    let mut x = measurement("other", "A", Some("o1"), 5.0);
    x["ts"] = json!("2026-03-04T00:00:00Z");
    x["who"]["user"] = json!("zed");
    let (s, _) = env
        .post("/measurements", json!({ "measurements": [x] }))
        .await;
    assert_eq!(s, StatusCode::OK);
    env.list_all("/measurements", 100).await;
    let v = query(
        &env,
        json!({
            "aggregations": [agg(&m, "gb", "MEASURE", "SUM"), agg(&m2, "gb", "MEASURE", "SUM")],
            "groups": [
                {"groupType": "DIMENSION", "meterId": m, "fieldCode": "user"},
                {"groupType": "DIMENSION", "meterId": m2, "fieldCode": "user"}
            ],
        }),
    )
    .await;
    let col2 = format!("user@{m2}");
    let sum2 = format!("sum(gb)@{m2}");
    assert_eq!(
        v["data"][0],
        json!({"user": null, col2.as_str(): "zed", "sum(gb)": null, sum2.as_str(): 5}),
        "the newest group first: the other meter's"
    );
    let ann = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user"] == "ann")
        .unwrap();
    assert_eq!(ann[&col2], Value::Null);
    assert_eq!(ann["sum(gb)"], 13);
}
