//! Sandbox speed, measured over real HTTP with the console's own client (`cargo bench --bench
//! sandbox`). Each figure is the median of repeated runs, reported with its ratio to a baseline
//! measured in the same run: one cheap authenticated call (`GET /products?pageSize=1`).
//!
//! What it answers: how much one 1000-measurement ingest request costs (the durable COMMIT
//! included); whether listing accounts stays flat from 100 to 100,000 accounts (keyset pages);
//! and what filtering and sorting 100,000 accounts through `accounts/search` costs, which the
//! Accounts screen does as the user types: `~` on name/code goes through the full-text index,
//! next to the same filter through the unindexed scan path.
//!
//! Reads during ingest: the p50/p99 of a 100-account list page while 4 clients ingest
//! 1000-measurement batches without pause, next to the same page on an idle sandbox.
//!
//! `BENCH_ACCOUNTS` sets the large account count (default 100000); `BENCH_RUNS` the repeats;
//! `BENCH_ONLY=reads` runs only the reads-during-ingest section.

use futures::StreamExt;
use m3ter_console::m3ter::{
    Account, Client, ClientConfig, Credentials, ListQuery, Measurement, Product, SearchQuery,
};
use m3ter_console::sandbox::{self, SandboxConfig};
use std::future::Future;
use std::time::{Duration, Instant};

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn median<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    f().await; // warm-up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn measurement(account: &str) -> Measurement {
    let mut m = Measurement {
        uid: Some(uuid::Uuid::new_v4().to_string()),
        meter: "api_calls".into(),
        account: account.into(),
        ts: "2026-01-01T00:00:00Z".into(),
        ..Default::default()
    };
    m.numbers_mut(m3ter_console::m3ter::DataFieldCategory::Measure)
        .unwrap()
        .insert("calls".into(), 1.into());
    m
}

/// Adds accounts until there are `n`, through ingest auto-creation (1000 new codes a request).
async fn grow_accounts(client: &Client, from: usize, n: usize) {
    let mut i = from;
    while i < n {
        let end = (i + 1000).min(n);
        let batch: Vec<_> = (i..end)
            .map(|k| measurement(&format!("BENCH-{k:06}")))
            .collect();
        client.submit(&batch).await.expect("seed accounts");
        i = end;
    }
}

struct Report {
    baseline: Duration,
    rows: Vec<(String, Duration)>,
}

impl Report {
    fn add(&mut self, name: &str, d: Duration) {
        println!(
            "{name:<52} median {:>9.2} ms   {:>8.1}× baseline",
            d.as_secs_f64() * 1e3,
            d.as_secs_f64() / self.baseline.as_secs_f64()
        );
        self.rows.push((name.to_string(), d));
    }
}

/// p50 and p99 of `samples`.
fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

/// One 100-account list page, idle and then while 4 writers ingest 1000-measurement batches.
/// The writers are another program, as they would be (a CLI upload while the TUI reads): their
/// own client on their own runtime thread, so building and encoding their batches does not hold
/// up the reader's runtime, which the sandbox serves from.
async fn reads_during_ingest(client: &Client, writer: Client, acct: &str, runs: usize) {
    let samples = (runs * 20).max(100);
    let page = || async {
        let t = Instant::now();
        client
            .list_page::<Account>(&ListQuery::page_size(100), None)
            .await
            .unwrap();
        t.elapsed()
    };
    let mut idle = Vec::with_capacity(samples);
    for _ in 0..samples {
        idle.push(page().await);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("bench-writers")
        .enable_all()
        .build()
        .unwrap();
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (client, acct) = (writer.clone(), acct.to_string());
            let (stop, written) = (stop.clone(), written.clone());
            writers_rt.spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let batch: Vec<_> = (0..1000).map(|_| measurement(&acct)).collect();
                    client.submit(&batch).await.unwrap();
                    written.fetch_add(1000, std::sync::atomic::Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let mut busy = Vec::with_capacity(samples);
    for _ in 0..samples {
        busy.push(page().await);
    }
    let elapsed = t.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    writers_rt.shutdown_background();
    let (i50, i99) = percentiles(idle);
    let (b50, b99) = percentiles(busy);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "accounts list page of 100, idle ({samples} reads)        p50 {:>8.2} ms   p99 {:>8.2} ms",
        ms(i50),
        ms(i99)
    );
    println!(
        "accounts list page of 100, 4 writers ingesting       p50 {:>8.2} ms   p99 {:>8.2} ms   ({:.1}× idle p50; ~{:.0} measurements/s written)",
        ms(b50),
        ms(b99),
        b50.as_secs_f64() / i50.as_secs_f64(),
        written.load(std::sync::atomic::Ordering::Relaxed) as f64 / elapsed.as_secs_f64()
    );
}

/// A page of the sandbox's `GET /measurements` (all, and one account's) at the size the bench
/// has grown to, next to the listing query the sandbox used before it had an index for it (run
/// directly on the same file: it sorted every row of the org for each page).
async fn measurement_pages(report: &mut Report, sb: &sandbox::Sandbox, runs: usize) {
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", sb.base_url))
        .basic_auth(&sb.config.api_key, Some(&sb.config.api_secret))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let conn = rusqlite::Connection::open(&sb.config.db_path).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM measurements", [], |r| r.get(0))
        .unwrap();
    for (label, query) in [("all", ""), ("one account", "&account=BENCH-000042")] {
        let url = format!(
            "{}/organizations/{}/measurements?pageSize=1000{query}",
            sb.base_url, sb.config.org_id
        );
        let page = median(runs, || async {
            let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
        })
        .await;
        report.add(
            &format!("measurements list: page of 1000, {label} ({n} stored)"),
            page,
        );
    }
    let old = median(runs.min(5), || async {
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, body FROM measurements WHERE org = ?1
                   AND (?2 IS NULL OR account = ?2) AND (?3 IS NULL OR meter = ?3)
                   AND (?4 IS NULL OR seq < ?4)
                 ORDER BY seq DESC LIMIT ?5",
            )
            .unwrap();
        let rows = stmt
            .query_map(
                rusqlite::params![
                    sb.config.org_id,
                    None::<String>,
                    None::<String>,
                    None::<i64>,
                    1001
                ],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            .count();
        assert!(rows > 0);
    })
    .await;
    report.add(
        &format!("measurements list: the former query (sorts), SQL only ({n} stored)"),
        old,
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

async fn run() {
    let big = env_usize("BENCH_ACCOUNTS", 100_000);
    let runs = env_usize("BENCH_RUNS", 15);
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox::start(SandboxConfig {
        db_path: dir.path().join("bench.db"),
        demo_data: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let creds = Credentials {
        org_id: sb.config.org_id.clone(),
        api_key: sb.config.api_key.clone(),
        api_secret: sb.config.api_secret.clone(),
        token: None,
    };
    let client = Client::new(ClientConfig::new(creds.clone(), Some(&sb.base_url))).unwrap();

    let baseline = median(runs * 4, || async {
        client
            .list_page::<Product>(&ListQuery::page_size(1), None)
            .await
            .unwrap();
    })
    .await;
    println!("sandbox bench: {runs} runs each, medians; baseline = GET /products?pageSize=1");
    println!(
        "{:<52} median {:>9.2} ms   {:>8.1}× baseline",
        "baseline",
        baseline.as_secs_f64() * 1e3,
        1.0
    );
    let mut report = Report {
        baseline,
        rows: vec![],
    };

    let existing: Vec<Account> = client.list_all(ListQuery::default()).await.unwrap();
    let acct = existing[0].code.clone().unwrap();
    let writer = Client::new(ClientConfig::new(creds.clone(), Some(&sb.base_url))).unwrap();
    reads_during_ingest(&client, writer, &acct, runs).await;
    if std::env::var("BENCH_ONLY").as_deref() == Ok("reads") {
        sb.shutdown().await;
        return;
    }
    let one = median(runs, || async {
        client.submit(&[measurement(&acct)]).await.unwrap();
    })
    .await;
    report.add("ingest: 1 measurement", one);
    let thousand = median(runs, || async {
        let batch: Vec<_> = (0..1000).map(|_| measurement(&acct)).collect();
        client.submit(&batch).await.unwrap();
    })
    .await;
    report.add("ingest: 1000 measurements (one request)", thousand);
    println!(
        "  → {:.0} measurements/s in 1000-batches",
        1000.0 / thousand.as_secs_f64()
    );

    for n in [100, big] {
        let have = client
            .list::<Account>(ListQuery::page_size(100))
            .count()
            .await;
        grow_accounts(&client, have.saturating_sub(existing.len()), n).await;
        let first = median(runs, || async {
            client
                .list_page::<Account>(&ListQuery::page_size(100), None)
                .await
                .unwrap();
        })
        .await;
        report.add(
            &format!("accounts list: first page of 100 ({n} accounts)"),
            first,
        );
        let search = SearchQuery {
            search_query: Some("code~042$name~042".into()),
            operator: Some("OR".into()),
            page_size: Some(100),
            ..Default::default()
        };
        let filtered = median(runs, || async {
            client.search_accounts(&search).await.unwrap();
        })
        .await;
        report.add(
            &format!("accounts search: code~/name~ filter ({n} accounts)"),
            filtered,
        );
        // The same words through a path the full-text index does not serve (`~` with several
        // values scans every account): what the filter cost before the index, in this run.
        let scan = SearchQuery {
            search_query: Some("codes~042,042$name~042".into()),
            operator: Some("OR".into()),
            page_size: Some(100),
            ..Default::default()
        };
        let scanned = median(runs, || async {
            client.search_accounts(&scan).await.unwrap();
        })
        .await;
        report.add(
            &format!("accounts search: same filter, unindexed scan ({n} accounts)"),
            scanned,
        );
        let sorted = SearchQuery {
            sort_by: Some("name".into()),
            sort_order: Some("ASC".into()),
            page_size: Some(100),
            from_document: Some((n / 2) as u64),
            ..Default::default()
        };
        let by_name = median(runs, || async {
            client.search_accounts(&sorted).await.unwrap();
        })
        .await;
        report.add(
            &format!("accounts search: sorted by name, middle page ({n})"),
            by_name,
        );
    }
    measurement_pages(&mut report, &sb, runs).await;
    let rows = &report.rows;
    let get = |p: &str| {
        rows.iter()
            .find(|(n, _)| n.starts_with(p) && n.ends_with(&format!("({big} accounts)")))
            .map(|r| r.1)
    };
    let small = |p: &str| {
        rows.iter()
            .find(|(n, _)| n.starts_with(p) && n.ends_with("(100 accounts)"))
            .map(|r| r.1)
    };
    if let (Some(a), Some(b)) = (get("accounts list"), small("accounts list")) {
        println!(
            "accounts list first page, {big} vs 100 accounts: {:.2}×",
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    if let (Some(a), Some(b)) = (get("accounts search: code"), small("accounts search: code")) {
        println!(
            "accounts search filter, {big} vs 100 accounts: {:.2}×",
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    sb.shutdown().await;
}
