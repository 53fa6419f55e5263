//! What the suite's parts share: the sandbox, tokens, raw HTTP, the tally.

use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const ORG: &str = m3ter_console::sandbox::DEFAULT_ORG_ID;

pub fn scale() -> usize {
    std::env::var("STRESS_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Long runs happen only on request.
pub fn long_enabled() -> bool {
    std::env::var("M3TER_STRESS").is_ok_and(|v| v == "1")
}

/// What a run did.
#[derive(Default, Debug)]
pub struct Tally {
    pub tried: usize,
    pub failed: Vec<String>,
    pub lost: usize,
}

impl Tally {
    pub fn report(&self, what: &str) {
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

    pub fn assert_clean(&self, what: &str) {
        self.report(what);
        assert!(
            self.failed.is_empty() && self.lost == 0,
            "{what}: {:?}",
            self.failed
        );
    }
}

pub async fn start_in_process(dir: &tempfile::TempDir) -> Sandbox {
    sandbox::start(SandboxConfig {
        db_path: dir.path().join("stress.db"),
        demo_data: true,
        ..Default::default()
    })
    .await
    .unwrap()
}

pub async fn token(http: &reqwest::Client, base: &str) -> String {
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
pub async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Option<(u16, String, Vec<u8>)> {
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
pub fn judge(what: &str, answer: Option<(u16, String, Vec<u8>)>, tally: &mut Tally) {
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

pub fn request(method: &str, target: &str, host: &str, token: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// Every stored measurement uid (pages of 1000).
pub async fn stored_uids(
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
pub async fn missing_after_wait(
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

pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn measurement(uid: &str, account: &str) -> Value {
    json!({"uid": uid, "meter": "api_calls", "account": account,
           "ts": "2026-01-01T00:00:00Z", "measure": {"calls": 1}})
}
