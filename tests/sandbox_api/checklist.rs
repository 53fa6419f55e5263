//! One test per item of the SDK checklist in `shared/reference/m3ter-api.md` §10.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn checklist_01_token_config_and_ingest_on_one_origin() {
    let env = Env::new().await;
    let base = &env.sb.base_url;
    let token = fetch_token(&env.http, base).await;
    let resp = env
        .http
        .get(format!("{base}/organizations/{ORG}/meters"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    env.create("/meters", meter("m", None)).await;
    let resp = env
        .http
        .post(format!("{base}/organizations/{ORG}/measurements"))
        .bearer_auth(&token)
        .json(&json!({"measurements": [measurement("m", "A", None, 1.0)]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn checklist_02_token_accepts_json_and_form() {
    let env = Env::new().await;
    let url = format!("{}/oauth/token", env.sb.base_url);
    let json_resp = env
        .http
        .post(&url)
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let form_resp = env
        .http
        .post(&url)
        .basic_auth(KEY, Some(SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    for resp in [json_resp, form_resp] {
        let (s, v) = decode(resp).await;
        assert_eq!(s, StatusCode::OK);
        for k in ["access_token", "token_type", "expires_in"] {
            assert!(v.get(k).is_some(), "{k} in {v}");
        }
    }
}

#[tokio::test]
async fn checklist_03_a_token_before_every_call_all_valid_at_once() {
    let env = Env::new().await;
    let mut tokens = Vec::new();
    for _ in 0..100 {
        tokens.push(fetch_token(&env.http, &env.sb.base_url).await);
    }
    for t in tokens.iter().step_by(9) {
        let resp = env
            .http
            .get(env.url("/products"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn checklist_04_bearer_with_unknown_headers_and_no_idempotency_key() {
    let env = Env::new().await;
    let resp = env
        .http
        .post(env.url("/products"))
        .bearer_auth(&env.token)
        .header("User-Agent", "M3ter/Python 0.9.0")
        .header("X-Stainless-Lang", "python")
        .header("X-Stainless-Retry-Count", "0")
        .header("x-stainless-read-timeout", "60")
        .header("X-Something-Else", "whatever")
        .json(&product("HDR"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn checklist_05_duplicate_slashes_are_collapsed() {
    let env = Env::new().await;
    for path in [
        format!("//organizations/{ORG}/products"),
        format!("/organizations//{ORG}///products/"),
    ] {
        let resp = env
            .http
            .get(format!("{}{path}", env.sb.base_url))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    let resp = env
        .http
        .post(format!("{}//oauth/token", env.sb.base_url))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn checklist_06_array_params_comma_joined_and_repeated() {
    let env = Env::new().await;
    for c in ["A", "B", "C"] {
        env.create("/accounts", account(c)).await;
    }
    for q in [
        "codes=A%2CC",
        "codes=A,C",
        "codes=A&codes=C",
        "codes[]=A&codes[]=C",
    ] {
        let (_, v) = env.get(&format!("/accounts?{q}")).await;
        let got: Vec<&str> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["C", "A"], "{q}");
    }
}

#[tokio::test]
async fn checklist_07_every_success_is_200_json_including_delete() {
    let env = Env::new().await;
    let p = env.create("/products", product("DEL")).await;
    let resp = env
        .http
        .delete(env.url(&format!("/products/{}", p["id"].as_str().unwrap())))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["code"], "DEL");
}

#[tokio::test]
async fn checklist_08_lists_always_have_data_and_token_only_if_more() {
    let env = Env::new().await;
    let (_, v) = env.get("/products").await;
    assert_eq!(v, json!({"data": []}));
    env.create("/products", product("A")).await;
    env.create("/products", product("B")).await;
    let (_, v) = env.get("/products?pageSize=1").await;
    assert!(v["nextToken"].as_str().is_some_and(|t| !t.is_empty()));
    let (_, v) = env
        .get(&format!(
            "/products?pageSize=1&nextToken={}",
            v["nextToken"].as_str().unwrap()
        ))
        .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert!(v.get("nextToken").is_none());
    let (_, v) = env.get("/accounts/search").await;
    assert_eq!(v, json!({"data": []}));
}

#[tokio::test]
async fn checklist_09_camel_case_ids_enums_and_rfc3339_dates() {
    let env = Env::with_demo().await;
    let (_, v) = env.get("/accounts?codes=ACME-ROBOTICS").await;
    let a = &v["data"][0];
    assert!(a["id"].is_string());
    for k in [
        "emailAddress",
        "daysBeforeBillDue",
        "dtCreated",
        "dtLastModified",
        "createdBy",
        "lastModifiedBy",
    ] {
        assert!(a.get(k).is_some(), "{k} in {a}");
    }
    for k in ["dtCreated", "dtLastModified"] {
        let s = a[k].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(s).is_ok(), "{s}");
        assert!(
            s.ends_with('Z') && s.len() == "2026-01-01T00:00:00.000Z".len(),
            "{s}"
        );
    }
    let (_, meters) = env.get("/meters").await;
    for m in meters["data"].as_array().unwrap() {
        for f in m["dataFields"].as_array().unwrap() {
            assert!(
                ["WHO", "WHERE", "WHAT", "OTHER", "METADATA", "MEASURE", "INCOME", "COST"]
                    .contains(&f["category"].as_str().unwrap())
            );
        }
    }
}

#[tokio::test]
async fn checklist_10_validation_is_400_and_conflicts_are_409_without_retry() {
    let env = Env::new().await;
    let (s, v) = env
        .post(
            "/accounts",
            json!({"code": "X", "name": "X", "emailAddress": "nope"}),
        )
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "emailAddress");
    env.create("/accounts", account("X")).await;
    let resp = env
        .call(reqwest::Method::POST, "/accounts", Some(account("X")))
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert_eq!(resp.headers()["x-should-retry"], "false");
}

#[tokio::test]
async fn checklist_11_ingest_limits_dedup_and_auto_creation() {
    let env = Env::new().await;
    env.create("/meters", meter("m", None)).await;
    let many: Vec<Value> = (0..1001)
        .map(|_| measurement("m", "A", None, 1.0))
        .collect();
    let (s, _) = env
        .post("/measurements", json!({"measurements": many}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env.post("/measurements", json!({"measurements": []})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let big = format!(
        "{{\"measurements\": [{}]}}{}",
        measurement("m", "A", None, 1.0),
        " ".repeat(512_000)
    );
    let resp = env
        .http
        .post(env.url("/measurements"))
        .bearer_auth(&env.token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    let m = measurement("m", "NEW-CUSTOMER", Some("once"), 1.0);
    for _ in 0..2 {
        let (s, _) = env
            .post("/measurements", json!({"measurements": [m.clone()]}))
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let (_, ms) = env.get("/measurements").await;
    assert_eq!(ms["data"].as_array().unwrap().len(), 1);
    let (_, a) = env.get("/accounts?codes=NEW-CUSTOMER").await;
    assert_eq!(a["data"][0]["name"], "NEW-CUSTOMER-autocreated");
}

#[tokio::test]
async fn checklist_12_token_endpoint_is_never_throttled() {
    let env = Env::new().await;
    let url = format!("{}/oauth/token", env.sb.base_url);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (http, url) = (env.http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .basic_auth(KEY, Some(SECRET))
                .json(&json!({"grant_type": "client_credentials"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s != StatusCode::TOO_MANY_REQUESTS && s != StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(s, StatusCode::OK);
    }
}
