//! A tiny scripted m3ter: a token endpoint and a paginated products list that fail as told.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use m3ter_console::m3ter::{Client, ClientConfig, Credentials, ListQuery, Product};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Instant;

/// What the scripted server saw, and what it should answer.
#[derive(Default)]
pub struct Script {
    pub tokens: AtomicUsize,
    pub calls: AtomicUsize,
    /// Fail this many product calls with `fail_status` (and headers) before succeeding.
    pub failures: usize,
    pub fail_status: u16,
    pub fail_headers: Vec<(&'static str, &'static str)>,
    /// Answer 401 to any call made with the first token issued.
    pub reject_first_token: bool,
    /// Answer 401 to every call.
    pub always_401: bool,
    /// Answer this many token requests 429 with `Retry-After: 1` before issuing a token.
    pub token_failures: usize,
    /// Answer every page with the same `nextToken` (a broken server).
    pub repeat_token: bool,
    /// When each token request arrived.
    pub token_times: std::sync::Mutex<Vec<Instant>>,
}

pub type S = Arc<Script>;

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
    if s.repeat_token {
        page["nextToken"] = json!("again");
    } else if to < 250 {
        page["nextToken"] = json!(to.to_string());
    }
    Json(page).into_response()
}

pub async fn server(script: Script) -> (Client, S) {
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

pub async fn one_page(c: &Client) -> Result<usize, m3ter_console::m3ter::Error> {
    c.list_page::<Product>(&ListQuery::page_size(10), None)
        .await
        .map(|p| p.data.len())
}
