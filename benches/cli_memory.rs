//! Peak memory of the CLI's streaming `submit --file` (target: 1,000,000 NDJSON lines in at
//! most 100 MB), against a `sandbox serve` in another process so only the CLI is measured.
//!
//! `cargo bench --bench cli_memory` (M3TER_BENCH_LINES=N for another size). Peak RSS is the
//! kernel's high-water mark (`VmHWM` in /proc/PID/status), read until the process exits.

use std::io::{BufRead, BufWriter, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_m3ter-console");

fn main() {
    if !cfg!(target_os = "linux") {
        eprintln!("cli_memory: needs /proc (Linux); skipped");
        return;
    }
    let lines: usize = std::env::var("M3TER_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.ndjson");
    let mut w = BufWriter::new(std::fs::File::create(&file).unwrap());
    for i in 0..lines {
        writeln!(
            w,
            r#"{{"meter":"api_calls","account":"BENCH-{}","ts":"2026-01-01T00:00:{:02}Z","who":{{"user":"u{i}"}},"measure":{{"calls":{}}}}}"#,
            i % 50,
            i % 60,
            i % 97
        )
        .unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let size = std::fs::metadata(&file).unwrap().len();

    let mut server = Command::new(BIN)
        .args(["sandbox", "serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("sandbox.db"))
        .env("M3TER_CONSOLE_CONFIG", dir.path().join("none.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
    out.read_line(&mut banner).unwrap();
    // The server goes on printing (how to connect): keep reading, or a closed pipe stops it.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = banner
        .trim()
        .rsplit(' ')
        .next()
        .expect("m3ter sandbox listening on URL")
        .to_string();

    let cli = |args: &[&str]| -> (Duration, u64, bool) {
        let started = Instant::now();
        let child = Command::new(BIN)
            .env("M3TER_CONSOLE_CONFIG", dir.path().join("none.toml"))
            .env("M3TER_CONSOLE_DATA_DIR", dir.path().join("data"))
            .env("M3TER_API_KEY", "sandbox-key")
            .env("M3TER_API_SECRET", "sandbox-secret")
            .env("M3TER_ORG_ID", "00000000-0000-4000-a000-000000000001")
            .args(["--base-url", &url, "submit", "--file"])
            .arg(&file)
            .args(args)
            .args(["-q", "-o", "json"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (ok, peak) = peak_rss(child);
        (started.elapsed(), peak, ok)
    };

    println!(
        "cli submit --file, {lines} NDJSON lines ({:.0} MB):",
        size as f64 / 1e6
    );
    let (t, peak, ok) = cli(&["--dry-run"]);
    println!(
        "  check only (--dry-run)    peak RSS {:>6.1} MB  {:>6.1} s  {:>8.0} lines/s  {}",
        peak as f64 / 1024.0,
        t.as_secs_f64(),
        lines as f64 / t.as_secs_f64(),
        if ok { "ok" } else { "FAILED" }
    );
    let (t, peak, ok) = cli(&["--concurrency", "4"]);
    println!(
        "  check + journal + send    peak RSS {:>6.1} MB  {:>6.1} s  {:>8.0} measurements/s  {}",
        peak as f64 / 1024.0,
        t.as_secs_f64(),
        lines as f64 / t.as_secs_f64(),
        if ok { "ok" } else { "FAILED" }
    );
    println!(
        "  target: peak RSS <= 100 MB: {}",
        if peak <= 100 * 1024 { "met" } else { "NOT MET" }
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// Waits for the child, reading its peak RSS (KB) until it exits; and whether it succeeded.
fn peak_rss(mut child: Child) -> (bool, u64) {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(s) = child.try_wait().unwrap() {
            return (s.success(), peak);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
