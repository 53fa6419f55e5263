//! Two-stage ingest speed (`cargo bench --bench ingest`), over real HTTP against the sandbox,
//! printed side by side in one run:
//!
//! - the two storage ceilings on this disk, measured first with rusqlite alone: a durable
//!   per-row insert (each measurement a row with an `(org, uid)` index, one COMMIT per 1000) and
//!   one durable blob per 1000-measurement request (what the acknowledgement now waits for);
//! - acknowledged measurements/s with 1 and 4 clients (1000 per request, bodies prepared
//!   beforehand), and its ratio to the blob ceiling; then 1 client again with the queue's
//!   fsync off (`SandboxConfig::ack_fsync`: survives kill -9, not power loss);
//! - enrichment measurements/s: the backlog left when the acknowledgements end, timed until the
//!   sandbox reports it enriched;
//! - a usage query summing a measure by day over `BENCH_QUERY_ROWS` (default 1,000,000)
//!   measurements: median of `BENCH_RUNS` (default 5), on the hourly rollups and, as the
//!   baseline, the same query on the exact path (which reads every stored body).
//!
//! `BENCH_ACK` sets the measurements per acknowledgement run (default 200,000); `BENCH_ONLY=ack`
//! or `BENCH_ONLY=query` runs only that part.

use m3ter_console::sandbox::{
    self, SandboxConfig, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_ORG_ID,
};
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One 1000-measurement request body; `days` spreads `ts` over that many days.
fn body(batch: usize, days: usize) -> Vec<u8> {
    let ms: Vec<Value> = (0..1000)
        .map(|i| {
            let n = batch * 1000 + i;
            let day = n % days.max(1);
            json!({
                "uid": format!("b{batch}-{i}-{:08x}", rand::random::<u32>()),
                "meter": "storage",
                "account": format!("ACCT-{:04}", n % 1000),
                "ts": (chrono::DateTime::<chrono::Utc>::from_timestamp(1_767_225_600, 0).unwrap()
                    + chrono::Duration::days(day as i64)
                    + chrono::Duration::seconds((n % 86_400) as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "who": {"user": format!("user{}", n % 50)},
                "measure": {"gb": (n % 100) as f64 / 4.0}
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "measurements": ms })).unwrap()
}

fn ceilings(dir: &std::path::Path, batches: &[Vec<u8>]) -> (f64, f64) {
    let open = |name: &str| {
        let c = Connection::open(dir.join(name)).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "synchronous", "FULL").unwrap();
        c
    };
    // Per row: the pre-queue shape (a row per measurement, a random uid in a unique index).
    let mut rows = open("rows.db");
    rows.execute_batch(
        "CREATE TABLE m (seq INTEGER PRIMARY KEY, org TEXT, uid TEXT, meter TEXT, account TEXT,
           ts TEXT, body TEXT); CREATE UNIQUE INDEX m_uid ON m (org, uid);",
    )
    .unwrap();
    let t = Instant::now();
    for b in batches {
        let v: Value = serde_json::from_slice(b).unwrap();
        let tx = rows.transaction().unwrap();
        {
            let mut st = tx
                .prepare_cached("INSERT INTO m (org, uid, meter, account, ts, body) VALUES ('o', ?1, ?2, ?3, ?4, ?5)")
                .unwrap();
            for m in v["measurements"].as_array().unwrap() {
                st.execute(params![
                    m["uid"].as_str(),
                    m["meter"].as_str(),
                    m["account"].as_str(),
                    m["ts"].as_str(),
                    m.to_string()
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let per_row = (batches.len() * 1000) as f64 / t.elapsed().as_secs_f64();
    let blobs = open("blobs.db");
    blobs
        .execute_batch("CREATE TABLE q (seq INTEGER PRIMARY KEY, body BLOB)")
        .unwrap();
    let t = Instant::now();
    for b in batches {
        blobs
            .execute("INSERT INTO q (body) VALUES (?1)", [b])
            .unwrap();
    }
    let per_blob = (batches.len() * 1000) as f64 / t.elapsed().as_secs_f64();
    (per_row, per_blob)
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn new(base: &str) -> Api {
        let http = reqwest::Client::new();
        let v: Value = http
            .post(format!("{base}/oauth/token"))
            .basic_auth(DEFAULT_API_KEY, Some(DEFAULT_API_SECRET))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            http,
            base: base.to_string(),
            token: v["access_token"].as_str().unwrap().to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/organizations/{DEFAULT_ORG_ID}{path}", self.base)
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Value {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.json().await.unwrap()
    }

    async fn pending(&self) -> i64 {
        let v: Value = self
            .http
            .get(self.url("/ingest/status"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["pendingBatches"].as_i64().unwrap()
    }

    async fn settle(&self) -> Duration {
        let t = Instant::now();
        while self.pending().await > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        t.elapsed()
    }
}

async fn start(dir: &std::path::Path, name: &str) -> (sandbox::Sandbox, Api, String) {
    start_with(dir, name, true).await
}

async fn start_with(
    dir: &std::path::Path,
    name: &str,
    ack_fsync: bool,
) -> (sandbox::Sandbox, Api, String) {
    let sb = sandbox::start(SandboxConfig {
        db_path: dir.join(name),
        demo_data: false,
        ack_fsync,
        ..Default::default()
    })
    .await
    .unwrap();
    let api = Api::new(&sb.base_url).await;
    let meter = api
        .post(
            "/meters",
            serde_json::to_vec(&json!({"code": "storage", "name": "Storage", "dataFields": [
                {"category": "WHO", "code": "user", "name": "User"},
                {"category": "MEASURE", "code": "gb", "name": "GB", "unit": "GBy"}], "derivedFields": [
                {"category": "COST", "code": "cost", "name": "Cost", "unit": "USD", "calculation": "gb * 0.02"}]}))
            .unwrap(),
        )
        .await;
    let id = meter["id"].as_str().unwrap().to_string();
    (sb, api, id)
}

/// CPU seconds used so far by the sandbox's enrichment thread(s) (Linux `/proc`; 0 elsewhere):
/// unlike its wall-clock rate, this barely moves when other processes load the machine.
fn enrich_cpu_secs() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut ticks = 0u64;
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() != "sandbox-enrich" {
            continue;
        }
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
        let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        ticks += f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    ticks as f64 / 100.0 // USER_HZ is 100 on Linux
}

/// Acknowledged measurements/s with `clients` concurrent clients over `bodies`, then the
/// enrichment rate of the backlog left.
async fn ack_run(api: &Api, bodies: Vec<Vec<u8>>, clients: usize) -> (f64, f64, i64, f64) {
    let n = bodies.len() * 1000;
    let chunks: Vec<Vec<Vec<u8>>> = {
        let mut c: Vec<Vec<Vec<u8>>> = (0..clients).map(|_| Vec::new()).collect();
        for (i, b) in bodies.into_iter().enumerate() {
            c[i % clients].push(b);
        }
        c
    };
    let t = Instant::now();
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (http, url, token) = (
                api.http.clone(),
                api.url("/measurements"),
                api.token.clone(),
            );
            tokio::spawn(async move {
                for b in chunk {
                    let r = http
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(b)
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let ack = n as f64 / t.elapsed().as_secs_f64();
    let backlog = api.pending().await;
    let cpu = enrich_cpu_secs();
    let drain = api.settle().await;
    let cpu = enrich_cpu_secs() - cpu;
    let enrich = (backlog * 1000) as f64 / drain.as_secs_f64().max(1e-9);
    let cpu_us = cpu * 1e6 / (backlog * 1000).max(1) as f64;
    (ack, enrich, backlog, cpu_us)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let ack_n = env_usize("BENCH_ACK", 200_000) / 1000;
    let query_rows = env_usize("BENCH_QUERY_ROWS", 1_000_000) / 1000;
    let runs = env_usize("BENCH_RUNS", 5);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let dir = tempfile::tempdir().unwrap();
    if only != "query" {
        ack_part(dir.path(), ack_n).await;
    }
    if only != "ack" {
        query_part(dir.path(), query_rows, runs).await;
    }
}

/// The ceilings, then the acknowledgement and enrichment rates with 1 and 4 clients.
async fn ack_part(dir: &std::path::Path, ack_n: usize) {
    let sample: Vec<Vec<u8>> = (0..ack_n.min(100)).map(|b| body(b, 30)).collect();
    let (per_row, per_blob) = ceilings(dir, &sample);
    println!(
        "storage ceiling, durable row per measurement : {:>10.0} measurements/s",
        per_row
    );
    println!(
        "storage ceiling, durable blob per request    : {:>10.0} measurements/s",
        per_blob
    );

    for (clients, fsync) in [(1, true), (4, true), (1, false)] {
        let (sb, api, _) = start_with(dir, &format!("ack{clients}{fsync}.db"), fsync).await;
        let bodies: Vec<Vec<u8>> = (0..ack_n).map(|b| body(b, 30)).collect();
        let (ack, enrich, backlog, cpu_us) = ack_run(&api, bodies, clients).await;
        let how = if fsync {
            "                "
        } else {
            ", no fsync (WAL)"
        };
        println!(
            "acknowledged, {clients} client(s){how} : {:>10.0} measurements/s ({:.2}× the blob ceiling)",
            ack,
            ack / per_blob
        );
        println!(
            "enrichment after {clients} client(s) ({backlog:>4} batches left) : {:>10.0} measurements/s ({:.2}× the row ceiling; {cpu_us:.1} µs CPU each)",
            enrich,
            enrich / per_row
        );
        sb.shutdown().await;
    }
}

/// A usage query over `query_rows` thousand measurements, on the rollups and on the exact path.
async fn query_part(dir: &std::path::Path, query_rows: usize, runs: usize) {
    let (sb, api, meter) = start(dir, "query.db").await;
    let t = Instant::now();
    for chunk in (0..query_rows).collect::<Vec<_>>().chunks(50) {
        let bodies: Vec<Vec<u8>> = chunk.iter().map(|b| body(*b, 90)).collect();
        ack_run(&api, bodies, 4).await;
    }
    println!(
        "loaded {} measurements over 90 days in {:.1}s",
        query_rows * 1000,
        t.elapsed().as_secs_f64()
    );
    let q = serde_json::to_vec(&json!({
        "aggregations": [{"meterId": meter, "fieldCode": "gb", "fieldType": "MEASURE", "function": "SUM"}],
        "groups": [{"groupType": "TIME", "frequency": "DAY"}],
    }))
    .unwrap();
    let first = api.post("/usage/query", q.clone()).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 90);
    // The same sum through the exact path (a dimension filter that every measurement passes
    // keeps the query off the rollups): the baseline, and a check that both give the same rows.
    let exact_q = serde_json::to_vec(&json!({
        "aggregations": [{"meterId": meter, "fieldCode": "gb", "fieldType": "MEASURE", "function": "SUM"}],
        "groups": [{"groupType": "TIME", "frequency": "DAY"}],
        "dimensionFilters": [{"meterId": meter, "fieldCode": "user",
            "values": (0..50).map(|u| format!("user{u}")).collect::<Vec<_>>()}],
    }))
    .unwrap();
    let exact = api.post("/usage/query", exact_q.clone()).await;
    assert_eq!(first, exact, "the rollups and the exact path disagree");
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let mut times = Vec::new();
    let mut exact_times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        api.post("/usage/query", q.clone()).await;
        times.push(t.elapsed());
        let t = Instant::now();
        api.post("/usage/query", exact_q.clone()).await;
        exact_times.push(t.elapsed());
    }
    let med = median(&mut times);
    let exact_med = median(&mut exact_times);
    let base = {
        let mut b = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            api.post(
                "/usage/query",
                serde_json::to_vec(&json!({"limit": 1})).unwrap(),
            )
            .await;
            b.push(t.elapsed());
        }
        median(&mut b)
    };
    println!(
        "usage query, SUM by DAY over {} measurements : {:>10.1} ms median ({:.0}× a 1-row query, {:.2} ms)",
        query_rows * 1000,
        med.as_secs_f64() * 1000.0,
        med.as_secs_f64() / base.as_secs_f64(),
        base.as_secs_f64() * 1000.0
    );
    println!(
        "  same query on the exact path (no rollups)  : {:>10.1} ms median ({:.1}× the rollups)",
        exact_med.as_secs_f64() * 1000.0,
        exact_med.as_secs_f64() / med.as_secs_f64()
    );
    sb.shutdown().await;
}
