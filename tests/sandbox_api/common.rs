//! Shared helpers: a real sandbox on 127.0.0.1:0 over a temp DB, spoken to with reqwest.

use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const KEY: &str = "test-key";
pub const SECRET: &str = "test-secret";
pub const ORG: &str = "11111111-2222-4333-8444-555555555555";

pub struct Env {
    pub sb: Sandbox,
    pub http: reqwest::Client,
    pub token: String,
    #[allow(dead_code)]
    pub dir: tempfile::TempDir,
}

pub fn config(dir: &tempfile::TempDir, demo: bool) -> SandboxConfig {
    SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_path: dir.path().join("nested").join("sandbox.db"),
        org_id: ORG.into(),
        api_key: KEY.into(),
        api_secret: SECRET.into(),
        demo_data: demo,
        ..Default::default()
    }
}

impl Env {
    /// An empty sandbox (no demo data).
    pub async fn new() -> Env {
        Self::start(false).await
    }

    pub async fn with_demo() -> Env {
        Self::start(true).await
    }

    async fn start(demo: bool) -> Env {
        Self::configured(demo, |_| {}).await
    }

    /// A sandbox whose config `tune` adjusts (timeouts, allowed hosts).
    pub async fn configured(demo: bool, tune: impl FnOnce(&mut SandboxConfig)) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config(&dir, demo);
        tune(&mut cfg);
        let sb = sandbox::start(cfg).await.unwrap();
        Self::attach(sb, dir).await
    }

    /// An empty sandbox started with `--strict-ingest` (synchronous rejection).
    pub async fn strict() -> Env {
        Self::with(|c| c.strict_ingest = true).await
    }

    /// An empty sandbox whose config `tweak` adjusts.
    pub async fn with(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(&dir, false);
        tweak(&mut c);
        let sb = sandbox::start(c).await.unwrap();
        Self::attach(sb, dir).await
    }

    /// Sends `raw` bytes on a new connection and reads the answer until the server closes it
    /// or `wait` passes: `(status, JSON body)`, or `None` when nothing came back.
    pub async fn raw(&self, raw: &[u8], wait: std::time::Duration) -> Option<(u16, Value)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.sb.addr).await.unwrap();
        s.write_all(raw).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(wait, s.read_to_end(&mut out)).await;
        parse_raw(&out)
    }

    /// The `Host` value clients use for this sandbox.
    pub fn host(&self) -> String {
        self.sb.addr.to_string()
    }

    pub async fn attach(sb: Sandbox, dir: tempfile::TempDir) -> Env {
        let http = reqwest::Client::new();
        let token = fetch_token(&http, &sb.base_url).await;
        Env {
            sb,
            http,
            token,
            dir,
        }
    }

    /// `base/organizations/ORG{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/organizations/{ORG}{path}", self.sb.base_url)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let resp = self.call(method, path, body).await;
        decode(resp).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.json(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.json(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.json(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.json(Method::DELETE, path, None).await
    }

    /// Creates and returns an entity, asserting 200.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(path, body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Every item of a list, following nextToken.
    pub async fn list_all(&self, path: &str, page_size: usize) -> Vec<Value> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let sep = if path.contains('?') { '&' } else { '?' };
        loop {
            let mut url = format!("{path}{sep}pageSize={page_size}");
            if let Some(t) = &token {
                url.push_str(&format!("&nextToken={t}"));
            }
            let (s, v) = self.get(&url).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let data = v["data"].as_array().unwrap();
            assert!(data.len() <= page_size);
            out.extend(data.iter().cloned());
            match v.get("nextToken").and_then(Value::as_str) {
                Some(t) => token = Some(t.to_string()),
                None => return out,
            }
        }
    }
}

pub async fn fetch_token(http: &reqwest::Client, base: &str) -> String {
    let resp = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

pub async fn decode(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    assert!(
        ct.starts_with("application/json"),
        "status {status}, content-type {ct:?}: {text}"
    );
    (status, serde_json::from_str(&text).unwrap())
}

/// Asserts a 4xx JSON error naming `field` (in `field` and in the message).
pub fn assert_field_error(status: StatusCode, body: &Value, expect: StatusCode, field: &str) {
    assert_eq!(status, expect, "{body}");
    assert_eq!(body["field"], field, "{body}");
    assert!(body["message"].as_str().unwrap().contains(field), "{body}");
}

pub fn product(code: &str) -> Value {
    json!({"code": code, "name": format!("Product {code}")})
}

pub fn meter(code: &str, product_id: Option<&str>) -> Value {
    let mut m = json!({
        "code": code,
        "name": format!("Meter {code}"),
        "dataFields": [
            {"category": "WHO", "code": "user", "name": "User"},
            {"category": "MEASURE", "code": "gb", "name": "Gigabytes", "unit": "GBy"}
        ],
        "derivedFields": []
    });
    if let Some(p) = product_id {
        m["productId"] = json!(p);
    }
    m
}

pub fn account(code: &str) -> Value {
    json!({"code": code, "name": format!("Customer {code}"), "emailAddress": format!("{}@example.com", code.to_lowercase())})
}

pub fn measurement(meter: &str, account: &str, uid: Option<&str>, gb: f64) -> Value {
    let mut m = json!({"meter": meter, "account": account, "ts": "2026-01-31T12:00:00Z", "who": {"user": "ann"}, "measure": {"gb": gb}});
    if let Some(u) = uid {
        m["uid"] = json!(u);
    }
    m
}

/// `(status, JSON body)` of one raw HTTP/1.1 answer; panics on a non-JSON body.
pub fn parse_raw(out: &[u8]) -> Option<(u16, Value)> {
    let text = String::from_utf8_lossy(out);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status: u16 = head.get(9..12)?.parse().ok()?;
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "not JSON: {text}"
    );
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    Some((status, body))
}
