//! Measurement file uploads: signed PUT URL → job → the same enrichment as the ingest API.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn upload_url(env: &Env, len: usize) -> Value {
    let (s, v) = env
        .post(
            "/fileuploads/measurements/generateUploadUrl",
            json!({"fileName": "usage.json", "contentType": "application/json", "contentLength": len}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn put(url: &Value, body: &[u8]) -> StatusCode {
    let mut req = reqwest::Client::new().put(url["url"].as_str().unwrap());
    for (k, v) in url["headers"].as_object().unwrap() {
        req = req.header(k, v.as_str().unwrap());
    }
    req.body(body.to_vec()).send().await.unwrap().status()
}

#[tokio::test]
async fn a_file_is_ingested_through_a_job_with_counters() {
    let env = Env::new().await;
    env.create("/meters", meter("storage", None)).await;
    let mut rows: Vec<Value> = (0..2500)
        .map(|i| measurement("storage", "FILECO", Some(&format!("f{i}")), 1.0))
        .collect();
    rows.push(json!({"meter": "storage"})); // fails the request checks
    rows.push(measurement("nope", "FILECO", Some("bad-meter"), 1.0)); // fails enrichment
    let body = serde_json::to_vec(&rows).unwrap();
    let target = upload_url(&env, body.len()).await;
    let job = target["jobId"].as_str().unwrap().to_string();
    let (_, j) = env
        .get(&format!("/fileuploads/measurements/jobs/{job}"))
        .await;
    assert_eq!(j["status"], "notUploaded");
    assert_eq!(put(&target, &body).await, StatusCode::OK);
    assert_eq!(
        put(&target, &body).await,
        StatusCode::FORBIDDEN,
        "a link works once"
    );
    assert_eq!(env.list_all("/measurements", 1000).await.len(), 2500);
    let (_, j) = env
        .get(&format!("/fileuploads/measurements/jobs/{job}"))
        .await;
    assert_eq!(
        (
            &j["status"],
            &j["totalRows"],
            &j["processedRows"],
            &j["failedRows"]
        ),
        (&json!("succeeded"), &json!(2502), &json!(2502), &json!(2)),
        "{j}"
    );
    assert_eq!(j["fileName"], "usage.json");
    assert_eq!(j["contentLength"], body.len());
    let (_, ev) = env.get("/events?eventType=UndefinedMeter").await;
    assert_eq!(ev["data"][0]["m3terEvent"]["eventData"]["uid"], "bad-meter");
    let (_, orig) = env
        .get(&format!("/fileuploads/measurements/jobs/{job}/original"))
        .await;
    assert_eq!(orig["jobId"], job.as_str());
    let got = reqwest::get(orig["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), body.as_slice());
    let (_, list) = env.get("/fileuploads/measurements/jobs").await;
    assert_eq!(list["data"][0]["id"], job.as_str());
}

#[tokio::test]
async fn bad_requests_and_bad_files() {
    let env = Env::new().await;
    for (body, field) in [
        (
            json!({"fileName": "", "contentType": "application/json", "contentLength": 1}),
            "fileName",
        ),
        (
            json!({"fileName": "x".repeat(101), "contentType": "application/json", "contentLength": 1}),
            "fileName",
        ),
        (
            json!({"fileName": "a", "contentType": "text/csv", "contentLength": 1}),
            "contentType",
        ),
        (
            json!({"fileName": "a", "contentType": "text/json", "contentLength": 0}),
            "contentLength",
        ),
        (
            json!({"fileName": "a", "contentType": "text/json", "contentLength": 1073741825u64}),
            "contentLength",
        ),
    ] {
        let (s, v) = env
            .post("/fileuploads/measurements/generateUploadUrl", body)
            .await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let target = upload_url(&env, 5).await;
    assert_eq!(
        put(&target, b"12").await,
        StatusCode::BAD_REQUEST,
        "length must match"
    );
    let target = upload_url(&env, 2).await;
    assert_eq!(
        put(&target, b"{}").await,
        StatusCode::BAD_REQUEST,
        "not an array"
    );
    let (_, j) = env
        .get(&format!(
            "/fileuploads/measurements/jobs/{}",
            target["jobId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(j["status"], "failed");
    let (s, _) = env.get("/fileuploads/measurements/jobs/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let fresh = upload_url(&env, 2).await;
    let (s, _) = env
        .get(&format!(
            "/fileuploads/measurements/jobs/{}/original",
            fresh["jobId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no file yet");
}

/// Signed links stop working once their lifetime has passed in real time (shortened here
/// through `SandboxConfig::link_lifetimes`): an upload link, and a failed-ingest log's link.
#[tokio::test]
async fn signed_links_expire_by_elapsed_time() {
    let life = std::time::Duration::from_millis(1500);
    let env = Env::with(|c| {
        c.link_lifetimes = m3ter_console::sandbox::LinkLifetimes {
            upload: life,
            download: life,
        }
    })
    .await;
    env.create("/meters", meter("storage", None)).await;
    let body = serde_json::to_vec(&[measurement("nope", "EXPCO", Some("x-1"), 1.0)]).unwrap();
    let stale = upload_url(&env, body.len()).await;
    let fresh_at = std::time::Instant::now();
    let fresh = upload_url(&env, body.len()).await;
    assert_eq!(put(&fresh, &body).await, StatusCode::OK, "used in time");
    assert!(
        fresh_at.elapsed() < life,
        "the machine was too slow to test in time"
    );
    tokio::time::sleep(life + std::time::Duration::from_millis(100)).await;
    let r = reqwest::Client::new()
        .put(stale["url"].as_str().unwrap())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("expired"));

    // The uploaded row names an unknown meter: its failure event has a log to download.
    env.list_all("/measurements", 10).await; // waits for the enrichment
    let ev = env
        .list_all("/events?eventName=ingest.validation.failure", 10)
        .await;
    let file = ev[0]["m3terEvent"]["eventData"]["getDownloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let issued = std::time::Instant::now();
    let (s, v) = env
        .get(&format!(
            "/measurements/failedIngest/getDownloadUrl?file={file}"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap().to_string();
    let first = reqwest::get(&url).await.unwrap().status();
    assert!(
        issued.elapsed() < life,
        "the machine was too slow to test in time"
    );
    assert_eq!(first, StatusCode::OK);
    tokio::time::sleep(life + std::time::Duration::from_millis(100)).await;
    let late = reqwest::get(&url).await.unwrap();
    assert_eq!(late.status(), StatusCode::FORBIDDEN);
    assert!(late.text().await.unwrap().contains("expired"));
}
