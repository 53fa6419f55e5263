//! kill -9 of `m3ter-console sandbox serve` while the enrichment is behind: every acknowledged
//! measurement is enriched after the restart, none twice.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn serve(db: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_m3ter-console"))
        .args(["sandbox", "serve", "--empty", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // Keep reading: the banner goes on, and a closed pipe would stop the server.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    (child, url)
}

struct Remote {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Remote {
    async fn new(base: String) -> Remote {
        let http = reqwest::Client::new();
        let token = http
            .post(format!("{base}/oauth/token"))
            .basic_auth(
                m3ter_console::sandbox::DEFAULT_API_KEY,
                Some(m3ter_console::sandbox::DEFAULT_API_SECRET),
            )
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        Remote { http, base, token }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!(
            "{}/organizations/{}{path}",
            self.base,
            m3ter_console::sandbox::DEFAULT_ORG_ID
        );
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        decode(req.send().await.unwrap()).await
    }
}

#[tokio::test]
async fn acknowledged_batches_survive_kill_9_and_are_enriched_once() {
    const BATCHES: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let (mut child, url) = serve(&db);
    let r = Remote::new(url).await;
    let (s, _) = r
        .call(
            reqwest::Method::POST,
            "/meters",
            Some(meter("storage", None)),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for b in 0..BATCHES {
        let ms: Vec<Value> = (0..1000)
            .map(|i| {
                measurement(
                    "storage",
                    &format!("K{}", i % 7),
                    Some(&format!("k{b}-{i}")),
                    1.0,
                )
            })
            .collect();
        let (s, v) = r
            .call(
                reqwest::Method::POST,
                "/measurements",
                Some(json!({ "measurements": ms })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, status) = r.call(reqwest::Method::GET, "/ingest/status", None).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    eprintln!("at kill -9: {status}");

    let (mut child, url) = serve(&db);
    let r = Remote::new(url).await;
    let (_, status) = r.call(reqwest::Method::GET, "/ingest/status", None).await;
    assert_eq!(
        status["pendingBatches"], 0,
        "the backlog is enriched before serving: {status}"
    );
    let mut uids = std::collections::HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let q = match &token {
            Some(t) => format!("/measurements?pageSize=1000&nextToken={t}"),
            None => "/measurements?pageSize=1000".into(),
        };
        let (s, page) = r.call(reqwest::Method::GET, &q, None).await;
        assert_eq!(s, StatusCode::OK);
        for m in page["data"].as_array().unwrap() {
            assert!(
                uids.insert(m["uid"].as_str().unwrap().to_string()),
                "stored twice: {m}"
            );
        }
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(uids.len(), BATCHES * 1000, "nothing acknowledged is lost");
    let (_, ev) = r.call(reqwest::Method::GET, "/events", None).await;
    assert_eq!(
        ev["data"],
        json!([]),
        "no measurement enriched twice (that would be a DuplicateUid)"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
