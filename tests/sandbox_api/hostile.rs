//! Malformed, oversized and stalled requests over raw TCP: each gets m3ter's JSON error body
//! with the right status, or its connection closed by a timeout; none is a 5xx, none holds the
//! server.

use crate::common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

fn get(env: &Env, target: &str, extra: &str) -> Vec<u8> {
    format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n{extra}Connection: close\r\n\r\n",
        env.host(),
        env.token
    )
    .into_bytes()
}

fn assert_error(answer: Option<(u16, Value)>, status: u16) -> Value {
    let (s, v) = answer.expect("an answer");
    assert_eq!(s, status, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v
}

#[tokio::test]
async fn parser_and_path_errors_are_json() {
    let env = Env::with_demo().await;
    let org = format!("/organizations/{ORG}");
    // %FF does not decode to text.
    let v = assert_error(
        env.raw(&get(&env, &format!("{org}/accounts/%FF"), ""), WAIT)
            .await,
        400,
    );
    assert_eq!(v["field"], "id", "{v}");
    // A URL longer than the parser takes.
    let long = format!("{org}/accounts?codes={}", "A".repeat(70_000));
    assert_error(env.raw(&get(&env, &long, ""), WAIT).await, 414);
    // Too many headers.
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    assert_error(
        env.raw(&get(&env, &format!("{org}/accounts"), &many), WAIT)
            .await,
        431,
    );
    // Bytes no URL may hold, and a broken request line.
    let mut bad = b"GET /organizations/\xff\x01/x HTTP/1.1\r\nHost: ".to_vec();
    bad.extend_from_slice(env.host().as_bytes());
    bad.extend_from_slice(b"\r\n\r\n");
    assert_error(env.raw(&bad, WAIT).await, 400);
    assert_error(env.raw(b"NOT HTTP AT ALL\r\n\r\n", WAIT).await, 400);
    // The server still answers normally.
    let (s, v) = env.get("/accounts").await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn foreign_host_headers_are_refused() {
    let env = Env::configured(true, |c| c.allow_hosts = vec!["sandbox.test".into()]).await;
    let port = env.sb.addr.port();
    let req = |host: &str| {
        format!(
            "GET /organizations/{ORG}/accounts HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            env.token
        )
        .into_bytes()
    };
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "localhost:1".into(),
    ] {
        let v = assert_error(env.raw(&req(&host), WAIT).await, 403);
        assert_eq!(v["field"], "Host", "{v}");
    }
    // The token endpoint is guarded too (it hands out credentials).
    let token = format!(
        "POST /oauth/token HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_error(env.raw(token.as_bytes(), WAIT).await, 403);
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("sandbox.test:{port}"),
    ] {
        let (s, v) = env.raw(&req(&host), WAIT).await.expect("an answer");
        assert_eq!(s, 200, "{host}: {v}");
    }
}

#[tokio::test]
async fn stalled_clients_are_timed_out_and_starve_no_one() {
    let env = Env::configured(true, |c| {
        c.timeouts.header = Duration::from_millis(500);
        c.timeouts.body = Duration::from_millis(500);
        c.timeouts.idle = Duration::from_secs(1);
    })
    .await;
    // Headers that never end: the connection is closed after the header timeout.
    let t = Instant::now();
    let answer = env
        .raw(
            format!(
                "GET /organizations/{ORG}/accounts HTTP/1.1\r\nHost: {}\r\nX-Slow: ",
                env.host()
            )
            .as_bytes(),
            WAIT,
        )
        .await;
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    if let Some((s, v)) = answer {
        assert!(s < 500, "{s} {v}");
    }
    // A body that stops short: 408 with a JSON body.
    let partial = format!(
        "POST /organizations/{ORG}/accounts HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"code\":",
        env.host(),
        env.token
    );
    let t = Instant::now();
    assert_error(env.raw(partial.as_bytes(), WAIT).await, 408);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // Many silent sockets: others are still served at once, and the silent ones are closed.
    let mut silent = Vec::new();
    for _ in 0..50 {
        silent.push(tokio::net::TcpStream::connect(env.sb.addr).await.unwrap());
    }
    let t = Instant::now();
    let (s, v) = env.get("/accounts").await;
    assert_eq!(s, 200, "{v}");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut closed = 0;
    for s in &mut silent {
        use tokio::io::AsyncReadExt;
        let mut b = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(100), s.read(&mut b)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 50, "silent sockets closed by the idle timeout");
}

#[tokio::test]
async fn shutdown_has_a_deadline_even_with_a_stalled_client() {
    let env = Env::configured(false, |c| c.timeouts.shutdown = Duration::from_millis(500)).await;
    use tokio::io::AsyncWriteExt;
    let mut stalled = tokio::net::TcpStream::connect(env.sb.addr).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /oauth/token HTTP/1.1\r\nHost: {}\r\nContent-Length: 50\r\n\r\n{{",
                env.host()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), env.sb.shutdown())
        .await
        .expect("shutdown returns within its deadline");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    drop(stalled);
}

/// `sandbox serve` exits on SIGTERM within its shutdown deadline although a client is stalled
/// in the middle of a request.
#[cfg(unix)]
#[test]
fn serve_stops_on_sigterm_with_a_stalled_client() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_m3ter-console"))
        .args(["sandbox", "serve", "--empty", "--db"])
        .arg(dir.path().join("s.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    // Keep reading, so the banner's later lines never meet a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = first
        .trim()
        .strip_prefix("m3ter sandbox listening on http://")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    let mut stalled = std::net::TcpStream::connect(&url).unwrap();
    // Headers that never end.
    write!(
        stalled,
        "GET /oauth/token HTTP/1.1\r\nHost: {url}\r\nX-Slow: "
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            assert!(code.success(), "{code:?}");
            break;
        }
        if t.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("sandbox serve still running 15 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    drop(stalled);
}

/// HTTP/2 with prior knowledge is served too, and its `Host` is checked.
#[tokio::test]
async fn http2_prior_knowledge_is_served_and_host_checked() {
    let env = Env::with_demo().await;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let token = fetch_token(&h2, &env.sb.base_url).await;
    let r = h2
        .get(env.url("/accounts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
    // Connect by address (no name lookups in tests) and name another host.
    let r = h2
        .get(env.url("/accounts"))
        .header("host", format!("evil.example:{}", env.sb.addr.port()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
