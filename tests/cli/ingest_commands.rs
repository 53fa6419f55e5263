//! `usage query` and `events list|show|download` against a scripted m3ter that records what the
//! CLI asked for: the query the flags build (meter and account ids, filters, aggregations,
//! groups, period) and how the answers are printed.

use crate::support::*;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Value>>>);

/// A scripted m3ter on its own port: token, meters, accounts, usage query, events, and a signed
/// download link.
fn scripted(ts: &TestSandbox) -> (String, Seen) {
    let seen = Seen::default();
    let org = format!("/organizations/{}", m3ter_console::sandbox::DEFAULT_ORG_ID);
    let meters = json!({"data": [
        {"id": "m-api", "code": "api_calls", "name": "API calls", "dataFields": [
            {"category": "WHO", "code": "user", "name": "User"},
            {"category": "WHERE", "code": "region", "name": "Region"},
            {"category": "MEASURE", "code": "calls", "name": "Calls"}]},
        {"id": "m-vm", "code": "vm_hours", "name": "VM hours", "dataFields": [
            {"category": "WHERE", "code": "region", "name": "Region"},
            {"category": "MEASURE", "code": "hours", "name": "Hours"}]}
    ]});
    let failure = json!({"id": "e1", "eventName": "ingest.validation.failure",
        "eventTime": "2026-11-25T10:00:00Z", "dtActioned": null,
        "m3terEvent": {"eventData": {"failureType": "UndefinedMeter",
            "message": "no meter has the code \"nope\"", "uid": "u-9", "meter": "nope",
            "account": "ACME", "getDownloadUrl": "failedIngest/e1.json"}}});
    let log = json!({"eventId": "e1", "failureType": "UndefinedMeter",
        "message": "no meter has the code \"nope\"",
        "measurement": {"uid": "u-9", "meter": "nope", "account": "ACME"}});
    let base = Arc::new(Mutex::new(String::new()));
    // Set once a submission carries the good uid: only then does the usage probe find it.
    let sent_ok = Arc::new(AtomicBool::new(false));
    let got_ok = sent_ok.clone();
    let app = axum::Router::new()
        .route(
            "/oauth/token",
            post(|| async {
                axum::Json(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}))
            }),
        )
        .route(
            &format!("{org}/meters"),
            get(move |Query(q): Query<HashMap<String, String>>| {
                let mut all = meters.clone();
                if let Some(codes) = q.get("codes") {
                    let codes: Vec<&str> = codes.split(',').collect();
                    all["data"]
                        .as_array_mut()
                        .unwrap()
                        .retain(|m| codes.contains(&m["code"].as_str().unwrap()));
                }
                async move { axum::Json(all) }
            }),
        )
        .route(
            &format!("{org}/accounts"),
            get(|| async {
                axum::Json(json!({"data": [{"id": "acc-1", "code": "ACME", "name": "Acme"}]}))
            }),
        )
        .route(
            &format!("{org}/usage/query"),
            post(
                move |State(seen): State<Seen>, axum::Json(body): axum::Json<Value>| {
                    let got_ok = got_ok.clone();
                    async move {
                        seen.0.lock().unwrap().push(body.clone());
                        let no_aggregations =
                            body["aggregations"].as_array().is_none_or(|a| a.is_empty());
                        let meters = body["meterIds"].as_array().is_some_and(|m| !m.is_empty());
                        if no_aggregations && meters && got_ok.load(Ordering::SeqCst) {
                            // The follow-up probe: the good measurement was ingested (once sent,
                            // as m3ter: a uid is not in the usage before it was submitted).
                            let now = chrono::Utc::now().to_rfc3339();
                            return axum::Json(json!({"data": [
                            {"uid": "w-ok", "ts": now, "meter": "api_calls", "account": "ACME"}
                        ], "hasMoreData": false}));
                        }
                        axum::Json(json!({"data": [
                    {"accountId": "acc-1", "timestamp": "2026-11-24T00:00:00Z", "sum(calls)": 12},
                    {"accountId": "acc-1", "timestamp": "2026-11-25T00:00:00Z", "sum(calls)": 7.5}
                ], "hasMoreData": true}))
                    }
                },
            ),
        )
        .route(
            &format!("{org}/events"),
            get(move || {
                let mut f = failure.clone();
                f["eventTime"] = json!(chrono::Utc::now().to_rfc3339());
                async move { axum::Json(json!({"data": [f]})) }
            }),
        )
        .route(
            &format!("{org}/measurements"),
            post(move |body: String| {
                if body.contains("\"w-ok\"") {
                    sent_ok.store(true, Ordering::SeqCst);
                }
                async { axum::Json(json!({"result": "accepted"})) }
            }),
        )
        .route(
            &format!("{org}/events/e1"),
            get(move || {
                let f = failure_one();
                async move { axum::Json(f) }
            }),
        )
        .route(
            &format!("{org}/measurements/failedIngest/getDownloadUrl"),
            get({
                let base = base.clone();
                move |Query(q): Query<HashMap<String, String>>| {
                    let url = format!("{}/signed/{}?sig=x", base.lock().unwrap(), q["file"]);
                    async move { axum::Json(json!({ "url": url })) }
                }
            }),
        )
        .route(
            "/signed/failedIngest/e1.json",
            get(move || {
                let l = log.clone();
                async move { axum::Json(l) }
            }),
        )
        .with_state(seen.clone());
    let listener = ts
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    *base.lock().unwrap() = url.clone();
    ts.rt.spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn failure_one() -> Value {
    json!({"id": "e1", "eventName": "ingest.validation.failure",
        "eventTime": "2026-11-25T10:00:00Z", "dtActioned": null,
        "m3terEvent": {"eventData": {"failureType": "UndefinedMeter",
            "message": "no meter has the code \"nope\"", "uid": "u-9", "meter": "nope",
            "account": "ACME", "getDownloadUrl": "failedIngest/e1.json"}}})
}

#[test]
fn usage_query_builds_the_query_and_prints_table_json_and_csv() {
    let ts = TestSandbox::start();
    let (url, seen) = scripted(&ts);
    let run = |args: &[&str]| Run::from(ts.cmd_at(&url).args(args).output().unwrap());
    let r = run(&[
        "usage",
        "query",
        "--from",
        "2026-11-01T00:00:00Z",
        "--to",
        "2026-12-01T00:00:00Z",
        "--meter",
        "api_calls",
        "--account",
        "ACME",
        "--where",
        "region=eu",
        "--where",
        "region=us",
        "--agg",
        "measure.calls:sum",
        "--group",
        "account",
        "--group",
        "time:day",
        "--group",
        "user",
        "--limit",
        "500",
        "-o",
        "table",
    ])
    .ok();
    let q = seen.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        q,
        json!({
            "startDate": "2026-11-01T00:00:00.000Z", "endDate": "2026-12-01T00:00:00.000Z",
            "meterIds": ["m-api"], "accountIds": ["acc-1"],
            "dimensionFilters": [{"meterId": "m-api", "fieldCode": "region", "values": ["eu", "us"]}],
            "aggregations": [{"meterId": "m-api", "fieldCode": "calls", "fieldType": "MEASURE", "function": "SUM"}],
            "groups": [{"groupType": "ACCOUNT"}, {"groupType": "TIME", "frequency": "DAY"},
                       {"groupType": "DIMENSION", "meterId": "m-api", "fieldCode": "user"}],
            "limit": 500
        })
    );
    assert!(
        r.stdout.contains("sum(calls)") && r.stdout.contains("7.5"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("more rows matched"), "{}", r.stderr);

    let csv = run(&["usage", "query", "--period", "today", "--csv"]).ok();
    assert!(
        csv.stdout.starts_with("accountId,timestamp,sum(calls)"),
        "{}",
        csv.stdout
    );
    let j = run(&["usage", "query", "--period", "mtd", "-o", "json"])
        .ok()
        .json();
    assert_eq!(j["hasMoreData"], true);
    // Without --meter, a field names every meter that has it.
    run(&["usage", "query", "--agg", "region:unique"]).ok();
    let q = seen.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(q["aggregations"].as_array().unwrap().len(), 2, "{q}");

    for (args, says) in [
        (vec!["--agg", "calls:unique"], "does not apply"),
        (vec!["--agg", "nope:sum"], "no meter has a data field"),
        (vec!["--where", "calls=3"], "not a dimension"),
        (vec!["--period", "fortnight"], "expected today"),
    ] {
        let r = run(&[&["usage", "query"][..], &args].concat());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn events_list_show_and_download() {
    let ts = TestSandbox::start();
    let (url, _) = scripted(&ts);
    let run = |args: &[&str]| Run::from(ts.cmd_at(&url).args(args).output().unwrap());
    let r = run(&["events", "list", "--failures", "-o", "table"]).ok();
    for says in ["e1", "UndefinedMeter", "nope", "ACME", "u-9"] {
        assert!(r.stdout.contains(says), "{says}: {}", r.stdout);
    }
    let j = run(&["events", "list", "-o", "json"]).ok().json();
    assert_eq!(j[0]["id"], "e1");
    let r = run(&["events", "show", "e1", "-o", "table"]).ok();
    assert!(
        r.stdout.contains("UndefinedMeter") && r.stdout.contains("events download e1"),
        "{}",
        r.stdout
    );
    let r = run(&["events", "download", "e1"]).ok();
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log["measurement"]["uid"], "u-9");
    let file = ts.path("e1.json");
    run(&["events", "download", "e1", "--file", file.to_str().unwrap()]).ok();
    assert_eq!(
        serde_json::from_slice::<Value>(&std::fs::read(&file).unwrap()).unwrap(),
        log
    );
}

/// `submit --wait` follows each accepted measurement: one is found ingested by a usage query,
/// the other failed (an ingest event); the run says so and exits 1.
#[test]
fn submit_wait_follows_to_the_outcome() {
    let ts = TestSandbox::start();
    let (url, _) = scripted(&ts);
    let file = ts.path("w.ndjson");
    std::fs::write(
        &file,
        "{\"uid\":\"w-ok\",\"meter\":\"api_calls\",\"account\":\"ACME\",\"measure\":{\"calls\":1}}\n\
         {\"uid\":\"u-9\",\"meter\":\"api_calls\",\"account\":\"ACME\",\"measure\":{\"calls\":2}}\n",
    )
    .unwrap();
    let r = Run::from(
        ts.cmd_at(&url)
            .args([
                "submit",
                "--file",
                file.to_str().unwrap(),
                "--wait",
                "-o",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["accepted"], 2);
    assert_eq!(v["outcome"]["ingested"], 1, "{v}");
    assert_eq!(v["outcome"]["failed"], 1, "{v}");
    assert_eq!(v["outcome"]["failures"]["UndefinedMeter"], 1, "{v}");
    assert!(
        r.stderr.contains("failed m3ter's ingest checks"),
        "{}",
        r.stderr
    );

    let r = Run::from(
        ts.cmd_at(&url)
            .args([
                "submit",
                "--meter",
                "api_calls",
                "--account",
                "ACME",
                "--uid",
                "w-ok",
                "--field",
                "calls=1",
                "--wait",
                "-o",
                "table",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1 ingested, 0 failed"), "{}", r.stdout);
}

/// `upload FILE` against the sandbox: checked locally, uploaded through the signed URL, the job
/// followed to its end; a row m3ter's ingest refuses (a repeated uid) makes it exit 1.
#[test]
fn upload_follows_the_job_to_its_end() {
    let ts = TestSandbox::start();
    let good = ts.path("good.ndjson");
    write_ndjson(&good, 3, 1);
    let r = ts
        .run(&["upload", good.to_str().unwrap(), "-o", "json"])
        .ok();
    let job = r.json();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["processedRows"], 3);
    assert!(r.stderr.contains("uploaded 3 measurements"), "{}", r.stderr);

    let twice = ts.path("twice.ndjson");
    std::fs::write(
        &twice,
        "{\"uid\":\"same\",\"meter\":\"api_calls\",\"account\":\"UP\",\"ts\":\"2026-01-01T00:00:00Z\"}\n\
         {\"uid\":\"same\",\"meter\":\"api_calls\",\"account\":\"UP\",\"ts\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    let r = ts.run(&["upload", twice.to_str().unwrap(), "-o", "table"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("1 failed"), "{}", r.stdout);

    let bad = ts.path("bad.ndjson");
    std::fs::write(
        &bad,
        "{\"meter\":\"api_calls\",\"account\":\"UP\",\"measure\":{\"calls\":\"x\"}}\n",
    )
    .unwrap();
    let r = ts.run(&["upload", bad.to_str().unwrap()]);
    assert_eq!(
        r.code, 2,
        "checked before anything is uploaded: {}",
        r.stderr
    );
}

/// Against the sandbox's two-stage ingest: a repeated uid is `accepted`, then refused by the
/// enrichment stage; `--wait` says which and why, and `events list` shows the event.
#[test]
fn submit_wait_against_the_sandbox_reports_a_duplicate_uid() {
    let ts = TestSandbox::start();
    let submit = || {
        ts.run(&[
            "submit",
            "--meter",
            "api_calls",
            "--account",
            "W",
            "--uid",
            "dup-1",
            "--field",
            "calls=2",
            "--wait",
            "-o",
            "table",
        ])
    };
    let first = submit().ok();
    assert!(
        first
            .stdout
            .contains("accepted measurement dup-1 (meter api_calls"),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("1 ingested, 0 failed"),
        "{}",
        first.stdout
    );
    let again = submit();
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stdout.contains("1 × DuplicateUid"),
        "{}",
        again.stdout
    );
    let events = ts
        .run(&["events", "list", "--failures", "-o", "json"])
        .ok()
        .json();
    assert_eq!(
        events[0]["m3terEvent"]["eventData"]["uid"], "dup-1",
        "{events}"
    );
}
