use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn product_create_retrieve_update_list_delete() {
    let env = Env::new().await;
    let p = env
        .create("/products", json!({"code": "CLOUD", "name": "Cloud", "customFields": {"tier": "gold", "rank": 2}, "version": 7, "surprise": true}))
        .await;
    assert_eq!(p["version"], 1, "version on create is ignored");
    assert_eq!(p["customFields"]["rank"], 2);
    assert!(p.get("surprise").is_none(), "unknown fields are ignored");
    let id = p["id"].as_str().unwrap();
    let (s, got) = env.get(&format!("/products/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, p);
    let (s, upd) = env
        .put(
            &format!("/products/{id}"),
            json!({"code": "CLOUD", "name": "Cloud 2", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["version"], 2);
    assert_eq!(upd["name"], "Cloud 2");
    assert!(upd.get("customFields").is_none(), "PUT replaces the entity");
    assert_eq!(upd["dtCreated"], p["dtCreated"]);
    let (_, list) = env.get("/products").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(list.get("nextToken").is_none());
    let (s, del) = env.delete(&format!("/products/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(del["id"], id);
    assert_eq!(del["version"], 2);
    let (s, v) = env.get(&format!("/products/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _) = env.delete(&format!("/products/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn product_validation_names_each_field() {
    let env = Env::new().await;
    let cases = [
        (json!({"code": "", "name": "n"}), "code"),
        (json!({"code": " LEAD", "name": "n"}), "code"),
        (json!({"code": "TRAIL ", "name": "n"}), "code"),
        (json!({"code": "A\tB", "name": "n"}), "code"),
        (json!({"code": "x".repeat(81), "name": "n"}), "code"),
        (json!({"name": "n"}), "code"),
        (json!({"code": "C", "name": ""}), "name"),
        (json!({"code": "C", "name": "n".repeat(201)}), "name"),
        (json!({"code": "C"}), "name"),
        (json!({"code": 5, "name": "n"}), "code"),
        (
            json!({"code": "C", "name": "n", "customFields": {"flag": true}}),
            "customFields.flag",
        ),
    ];
    for (body, field) in cases {
        let (s, v) = env.post("/products", body.clone()).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let many: serde_json::Map<_, _> = (0..101).map(|i| (format!("f{i}"), json!(i))).collect();
    let (s, v) = env
        .post(
            "/products",
            json!({"code": "C", "name": "n", "customFields": many}),
        )
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "customFields");
    assert!(v["message"].as_str().unwrap().contains("100"));
    let (s, v) = env.get("/products").await;
    assert_eq!(
        (s, v["data"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
}

#[tokio::test]
async fn malformed_json_names_line_and_column() {
    let env = Env::new().await;
    let resp = env
        .http
        .post(env.url("/products"))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .body("{\n  \"code\": \"X\",\n  \"name\": }")
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let m = v["message"].as_str().unwrap();
    assert!(m.contains("line 3") && m.contains("column"), "{m}");
    let (s, v) = env.post("/products", json!(["not", "an", "object"])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn duplicate_code_is_409_without_retry() {
    let env = Env::new().await;
    env.create("/products", product("DUP")).await;
    let resp = env
        .call(reqwest::Method::POST, "/products", Some(product("DUP")))
        .await;
    assert_eq!(resp.headers()["x-should-retry"], "false");
    let (s, v) = decode(resp).await;
    assert_field_error(s, &v, StatusCode::CONFLICT, "code");
    let other = env.create("/products", product("OTHER")).await;
    let (s, v) = env
        .put(
            &format!("/products/{}", other["id"].as_str().unwrap()),
            json!({"code": "DUP", "name": "x", "version": 1}),
        )
        .await;
    assert_field_error(s, &v, StatusCode::CONFLICT, "code");
}

#[tokio::test]
async fn stale_version_is_409_and_missing_version_is_400() {
    let env = Env::new().await;
    let p = env.create("/products", product("V")).await;
    let path = format!("/products/{}", p["id"].as_str().unwrap());
    let (s, _) = env
        .put(&path, json!({"code": "V", "name": "one", "version": 1}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let resp = env
        .call(
            reqwest::Method::PUT,
            &path,
            Some(json!({"code": "V", "name": "two", "version": 1})),
        )
        .await;
    assert_eq!(resp.headers()["x-should-retry"], "false");
    let (s, v) = decode(resp).await;
    assert_field_error(s, &v, StatusCode::CONFLICT, "version");
    let (s, v) = env.put(&path, json!({"code": "V", "name": "two"})).await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "version");
    let (s, v) = env
        .put(
            "/products/00000000-0000-4000-8000-000000000000",
            json!({"code": "V", "name": "x", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test]
async fn deleting_a_product_with_meters_is_refused() {
    let env = Env::new().await;
    let p = env.create("/products", product("P")).await;
    let pid = p["id"].as_str().unwrap();
    let m = env.create("/meters", meter("m1", Some(pid))).await;
    let (s, v) = env.delete(&format!("/products/{pid}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("meter"));
    env.delete(&format!("/meters/{}", m["id"].as_str().unwrap()))
        .await;
    let (s, _) = env.delete(&format!("/products/{pid}")).await;
    assert_eq!(s, StatusCode::OK);
}
