//! Two-stage ingest: the answer checks only the request; each accepted measurement is then
//! enriched against the org — stored, or dropped with an `ingest.validation.failure` event.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A sandbox with meter `storage` (WHO user, MEASURE gb, a derived COST `cost = gb * 2`, and a
/// derived `per_user` dividing by a value that is zero when gb is 0) and account `KNOWN`.
async fn env() -> (Env, Value) {
    let env = Env::new().await;
    let mut m = meter("storage", None);
    m["derivedFields"] = json!([
        {"category": "COST", "code": "cost", "name": "Cost", "unit": "USD", "calculation": "gb * 2"},
        {"category": "MEASURE", "code": "per_gb", "name": "Per GB", "unit": "1", "calculation": "10 / gb"}
    ]);
    let meter = env.create("/meters", m).await;
    env.create("/accounts", account("KNOWN")).await;
    (env, meter)
}

async fn submit(env: &Env, ms: Vec<Value>) {
    let (s, v) = env
        .post("/measurements", json!({ "measurements": ms }))
        .await;
    assert_eq!((s, &v), (StatusCode::OK, &json!({"result": "accepted"})));
}

/// Stored measurements (the list waits for the enrichment of everything acknowledged).
async fn stored(env: &Env) -> Vec<Value> {
    env.list_all("/measurements", 1000).await
}

async fn failures(env: &Env) -> Vec<Value> {
    stored(env).await;
    env.list_all("/events?eventName=ingest.validation.failure", 100)
        .await
}

fn data(e: &Value) -> &Value {
    &e["m3terEvent"]["eventData"]
}

#[tokio::test]
async fn unknown_meter_is_accepted_then_an_event_and_no_row() {
    let (env, _) = env().await;
    submit(&env, vec![measurement("nope", "NEWCO", Some("u-1"), 1.0)]).await;
    assert!(stored(&env).await.is_empty());
    let ev = failures(&env).await;
    assert_eq!(ev.len(), 1, "{ev:?}");
    let d = data(&ev[0]);
    assert_eq!(d["failureType"], "UndefinedMeter");
    assert_eq!(
        (&d["uid"], &d["meter"], &d["account"]),
        (&json!("u-1"), &json!("nope"), &json!("NEWCO"))
    );
    assert_eq!(
        d["getDownloadUrl"],
        format!("failedIngest/{}.json", ev[0]["id"].as_str().unwrap())
    );
    assert_eq!(ev[0]["eventName"], "ingest.validation.failure");
    assert!(ev[0]["dtActioned"].is_null());
    let (_, accts) = env.get("/accounts?codes=NEWCO").await;
    assert_eq!(
        accts["data"],
        json!([]),
        "an unknown meter never auto-creates"
    );
}

#[tokio::test]
async fn valid_usage_is_stored_with_derived_values_and_ids() {
    let (env, meter) = env().await;
    submit(
        &env,
        vec![measurement("storage", "NEWCO", Some("ok-1"), 1.5)],
    )
    .await;
    let rows = stored(&env).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["cost"]["cost"], 3);
    assert!((rows[0]["measure"]["per_gb"].as_f64().unwrap() - 6.666).abs() < 0.01);
    assert!(failures(&env).await.is_empty());
    let (_, a) = env.get("/accounts?codes=NEWCO").await;
    assert_eq!(a["data"][0]["name"], "NEWCO-autocreated");
    let (_, q) = env.post("/usage/query", json!({})).await;
    assert_eq!(q["data"][0]["meterId"], meter["id"]);
    assert_eq!(q["data"][0]["accountId"], a["data"][0]["id"]);
}

#[tokio::test]
async fn duplicate_uid_is_an_event_and_stored_once() {
    let (env, _) = env().await;
    let m = measurement("storage", "KNOWN", Some("dup"), 1.0);
    submit(&env, vec![m.clone(), m.clone()]).await;
    submit(&env, vec![m]).await;
    assert_eq!(stored(&env).await.len(), 1);
    let ev = failures(&env).await;
    assert_eq!(ev.len(), 2);
    assert!(ev.iter().all(|e| data(e)["failureType"] == "DuplicateUid"));
}

#[tokio::test]
async fn failing_calculation_is_an_event_and_the_value_is_null() {
    let (env, _) = env().await;
    submit(
        &env,
        vec![measurement("storage", "KNOWN", Some("zero"), 0.0)],
    )
    .await;
    let rows = stored(&env).await;
    assert_eq!(
        rows.len(),
        1,
        "m3ter ingests it, with the failed derived value null"
    );
    assert!(rows[0]["measure"]["per_gb"].is_null(), "{}", rows[0]);
    assert_eq!(rows[0]["cost"]["cost"], 0);
    let ev = failures(&env).await;
    assert_eq!(ev.len(), 1);
    let d = data(&ev[0]);
    assert_eq!(d["failureType"], "CalculationError");
    assert_eq!(d["field"], "measure.per_gb");
    assert!(
        d["message"].as_str().unwrap().contains("division by zero"),
        "{d}"
    );
}

#[tokio::test]
async fn meter_rule_failures_are_events() {
    let (env, _) = env().await;
    let mut missing = measurement("storage", "KNOWN", Some("m1"), 1.0);
    missing.as_object_mut().unwrap().remove("who");
    missing["measure"] = json!({"gigabytes": 1});
    let mut twice = measurement("storage", "KNOWN", Some("m2"), 1.0);
    twice["what"] = json!({"gb": "x"});
    let close = measurement("storage", "known", Some("m3"), 1.0);
    submit(&env, vec![missing, twice, close]).await;
    let rows = stored(&env).await;
    assert!(rows.is_empty(), "{rows:?}");
    let ev = failures(&env).await;
    let kinds: Vec<&str> = ev
        .iter()
        .rev()
        .map(|e| data(e)["failureType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["MissingField", "DuplicateField", "InvalidAccountCode"]
    );
    assert_eq!(data(&ev[2])["field"], "who.user");
    let (_, a) = env.get("/accounts?codes=known").await;
    assert_eq!(
        a["data"],
        json!([]),
        "a closely matching code is not auto-created"
    );
}

#[tokio::test]
async fn request_stage_still_answers_400_naming_the_field() {
    let (env, _) = env().await;
    let mut naive = measurement("storage", "KNOWN", None, 1.0);
    naive["ts"] = json!("2026-01-31T12:00:00");
    let (s, v) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("storage", "KNOWN", None, 1.0), naive]}),
        )
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "measurements[1].ts");
    assert!(v["message"].as_str().unwrap().contains("offset"), "{v}");
    let mut typed = measurement("storage", "KNOWN", None, 1.0);
    typed["measure"]["gb"] = json!("lots");
    let (s, v) = env
        .post("/measurements", json!({"measurements": [typed]}))
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "measurements[0].measure.gb");
    assert!(stored(&env).await.is_empty() && failures(&env).await.is_empty());
}

#[tokio::test]
async fn strict_ingest_rejects_synchronously_as_before() {
    let env = Env::strict().await;
    env.create("/meters", meter("storage", None)).await;
    let ok = measurement("storage", "KNOWN", Some("s1"), 1.0);
    for (edit, field) in [
        (json!({"meter": "nope"}), "measurements[0].meter"),
        (
            json!({"measure": {"nope": 1}}),
            "measurements[0].measure.nope",
        ),
        (json!({"what": {"user": "x"}}), "measurements[0].what.user"),
    ] {
        let mut m = ok.clone();
        for (k, v) in edit.as_object().unwrap() {
            m[k] = v.clone();
        }
        let (s, v) = env
            .post("/measurements", json!({"measurements": [m]}))
            .await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let (s, _) = env
        .post("/measurements", json!({"measurements": [ok.clone(), ok]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = env.get("/measurements").await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "a duplicate uid is skipped"
    );
    let (_, ev) = env.get("/events").await;
    assert_eq!(
        ev["data"],
        json!([]),
        "strict mode raises no events for refused batches"
    );
}

#[tokio::test]
async fn events_filter_retrieve_action_types_and_fields() {
    let (env, meter) = env().await;
    submit(
        &env,
        vec![
            measurement("nope", "KNOWN", Some("e1"), 1.0),
            measurement("storage", "KNOWN", Some("e2"), 0.0),
        ],
    )
    .await;
    let ev = failures(&env).await;
    assert_eq!(ev.len(), 2);
    let calc = ev
        .iter()
        .find(|e| data(e)["failureType"] == "CalculationError")
        .unwrap();
    let id = calc["id"].as_str().unwrap();
    let (_, by_type) = env.get("/events?eventType=UndefinedMeter").await;
    assert_eq!(by_type["data"].as_array().unwrap().len(), 1);
    let (_, by_meter) = env
        .get(&format!(
            "/events?resourceId={}",
            meter["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_meter["data"][0]["id"], id);
    let known = data(calc)["accountId"].as_str().unwrap().to_string();
    let (_, by_acct) = env.get(&format!("/events?accountId={known}")).await;
    assert_eq!(by_acct["data"].as_array().unwrap().len(), 2);
    let (s, one) = env.get(&format!("/events/{id}")).await;
    assert_eq!((s, &one), (StatusCode::OK, calc));
    let (s, done) = env.put(&format!("/events/{id}/actioned"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(done["dtActioned"].is_string());
    assert_eq!(
        failures(&env).await.len(),
        1,
        "actioned events are left out by default"
    );
    let (_, all) = env.get("/events?includeActioned=true").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let (s, _) = env.get("/events/no-such-id").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, types) = env.get("/events/types").await;
    assert!(types["events"]
        .as_array()
        .unwrap()
        .contains(&json!("ingest.validation.failure")));
    let (_, fields) = env
        .get("/events/fields?eventName=ingest.validation.failure")
        .await;
    assert_eq!(
        fields["events"]["ingest.validation.failure"]["failureType"],
        "string"
    );
    let (s, v) = env.get("/events?includeActioned=maybe").await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "includeActioned");
}

#[tokio::test]
async fn failed_ingest_log_downloads_through_a_signed_link() {
    let (env, _) = env().await;
    let m = measurement("nope", "KNOWN", Some("dl-1"), 1.0);
    submit(&env, vec![m.clone()]).await;
    let ev = failures(&env).await;
    let file = data(&ev[0])["getDownloadUrl"].as_str().unwrap().to_string();
    let (s, v) = env
        .get(&format!(
            "/measurements/failedIngest/getDownloadUrl?file={file}"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with(&env.sb.base_url), "{url}");
    // No bearer: the link itself is the credential.
    let log: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(log["failureType"], "UndefinedMeter");
    assert_eq!(
        log["measurement"], m,
        "the original measurement, as submitted"
    );
    let bad = reqwest::get(format!("{url}x")).await.unwrap();
    assert_eq!(bad.status(), StatusCode::FORBIDDEN);
    let (s, v) = env
        .get("/measurements/failedIngest/getDownloadUrl?file=other/x.json")
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "file");
    let (s, _) = env
        .get("/measurements/failedIngest/getDownloadUrl?file=failedIngest/nope.json")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = Env::with(|c| c.rate_limit = true).await;
    env.create("/meters", meter("storage", None)).await;
    let body = json!({"measurements": [measurement("storage", "KNOWN", None, 1.0)]});
    // 60 at once: more than 50 within one second however slow the machine.
    let sent = futures::future::join_all(
        (0..60).map(|_| env.call(reqwest::Method::POST, "/measurements", Some(body.clone()))),
    )
    .await;
    let resp = sent
        .into_iter()
        .find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .expect("more than 50 requests in a second are limited");
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&wait), "{wait}");
    let (_, v) = decode(resp).await;
    assert!(
        v["message"].as_str().unwrap().contains("per organization"),
        "{v}"
    );
    let (s, _) = env.get("/products").await;
    assert_eq!(s, StatusCode::OK, "only ingest is limited");
}
