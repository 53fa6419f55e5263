use crate::common::*;
use m3ter_console::sandbox;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn data_survives_a_restart() {
    let env = Env::new().await;
    let p = env.create("/products", product("KEEP")).await;
    let (s, _) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("m", "X", None, 1.0)]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "accepted; the enrichment drops it");
    env.get("/measurements").await; // waits for the enrichment
    let (_, ev) = env.get("/events?eventType=UndefinedMeter").await;
    assert_eq!(
        ev["data"].as_array().unwrap().len(),
        1,
        "no meter yet: {ev}"
    );
    env.create("/meters", meter("m", None)).await;
    let (s, _) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("m", "AUTO", Some("u1"), 1.0)]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let Env { sb, dir, .. } = env;
    sb.shutdown().await;
    assert!(
        dir.path().join("nested").join("sandbox.db").exists(),
        "parent dirs created"
    );
    // Same DB, demo data requested: the DB is not new, so nothing is seeded.
    let sb = sandbox::start(config(&dir, true)).await.unwrap();
    let env = Env::attach(sb, dir).await;
    let (s, got) = env
        .get(&format!("/products/{}", p["id"].as_str().unwrap()))
        .await;
    assert_eq!((s, &got), (StatusCode::OK, &p));
    let (_, accounts) = env.get("/accounts").await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 1, "{accounts}");
    assert_eq!(accounts["data"][0]["code"], "AUTO");
    let (_, ms) = env.get("/measurements").await;
    assert_eq!(ms["data"][0]["uid"], "u1");
    let (s, _) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("m", "AUTO", Some("u1"), 1.0)]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, ms) = env.get("/measurements").await;
    assert_eq!(
        ms["data"].as_array().unwrap().len(),
        1,
        "uid de-dup across restarts"
    );
    env.sb.shutdown().await;
}

#[tokio::test]
async fn demo_data_covers_every_category() {
    let env = Env::with_demo().await;
    let products = env.list_all("/products", 200).await;
    assert!(products.len() >= 2);
    let meters = env.list_all("/meters", 100).await;
    let mut categories = std::collections::BTreeSet::new();
    for m in &meters {
        for f in m["dataFields"].as_array().unwrap() {
            let cat = f["category"].as_str().unwrap();
            if ["MEASURE", "INCOME", "COST"].contains(&cat) {
                assert!(f["unit"].is_string(), "{f}");
            }
            categories.insert(cat.to_string());
        }
    }
    assert_eq!(categories.len(), 8, "{categories:?}");
    assert!(
        meters.iter().any(|m| m.get("productId").is_none()),
        "a global meter"
    );
    for p in &products {
        let n = meters.iter().filter(|m| m["productId"] == p["id"]).count();
        assert!(n >= 2, "{p}");
    }
    let accounts = env.list_all("/accounts", 100).await;
    assert!(accounts.iter().any(|a| a["code"] == "ACME-ROBOTICS"));
    // The demo meters accept usage.
    let m = json!({"meter": "vm_hours", "account": "ACME-ROBOTICS", "ts": "2026-01-01T00:00:00Z",
        "who": {"user": "ann"}, "where": {"region": "eu-west-1"}, "what": {"instance_type": "m5.large"}, "measure": {"hours": 2.5}});
    let (s, v) = env
        .post("/measurements", json!({"measurements": [m]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let long = json!({"meter": "rows_processed", "account": "INITECH", "ts": "2026-01-01T00:00:00Z",
        "metadata": {"job_id": "j".repeat(257)}, "measure": {"rows": 10}});
    let (s, v) = env
        .post("/measurements", json!({"measurements": [long]}))
        .await;
    assert_field_error(
        s,
        &v,
        StatusCode::BAD_REQUEST,
        "measurements[0].metadata.job_id",
    );
}
