//! Hostile and fuzzed requests: never a 5xx, never a non-JSON error, never a dead server.

use crate::support::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

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
