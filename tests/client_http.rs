//! The shared client against tiny scripted servers: token caching and refresh, the retry policy
//! (status codes, Retry-After on API calls and on the token request, x-should-retry,
//! max_retries), and cursor pagination.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{StreamExt, TryStreamExt};
use m3ter_console::m3ter::{Client, ClientConfig, Credentials, ErrorKind, ListQuery, Product};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the scripted server saw, and what it should answer.
#[derive(Default)]
struct Script {
    tokens: AtomicUsize,
    calls: AtomicUsize,
    /// Fail this many product calls with `fail_status` (and headers) before succeeding.
    failures: usize,
    fail_status: u16,
    fail_headers: Vec<(&'static str, &'static str)>,
    /// Answer 401 to any call made with the first token issued.
    reject_first_token: bool,
    /// Answer 401 to every call.
    always_401: bool,
    /// Answer this many token requests 429 with `Retry-After: 1` before issuing a token.
    token_failures: usize,
    /// When each token request arrived.
    token_times: std::sync::Mutex<Vec<Instant>>,
}

type S = Arc<Script>;

async fn token(State(s): State<S>) -> Response {
    let seen = {
        let mut times = s.token_times.lock().unwrap();
        times.push(Instant::now());
        times.len()
    };
    if seen <= s.token_failures {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"message": "slow down"})),
        )
            .into_response();
        r.headers_mut().insert("retry-after", "1".parse().unwrap());
        return r;
    }
    let n = s.tokens.fetch_add(1, SeqCst) + 1;
    Json(json!({"access_token": format!("t{n}"), "token_type": "Bearer", "expires_in": 18000}))
        .into_response()
}

async fn products(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let n = s.calls.fetch_add(1, SeqCst);
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if s.always_401 || (s.reject_first_token && bearer == "Bearer t1") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "token expired"})),
        )
            .into_response();
    }
    if n < s.failures {
        let mut r = (
            StatusCode::from_u16(s.fail_status).unwrap(),
            Json(json!({"message": "try later"})),
        )
            .into_response();
        for (k, v) in &s.fail_headers {
            r.headers_mut().insert(*k, v.parse().unwrap());
        }
        return r;
    }
    // 250 products, pages of `pageSize`, cursor = next offset.
    let size: usize = q
        .get("pageSize")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let from: usize = q.get("nextToken").and_then(|v| v.parse().ok()).unwrap_or(0);
    let to = (from + size).min(250);
    let data: Vec<Value> = (from..to)
        .map(|i| json!({"id": format!("p{i}"), "code": format!("P{i}")}))
        .collect();
    let mut page = json!({"data": data});
    if to < 250 {
        page["nextToken"] = json!(to.to_string());
    }
    Json(page).into_response()
}

async fn server(script: Script) -> (Client, S) {
    let s: S = Arc::new(script);
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/organizations/o/products", get(products))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let creds = Credentials {
        org_id: "o".into(),
        api_key: "k".into(),
        api_secret: "s".into(),
        token: None,
    };
    (
        Client::new(ClientConfig::new(creds, Some(&url))).unwrap(),
        s,
    )
}

async fn one_page(c: &Client) -> Result<usize, m3ter_console::m3ter::Error> {
    c.list_page::<Product>(&ListQuery::page_size(10), None)
        .await
        .map(|p| p.data.len())
}

#[tokio::test]
async fn one_token_serves_many_calls() {
    let (c, s) = server(Script::default()).await;
    for _ in 0..5 {
        one_page(&c).await.unwrap();
    }
    let clone = c.clone();
    one_page(&clone).await.unwrap();
    assert_eq!(
        s.tokens.load(SeqCst),
        1,
        "6 calls, clones included, share one token"
    );
}

#[tokio::test]
async fn a_401_refreshes_the_token_once() {
    let (c, s) = server(Script {
        reject_first_token: true,
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap(), 10);
    assert_eq!(s.tokens.load(SeqCst), 2);
    assert_eq!(s.calls.load(SeqCst), 2);

    let (c, s) = server(Script {
        always_401: true,
        ..Default::default()
    })
    .await;
    let e = one_page(&c).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(s.tokens.load(SeqCst), 2, "refreshed once, then gave up");
    assert_eq!(s.calls.load(SeqCst), 2);
}

#[tokio::test]
async fn retries_503_and_429_then_succeeds() {
    let (c, s) = server(Script {
        failures: 2,
        fail_status: 503,
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap(), 10);
    assert_eq!(s.calls.load(SeqCst), 3);

    let (c, s) = server(Script {
        failures: 2,
        fail_status: 429,
        fail_headers: vec![("retry-after-ms", "50")],
        ..Default::default()
    })
    .await;
    let t = Instant::now();
    one_page(&c).await.unwrap();
    assert_eq!(s.calls.load(SeqCst), 3);
    assert!(
        t.elapsed() < Duration::from_millis(700),
        "Retry-After-Ms 50 beats the 0.5 s + 1 s backoff: {:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let (c, s) = server(Script {
        failures: 1,
        fail_status: 503,
        fail_headers: vec![("retry-after", "1")],
        ..Default::default()
    })
    .await;
    let t = Instant::now();
    one_page(&c).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(990),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(s.calls.load(SeqCst), 2);
}

#[tokio::test]
async fn a_rate_limited_token_request_waits_for_retry_after() {
    let (c, s) = server(Script {
        token_failures: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap(), 10);
    let times = s.token_times.lock().unwrap().clone();
    assert_eq!(times.len(), 2, "one 429, then a token");
    let gap = times[1] - times[0];
    assert!(
        gap >= Duration::from_millis(900),
        "Retry-After: 1 waited for, not the ≤ 0.5 s backoff: {gap:?}"
    );
    // The token it got serves later calls.
    assert_eq!(one_page(&c).await.unwrap(), 10);
    assert_eq!(s.token_times.lock().unwrap().len(), 2);
    assert_eq!(s.calls.load(SeqCst), 2);
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let (c, s) = server(Script {
        failures: 100,
        fail_status: 503,
        ..Default::default()
    })
    .await;
    let e = one_page(&c).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(s.calls.load(SeqCst), 3, "first attempt + max_retries (2)");
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let (c, s) = server(Script {
        failures: 1,
        fail_status: 400,
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap_err().status(), Some(400));
    assert_eq!(s.calls.load(SeqCst), 1);
}

#[tokio::test]
async fn x_should_retry_overrides_the_status() {
    let (c, s) = server(Script {
        failures: 1,
        fail_status: 503,
        fail_headers: vec![("x-should-retry", "false")],
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap_err().status(), Some(503));
    assert_eq!(s.calls.load(SeqCst), 1);

    let (c, s) = server(Script {
        failures: 1,
        fail_status: 400,
        fail_headers: vec![("x-should-retry", "true"), ("retry-after-ms", "10")],
        ..Default::default()
    })
    .await;
    assert_eq!(one_page(&c).await.unwrap(), 10);
    assert_eq!(s.calls.load(SeqCst), 2);
}

#[tokio::test]
async fn list_follows_the_cursor_across_pages() {
    let (c, s) = server(Script::default()).await;
    let all: Vec<Product> = c
        .list(ListQuery::page_size(100))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(all[249].code.as_deref(), Some("P249"));
    assert_eq!(s.calls.load(SeqCst), 3, "pages of 100, 100, 50");
    // The stream is lazy: taking 5 fetches one page.
    let (c, s) = server(Script::default()).await;
    let first: Vec<Product> = Box::pin(c.list(ListQuery::page_size(100)))
        .take(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 5);
    assert_eq!(s.calls.load(SeqCst), 1);
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let creds = Credentials {
        org_id: "o".into(),
        api_key: "k".into(),
        api_secret: "s".into(),
        token: Some("t".into()),
    };
    let mut cfg = ClientConfig::new(creds, Some(&url));
    cfg.max_retries = 0;
    let e = one_page(&Client::new(cfg).unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}
