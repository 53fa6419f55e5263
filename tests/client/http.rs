//! The shared client against the scripted server: token caching and refresh, the retry policy
//! (status codes, Retry-After on API calls and on the token request, x-should-retry,
//! max_retries), and cursor pagination.

use crate::support::*;
use futures::{StreamExt, TryStreamExt};
use m3ter_console::m3ter::{Client, ClientConfig, Credentials, ErrorKind, ListQuery, Product};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn a_repeated_next_token_stops_the_list_with_an_error() {
    let (c, s) = server(Script {
        repeat_token: true,
        ..Default::default()
    })
    .await;
    let all = tokio::time::timeout(
        Duration::from_secs(10),
        c.list_all::<Product>(ListQuery::page_size(100)),
    )
    .await
    .expect("the list ends instead of looping");
    let e = all.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("nextToken \"again\" twice"), "{e}");
    assert_eq!(
        s.calls.load(SeqCst),
        2,
        "the first page and the one that repeated"
    );
}
