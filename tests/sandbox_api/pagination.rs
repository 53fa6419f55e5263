use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;

fn codes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_have_no_duplicates_or_gaps_and_end_without_token() {
    let env = Env::new().await;
    for i in 0..23 {
        env.create("/products", product(&format!("P{i:02}"))).await;
    }
    let all = env.list_all("/products", 5).await;
    let got = codes(&all);
    let want: Vec<String> = (0..23).rev().map(|i| format!("P{i:02}")).collect();
    assert_eq!(got, want, "newest first, every product exactly once");
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), 23);
    // An exact multiple of the page size: the last full page has no nextToken.
    let (_, v) = env.get("/products?pageSize=23").await;
    assert_eq!(v["data"].as_array().unwrap().len(), 23);
    assert!(v.get("nextToken").is_none(), "{v}");
}

#[tokio::test]
async fn token_survives_inserts_between_pages() {
    let env = Env::new().await;
    for i in 0..6 {
        env.create("/accounts", account(&format!("A{i}"))).await;
    }
    let (_, p1) = env.get("/accounts?pageSize=3").await;
    assert_eq!(codes(p1["data"].as_array().unwrap()), ["A5", "A4", "A3"]);
    env.create("/accounts", account("LATE")).await;
    let token = p1["nextToken"].as_str().unwrap();
    let (_, p2) = env
        .get(&format!("/accounts?pageSize=3&nextToken={token}"))
        .await;
    assert_eq!(codes(p2["data"].as_array().unwrap()), ["A2", "A1", "A0"]);
    assert!(p2.get("nextToken").is_none());
}

#[tokio::test]
async fn default_page_size_is_100() {
    let env = Env::new().await;
    for i in 0..101 {
        env.create("/meters", meter(&format!("m{i}"), None)).await;
    }
    let (_, v) = env.get("/meters").await;
    assert_eq!(v["data"].as_array().unwrap().len(), 100);
    assert!(v["nextToken"].is_string());
}

#[tokio::test]
async fn page_size_out_of_range_or_bad_token_is_400() {
    let env = Env::new().await;
    for (path, field) in [
        ("/products?pageSize=0", "pageSize"),
        ("/products?pageSize=201", "pageSize"),
        ("/products?pageSize=ten", "pageSize"),
        ("/meters?pageSize=101", "pageSize"),
        ("/accounts?pageSize=101", "pageSize"),
        ("/accounts?nextToken=garbage", "nextToken"),
    ] {
        let (s, v) = env.get(path).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    for path in [
        "/products?pageSize=200",
        "/meters?pageSize=100",
        "/accounts?pageSize=1",
    ] {
        let (s, v) = env.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
    }
}
