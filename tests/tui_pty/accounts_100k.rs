//! The Accounts screen with 100,000 accounts: it opens on the first page, filters on the
//! server, pages as it scrolls, and `G` shows the last account — without loading them all.
//! Timings are printed (`cargo test --test tui_accounts_100k -- --nocapture`).

use super::pty::*;
use futures::StreamExt;
use m3ter_console::m3ter::{Account, AccountRequest, Measurement};
use std::time::{Duration, Instant};

const N: usize = 100_000;
const BATCH: usize = 1000;

fn code(i: usize) -> String {
    format!("ACC-{i:06}")
}

/// 100 ingest requests of 1000 measurements, each for a new code: m3ter (and the sandbox)
/// auto-create one account per code.
fn ingest(env: &Env) -> Duration {
    let client = env.client();
    let t = Instant::now();
    env.rt.block_on(async {
        let batches = (0..N / BATCH).map(|b| {
            let client = client.clone();
            async move {
                let ms: Vec<Measurement> = (b * BATCH..(b + 1) * BATCH)
                    .map(|i| Measurement {
                        meter: "api_calls".into(),
                        account: code(i),
                        ts: "2026-01-01T00:00:00Z".into(),
                        measure: Some([("calls".to_string(), 1.into())].into()),
                        ..Default::default()
                    })
                    .collect();
                client.submit(&ms).await.expect("accepted")
            }
        });
        // Sequential: SQLite takes one writer at a time anyway, and it keeps creation order.
        futures::stream::iter(batches)
            .buffered(1)
            .collect::<Vec<_>>()
            .await;
        // "accepted" is not "landed": the sandbox auto-creates the accounts in its enrichment
        // stage, in arrival order, so the last code existing means all do.
        let deadline = Instant::now() + Duration::from_secs(300);
        while client
            .account_by_code(&code(N - 1))
            .await
            .unwrap()
            .is_none()
        {
            assert!(Instant::now() < deadline, "the enrichment never caught up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    t.elapsed()
}

/// The other way: `POST /accounts`, 8 at a time, for `n` accounts (timed for comparison).
fn post_accounts(env: &Env, n: usize) -> Duration {
    let client = env.client();
    let t = Instant::now();
    env.rt.block_on(async {
        futures::stream::iter((0..n).map(|i| {
            let client = client.clone();
            async move {
                let req = AccountRequest {
                    code: format!("POST-{i:06}"),
                    name: format!("Posted {i}"),
                    email_address: format!("p{i}@example.com"),
                    ..Default::default()
                };
                client.create::<Account>(&req).await.expect("created")
            }
        }))
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    });
    t.elapsed()
}

#[test]
fn a_hundred_thousand_accounts_open_filter_and_scroll_to_the_end() {
    let mut env = Env::start();
    env.timeout = Duration::from_secs(120);
    let sample = 1000;
    let posted = post_accounts(&env, sample);
    let ingested = ingest(&env);
    println!(
        "create: ingest {N} auto-created accounts in {:.1}s ({} requests × {BATCH}); POST /accounts ×{sample} (8 concurrent) in {:.1}s ≈ {:.0}s for {N}",
        ingested.as_secs_f64(),
        N / BATCH,
        posted.as_secs_f64(),
        posted.as_secs_f64() * (N / sample) as f64
    );

    let mut tui = env.tui();
    tui.wait_for("Cloud Compute");
    let t = Instant::now();
    tui.send("A");
    tui.wait_for(&code(N - 1));
    tui.wait_for("100 loaded");
    println!("open: first page in {:.2}s", t.elapsed().as_secs_f64());

    // Scrolling pages in more (and never everything).
    let t = Instant::now();
    tui.keys(&[PGDN, PGDN, PGDN, PGDN]);
    tui.wait_until("a second page", |s| {
        s.contains("200 loaded") || s.contains("300 loaded")
    });
    println!("scroll: next page in {:.2}s", t.elapsed().as_secs_f64());

    // Filter on the server.
    let t = Instant::now();
    tui.keys(&["/", "ACC-07777"]);
    let s = tui.wait_until("filtered", |s| {
        s.contains("ACC-077779") && !s.contains(&code(N - 1))
    });
    assert!(s.contains("10 accounts"), "{s}");
    println!("filter: 10 of {N} in {:.2}s", t.elapsed().as_secs_f64());

    // Clear the filter, then the very end: the oldest account (the demo data came first).
    tui.keys(&[ESC]);
    tui.wait_for(&code(N - 1));
    let t = Instant::now();
    tui.send("G");
    let s = tui.wait_until("the last account selected", |s| {
        s.lines()
            .any(|l| l.contains("▶") && l.contains("ACME-ROBOTICS") && !l.contains("-EU"))
    });
    assert!(
        s.contains("more as you scroll") || s.contains("loading…"),
        "the middle was never loaded:\n{s}"
    );
    println!("G: last account in {:.2}s", t.elapsed().as_secs_f64());
    // Up from the end: the rows before it are there.
    tui.keys(&["k"; 3]);
    tui.wait_until("moved up", |s| {
        s.lines().any(|l| l.contains("▶") && l.contains("INITECH"))
    });
    // The Submit picker preloads only the newest accounts and searches the server for the rest.
    tui.send(ESC);
    let t = Instant::now();
    tui.open_submit();
    tui.keys(&["ACC-00000"]);
    tui.wait_for("ACC-000001");
    println!(
        "submit picker: an old account found in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    tui.quit();
}
