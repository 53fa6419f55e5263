//! The one HTTP client for real m3ter and the sandbox alike (the TUI and CLI share it).
//!
//! It does what the official SDK does, minus the SDK's bugs: a client-credentials token cached
//! until five minutes before it expires (the SDK fetches one per call), refreshed once on a
//! 401/403; retries on 408/409/429/5xx and connection errors with exponential backoff and jitter,
//! honouring `Retry-After` (on the token request too) and `x-should-retry`; config calls on the API host and measurements on
//! the ingest host, or everything on one base URL when one is given.

use super::error::{Error, ErrorKind, Result};
use super::resource::{ListQuery, Resource, SearchQuery};
use super::rules::BATCH_MAX_BYTES;
use super::types::*;
use futures::stream::{self, Stream, TryStreamExt};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub const DEFAULT_API_URL: &str = "https://api.m3ter.com";
pub const DEFAULT_INGEST_URL: &str = "https://ingest.m3ter.com";

/// Who the client is. `Debug` never prints the secret or token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub org_id: String,
    pub api_key: String,
    pub api_secret: String,
    /// A pre-issued bearer token (`M3TER_API_TOKEN`); used instead of fetching one.
    pub token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("org_id", &self.org_id)
            .field("api_key", &self.api_key)
            .field("api_secret", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub credentials: Credentials,
    /// Base for `/oauth/token` and configuration calls, without a trailing slash.
    pub api_url: String,
    /// Base for `POST /measurements`; equal to `api_url` when a base URL was given.
    pub ingest_url: String,
    /// Retries after the first attempt (the SDK's default is 2).
    pub max_retries: u32,
    pub timeout: Duration,
}

impl ClientConfig {
    /// Real m3ter, or everything on `base_url` when one is given (the sandbox case).
    pub fn new(credentials: Credentials, base_url: Option<&str>) -> Self {
        let (api_url, ingest_url) = match base_url {
            Some(b) => (
                b.trim_end_matches('/').to_string(),
                b.trim_end_matches('/').to_string(),
            ),
            None => (DEFAULT_API_URL.to_string(), DEFAULT_INGEST_URL.to_string()),
        };
        Self {
            credentials,
            api_url,
            ingest_url,
            max_retries: 2,
            timeout: Duration::from_secs(60),
        }
    }
}

struct CachedToken {
    value: String,
    /// When to fetch a new one (five minutes before m3ter says it expires).
    refresh_at: Instant,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    token: Mutex<Option<CachedToken>>,
}

/// Cheap to clone; clones share the connection pool and the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish()
    }
}

/// What to send: the body is serialised once, so a retry sends the same bytes (same `uid`s).
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) label: &'a str,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        if config.credentials.org_id.is_empty() {
            return Err(Error::Config(
                "no organization id (M3TER_ORG_ID) is configured".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("m3ter-console/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let token = config.credentials.token.clone().map(|value| CachedToken {
            value,
            refresh_at: Instant::now() + Duration::from_secs(10 * 365 * 24 * 3600),
        });
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                token: Mutex::new(token),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The HTTP connection pool, for calls that are not m3ter API calls (signed URLs).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn org_id(&self) -> &str {
        &self.inner.config.credentials.org_id
    }

    pub(crate) fn org_url(&self, rest: &str) -> String {
        format!(
            "{}/organizations/{}/{rest}",
            self.inner.config.api_url,
            self.org_id()
        )
    }

    // ------------------------------------------------------------ entities

    /// One page of a list.
    pub async fn list_page<R: Resource>(
        &self,
        query: &ListQuery,
        next_token: Option<&str>,
    ) -> Result<Page<R>> {
        self.send(Call {
            method: Method::GET,
            url: self.org_url(R::PATH),
            query: query.params(next_token),
            body: None,
            label: R::PATH,
        })
        .await
    }

    /// Every entity of a list, fetched page by page as the stream is polled. Stops with an error
    /// when the server sends a `nextToken` it already sent: following it would never end.
    pub fn list<R: Resource>(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<R>> + Send + 'static {
        let client = self.clone();
        stream::try_unfold(
            Some((None::<String>, HashSet::<String>::new())),
            move |state| {
                let client = client.clone();
                let query = query.clone();
                async move {
                    let Some((token, mut seen)) = state else {
                        return Ok(None);
                    };
                    let page: Page<R> = client.list_page(&query, token.as_deref()).await?;
                    let next = match page.next() {
                        Some(t) if !page.data.is_empty() => {
                            if !seen.insert(t.to_string()) {
                                return Err(Error::Decode {
                                    request: format!("GET {}", R::PATH),
                                    detail: format!(
                                        "the server sent the nextToken {t:?} twice; stopping so \
                                         the list does not loop"
                                    ),
                                });
                            }
                            Some((Some(t.to_string()), seen))
                        }
                        _ => None,
                    };
                    Ok(Some((stream::iter(page.data.into_iter().map(Ok)), next)))
                }
            },
        )
        .try_flatten()
    }

    /// Every entity of a list, collected (for small lists: products, meters).
    pub async fn list_all<R: Resource>(&self, query: ListQuery) -> Result<Vec<R>> {
        self.list(query).try_collect().await
    }

    pub async fn retrieve<R: Resource>(&self, id: &str) -> Result<R> {
        self.send(Call {
            method: Method::GET,
            url: self.org_url(&format!("{}/{id}", R::PATH)),
            query: vec![],
            body: None,
            label: R::PATH,
        })
        .await
    }

    pub async fn create<R: Resource>(&self, request: &R::Request) -> Result<R> {
        self.send(Call {
            method: Method::POST,
            url: self.org_url(R::PATH),
            query: vec![],
            body: Some(to_body(request)?),
            label: R::PATH,
        })
        .await
    }

    /// PUT replaces the whole entity; send the `version` you read (a stale one is refused).
    pub async fn update<R: Resource>(&self, id: &str, request: &R::Request) -> Result<R> {
        self.send(Call {
            method: Method::PUT,
            url: self.org_url(&format!("{}/{id}", R::PATH)),
            query: vec![],
            body: Some(to_body(request)?),
            label: R::PATH,
        })
        .await
    }

    /// One page of a list as the server sent it, fields this client does not model included.
    pub async fn list_page_raw<R: Resource>(
        &self,
        query: &ListQuery,
        next_token: Option<&str>,
    ) -> Result<Page<serde_json::Value>> {
        self.send(Call {
            method: Method::GET,
            url: self.org_url(R::PATH),
            query: query.params(next_token),
            body: None,
            label: R::PATH,
        })
        .await
    }

    /// PUT with a body as JSON: an update that carries back every field it read, including
    /// ones this client does not model, so a newer m3ter field is never erased.
    pub async fn update_raw<R: Resource>(&self, id: &str, body: &serde_json::Value) -> Result<R> {
        self.send(Call {
            method: Method::PUT,
            url: self.org_url(&format!("{}/{id}", R::PATH)),
            query: vec![],
            body: Some(to_body(body)?),
            label: R::PATH,
        })
        .await
    }

    /// Returns the deleted entity.
    pub async fn delete<R: Resource>(&self, id: &str) -> Result<R> {
        self.send(Call {
            method: Method::DELETE,
            url: self.org_url(&format!("{}/{id}", R::PATH)),
            query: vec![],
            body: None,
            label: R::PATH,
        })
        .await
    }

    /// The account with this code, if any.
    pub async fn account_by_code(&self, code: &str) -> Result<Option<Account>> {
        let page: Page<Account> = self.list_page(&ListQuery::codes([code]), None).await?;
        Ok(page
            .data
            .into_iter()
            .find(|a| a.code.as_deref() == Some(code)))
    }

    pub async fn search_accounts(&self, query: &SearchQuery) -> Result<Page<Account>> {
        self.send(Call {
            method: Method::GET,
            url: self.org_url("accounts/search"),
            query: query.params(),
            body: None,
            label: "accounts/search",
        })
        .await
    }

    // ------------------------------------------------------------ ingest

    /// Submits one request of measurements (≤ 1000, < 512,000 bytes: split larger sets first).
    /// Retries resend the identical body, so m3ter's `uid` de-duplication makes them safe.
    pub async fn submit(&self, measurements: &[Measurement]) -> Result<IngestResponse> {
        #[derive(Serialize)]
        struct Body<'a> {
            measurements: &'a [Measurement],
        }
        let url = format!(
            "{}/organizations/{}/measurements",
            self.inner.config.ingest_url,
            self.org_id()
        );
        self.send(Call {
            method: Method::POST,
            url,
            query: vec![],
            body: Some(to_body(&Body { measurements })?),
            label: "measurements",
        })
        .await
    }

    /// Submits an already-serialised `{"measurements":[...]}` body (bulk submit sizes it first).
    pub async fn submit_raw(&self, body: Vec<u8>) -> Result<IngestResponse> {
        let url = format!(
            "{}/organizations/{}/measurements",
            self.inner.config.ingest_url,
            self.org_id()
        );
        self.send(Call {
            method: Method::POST,
            url,
            query: vec![],
            body: Some(body),
            label: "measurements",
        })
        .await
    }

    // ------------------------------------------------------------ transport

    pub(crate) async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        let request = format!("{} {}", call.method, call.label);
        let text = self.send_raw(&call, &request).await?;
        serde_json::from_str(&text).map_err(|e| Error::Decode {
            request,
            detail: e.to_string(),
        })
    }

    async fn send_raw(&self, call: &Call<'_>, request: &str) -> Result<String> {
        let max_retries = self.inner.config.max_retries;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            let token = self.token(request).await?;
            let mut rb = self
                .inner
                .http
                .request(call.method.clone(), &call.url)
                .bearer_auth(&token)
                .header("accept", "application/json")
                .query(&call.query);
            if let Some(body) = &call.body {
                rb = rb
                    .header("content-type", "application/json")
                    .body(body.clone());
            }
            let outcome = rb.send().await;
            let (retry, delay, err) = match outcome {
                Err(e) => (true, None, Error::connection(request.to_string(), &e)),
                Ok(resp) => {
                    let status = resp.status();
                    let should_retry = header(&resp, "x-should-retry");
                    let retry_after = retry_after(&resp);
                    let body = resp
                        .text()
                        .await
                        .map_err(|e| Error::connection(request.to_string(), &e))?;
                    if status.is_success() {
                        return Ok(body);
                    }
                    // m3ter's gateway refuses an oversized ingest body with 403: not an auth
                    // failure, and no new token would help.
                    let oversized = call
                        .body
                        .as_ref()
                        .is_some_and(|b| b.len() >= BATCH_MAX_BYTES);
                    let kind = ErrorKind::from_status(status.as_u16(), oversized);
                    if kind == ErrorKind::Auth
                        && !refreshed
                        && self.inner.config.credentials.token.is_none()
                    {
                        // The cached token may have been revoked or expired early: one fresh try.
                        refreshed = true;
                        *self.inner.token.lock().await = None;
                        continue;
                    }
                    let retry = match should_retry.as_deref() {
                        Some("true") => true,
                        Some("false") => false,
                        _ => matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error(),
                    };
                    let retry = retry && kind != ErrorKind::Limit;
                    (
                        retry,
                        retry_after,
                        Error::api_with_kind(request.to_string(), status.as_u16(), body, kind),
                    )
                }
            };
            if !retry || attempt >= max_retries {
                return Err(err);
            }
            tracing::debug!(%request, attempt, "retrying after: {err}");
            tokio::time::sleep(delay.unwrap_or_else(|| backoff(attempt))).await;
            attempt += 1;
        }
    }

    /// The cached bearer token, fetching a new one when there is none or it is about to expire.
    async fn token(&self, request: &str) -> Result<String> {
        let mut slot = self.inner.token.lock().await;
        if let Some(t) = slot.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let c = &self.inner.config.credentials;
        if c.api_key.is_empty() || c.api_secret.is_empty() {
            return Err(Error::Config(
                "no API key and secret (M3TER_API_KEY, M3TER_API_SECRET) are configured".into(),
            ));
        }
        let url = format!("{}/oauth/token", self.inner.config.api_url);
        let label = format!("POST oauth/token (for {request})");
        let mut attempt = 0;
        let resp = loop {
            let sent = self
                .inner
                .http
                .post(&url)
                .basic_auth(&c.api_key, Some(&c.api_secret))
                .json(&serde_json::json!({"grant_type": "client_credentials"}))
                .send()
                .await;
            // A rate-limited token endpoint says when to come back, as the API does: same rule.
            let delay = match sent {
                Ok(r)
                    if !(r.status().is_server_error()
                        || r.status() == StatusCode::TOO_MANY_REQUESTS) =>
                {
                    break r
                }
                Ok(r) if attempt >= self.inner.config.max_retries => break r,
                Err(e) if attempt >= self.inner.config.max_retries => {
                    return Err(Error::connection(label, &e))
                }
                Ok(r) => retry_after(&r),
                Err(_) => None,
            };
            tracing::debug!(%label, attempt, ?delay, "retrying the token request");
            tokio::time::sleep(delay.unwrap_or_else(|| backoff(attempt))).await;
            attempt += 1;
        };
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| Error::connection(label.clone(), &e))?;
        if !status.is_success() {
            return Err(Error::api(label, status.as_u16(), body));
        }
        let t: TokenResponse = serde_json::from_str(&body).map_err(|e| Error::Decode {
            request: label,
            detail: e.to_string(),
        })?;
        let lifetime = if t.expires_in > 600 {
            t.expires_in - 300
        } else {
            t.expires_in / 2
        };
        *slot = Some(CachedToken {
            value: t.access_token.clone(),
            refresh_at: Instant::now() + Duration::from_secs(lifetime),
        });
        Ok(t.access_token)
    }
}

pub(crate) fn to_body<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Config(format!("cannot encode the request: {e}")))
}

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
}

/// `Retry-After-Ms` or `Retry-After` (seconds, or an HTTP date), honoured when 0 < value ≤ 60 s,
/// as the SDK does.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let ms = header(resp, "retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .map(|ms| ms / 1000.0);
    let secs = ms.or_else(|| {
        let v = resp.headers().get("retry-after")?.to_str().ok()?;
        retry_after_value(v, chrono::Utc::now())
    })?;
    (secs > 0.0 && secs <= 60.0).then(|| Duration::from_secs_f64(secs))
}

/// Seconds to wait for a `Retry-After` value: a number of seconds or an HTTP date.
fn retry_after_value(v: &str, now: chrono::DateTime<chrono::Utc>) -> Option<f64> {
    let v = v.trim();
    v.parse::<f64>().ok().or_else(|| {
        let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        Some((at.with_timezone(&chrono::Utc) - now).num_milliseconds() as f64 / 1000.0)
    })
}

/// `min(0.5 · 2^n, 8)` seconds times a jitter in 0.75–1.0 (the SDK's schedule).
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = (0.5 * 2f64.powi(attempt as i32)).min(8.0);
    let jitter = 1.0 - 0.25 * rand::random::<f64>();
    Duration::from_secs_f64(base * jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials {
            org_id: "o".into(),
            api_key: "k".into(),
            api_secret: "s3cr3t-value".into(),
            token: Some("tok-value".into()),
        };
        let s = format!("{:?}", ClientConfig::new(c, None));
        assert!(
            !s.contains("s3cr3t-value") && !s.contains("tok-value"),
            "{s}"
        );
    }

    #[test]
    fn base_url_serves_both_hosts() {
        let c = Credentials {
            org_id: "o".into(),
            api_key: "k".into(),
            api_secret: "s".into(),
            token: None,
        };
        let cfg = ClientConfig::new(c.clone(), Some("http://127.0.0.1:9/"));
        assert_eq!(cfg.api_url, "http://127.0.0.1:9");
        assert_eq!(cfg.ingest_url, cfg.api_url);
        let real = ClientConfig::new(c, None);
        assert_eq!(
            (real.api_url.as_str(), real.ingest_url.as_str()),
            (DEFAULT_API_URL, DEFAULT_INGEST_URL)
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after_value("1.5", now), Some(1.5));
        assert_eq!(
            retry_after_value("Wed, 21 Oct 2015 07:28:03 GMT", now),
            Some(3.0)
        );
        assert_eq!(retry_after_value("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert!(
            backoff(0) <= Duration::from_millis(500) && backoff(0) >= Duration::from_millis(375)
        );
        assert!(backoff(10) <= Duration::from_secs(8));
    }
}
