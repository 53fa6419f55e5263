//! `accounts update` beyond setting fields: `--clear` against a real sandbox (PUT replaces the
//! whole entity, so a cleared field must be gone afterwards and every other field kept), and a
//! stale-version 409 answered by a scripted server.

use crate::support::*;
use serde_json::json;

#[test]
fn clear_removes_fields_keeps_the_rest_and_refuses_required_ones() {
    let ts = TestSandbox::start();
    let created = ts
        .run(&[
            "accounts",
            "create",
            "--code",
            "CLR",
            "--name",
            "Clear Co",
            "--email",
            "ops@clr.example",
            "--currency",
            "USD",
            "--po",
            "PO-1",
            "--days-before-bill-due",
            "10",
            "--statement-mode",
            "json",
            "--locality",
            "Leeds",
            "--country",
            "UK",
            "--custom",
            "tier=gold",
            "--custom",
            "seats=5",
        ])
        .ok()
        .json();
    assert_eq!(created["version"], 1);

    // Flag names and wire names both work; one custom key goes, the other stays.
    let r = ts
        .run(&[
            "accounts",
            "update",
            "CLR",
            "--clear",
            "po",
            "--clear",
            "autoGenerateStatementMode",
            "--clear",
            "custom.tier",
            "--clear",
            "locality",
            "--name",
            "Clear Co Ltd",
        ])
        .ok();
    let updated = r.json();
    assert_eq!(updated["version"], 2, "{updated}");
    for gone in ["purchaseOrderNumber", "autoGenerateStatementMode"] {
        assert!(updated.get(gone).is_none(), "{gone} cleared: {updated}");
    }
    assert_eq!(updated["customFields"], json!({"seats": 5}));
    assert_eq!(updated["address"], json!({"country": "UK"}));
    assert_eq!(updated["name"], "Clear Co Ltd");
    assert_eq!(updated["currency"], "USD", "fields not named are kept");
    assert_eq!(updated["daysBeforeBillDue"], 10);

    // What the server stores, read back afresh.
    let shown = ts.run(&["accounts", "show", "CLR"]).ok().json();
    assert!(shown.get("purchaseOrderNumber").is_none(), "{shown}");
    assert_eq!(shown["version"], 2);

    let r = ts
        .run(&[
            "accounts", "update", "CLR", "--clear", "custom", "--clear", "address",
        ])
        .ok();
    let v = r.json();
    assert_eq!(v["version"], 3);
    assert!(
        v.get("customFields").is_none() && v.get("address").is_none(),
        "{v}"
    );
    assert_eq!(v["currency"], "USD");

    // Required fields, unknown names and set-and-clear are usage errors: nothing is sent.
    for (args, says) in [
        (&["--clear", "email"][..], "emailAddress is required"),
        (&["--clear", "name"][..], "name is required"),
        (&["--clear", "code"][..], "--new-code"),
        (&["--clear", "colour"][..], "\"colour\""),
        (
            &["--clear", "currency", "--currency", "EUR"][..],
            "--currency",
        ),
    ] {
        let r = ts.run(&[&["accounts", "update", "CLR"][..], args].concat());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let after = ts.run(&["accounts", "show", "CLR"]).ok().json();
    assert_eq!(after["version"], 3, "refused updates sent nothing");
}

/// A server that answers the account lookup with version 1 and every PUT with a 409, as m3ter
/// does when the account changed between our read and our write.
#[test]
fn a_stale_version_409_says_what_happened_and_how_to_retry() {
    use axum::routing::{get, post, put};
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;

    let ts = TestSandbox::start();
    let puts = Arc::new(AtomicUsize::new(0));
    let counter = puts.clone();
    let account = json!({"id": "a1", "version": 1, "code": "STALE", "name": "Stale Co",
        "emailAddress": "s@stale.example"});
    let accounts = format!(
        "/organizations/{}/accounts",
        m3ter_console::sandbox::DEFAULT_ORG_ID
    );
    let app = axum::Router::new()
        .route(
            "/oauth/token",
            post(|| async {
                axum::Json(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}))
            }),
        )
        .route(
            &accounts,
            get(move || async move { axum::Json(json!({ "data": [account] })) }),
        )
        .route(
            &format!("{accounts}/a1"),
            put(move || async move {
                counter.fetch_add(1, SeqCst);
                (
                    axum::http::StatusCode::CONFLICT,
                    axum::Json(json!({"message": "version 1 is stale"})),
                )
            }),
        );
    let listener = ts
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    ts.rt.spawn(async move { axum::serve(listener, app).await });

    let r = Run::from(
        ts.cmd_at(&url)
            .args(["accounts", "update", "STALE", "--name", "Mine"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    for says in [
        "account STALE was changed by someone else",
        "(version 1)",
        "nothing was written",
        "run the same command again",
        "HTTP 409: version 1 is stale",
    ] {
        assert!(r.stderr.contains(says), "{says:?} in: {}", r.stderr);
    }
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(puts.load(SeqCst) >= 1);
}

/// A real concurrent edit: a proxy in front of the sandbox lets another writer change the account
/// just before our PUT reaches it, so the sandbox refuses our stale version.
#[test]
fn a_concurrent_edit_is_refused_not_overwritten_and_a_rerun_applies() {
    use axum::body::{to_bytes, Body};
    use axum::extract::Request;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::Arc;

    let ts = TestSandbox::start();
    ts.run(&[
        "accounts",
        "create",
        "--code",
        "RACE",
        "--name",
        "Race Co",
        "--email",
        "r@race.example",
    ])
    .ok();
    let target = ts.base_url.clone();
    let raced = Arc::new(AtomicBool::new(false));
    let proxy = axum::Router::new().fallback(move |req: Request| {
        let (target, raced) = (target.clone(), raced.clone());
        async move {
            let (parts, body) = req.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap();
            let http = reqwest::Client::new();
            let send = |body: Vec<u8>| {
                let mut rb = http.request(parts.method.clone(), format!("{target}{}", parts.uri));
                for (k, v) in &parts.headers {
                    if k != "host" && k != "content-length" {
                        rb = rb.header(k, v);
                    }
                }
                rb.body(body).send()
            };
            if parts.method == "PUT" && !raced.swap(true, SeqCst) {
                // The other writer read the same version and sets a currency; it gets there first.
                let mut other: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                other["name"] = json!("Race Co");
                other["currency"] = json!("EUR");
                let r = send(serde_json::to_vec(&other).unwrap()).await.unwrap();
                assert!(r.status().is_success(), "{}", r.text().await.unwrap());
            }
            let resp = send(bytes.to_vec()).await.unwrap();
            let status = resp.status();
            let mut out = axum::response::Response::builder().status(status);
            for (k, v) in resp.headers() {
                if k != "content-length" && k != "transfer-encoding" {
                    out = out.header(k, v);
                }
            }
            out.body(Body::from(resp.bytes().await.unwrap())).unwrap()
        }
    });
    let listener = ts
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    ts.rt
        .spawn(async move { axum::serve(listener, proxy).await });

    let update = || {
        Run::from(
            ts.cmd_at(&url)
                .args(["accounts", "update", "RACE", "--name", "Race Co Ltd"])
                .output()
                .unwrap(),
        )
    };
    let r = update();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("changed by someone else") && r.stderr.contains("HTTP 409"),
        "{}",
        r.stderr
    );
    let now = ts.run(&["accounts", "show", "RACE"]).ok().json();
    assert_eq!(
        (&now["name"], &now["currency"], &now["version"]),
        (&json!("Race Co"), &json!("EUR"), &json!(2)),
        "the other writer's change stands, ours was not written"
    );

    let again = update().ok().json();
    assert_eq!(
        (&again["name"], &again["currency"], &again["version"]),
        (&json!("Race Co Ltd"), &json!("EUR"), &json!(3)),
        "the rerun applies on top of the other change"
    );
}

/// A server with a field this console does not model and a value our rules would refuse
/// (`currency: "usd"`): changing the name sends every field back, the unknown one included,
/// and checks only the name.
#[test]
fn an_update_keeps_unknown_fields_and_checks_only_what_changes() {
    use axum::routing::{get, post, put};
    use std::sync::{Arc, Mutex};

    let ts = TestSandbox::start();
    let sent = Arc::new(Mutex::new(None::<serde_json::Value>));
    let seen = sent.clone();
    let account = json!({"id": "a1", "version": 4, "code": "NEWER", "name": "Newer Co",
        "emailAddress": "n@newer.example", "currency": "usd", "dtCreated": "2026-01-01T00:00:00Z",
        "address": {"locality": "Leeds", "what3words": "index.home.raft"},
        "billingContact": {"name": "Ann", "phone": "+44"}});
    let echo = account.clone();
    let accounts = format!(
        "/organizations/{}/accounts",
        m3ter_console::sandbox::DEFAULT_ORG_ID
    );
    let app = axum::Router::new()
        .route(
            "/oauth/token",
            post(|| async {
                axum::Json(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}))
            }),
        )
        .route(
            &accounts,
            get(move || async move { axum::Json(json!({ "data": [account] })) }),
        )
        .route(
            &format!("{accounts}/a1"),
            put(
                move |axum::Json(body): axum::Json<serde_json::Value>| async move {
                    *seen.lock().unwrap() = Some(body.clone());
                    let mut out = echo.clone();
                    out["name"] = body["name"].clone();
                    out["version"] = json!(5);
                    axum::Json(out)
                },
            ),
        );
    let listener = ts
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    ts.rt.spawn(async move { axum::serve(listener, app).await });

    let r = Run::from(
        ts.cmd_at(&url)
            .args([
                "accounts",
                "update",
                "NEWER",
                "--name",
                "Newer Ltd",
                "--region",
                "Yorkshire",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = sent.lock().unwrap().clone().expect("a PUT");
    assert_eq!(
        body,
        json!({"version": 4, "code": "NEWER", "name": "Newer Ltd",
            "emailAddress": "n@newer.example", "currency": "usd",
            "address": {"locality": "Leeds", "what3words": "index.home.raft", "region": "Yorkshire"},
            "billingContact": {"name": "Ann", "phone": "+44"}})
    );
}
