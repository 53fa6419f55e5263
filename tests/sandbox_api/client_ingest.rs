//! The console's client methods for events, the failed-ingest log, usage queries and file
//! uploads, against the sandbox over HTTP.

use crate::common::*;
use futures::TryStreamExt;
use m3ter_console::m3ter::*;
use serde_json::json;

fn client(env: &Env) -> Client {
    let creds = Credentials {
        org_id: ORG.into(),
        api_key: KEY.into(),
        api_secret: SECRET.into(),
        token: None,
    };
    Client::new(ClientConfig::new(creds, Some(&env.sb.base_url))).unwrap()
}

fn m(meter: &str, account: &str, uid: &str, gb: f64) -> Measurement {
    serde_json::from_value(measurement(meter, account, Some(uid), gb)).unwrap()
}

#[tokio::test]
async fn events_and_the_failed_ingest_log() {
    let env = Env::new().await;
    env.create("/meters", meter("storage", None)).await;
    let c = client(&env);
    let r = c
        .submit(&[
            m("nope", "ACME", "c-1", 1.0),
            m("nope", "ACME", "c-2", 1.0),
            m("storage", "ACME", "c-3", 1.0),
        ])
        .await
        .unwrap();
    assert_eq!(r.result.as_deref(), Some("accepted"));
    env.list_all("/measurements", 10).await; // waits for the enrichment
    let q = EventQuery {
        page_size: Some(1),
        ..EventQuery::ingest_failures()
    };
    let events: Vec<Event> = c.events(q).try_collect().await.unwrap();
    assert_eq!(events.len(), 2, "both pages");
    let f = events[0].ingest_failure().unwrap();
    assert_eq!(f.kind(), Some(IngestFailureType::UndefinedMeter));
    assert_eq!(f.uid.as_deref(), Some("c-2"));
    let one = c.event(&events[1].id).await.unwrap();
    assert_eq!(one, events[1]);
    let url = c
        .failed_ingest_download_url(f.get_download_url.as_deref().unwrap())
        .await
        .unwrap();
    let log: FailedIngestLog =
        serde_json::from_slice(&c.download(&url.url).await.unwrap()).unwrap();
    assert_eq!(log.measurement["uid"], "c-2");
    let done = c.mark_event_actioned(&events[0].id).await.unwrap();
    assert!(done.dt_actioned.is_some());
    let left: Vec<Event> = c
        .events(EventQuery::ingest_failures())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    let types = c.event_types().await.unwrap();
    assert!(types.events.contains(&INGEST_FAILURE_EVENT.to_string()));
    let fields = c.event_fields(Some(INGEST_FAILURE_EVENT)).await.unwrap();
    assert!(fields.events[INGEST_FAILURE_EVENT].contains_key("getDownloadUrl"));
    let e = c.event("missing").await.unwrap_err();
    assert_eq!(e.status(), Some(404));
}

#[tokio::test]
async fn usage_query_typed() {
    let env = Env::new().await;
    let meter = env.create("/meters", meter("storage", None)).await;
    let id = meter["id"].as_str().unwrap().to_string();
    let c = client(&env);
    c.submit(&[m("storage", "A", "u1", 1.0), m("storage", "B", "u2", 2.5)])
        .await
        .unwrap();
    env.list_all("/measurements", 10).await;
    let q = UsageQuery {
        aggregations: vec![Aggregation {
            meter_id: id.clone(),
            field_code: "gb".into(),
            field_type: AggregationFieldType::Measure,
            function: AggregationFunction::Sum,
        }],
        groups: vec![UsageGroup::Account],
        ..Default::default()
    };
    let r = c.usage_query(&q).await.unwrap();
    assert_eq!(r.data.len(), 2);
    assert_eq!(r.data[0]["account"], "B");
    assert_eq!(r.data[0]["sum(gb)"], json!(2.5));
    assert!(!r.has_more_data);
    let e = c
        .usage_query(&UsageQuery {
            limit: Some(20_001),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn file_upload_flow() {
    let env = Env::new().await;
    env.create("/meters", meter("storage", None)).await;
    let c = client(&env);
    let rows: Vec<Measurement> = (0..10)
        .map(|i| m("storage", "UP", &format!("up{i}"), 1.0))
        .collect();
    let body = serde_json::to_vec(&rows).unwrap();
    let job = c.upload_measurements("u.json", body.clone()).await.unwrap();
    env.list_all("/measurements", 10).await;
    let j = c.upload_job(&job).await.unwrap();
    assert_eq!(j.status, Some(JobStatus::Succeeded));
    assert_eq!(
        (j.total_rows, j.processed_rows, j.failed_rows),
        (Some(10), Some(10), Some(0))
    );
    let jobs: Vec<UploadJob> = c
        .upload_jobs(UploadJobQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs[0].id, job);
    let page = c
        .upload_jobs_page(
            &UploadJobQuery {
                page_size: Some(1),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    let orig = c.upload_job_original(&job).await.unwrap();
    assert_eq!(c.download(&orig.url).await.unwrap(), body);
    // The two steps by hand: a second PUT to a used link is refused.
    let target = c
        .generate_upload_url(&UploadUrlRequest {
            file_name: "v.json".into(),
            content_type: "application/json".into(),
            content_length: 2,
        })
        .await
        .unwrap();
    c.put_upload(&target, b"[]".to_vec()).await.unwrap();
    let e = c.put_upload(&target, b"[]".to_vec()).await.unwrap_err();
    assert_eq!(e.status(), Some(403));
}
