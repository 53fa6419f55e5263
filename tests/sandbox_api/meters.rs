use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn meter_create_retrieve_update_list_delete() {
    let env = Env::new().await;
    let p = env.create("/products", product("P")).await;
    let pid = p["id"].as_str().unwrap();
    let mut body = meter("storage", Some(pid));
    body["derivedFields"] = json!([{"category": "COST", "code": "cost", "name": "Cost", "unit": "USD", "calculation": "gb * 0.02"}]);
    let m = env.create("/meters", body.clone()).await;
    assert_eq!(m["productId"], pid);
    assert_eq!(m["dataFields"][1]["unit"], "GBy");
    assert_eq!(m["derivedFields"][0]["calculation"], "gb * 0.02");
    let id = m["id"].as_str().unwrap();
    let (s, got) = env.get(&format!("/meters/{id}")).await;
    assert_eq!((s, &got), (StatusCode::OK, &m));
    body["name"] = json!("Storage v2");
    body["version"] = json!(1);
    let (s, upd) = env.put(&format!("/meters/{id}"), body).await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(
        (upd["version"].clone(), upd["name"].clone()),
        (json!(2), json!("Storage v2"))
    );
    let global = env.create("/meters", meter("global", None)).await;
    assert!(
        global.get("productId").is_none(),
        "a global meter has no productId"
    );
    let (_, list) = env.get("/meters").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (s, del) = env.delete(&format!("/meters/{id}")).await;
    assert_eq!((s, del["code"].clone()), (StatusCode::OK, json!("storage")));
    let (s, _) = env.get(&format!("/meters/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn with(mut base: Value, key: &str, v: Value) -> Value {
    base[key] = v;
    base
}

#[tokio::test]
async fn meter_validation_names_each_field() {
    let env = Env::new().await;
    let base = meter("m", None);
    let f = |cat: &str, code: &str, unit: Option<&str>| {
        let mut v = json!({"category": cat, "code": code, "name": "N"});
        if let Some(u) = unit {
            v["unit"] = json!(u);
        }
        v
    };
    let sixteen: Vec<Value> = (0..16).map(|i| f("WHO", &format!("f{i}"), None)).collect();
    let derived16: Vec<Value> = (0..16)
        .map(|i| json!({"category": "MEASURE", "code": format!("d{i}"), "name": "D", "unit": "1", "calculation": "x"}))
        .collect();
    let cases = [
        (with(base.clone(), "code", json!("")), "code"),
        (with(base.clone(), "name", json!("")), "name"),
        (with(base.clone(), "dataFields", json!([])), "dataFields"),
        (
            with(base.clone(), "dataFields", json!(sixteen)),
            "dataFields",
        ),
        (
            with(base.clone(), "derivedFields", json!(derived16)),
            "derivedFields",
        ),
        (
            with(base.clone(), "dataFields", json!([f("WHO", "1bad", None)])),
            "dataFields[0].code",
        ),
        (
            with(
                base.clone(),
                "dataFields",
                json!([f("WHO", "a", None), f("WHAT", "a", None)]),
            ),
            "dataFields[1].code",
        ),
        (
            with(
                base.clone(),
                "dataFields",
                json!([f("MEASURE", "gb", None)]),
            ),
            "dataFields[0].unit",
        ),
        (
            with(
                base.clone(),
                "dataFields",
                json!([f("INCOME", "usd", Some(""))]),
            ),
            "dataFields[0].unit",
        ),
        (
            with(
                base.clone(),
                "dataFields",
                json!([{"category": "NOPE", "code": "a", "name": "A"}]),
            ),
            "dataFields[0].category",
        ),
        (
            with(
                base.clone(),
                "derivedFields",
                json!([{"category": "COST", "code": "c", "name": "C", "unit": "USD", "calculation": ""}]),
            ),
            "derivedFields[0].calculation",
        ),
        (
            with(base.clone(), "derivedFields", Value::Null),
            "derivedFields",
        ),
        (with(base.clone(), "productId", json!("short")), "productId"),
        (
            with(
                base.clone(),
                "productId",
                json!("00000000-0000-4000-8000-000000000000"),
            ),
            "productId",
        ),
        (with(base.clone(), "groupId", json!("short")), "groupId"),
    ];
    for (body, field) in cases {
        let (s, v) = env.post("/meters", body).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let (_, list) = env.get("/meters").await;
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn meter_list_filters_by_product_codes_and_ids() {
    let env = Env::new().await;
    let p1 = env.create("/products", product("P1")).await;
    let p2 = env.create("/products", product("P2")).await;
    let (p1, p2) = (p1["id"].as_str().unwrap(), p2["id"].as_str().unwrap());
    let a = env.create("/meters", meter("a", Some(p1))).await;
    let b = env.create("/meters", meter("b", Some(p2))).await;
    env.create("/meters", meter("c", None)).await;
    let codes = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v) = env.get(&format!("/meters?productId={p1}")).await;
    assert_eq!(codes(&v), ["a"]);
    let (_, v) = env.get(&format!("/meters?productId={p1}%2C{p2}")).await;
    assert_eq!(codes(&v), ["b", "a"], "newest first");
    let (_, v) = env
        .get(&format!("/meters?productId={p1}&productId={p2}"))
        .await;
    assert_eq!(codes(&v), ["b", "a"]);
    let (_, v) = env.get("/meters?codes=a,c").await;
    assert_eq!(codes(&v), ["c", "a"]);
    let (_, v) = env
        .get(&format!(
            "/meters?ids={}&ids={}",
            a["id"].as_str().unwrap(),
            b["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(codes(&v), ["b", "a"]);
}

#[tokio::test]
async fn meter_product_must_exist_on_update_too() {
    let env = Env::new().await;
    let m = env.create("/meters", meter("m", None)).await;
    let mut body = meter("m", Some("00000000-0000-4000-8000-000000000000"));
    body["version"] = json!(1);
    let (s, v) = env
        .put(&format!("/meters/{}", m["id"].as_str().unwrap()), body)
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "productId");
}
