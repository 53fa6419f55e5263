use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A sandbox with a product-less meter `storage` (WHO user, MEASURE gb) and account `KNOWN`.
async fn env() -> Env {
    let env = Env::new().await;
    env.create("/meters", meter("storage", None)).await;
    env.create("/accounts", account("KNOWN")).await;
    env
}

async fn stored(env: &Env) -> Vec<Value> {
    env.list_all("/measurements", 1000).await
}

async fn accounts(env: &Env) -> Vec<Value> {
    env.list_all("/accounts", 100).await
}

#[tokio::test]
async fn accepted_measurements_are_stored() {
    let env = env().await;
    let (s, v) = env
        .post("/measurements", json!({"measurements": [measurement("storage", "KNOWN", Some("u1"), 1.5), measurement("storage", "KNOWN", None, -2.0)]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({"result": "accepted"}));
    let all = stored(&env).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["uid"], "u1");
    assert_eq!(all[1]["measure"]["gb"], 1.5);
}

#[tokio::test]
async fn unknown_account_is_auto_created_once() {
    let env = env().await;
    let batch: Vec<Value> = (0..3)
        .map(|i| measurement("storage", "NEWCO", None, i as f64))
        .collect();
    let (s, v) = env
        .post("/measurements", json!({"measurements": batch}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, again) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("storage", "NEWCO", None, 1.0)]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    stored(&env).await; // the enrichment auto-creates accounts
    let (_, list) = env.get("/accounts?codes=NEWCO").await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "one account for a repeated code");
    let a = &data[0];
    assert_eq!(a["name"], "NEWCO-autocreated");
    assert_eq!(a["autoCreated"], true);
    let email = a["emailAddress"].as_str().unwrap();
    let hash = email.strip_suffix("-autocreated@example.com").expect(email);
    assert_eq!(hash.len(), 16);
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{email}"
    );
    // The marker survives an edit that keeps name and email, and clears when the name changes.
    let id = a["id"].as_str().unwrap();
    let mut body = json!({"code": "NEWCO", "name": a["name"], "emailAddress": email, "currency": "USD", "version": 1});
    let (_, upd) = env.put(&format!("/accounts/{id}"), body.clone()).await;
    assert_eq!(upd["autoCreated"], true, "{upd}");
    body["name"] = json!("NewCo Ltd");
    body["version"] = json!(2);
    let (_, upd) = env.put(&format!("/accounts/{id}"), body.clone()).await;
    assert_eq!(upd["autoCreated"], false, "{upd}");
    body["name"] = json!("NEWCO-autocreated");
    body["version"] = json!(3);
    let (_, upd) = env.put(&format!("/accounts/{id}"), body).await;
    assert_eq!(upd["autoCreated"], false, "cleared for good");
}

#[tokio::test]
async fn a_bad_measurement_rejects_the_whole_batch() {
    let env = env().await;
    let mut bad = measurement("storage", "OTHER-NEW", None, 1.0);
    bad["measure"]["gb"] = json!("lots");
    let batch =
        json!({"measurements": [measurement("storage", "BRAND-NEW", Some("x1"), 1.0), bad]});
    let (s, v) = env.post("/measurements", batch).await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "measurements[1].measure.gb");
    assert!(stored(&env).await.is_empty(), "nothing stored");
    assert_eq!(accounts(&env).await.len(), 1, "no account auto-created");
}

/// Every rule, request stage and meter checks alike, answered synchronously: the sandbox's
/// `--strict-ingest` mode (the asynchronous equivalents are in `async_ingest`).
#[tokio::test]
async fn each_measurement_rule_names_the_field() {
    let env = Env::strict().await;
    env.create("/meters", meter("storage", None)).await;
    env.create("/accounts", account("KNOWN")).await;
    let ok = measurement("storage", "KNOWN", None, 1.0);
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut m = ok.clone();
        f(&mut m);
        m
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            edit(&|m| m["meter"] = json!("nope")),
            "measurements[0].meter",
        ),
        (
            edit(&|m| {
                m.as_object_mut().unwrap().remove("meter");
            }),
            "measurements[0].meter",
        ),
        (
            edit(&|m| {
                m.as_object_mut().unwrap().remove("account");
            }),
            "measurements[0].account",
        ),
        (
            edit(&|m| m["account"] = json!(" padded")),
            "measurements[0].account",
        ),
        (
            edit(&|m| {
                m.as_object_mut().unwrap().remove("ts");
            }),
            "measurements[0].ts",
        ),
        (
            edit(&|m| m["ts"] = json!("yesterday")),
            "measurements[0].ts",
        ),
        (
            edit(&|m| m["ets"] = json!("2026-13-01T00:00:00Z")),
            "measurements[0].ets",
        ),
        (
            edit(&|m| m["uid"] = json!("u".repeat(51))),
            "measurements[0].uid",
        ),
        (
            edit(&|m| m["measure"] = json!({"nope": 1})),
            "measurements[0].measure.nope",
        ),
        (
            edit(&|m| m["what"] = json!({"user": "x"})),
            "measurements[0].what.user",
        ),
        (
            edit(&|m| m["who"] = json!({"user": 3})),
            "measurements[0].who.user",
        ),
        (
            edit(&|m| m["mesure"] = json!({"gb": 1})),
            "measurements[0].mesure",
        ),
    ];
    for (m, field) in cases {
        let (s, v) = env
            .post("/measurements", json!({"measurements": [m]}))
            .await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    for body in [
        json!({"measurements": []}),
        json!({}),
        json!({"measurements": {}}),
    ] {
        let (s, v) = env.post("/measurements", body).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, "measurements");
    }
    assert_eq!(
        accounts(&env).await.len(),
        1,
        "an unknown meter never auto-creates"
    );
    assert!(stored(&env).await.is_empty());
}

#[tokio::test]
async fn more_than_1000_measurements_is_400() {
    let env = env().await;
    let batch: Vec<Value> = (0..1001)
        .map(|_| measurement("storage", "KNOWN", None, 1.0))
        .collect();
    let (s, v) = env
        .post("/measurements", json!({"measurements": batch}))
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "measurements");
    assert!(v["message"].as_str().unwrap().contains("1000"));
    let batch: Vec<Value> = (0..1000)
        .map(|_| measurement("storage", "KNOWN", None, 1.0))
        .collect();
    let (s, v) = env
        .post("/measurements", json!({"measurements": batch}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// A valid one-measurement body padded with whitespace to exactly `size` bytes.
fn padded(size: usize) -> String {
    let body =
        json!({"measurements": [measurement("storage", "KNOWN", Some("big"), 1.0)]}).to_string();
    format!("{body}{}", " ".repeat(size - body.len()))
}

#[tokio::test]
async fn body_of_512000_bytes_or_more_is_413() {
    let env = env().await;
    let post = |body: String| {
        env.http
            .post(env.url("/measurements"))
            .bearer_auth(&env.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let (s, v) = decode(post(padded(512_000)).await.unwrap()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["message"].as_str().unwrap().contains("512000"), "{v}");
    let (s, _) = decode(post(padded(3_000_000)).await.unwrap()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(stored(&env).await.is_empty());
    let (s, v) = decode(post(padded(511_999)).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn repeated_uid_is_stored_once() {
    let env = env().await;
    let m = measurement("storage", "KNOWN", Some("dup-1"), 1.0);
    let (s, _) = env
        .post(
            "/measurements",
            json!({"measurements": [m.clone(), m.clone()]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = env
        .post("/measurements", json!({"measurements": [m]}))
        .await;
    assert_eq!((s, v), (StatusCode::OK, json!({"result": "accepted"})));
    assert_eq!(stored(&env).await.len(), 1);
}

#[tokio::test]
async fn ingest_on_a_double_slash_path() {
    let env = env().await;
    let resp = env
        .http
        .post(format!(
            "{}//organizations/{ORG}/measurements",
            env.sb.base_url
        ))
        .bearer_auth(&env.token)
        .json(&json!({"measurements": [measurement("storage", "KNOWN", None, 1.0)]}))
        .send()
        .await
        .unwrap();
    let (s, v) = decode(resp).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(stored(&env).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_do_not_lock() {
    let env = env().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (http, url, token) = (env.http.clone(), env.url(""), env.token.clone());
        tasks.push(tokio::spawn(async move {
            let req = if i % 2 == 0 {
                http.post(format!("{url}/measurements")).json(
                    &json!({"measurements": [measurement("storage", &format!("C{i}"), None, 1.0)]}),
                )
            } else {
                http.post(format!("{url}/products"))
                    .json(&product(&format!("P{i}")))
            };
            req.bearer_auth(token).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(stored(&env).await.len(), 20);
}
