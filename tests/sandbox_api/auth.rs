use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn token_with_basic_and_json_body() {
    let env = Env::new().await;
    let resp = env
        .http
        .post(format!("{}/oauth/token", env.sb.base_url))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 18000);
    assert!(!v["access_token"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn token_with_basic_and_form_body() {
    let env = Env::new().await;
    let resp = env
        .http
        .post(format!("{}/oauth/token", env.sb.base_url))
        .basic_auth(KEY, Some(SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["access_token"].as_str().unwrap();
    let resp = env
        .http
        .get(env.url("/products"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_with_wrong_credentials_is_401() {
    let env = Env::new().await;
    let url = format!("{}/oauth/token", env.sb.base_url);
    for (key, secret) in [(KEY, "nope"), ("other", SECRET)] {
        let resp = env
            .http
            .post(&url)
            .basic_auth(key, Some(secret))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap();
        let (s, v) = decode(resp).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert!(v["message"].is_string());
    }
    let resp = env
        .http
        .post(&url)
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_with_wrong_grant_type_is_400() {
    let env = Env::new().await;
    let resp = env
        .http
        .post(format!("{}/oauth/token", env.sb.base_url))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"grant_type": "password"}))
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "grant_type");
}

#[tokio::test]
async fn missing_or_invalid_bearer_is_401() {
    let env = Env::new().await;
    let resp = env.http.get(env.url("/products")).send().await.unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let resp = env
        .http
        .get(env.url("/accounts"))
        .bearer_auth("sbx_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = env
        .http
        .post(env.url("/measurements"))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"measurements": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "Basic is not a bearer"
    );
}

#[tokio::test]
async fn bearer_on_another_org_is_403() {
    let env = Env::new().await;
    let other = "99999999-2222-4333-8444-555555555555";
    let resp = env
        .http
        .get(format!(
            "{}/organizations/{other}/products",
            env.sb.base_url
        ))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["message"].as_str().unwrap().contains(other));
}

#[tokio::test]
async fn token_of_another_sandbox_is_not_valid_here() {
    let env = Env::new().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir, false);
    cfg.org_id = "99999999-2222-4333-8444-555555555555".into();
    let other = m3ter_console::sandbox::start(cfg).await.unwrap();
    let foreign = fetch_token(&env.http, &other.base_url).await;
    let resp = env
        .http
        .get(env.url("/products"))
        .bearer_auth(&foreign)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    other.shutdown().await;
}

#[tokio::test]
async fn unknown_endpoint_is_json_404() {
    let env = Env::new().await;
    let (s, v): (StatusCode, Value) = env.get("/plans").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["message"].is_string());
}
