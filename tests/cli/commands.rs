//! Every read/write subcommand through the real binary against a real sandbox, with both output
//! formats and the documented exit codes.

use crate::support::*;

#[test]
fn products_and_meters() {
    let ts = TestSandbox::start();
    let p = ts.run(&["products", "list"]).ok().json();
    let codes: Vec<_> = p
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"CLOUD-COMPUTE".to_string()), "{codes:?}");
    let t = ts.run(&["products", "list", "-o", "table"]).ok();
    assert!(t.stdout.starts_with("CODE"), "{}", t.stdout);
    assert!(t.stdout.contains("CLOUD-COMPUTE"));

    let all = ts.run(&["meters", "list"]).ok().json();
    let global = ts.run(&["meters", "list", "--global"]).ok().json();
    let cloud = ts
        .run(&["meters", "list", "--product", "CLOUD-COMPUTE"])
        .ok()
        .json();
    let n = |v: &serde_json::Value| v.as_array().unwrap().len();
    assert!(n(&global) >= 1 && n(&cloud) >= 1 && n(&all) > n(&cloud));
    assert!(global
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m.get("productId").is_none()));
    let t = ts.run(&["meters", "list", "-o", "table"]).ok();
    assert!(
        t.stdout.contains("(global)") && t.stdout.contains("measure.calls"),
        "{}",
        t.stdout
    );
    let bad = ts.run(&["meters", "list", "--product", "NOPE"]);
    assert_eq!(bad.code, 1, "not found, as `accounts show NOPE`");
    assert!(
        bad.stderr.contains("CLOUD-COMPUTE"),
        "lists the known products: {}",
        bad.stderr
    );
}

#[test]
fn accounts_lifecycle() {
    let ts = TestSandbox::start();
    let created = ts
        .run(&[
            "accounts",
            "create",
            "--code",
            "NEWCO",
            "--name",
            "New Co",
            "--email",
            "ops@newco.example",
            "--currency",
            "USD",
            "--po",
            "PO-7",
            "--days-before-bill-due",
            "14",
            "--bill-epoch",
            "2026-01-01",
            "--credit-order",
            "balance,prepayment",
            "--statement-mode",
            "json-and-csv",
            "--parent",
            "INITECH",
            "--locality",
            "Leeds",
            "--custom",
            "tier=gold",
            "--custom",
            "seats=5",
        ])
        .ok()
        .json();
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["creditApplicationOrder"],
        serde_json::json!(["BALANCE", "PREPAYMENT"])
    );
    assert_eq!(created["autoGenerateStatementMode"], "JSON_AND_CSV");
    assert_eq!(created["customFields"]["seats"], 5);
    assert_eq!(created["address"]["locality"], "Leeds");
    assert!(created["parentAccountId"].is_string());

    let updated = ts
        .run(&[
            "accounts",
            "update",
            "NEWCO",
            "--name",
            "New Co Ltd",
            "--currency",
            "GBP",
        ])
        .ok()
        .json();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "New Co Ltd");
    assert_eq!(
        updated["purchaseOrderNumber"], "PO-7",
        "fields not given are kept"
    );
    assert_eq!(updated["customFields"]["tier"], "gold");

    let shown = ts.run(&["accounts", "show", "NEWCO", "-o", "table"]).ok();
    assert!(
        shown.stdout.contains("New Co Ltd") && shown.stdout.contains("GBP"),
        "{}",
        shown.stdout
    );

    // Local validation names the flag; nothing is sent.
    let bad = ts.run(&[
        "accounts",
        "create",
        "--code",
        "X",
        "--name",
        "X",
        "--email",
        "nope",
        "--currency",
        "usd",
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--email") && bad.stderr.contains("--currency"),
        "{}",
        bad.stderr
    );
    // The server's refusal (duplicate code) is exit 1.
    let dup = ts.run(&[
        "accounts",
        "create",
        "--code",
        "NEWCO",
        "--name",
        "Again",
        "--email",
        "a@b.example",
    ]);
    assert_eq!(dup.code, 1, "{}", dup.stderr);

    // Delete asks; without a terminal it needs --yes.
    let refused = ts.run(&["accounts", "delete", "NEWCO"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--yes"));
    ts.run(&["accounts", "delete", "NEWCO", "--yes"]).ok();
    let gone = ts.run(&["accounts", "show", "NEWCO"]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("NEWCO"));
}

#[test]
fn auto_created_accounts_are_marked() {
    let ts = TestSandbox::start();
    ts.run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "FRESH-1",
        "--field",
        "calls=1",
    ])
    .ok();
    ts.settle();
    let auto = ts.run(&["accounts", "list", "--auto-created"]).ok().json();
    let codes: Vec<_> = auto
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FRESH-1"]);
    let t = ts.run(&["accounts", "list", "-o", "table"]).ok();
    let line = t.stdout.lines().find(|l| l.starts_with("FRESH-1")).unwrap();
    assert!(line.ends_with("auto"), "{line}");
    assert!(t
        .stdout
        .lines()
        .any(|l| l.starts_with("INITECH") && !l.ends_with("auto")));
}

#[test]
fn help_completions_and_exit_codes() {
    let ts = TestSandbox::start();
    for args in [
        vec!["--help"],
        vec!["products", "--help"],
        vec!["meters", "list", "--help"],
        vec!["accounts", "create", "--help"],
        vec!["accounts", "update", "--help"],
        vec!["submit", "--help"],
        vec!["config", "set-profile", "--help"],
        vec!["completions", "--help"],
        vec!["sandbox", "serve", "--help"],
    ] {
        let r = ts.run(&args).ok();
        assert!(r.stdout.contains("Usage"), "{args:?}: {}", r.stdout);
    }
    // A command's own flags are listed apart from the global ones; no internal notes.
    let r = ts.run(&["accounts", "list", "--help"]).ok();
    let (own, global) = r
        .stdout
        .split_once("Global options:")
        .expect("a global section");
    assert!(
        own.contains("--auto-created") && !own.contains("--profile"),
        "{own}"
    );
    assert!(
        global.contains("--profile") && global.contains("--output"),
        "{global}"
    );
    let r = ts.run(&["accounts", "--help"]).ok();
    assert!(!r.stdout.contains("boxed"), "{}", r.stdout);
    let r = ts.run(&["completions", "bash"]).ok();
    assert!(
        r.stdout.contains("m3ter-console") && r.stdout.contains("complete"),
        "bash script"
    );
    ts.run(&["completions", "zsh"]).ok();
    assert_eq!(
        ts.run(&["accounts", "frobnicate"]).code,
        2,
        "clap usage error"
    );

    // Cannot connect: a closed port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let r = Run::from(ts.cmd_at(&url).args(["products", "list"]).output().unwrap());
    assert_eq!(r.code, 3, "{}", r.stderr);
    // Bad credentials.
    let r = Run::from(
        ts.cmd()
            .env("M3TER_API_SECRET", "wrong")
            .args(["products", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn embedded_sandbox_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("embedded.db");
    let run = |args: &[&str]| {
        Run::from(
            std::process::Command::new(BIN)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("M3TER_CONSOLE_CONFIG", dir.path().join("none.toml"))
                .args(["--sandbox-db", db.to_str().unwrap()])
                .args(args)
                .output()
                .unwrap(),
        )
    };
    run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "EMB",
        "--field",
        "calls=2",
    ])
    .ok();
    let accounts = run(&["accounts", "list"]).ok().json();
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "EMB"),
        "same db across runs"
    );
    // --sandbox wins over environment credentials.
    let r = Run::from(
        std::process::Command::new(BIN)
            .env("M3TER_API_KEY", "k")
            .env("M3TER_API_SECRET", "s")
            .env("M3TER_ORG_ID", "o")
            .env("M3TER_CONSOLE_CONFIG", dir.path().join("none.toml"))
            .args([
                "--sandbox",
                "--sandbox-db",
                db.to_str().unwrap(),
                "products",
                "list",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn accounts_list_pages_through_the_sandbox() {
    let ts = TestSandbox::start();
    let file = ts.path("many.ndjson");
    write_ndjson(&file, 250, 250);
    ts.run(&["submit", "--file", file.to_str().unwrap()]).ok();
    ts.settle();
    let all = ts.run(&["accounts", "list"]).ok().json();
    let codes: std::collections::HashSet<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        all.as_array().unwrap().len(),
        codes.len(),
        "no account twice"
    );
    assert!(
        codes.len() >= 254,
        "250 auto-created + the demo ones, over 3+ pages of 100: {}",
        codes.len()
    );
    let auto = ts.run(&["accounts", "list", "--auto-created"]).ok().json();
    assert_eq!(auto.as_array().unwrap().len(), 250);
}

/// `accounts list | head -1` and the like: the reader closing the pipe early is not an error
/// (no message, exit 0; `completions` used to panic with 101).
#[test]
fn a_closed_pipe_ends_quietly() {
    let ts = TestSandbox::start();
    for args in [
        vec!["accounts", "list", "-o", "table"],
        vec!["accounts", "list", "-o", "json"],
        vec!["products", "list", "-o", "table"],
        vec!["completions", "bash"],
        vec!["config", "path"],
    ] {
        let mut child = ts
            .cmd()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// Something named on the command line that does not exist is "not found", exit 1, whatever
/// the command.
#[test]
fn not_found_is_exit_1_everywhere() {
    let ts = TestSandbox::start();
    for args in [
        vec!["accounts", "show", "NOPE"],
        vec!["accounts", "delete", "NOPE", "--yes"],
        vec!["accounts", "update", "NOPE", "--name", "x"],
        vec!["meters", "list", "--product", "NOPE"],
    ] {
        let r = ts.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("NOPE"), "{args:?}: {}", r.stderr);
    }
}

/// Names from the server are printed with their control characters escaped: an account name
/// cannot clear the screen, retitle the window or forge a table row.
#[test]
fn escape_sequences_from_the_server_are_not_obeyed() {
    let ts = TestSandbox::start();
    let evil = "Evil\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nFORGED  row";
    ts.run(&[
        "accounts",
        "create",
        "--code",
        "EVIL",
        "--name",
        evil,
        "--email",
        "e@example.com",
        "-o",
        "json",
    ])
    .ok();
    for args in [
        vec!["accounts", "list", "-o", "table"],
        vec!["accounts", "show", "EVIL", "-o", "table"],
        vec!["accounts", "show", "EVIL", "-o", "json"],
    ] {
        let r = ts.run(&args).ok();
        assert!(
            !r.stdout.chars().any(|c| c.is_control() && c != '\n'),
            "{args:?}: {:?}",
            r.stdout
        );
        assert!(
            !r.stdout.lines().any(|l| l.starts_with("FORGED")),
            "{args:?}"
        );
    }
    // Errors too: the server's message may quote the value.
    let r = ts.run(&["accounts", "show", "NO\u{1b}[2JPE"]);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}

/// `accounts list` prints each page as it arrives: here the second page is held back until
/// the first page's rows have been read from the CLI's stdout.
#[test]
fn accounts_list_prints_pages_as_they_arrive() {
    use axum::extract::Query;
    use axum::routing::{get, post};
    use serde_json::json;
    use std::collections::HashMap;
    use std::io::BufRead;
    use std::sync::Arc;

    let ts = TestSandbox::start();
    let release = Arc::new(tokio::sync::Notify::new());
    let gate = release.clone();
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
            get(move |Query(q): Query<HashMap<String, String>>| async move {
                let page = |from: usize| -> Vec<serde_json::Value> {
                    (from..from + 100)
                        .map(|i| {
                            json!({"id": format!("a{i}"), "code": format!("ACC-{i:03}"),
                            "name": format!("Account {i}"), "emailAddress": "a@x.example"})
                        })
                        .collect()
                };
                if !q.contains_key("nextToken") {
                    axum::Json(json!({"data": page(0), "nextToken": "p2"}))
                } else {
                    gate.notified().await;
                    axum::Json(json!({"data": page(100)}))
                }
            }),
        );
    let listener = ts
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    ts.rt.spawn(async move { axum::serve(listener, app).await });

    for format in ["table", "json"] {
        let mut child = ts
            .cmd_at(&url)
            .args(["accounts", "list", "-o", format])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let _ = tx.send(line.unwrap());
            }
        });
        let mut seen = Vec::new();
        while !seen.iter().any(|l: &String| l.contains("ACC-099")) {
            let line = rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{format}: the first page was not printed on its own"));
            seen.push(line);
        }
        release.notify_one();
        seen.extend(rx.iter());
        assert!(child.wait().unwrap().success());
        let all = seen.join("\n");
        assert!(all.contains("ACC-199"), "{format}: {all}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&all).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 200);
        }
    }
}

/// `meters show` lists every data field with its category; `meters template` prints the
/// Console's CSV template, which `submit --file` takes as is.
#[test]
fn meters_show_and_template() {
    let ts = TestSandbox::start();
    let r = ts
        .run(&["meters", "show", "storage_gb", "-o", "table"])
        .ok();
    for says in [
        "storage_gb",
        "CLOUD-COMPUTE",
        "measure.gb",
        "MEASURE",
        "cost.storage_cost",
    ] {
        assert!(r.stdout.contains(says), "{says}: {}", r.stdout);
    }
    let j = ts
        .run(&["meters", "show", "storage_gb", "-o", "json"])
        .ok()
        .json();
    assert_eq!(j["code"], "storage_gb");
    assert_eq!(ts.run(&["meters", "show", "NOPE"]).code, 1);

    let r = ts
        .run(&["meters", "template", "api_calls", "--account", "TEMPLATED"])
        .ok();
    assert!(
        r.stdout
            .starts_with("uid,meter,account,ts,ets,who.user,other.endpoint,measure.calls\r\n"),
        "{:?}",
        r.stdout
    );
    let csv = ts.path("template.csv");
    std::fs::write(&csv, &r.stdout).unwrap();
    ts.run(&["submit", "--file", csv.to_str().unwrap(), "-q"])
        .ok();
    assert!(ts
        .measurements()
        .iter()
        .any(|m| m["account"] == "TEMPLATED" && m["measure"]["calls"] == 1));
}
