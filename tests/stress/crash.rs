//! kill -9 of `sandbox serve` during ingest: every acknowledged measurement survives.

use crate::support::*;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `sandbox serve` child process on `db`; returns it and its base URL.
fn spawn_serve(db: &std::path::Path, listen: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_m3ter-console"))
        .args(["sandbox", "serve", "--listen", listen, "--db"])
        .arg(db)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let base = first
        .trim()
        .strip_prefix("m3ter sandbox listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    (child, base)
}

/// `cycles` times: ingest from 2 clients, kill -9 the server mid-stream, restart on the same
/// file, and check every acknowledged measurement is there. `extra` goes to `sandbox serve`.
async fn crash_run(cycles: usize, run_for: Duration, extra: &[&str]) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut acked_all: Vec<String> = Vec::new();
    let mut tally = Tally::default();
    let mut listen = "127.0.0.1:0".to_string();
    for cycle in 0..cycles {
        let (mut child, base) = spawn_serve(&db, &listen, extra);
        listen = base.trim_start_matches("http://").to_string();
        let token = token(&http, &base).await;
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (http, token, base) = (http.clone(), token.clone(), base.clone());
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    let mut tried = 0;
                    for b in 0.. {
                        let uids: Vec<String> =
                            (0..200).map(|i| format!("crash-{cycle}-{w}-{b}-{i}")).collect();
                        let body = json!({"measurements": uids.iter().map(|u| measurement(u, "CRASH")).collect::<Vec<_>>()});
                        tried += uids.len();
                        match http
                            .post(format!("{base}/organizations/{ORG}/measurements"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await
                        {
                            Ok(r) if r.status().is_success() => acked.extend(uids),
                            _ => break, // the server is gone
                        }
                    }
                    (acked, tried)
                })
            })
            .collect();
        tokio::time::sleep(run_for).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for w in writers {
            let (a, t) = w.await.unwrap();
            tally.tried += t;
            acked_all.extend(a);
        }
    }
    let (mut child, base) = spawn_serve(&db, &listen, extra);
    let token = token(&http, &base).await;
    tally.lost = missing_after_wait(&http, &base, &token, &acked_all).await;
    println!(
        "crash: {cycles} kill -9 cycles, {} measurements sent, {} acknowledged, {} acknowledged but lost",
        tally.tried,
        acked_all.len(),
        tally.lost
    );
    if acked_all.is_empty() {
        tally
            .failed
            .push("nothing was acknowledged before the kills".into());
    }
    let _ = child.kill();
    let _ = child.wait();
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_ingest_loses_no_acknowledged_measurement() {
    crash_run(1, Duration::from_millis(700), &[])
        .await
        .assert_clean("crash (fast)");
}

/// `--no-fsync` acknowledges a batch once it is in the OS's file cache: a killed process (not a
/// power loss) still loses nothing it acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_without_fsync_loses_no_acknowledged_measurement() {
    crash_run(1, Duration::from_millis(700), &["--no-fsync"])
        .await
        .assert_clean("crash (no fsync)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: M3TER_STRESS=1 cargo test --release --test stress -- --ignored"]
async fn kill_9_during_ingest_loses_no_acknowledged_measurement_long() {
    if !long_enabled() {
        return;
    }
    crash_run(10 * scale(), Duration::from_secs(3), &[])
        .await
        .assert_clean("crash (long)");
}
