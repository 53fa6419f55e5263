//! Fuzz, load and crash suite for the sandbox: bounded, loopback only, and reporting what it
//! tried, what failed and what was lost.
//!
//! - `cargo test --test stress` runs the fast part (a few seconds): hostile and fuzzed requests
//!   (never a 5xx, never a non-JSON error, never a dead server), a small concurrent ingest load
//!   (every acknowledged measurement stored), and one kill -9 of `sandbox serve` during ingest.
//! - `M3TER_STRESS=1 cargo test --release --test stress -- --ignored --nocapture` runs the long
//!   part: more fuzz cases, a bigger load with throughput and p50/p99, and several kill -9
//!   cycles. `STRESS_SCALE=N` multiplies its sizes (default 1).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};

const ORG: &str = m3ter_console::sandbox::DEFAULT_ORG_ID;

fn scale() -> usize {
    std::env::var("STRESS_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Long runs happen only on request.
fn long_enabled() -> bool {
    std::env::var("M3TER_STRESS").is_ok_and(|v| v == "1")
}

/// What a run did.
#[derive(Default, Debug)]
struct Tally {
    tried: usize,
    failed: Vec<String>,
    lost: usize,
}

impl Tally {
    fn report(&self, what: &str) {
        println!(
            "{what}: tried {}, failed {}, lost {}",
            self.tried,
            self.failed.len(),
            self.lost
        );
        for f in self.failed.iter().take(10) {
            println!("  failed: {f}");
        }
    }

    fn assert_clean(&self, what: &str) {
        self.report(what);
        assert!(
            self.failed.is_empty() && self.lost == 0,
            "{what}: {:?}",
            self.failed
        );
    }
}

async fn start_in_process(dir: &tempfile::TempDir) -> Sandbox {
    sandbox::start(SandboxConfig {
        db_path: dir.path().join("stress.db"),
        demo_data: true,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn token(http: &reqwest::Client, base: &str) -> String {
    let v: Value = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(sandbox::DEFAULT_API_KEY, Some(sandbox::DEFAULT_API_SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// Sends raw bytes and reads the answer (until close or 3 s): `(status, head, body)`.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    let _ = s.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    let split = out.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let status = head.get(9..12)?.parse().ok()?;
    Some((status, head, out[split + 4..].to_vec()))
}

/// Checks one answer: no 5xx, errors are JSON `{"message"}`.
fn judge(what: &str, answer: Option<(u16, String, Vec<u8>)>, tally: &mut Tally) {
    tally.tried += 1;
    let Some((status, head, body)) = answer else {
        // A closed connection without an answer is allowed only for stalls (not sent here).
        tally.failed.push(format!("{what}: no answer"));
        return;
    };
    if status >= 500 {
        tally.failed.push(format!(
            "{what}: {status} {}",
            String::from_utf8_lossy(&body)
        ));
        return;
    }
    if status >= 400 {
        let json = head.to_ascii_lowercase().contains("application/json");
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(String::from));
        if !json || message.is_none() {
            tally.failed.push(format!(
                "{what}: {status} without a JSON message: {:?}",
                String::from_utf8_lossy(&body)
            ));
        }
    }
}

fn request(method: &str, target: &str, host: &str, token: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// Hand-written hostile requests, each a known past or plausible failure.
fn hostile_cases(host: &str, token: &str) -> Vec<(String, Vec<u8>)> {
    let o = format!("/organizations/{ORG}");
    let get = |t: &str| request("GET", t, host, token, b"");
    let post = |t: &str, b: &[u8]| request("POST", t, host, token, b);
    let many_codes = (0..2000).map(|i| format!("C{i}")).collect::<Vec<_>>();
    let many_conds = (0..1200).map(|i| format!("name~n{i}")).collect::<Vec<_>>();
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let mut cases = vec![
        ("percent FF id", get(&format!("{o}/accounts/%FF"))),
        ("percent FF query", get(&format!("{o}/accounts?codes=%FF"))),
        ("bad path bytes", {
            let mut r = b"GET /organizations/\xff\xfe HTTP/1.1\r\nHost: ".to_vec();
            r.extend_from_slice(host.as_bytes());
            r.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
            r
        }),
        ("garbage line", b"\x00\x01\x02 garbage\r\n\r\n".to_vec()),
        ("long url", get(&format!("{o}/accounts?codes={}", "A".repeat(80_000)))),
        ("many headers", {
            let extra: String = (0..300).map(|i| format!("X-{i}: y\r\n")).collect();
            format!("GET {o}/accounts HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n")
                .into_bytes()
        }),
        ("huge header", {
            format!(
                "GET {o}/accounts HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
                "b".repeat(500_000)
            )
            .into_bytes()
        }),
        ("2000 codes search", get(&format!("{o}/accounts/search?searchQuery=codes:{}", many_codes.join(",")))),
        ("2000 codes list", get(&format!("{o}/accounts?codes={}", many_codes.join(",")))),
        ("1200 conditions", get(&format!("{o}/accounts/search?operator=OR&searchQuery={}", many_conds.join("$")))),
        ("bad sortBy", get(&format!("{o}/accounts/search?sortBy=name;DROP"))),
        ("odd search", get(&format!("{o}/accounts/search?searchQuery=name~%22%27*%28)%20OR%20NEAR"))),
        ("fts syntax", get(&format!("{o}/accounts/search?searchQuery=name~AND%20OR%20NOT%20*"))),
        ("pageSize huge", get(&format!("{o}/accounts?pageSize=99999999999999999999"))),
        ("pageSize negative", get(&format!("{o}/measurements?pageSize=-1"))),
        ("bad nextToken", get(&format!("{o}/accounts?nextToken=%00%00"))),
        ("fromDocument huge", get(&format!("{o}/accounts/search?fromDocument=2147483647"))),
        ("deep json", post(&format!("{o}/accounts"), deep.as_bytes())),
        ("deep ingest", post(&format!("{o}/measurements"), deep.as_bytes())),
        ("invalid utf8 body", post(&format!("{o}/accounts"), b"{\"code\":\"\xff\xfe\"}")),
        ("nul in code", post(&format!("{o}/accounts"), br#"{"code":"A\u0000B","name":"n","emailAddress":"a@b.co"}"#)),
        ("number overflow", post(&format!("{o}/measurements"), br#"{"measurements":[{"meter":"api_calls","account":"X","ts":"2026-01-01T00:00:00Z","measure":{"calls":1e999}}]}"#)),
        ("ts garbage", post(&format!("{o}/measurements"), br#"{"measurements":[{"meter":"api_calls","account":"X","ts":"yesterday","measure":{"calls":1}}]}"#)),
        ("empty body", post(&format!("{o}/measurements"), b"")),
        ("array body", post(&format!("{o}/accounts"), b"[]")),
        ("wrong org", get("/organizations/other/accounts")),
        ("no token", format!("GET {o}/accounts HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()),
        ("bad token", request("GET", &format!("{o}/accounts"), host, "sbx_AAAA.BBBB", b"")),
        ("unknown path", get("/nope/%zz")),
        ("bad method", request("BREW", &format!("{o}/accounts"), host, token, b"")),
        ("foreign host", request("GET", &format!("{o}/accounts"), "evil.example", token, b"")),
        ("token form garbage", format!("POST /oauth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\nConnection: close\r\n\r\n%%%%%").into_bytes()),
        ("chunked junk", format!("POST {o}/accounts HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZ\r\n").into_bytes()),
    ];
    cases.push((
        "dot segments",
        get(&format!("{o}/accounts/../../../etc/passwd")),
    ));
    cases.into_iter().map(|(n, r)| (n.to_string(), r)).collect()
}

/// Random but reproducible search queries and JSON bodies.
fn fuzz_cases(seed: u64, n: usize, host: &str, token: &str) -> Vec<(String, Vec<u8>)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let o = format!("/organizations/{ORG}");
    let alphabet: Vec<char> = "aZ0~:<>=$,%*\"'()-_ .é漢\\/&?#+".chars().collect();
    let text = |rng: &mut StdRng, max: usize| -> String {
        let len = rng.random_range(0..max);
        (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect()
    };
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let fields = [
        "name",
        "code",
        "currency",
        "codes",
        "ids",
        "dtCreated",
        "bogus",
        "",
    ];
    let ops = ["~", ":", ">", ">=", "<", "<=", "", "=~"];
    (0..n)
        .map(|i| {
            let kind = i % 3;
            let req = if kind == 0 {
                let conds: Vec<String> = (0..rng.random_range(1..5))
                    .map(|_| {
                        format!(
                            "{}{}{}",
                            fields[rng.random_range(0..fields.len())],
                            ops[rng.random_range(0..ops.len())],
                            text(&mut rng, 12)
                        )
                    })
                    .collect();
                let q = enc(&conds.join("$"));
                request(
                    "GET",
                    &format!(
                        "{o}/accounts/search?searchQuery={q}&operator={}&sortBy={}",
                        ["AND", "OR", "x"][rng.random_range(0..3)],
                        fields[rng.random_range(0..fields.len())]
                    ),
                    host,
                    token,
                    b"",
                )
            } else if kind == 1 {
                let body = json!({
                    "code": text(&mut rng, 10),
                    "name": text(&mut rng, 20),
                    "emailAddress": text(&mut rng, 15),
                    "currency": text(&mut rng, 4),
                    "daysBeforeBillDue": rng.random_range(-5..40),
                });
                request(
                    "POST",
                    &format!("{o}/accounts"),
                    host,
                    token,
                    body.to_string().as_bytes(),
                )
            } else {
                let meter = ["api_calls", "vm_hours", "nope", ""][rng.random_range(0..4)];
                let ts = [
                    "2026-01-01T00:00:00Z",
                    "2026-13-01T00:00:00Z",
                    "x",
                    "2026-01-01T00:00:00",
                ][rng.random_range(0..4)];
                let calls: f64 = rng.random_range(-1e9..1e9);
                let body = json!({"measurements": [{
                    "uid": text(&mut rng, 60),
                    "meter": meter,
                    "account": text(&mut rng, 10),
                    "ts": ts,
                    "measure": {"calls": calls, "hours": text(&mut rng, 3)},
                    "who": {"user": text(&mut rng, 5)},
                }]});
                request(
                    "POST",
                    &format!("{o}/measurements"),
                    host,
                    token,
                    body.to_string().as_bytes(),
                )
            };
            (format!("fuzz #{i} (seed {seed})"), req)
        })
        .collect()
}

async fn hostile_run(fuzz: usize) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_in_process(&dir).await;
    let http = reqwest::Client::new();
    let token = token(&http, &sb.base_url).await;
    let host = sb.addr.to_string();
    let mut tally = Tally::default();
    let mut cases = hostile_cases(&host, &token);
    cases.extend(fuzz_cases(7, fuzz, &host, &token));
    for (name, bytes) in cases {
        let answer = raw(sb.addr, &bytes).await;
        judge(&name, answer, &mut tally);
    }
    // The server is still alive and answers normally.
    let ok = http
        .get(format!("{}/organizations/{ORG}/accounts", sb.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .map(|r| r.status().is_success())
        .unwrap_or(false);
    if !ok {
        tally
            .failed
            .push("server not answering after the run".into());
    }
    sb.shutdown().await;
    tally
}

#[tokio::test]
async fn hostile_and_fuzzed_requests_never_5xx() {
    hostile_run(150).await.assert_clean("hostile + fuzz (fast)");
}

#[tokio::test]
#[ignore = "long: M3TER_STRESS=1 cargo test --release --test stress -- --ignored"]
async fn hostile_and_fuzzed_requests_never_5xx_long() {
    if !long_enabled() {
        return;
    }
    hostile_run(5000 * scale())
        .await
        .assert_clean("hostile + fuzz (long)");
}

fn measurement(uid: &str, account: &str) -> Value {
    json!({"uid": uid, "meter": "api_calls", "account": account,
           "ts": "2026-01-01T00:00:00Z", "measure": {"calls": 1}})
}

/// Every stored measurement uid (pages of 1000).
async fn stored_uids(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = format!("{base}/organizations/{ORG}/measurements?pageSize=1000");
        if let Some(t) = &next {
            url.push_str(&format!("&nextToken={t}"));
        }
        let v: Value = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for m in v["data"].as_array().unwrap() {
            if let Some(u) = m["uid"].as_str() {
                out.insert(u.to_string());
            }
        }
        match v["nextToken"].as_str() {
            Some(t) => next = Some(t.to_string()),
            None => return out,
        }
    }
}

/// Waits until every acknowledged uid is stored (ingest may finish checks after answering), up
/// to 15 s; returns how many are missing.
async fn missing_after_wait(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    acked: &[String],
) -> usize {
    let t = Instant::now();
    loop {
        let stored = stored_uids(http, base, token).await;
        let missing = acked.iter().filter(|u| !stored.contains(*u)).count();
        if missing == 0 || t.elapsed() > Duration::from_secs(15) {
            return missing;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

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

/// A `sandbox serve` child process on `db`; returns it and its base URL.
fn spawn_serve(db: &std::path::Path, listen: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_m3ter-console"))
        .args(["sandbox", "serve", "--listen", listen, "--db"])
        .arg(db)
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
/// file, and check every acknowledged measurement is there.
async fn crash_run(cycles: usize, run_for: Duration) -> Tally {
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
        let (mut child, base) = spawn_serve(&db, &listen);
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
    let (mut child, base) = spawn_serve(&db, &listen);
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
    crash_run(1, Duration::from_millis(700))
        .await
        .assert_clean("crash (fast)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: M3TER_STRESS=1 cargo test --release --test stress -- --ignored"]
async fn kill_9_during_ingest_loses_no_acknowledged_measurement_long() {
    if !long_enabled() {
        return;
    }
    crash_run(10 * scale(), Duration::from_secs(3))
        .await
        .assert_clean("crash (long)");
}
