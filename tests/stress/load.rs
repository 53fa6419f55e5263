//! Concurrent ingest: every acknowledged measurement is stored; throughput and p50/p99.

use crate::support::*;
use serde_json::json;
use std::time::Instant;

async fn load_run(clients: usize, batches: usize, per_batch: usize) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_in_process(&dir).await;
    let http = reqwest::Client::new();
    let token = token(&http, &sb.base_url).await;
    let t = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (http, token, base) = (http.clone(), token.clone(), sb.base_url.clone());
            tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut latencies = Vec::new();
                let mut failed = Vec::new();
                for b in 0..batches {
                    let uids: Vec<String> = (0..per_batch).map(|i| format!("load-{c}-{b}-{i}")).collect();
                    let body = json!({"measurements": uids.iter().map(|u| measurement(u, &format!("LOAD-{c}"))).collect::<Vec<_>>()});
                    let t = Instant::now();
                    let r = http
                        .post(format!("{base}/organizations/{ORG}/measurements"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    latencies.push(t.elapsed());
                    match r {
                        Ok(r) if r.status().is_success() => acked.extend(uids),
                        Ok(r) => failed.push(format!("batch {c}/{b}: {}", r.status())),
                        Err(e) => failed.push(format!("batch {c}/{b}: {e}")),
                    }
                }
                (acked, latencies, failed)
            })
        })
        .collect();
    let mut tally = Tally::default();
    let mut acked = Vec::new();
    let mut latencies = Vec::new();
    for task in tasks {
        let (a, l, f) = task.await.unwrap();
        acked.extend(a);
        latencies.extend(l);
        tally.failed.extend(f);
    }
    let elapsed = t.elapsed();
    tally.tried = clients * batches * per_batch;
    tally.lost = missing_after_wait(&http, &sb.base_url, &token, &acked).await;
    latencies.sort();
    println!(
        "load: {clients} clients × {batches} batches × {per_batch}: {:.0} measurements/s acknowledged; request p50 {:.1} ms, p99 {:.1} ms",
        acked.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
    sb.shutdown().await;
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_ingest_loses_nothing() {
    load_run(4, 10, 100).await.assert_clean("load (fast)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: M3TER_STRESS=1 cargo test --release --test stress -- --ignored"]
async fn concurrent_ingest_loses_nothing_long() {
    if !long_enabled() {
        return;
    }
    load_run(8, 100 * scale(), 1000)
        .await
        .assert_clean("load (long)");
}
