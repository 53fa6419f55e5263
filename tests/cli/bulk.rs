//! Bulk submit through the real binary against a real sandbox: 100,000 measurements in one run,
//! and runs stopped by SIGKILL and by Ctrl-C (SIGINT) that `--resume` finishes with nothing lost
//! and no acknowledged batch sent again.

use crate::support::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn hundred_thousand_measurements_in_one_run() {
    let ts = TestSandbox::start();
    let file = ts.path("usage.ndjson");
    write_ndjson(&file, 100_000, 50);
    let t = Instant::now();
    let run = ts
        .run(&[
            "submit",
            "--file",
            file.to_str().unwrap(),
            "--concurrency",
            "4",
        ])
        .ok();
    let elapsed = t.elapsed();
    let s = run.json();
    assert_eq!(s["accepted"], 100_000, "{s}");
    assert_eq!(s["batches"], 100);
    assert_eq!(s["rejected"], 0);
    let tenths = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .count();
    assert_eq!(
        tenths, 10,
        "one progress line per 10% on a pipe: {}",
        run.stderr
    );
    eprintln!(
        "100k submit: {elapsed:?} ({} measurements/s client-side)",
        s["rate_per_sec"]
    );
    assert!(
        !Path::new(&format!("{}.journal", file.display())).exists(),
        "journal removed when all accepted"
    );
    // Counted in the sandbox's database (paging 100k through the API would double the runtime),
    // once the sandbox's asynchronous enrichment has caught up.
    ts.settle();
    let db = rusqlite::Connection::open(ts.path("sandbox.db")).unwrap();
    let (n, distinct): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(DISTINCT uid) FROM measurements",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (n, distinct),
        (100_000, 100_000),
        "all stored, each with its own uid"
    );
}

/// Uid → batch index, from the journal's batch lines.
fn journal_batches(path: &Path) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(n) = v.get("batch").and_then(Value::as_u64) {
            for m in v["body"]["measurements"].as_array().unwrap() {
                out.insert(m["uid"].as_str().unwrap().to_string(), n as usize);
            }
        }
    }
    out
}

fn wait_for_acks(journal: &Path, n: usize, child: &mut std::process::Child) {
    let t = Instant::now();
    while accepted_in_journal(journal).len() < n {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run finished before it could be stopped"
        );
        assert!(t.elapsed() < Duration::from_secs(30), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Stops a run (by `signal`), checks the journal, resumes, and checks the sandbox holds every
/// measurement once and no batch acknowledged before the stop went over the wire again.
fn stop_and_resume(signal: &str) {
    const N: usize = 30_000;
    let ts = TestSandbox::start();
    // 100 ms a request: the sandbox acknowledges in a few ms, so the run must last long enough
    // for the signal to land midway even on a loaded machine.
    let proxy = Proxy::start(&ts, Duration::from_millis(100));
    // From the 8th request on, nothing gets through until the signal has landed: the run
    // cannot finish first, however loaded the machine.
    proxy.hold_from(7);
    let file = ts.path("usage.ndjson");
    let journal = ts.path("usage.ndjson.journal");
    write_ndjson(&file, N, 7);
    let mut child = ts
        .cmd_at(&proxy.url)
        .args([
            "submit",
            "--file",
            file.to_str().unwrap(),
            "--concurrency",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().unwrap();
    let collected = stderr.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut err, &mut buf) {
            if n == 0 {
                break;
            }
            collected
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    wait_for_acks(&journal, 5, &mut child);
    if signal == "KILL" {
        child.kill().unwrap();
    } else {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        // Let the held batches answer once the run has stopped starting new ones.
        let t = Instant::now();
        while !stderr.lock().unwrap().contains("interrupted:") {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "the interrupt was not seen"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    proxy.release();
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let first = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: stderr.lock().unwrap().clone(),
    };
    let acked: HashSet<usize> = accepted_in_journal(&journal).into_iter().collect();
    let sent_before = proxy.sent.lock().unwrap().len();
    if signal == "KILL" {
        assert_eq!(first.code, -1, "killed by a signal");
    } else {
        assert_eq!(first.code, 130, "{}", first.stderr);
        assert!(
            first.stderr.contains("--resume"),
            "says how to resume: {}",
            first.stderr
        );
        assert_eq!(
            sent_before,
            acked.len(),
            "in-flight batches were waited for and journaled"
        );
    }
    assert!(
        acked.len() >= 5 && acked.len() < N / 1000,
        "stopped midway: {} acked",
        acked.len()
    );
    let by_uid = journal_batches(&journal);
    assert_eq!(by_uid.len(), N);

    let resumed = Run::from(
        ts.cmd_at(&proxy.url)
            .args(["submit", "--file", file.to_str().unwrap(), "--resume"])
            .output()
            .unwrap(),
    )
    .ok();
    let s = resumed.json();
    assert_eq!(s["previously_accepted"], acked.len() * 1000, "{s}");
    assert_eq!(s["accepted"], N - acked.len() * 1000);
    assert!(!journal.exists(), "journal removed once complete");

    let stored = ts.measurements();
    let uids: HashSet<String> = stored
        .iter()
        .map(|m| m["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored.len(), N, "nothing lost, nothing stored twice");
    assert_eq!(
        uids,
        by_uid.keys().cloned().collect::<HashSet<_>>(),
        "the journal's uids were sent"
    );
    let mut times: HashMap<String, usize> = HashMap::new();
    for u in proxy.uids() {
        *times.entry(u).or_default() += 1;
    }
    for (uid, batch) in &by_uid {
        if acked.contains(batch) {
            assert_eq!(times[uid], 1, "acknowledged batch {batch} was sent again");
        }
    }
    let total: usize = times.values().sum();
    assert!(
        total <= N + 2 * 1000,
        "at most the in-flight batches were resent ({total})"
    );
}

#[test]
fn sigkill_midway_then_resume() {
    stop_and_resume("KILL");
}

#[test]
fn ctrl_c_waits_for_in_flight_saves_and_resumes() {
    stop_and_resume("INT");
}

#[test]
fn an_unfinished_journal_blocks_a_fresh_run() {
    let ts = TestSandbox::start();
    let file = ts.path("u.ndjson");
    write_ndjson(&file, 10, 2);
    let journal = ts.path("u.ndjson.journal");
    // A journal whose only batch was never acknowledged (as a crash before the first answer leaves it).
    let r = ts
        .run(&["submit", "--file", file.to_str().unwrap(), "--dry-run"])
        .ok();
    assert!(
        r.stderr.contains("10 valid measurements in 1 batch"),
        "{}",
        r.stderr
    );
    std::fs::write(&journal, format!(
        "{}\n{{\"batch\":0,\"count\":1,\"body\":{{\"measurements\":[{{\"uid\":\"j-1\",\"meter\":\"api_calls\",\"account\":\"J\",\"ts\":\"2026-01-01T00:00:00Z\"}}]}}}}\n",
        serde_json::json!({"journal":"m3ter-console submit","version":1,"org":m3ter_console::sandbox::DEFAULT_ORG_ID,"input":"u.ndjson","batches":1,"measurements":1,"created":"2026-01-01T00:00:00Z"})
    )).unwrap();
    let r = ts.run(&["submit", "--file", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    let r = ts
        .run(&["submit", "--resume", "--journal", journal.to_str().unwrap()])
        .ok();
    assert_eq!(r.json()["accepted"], 1);
    assert_eq!(ts.measurements().len(), 1);
}

#[test]
fn rejected_batches_stay_in_the_journal_and_auth_failure_stops_the_run() {
    let ts = TestSandbox::start();
    let proxy = Proxy::start(&ts, Duration::from_millis(0));
    let file = ts.path("r.ndjson");
    let journal = ts.path("r.ndjson.journal");
    write_ndjson(&file, 3_000, 3);
    proxy.fail.lock().unwrap().insert(1, 400);
    let submit = |extra: &[&str]| {
        Run::from(
            ts.cmd_at(&proxy.url)
                .args([
                    "submit",
                    "--file",
                    file.to_str().unwrap(),
                    "--concurrency",
                    "1",
                ])
                .args(extra)
                .output()
                .unwrap(),
        )
    };
    let r = submit(&[]);
    assert_eq!(r.code, 1, "server rejection: {}", r.stderr);
    let s = r.json();
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(2000), Some(1000)),
        "{s}"
    );
    assert!(
        s["rejections"][0].as_str().unwrap().contains("HTTP 400"),
        "{s}"
    );
    assert!(journal.exists(), "kept for the rejected batch");

    // Resume meets an auth failure: it stops (exit 3) and keeps the journal.
    proxy.fail.lock().unwrap().insert(3, 401);
    proxy.fail.lock().unwrap().insert(4, 401);
    let r = submit(&["--resume"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    assert_eq!(accepted_in_journal(&journal).len(), 2);

    let r = submit(&["--resume"]).ok();
    assert_eq!(r.json()["accepted"], 1000);
    assert_eq!(ts.measurements().len(), 3000);
    assert!(!journal.exists());
}

#[test]
fn stdin_gets_a_journal_in_the_data_dir_and_resumes_without_a_path() {
    let ts = TestSandbox::start();
    let proxy = Proxy::start(&ts, Duration::from_millis(0));
    let file = ts.path("piped.ndjson");
    write_ndjson(&file, 3_000, 3);
    proxy.fail.lock().unwrap().insert(1, 400);
    let journals = ts.path(".local/share/m3ter-console/journals");
    let piped = |extra: &[&str], input: Stdio| {
        Run::from(
            ts.cmd_at(&proxy.url)
                .args(["submit", "--file", "-", "--concurrency", "1"])
                .args(extra)
                .stdin(input)
                .output()
                .unwrap(),
        )
    };
    let stdin = || Stdio::from(std::fs::File::open(&file).unwrap());

    let r = piped(&[], stdin());
    assert_eq!(r.code, 1, "batch 1 rejected: {}", r.stderr);
    let saved: Vec<_> = std::fs::read_dir(&journals)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let journal = &saved[0];
    let name = journal.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("stdin-") && name.ends_with(".journal"),
        "{name}"
    );
    assert!(
        r.stderr.contains(journal.to_str().unwrap()),
        "says where the journal is: {}",
        r.stderr
    );
    assert_eq!(accepted_in_journal(journal).len(), 2);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(journal), 0o600, "the journal is the user's data");
        assert_eq!(
            mode(journals.parent().unwrap()),
            0o700,
            "so is the data dir"
        );
        assert_eq!(mode(&journals), 0o700);
    }

    // The same data piped again is refused while its journal has unsent batches.
    let again = piped(&[], stdin());
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("--resume"), "{}", again.stderr);

    // `--file - --resume` finds it; stdin is not read.
    let r = piped(&["--resume"], Stdio::null()).ok();
    assert!(
        r.stderr
            .contains(&format!("resuming {}", journal.display())),
        "{}",
        r.stderr
    );
    let s = r.json();
    assert_eq!(
        (s["accepted"].as_u64(), s["previously_accepted"].as_u64()),
        (Some(1000), Some(2000))
    );
    assert!(!journal.exists(), "removed once complete");
    assert_eq!(ts.measurements().len(), 3_000, "each stored once");

    let none = piped(&["--resume"], Stdio::null());
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("no unfinished stdin journal"),
        "{}",
        none.stderr
    );
}
