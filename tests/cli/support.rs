//! Shared by the `cli_*` tests: a real sandbox on a loopback port, the real binary pointed at it
//! with environment credentials, and a delaying, recording proxy for the bulk-submit tests.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_m3ter-console");

/// A running sandbox with its own runtime (the server runs on the runtime's worker threads while
/// the test thread blocks on the child process) and temp dir.
pub struct TestSandbox {
    pub rt: tokio::runtime::Runtime,
    /// Held so the server lives as long as the test.
    _sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    pub base_url: String,
    pub secret: String,
}

impl TestSandbox {
    pub fn start() -> Self {
        Self::start_with_secret("sandbox-secret")
    }

    pub fn start_with_secret(secret: &str) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = SandboxConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_path: dir.path().join("sandbox.db"),
            demo_data: true,
            api_secret: secret.into(),
            ..Default::default()
        };
        let sb = rt.block_on(sandbox::start(config)).expect("sandbox starts");
        let base_url = sb.base_url.clone();
        Self {
            rt,
            _sandbox: sb,
            dir,
            base_url,
            secret: secret.into(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with this sandbox's credentials in the SDK's environment variables and no
    /// config file, talking to `base_url` (the sandbox, or a proxy in front of it).
    pub fn cmd_at(&self, base_url: &str) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("M3TER_CONSOLE_CONFIG", self.path("no-config.toml"))
            .env("M3TER_API_KEY", sandbox::DEFAULT_API_KEY)
            .env("M3TER_API_SECRET", &self.secret)
            .env("M3TER_ORG_ID", sandbox::DEFAULT_ORG_ID)
            .args(["--base-url", base_url]);
        c
    }

    pub fn cmd(&self) -> Command {
        self.cmd_at(&self.base_url)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().unwrap())
    }

    /// Waits until the sandbox has enriched every acknowledged batch (its measurement list
    /// answers only then), so the accounts a submit auto-creates exist.
    pub fn settle(&self) {
        self.rt.block_on(async {
            let http = reqwest::Client::new();
            let token: Value = http
                .post(format!("{}/oauth/token", self.base_url))
                .basic_auth(sandbox::DEFAULT_API_KEY, Some(&self.secret))
                .json(&serde_json::json!({"grant_type": "client_credentials"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let status = http
                .get(format!(
                    "{}/organizations/{}/measurements?pageSize=1",
                    self.base_url,
                    sandbox::DEFAULT_ORG_ID
                ))
                .bearer_auth(token["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .status();
            assert!(status.is_success(), "{status}");
        })
    }

    /// Every stored measurement (the sandbox's `GET /measurements` extension).
    pub fn measurements(&self) -> Vec<Value> {
        self.rt.block_on(async {
            let http = reqwest::Client::new();
            let token: Value = http
                .post(format!("{}/oauth/token", self.base_url))
                .basic_auth(sandbox::DEFAULT_API_KEY, Some(&self.secret))
                .json(&serde_json::json!({"grant_type": "client_credentials"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = token["access_token"].as_str().unwrap().to_string();
            let mut out = Vec::new();
            let mut next: Option<String> = None;
            loop {
                let mut q = vec![("pageSize", "1000".to_string())];
                if let Some(t) = &next {
                    q.push(("nextToken", t.clone()));
                }
                let page: Value = http
                    .get(format!(
                        "{}/organizations/{}/measurements",
                        self.base_url,
                        sandbox::DEFAULT_ORG_ID
                    ))
                    .bearer_auth(&token)
                    .query(&q)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                out.extend(page["data"].as_array().unwrap().iter().cloned());
                match page["nextToken"].as_str() {
                    Some(t) if !t.is_empty() => next = Some(t.to_string()),
                    _ => break,
                }
            }
            out
        })
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }
}

impl Run {
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

/// `n` NDJSON measurements for the demo meter `api_calls`, without uids (the CLI adds them).
pub fn write_ndjson(path: &Path, n: usize, accounts: usize) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(
            w,
            r#"{{"meter":"api_calls","account":"BULK-{}","ts":"2026-01-01T00:00:{:02}Z","who":{{"user":"u{i}"}},"measure":{{"calls":{}}}}}"#,
            i % accounts,
            i % 60,
            i % 97
        )
        .unwrap();
    }
}

/// Lines of a submit journal that record an accepted batch.
pub fn accepted_in_journal(path: &Path) -> Vec<usize> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v.get("accepted").and_then(Value::as_u64))
        .map(|n| n as usize)
        .collect()
}

/// A proxy in front of the sandbox that delays each ingest request and records the uids of
/// every measurement it forwards, so a test can see exactly what was sent, and how often.
#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    pub sent: Arc<Mutex<Vec<Vec<String>>>>,
    /// Ingest requests (0-based, in arrival order) to answer with this status instead of
    /// forwarding; 400 and 401 are neither forwarded nor recorded in `sent`.
    pub fail: Arc<Mutex<std::collections::HashMap<usize, u16>>>,
    /// Every request, as `METHOD /path?query`.
    pub requests: Arc<Mutex<Vec<String>>>,
    gate: Arc<Gate>,
}

/// Holds ingest requests from a given one on until released, so a test can stop a run while
/// it is certainly midway, whatever the machine's load.
#[derive(Default)]
struct Gate {
    /// Ingest requests with this index (0-based) or later wait; `usize::MAX`: none.
    hold_from: std::sync::atomic::AtomicUsize,
    open: std::sync::atomic::AtomicBool,
    opened: tokio::sync::Notify,
}

impl Gate {
    async fn pass(&self, n: usize) {
        use std::sync::atomic::Ordering::SeqCst;
        while n >= self.hold_from.load(SeqCst) && !self.open.load(SeqCst) {
            let opened = self.opened.notified();
            if self.open.load(SeqCst) {
                break;
            }
            opened.await;
        }
    }
}

impl Proxy {
    pub fn start(ts: &TestSandbox, delay: Duration) -> Proxy {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let fail = Arc::new(Mutex::new(Default::default()));
        let gate = Arc::new(Gate::default());
        gate.hold_from
            .store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
        let state = ProxyState {
            gate: gate.clone(),
            target: ts.base_url.clone(),
            delay,
            sent: sent.clone(),
            fail: Arc::clone(&fail),
            seen: Default::default(),
            requests: Default::default(),
            http: reqwest::Client::new(),
        };
        let requests = state.requests.clone();
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = ts
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        ts.rt.spawn(async move { axum::serve(listener, app).await });
        Proxy {
            url,
            sent,
            fail,
            requests,
            gate,
        }
    }

    /// Holds ingest request `n` (0-based) and every later one until [`Proxy::release`].
    pub fn hold_from(&self, n: usize) {
        self.gate
            .hold_from
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets the held requests (and every later one) through.
    pub fn release(&self) {
        self.gate
            .open
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.gate.opened.notify_waiters();
    }

    pub fn uids(&self) -> Vec<String> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .flatten()
            .cloned()
            .collect()
    }
}

#[derive(Clone)]
struct ProxyState {
    target: String,
    delay: Duration,
    sent: Arc<Mutex<Vec<Vec<String>>>>,
    fail: Arc<Mutex<std::collections::HashMap<usize, u16>>>,
    seen: Arc<std::sync::atomic::AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
    http: reqwest::Client,
    gate: Arc<Gate>,
}

async fn forward(State(st): State<ProxyState>, req: Request) -> Response {
    let ProxyState {
        target,
        delay,
        sent,
        fail,
        seen,
        requests,
        http,
        gate,
    } = st;
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    requests
        .lock()
        .unwrap()
        .push(format!("{} {path}", parts.method));
    let ingest = parts.method == "POST" && path.ends_with("/measurements");
    if ingest {
        let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(status) = fail.lock().unwrap().get(&n).copied() {
            return Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(r#"{"message":"refused by the test proxy"}"#))
                .unwrap();
        }
        gate.pass(n).await;
        tokio::time::sleep(delay).await;
        // Recorded when forwarded: a request cancelled by a killed client never gets here.
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let uids = v["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["uid"].as_str().unwrap_or("").to_string())
            .collect();
        sent.lock().unwrap().push(uids);
    }
    let mut rb = http.request(parts.method.clone(), format!("{target}{path}"));
    for (k, v) in &parts.headers {
        if k != "host" && k != "content-length" {
            rb = rb.header(k, v);
        }
    }
    let resp = rb.body(bytes.to_vec()).send().await.unwrap();
    let status = resp.status();
    let body = resp.bytes().await.unwrap();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}
