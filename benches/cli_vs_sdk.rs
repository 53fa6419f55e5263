//! The CLI's `submit --file` against the official Python SDK's `usage.submit_all`
//! (`m3ter==0.9.0`, which chunks into requests of 1000) on the same NDJSON file, each run against
//! a fresh `sandbox serve` on loopback. Prints medians of wall time and measurements/s, and the
//! ratio CLI/SDK.
//!
//! `cargo bench --bench cli_vs_sdk` (`BENCH_N` measurements, default 100,000; `BENCH_RUNS`,
//! default 3). Both sides are timed as whole processes, as a user's `time` would; the SDK's own
//! submit time (file read + `submit_all`, without Python's start-up and `import m3ter`) is printed
//! too, with its ratio, so the comparison does not hinge on interpreter start-up.
//!
//! The SDK venv is `$M3TER_SDK_VENV`, or `<target dir>/sdk-venv`, created when missing.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_m3ter-console");
const SDK: &str = "m3ter==0.9.0";
const ORG: &str = "00000000-0000-4000-a000-000000000001";
const KEY: &str = "bench-key";
const SECRET: &str = "bench-secret";

/// Reads the NDJSON file, submits it with `submit_all`, checks every chunk was accepted and
/// prints the seconds that took.
const SDK_SCRIPT: &str = r#"
import json, os, sys, time
import m3ter
started = time.perf_counter()
with open(sys.argv[1]) as f:
    ms = [json.loads(line) for line in f]
c = m3ter.M3ter(api_key=os.environ["M3TER_API_KEY"], api_secret=os.environ["M3TER_API_SECRET"],
                org_id=os.environ["M3TER_ORG_ID"], base_url=os.environ["M3TER_BASE_URL"])
answers = list(c.usage.submit_all(measurements=ms))
elapsed = time.perf_counter() - started
bad = [a for a in answers if a.result != "accepted"]
assert len(answers) == (len(ms) + 999) // 1000 and not bad, (len(answers), bad[:1])
print(elapsed)
"#;

fn main() {
    let n: usize = env_or("BENCH_N", 100_000);
    let runs: usize = env_or("BENCH_RUNS", 3).max(1);
    let python = sdk_python();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.ndjson");
    write_measurements(&file, n);
    let script = dir.path().join("sdk_submit_all.py");
    std::fs::write(&script, SDK_SCRIPT).unwrap();

    let (mut cli, mut sdk, mut sdk_submit) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        // Alternating keeps drift on a shared machine from favouring one side.
        let work = dir.path().join(format!("run{run}"));
        std::fs::create_dir(&work).unwrap();
        cli.push(run_cli(&work, &file));
        let (wall, submit) = run_sdk(&work, &python, &script, &file);
        sdk.push(wall);
        sdk_submit.push(submit);
    }
    let (cli, sdk, sdk_submit) = (median(cli), median(sdk), median(sdk_submit));

    println!("{n} measurements, fresh `sandbox serve` per run, medians of {runs} runs:");
    let row = |what: &str, t: Duration| {
        println!(
            "  {what:<46} {:>8.2} s  {:>9.0} measurements/s",
            t.as_secs_f64(),
            n as f64 / t.as_secs_f64()
        )
    };
    row("CLI submit --file (concurrency 4, process)", cli);
    row("SDK usage.submit_all (process)", sdk);
    row("SDK usage.submit_all (read + submit only)", sdk_submit);
    let ratio = sdk.as_secs_f64() / cli.as_secs_f64();
    println!(
        "  ratio CLI/SDK (measurements/s): {ratio:.1}x (process), {:.1}x (vs submit only); target >= 10x: {}",
        sdk_submit.as_secs_f64() / cli.as_secs_f64(),
        if ratio >= 10.0 { "met" } else { "NOT MET" }
    );
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The same file both sides send: NDJSON with explicit uids, 50 auto-created accounts.
fn write_measurements(path: &Path, n: usize) {
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(
            w,
            r#"{{"uid":"bench-{i:08}","meter":"api_calls","account":"BENCH-{}","ts":"2026-01-01T00:00:{:02}Z","who":{{"user":"u{i}"}},"measure":{{"calls":{}}}}}"#,
            i % 50,
            i % 60,
            i % 97
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// `sandbox serve` on a fresh database in `work`, killed when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(work: &Path, name: &str) -> Server {
    let mut child = Command::new(BIN)
        .args(["sandbox", "serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(work.join(format!("{name}.db")))
        .args(["--org-id", ORG, "--api-key", KEY, "--api-secret", SECRET])
        .env("M3TER_CONSOLE_CONFIG", work.join("none.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start m3ter-console sandbox serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    out.read_line(&mut banner).unwrap();
    let url = banner
        .trim_end()
        .strip_prefix("m3ter sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {banner:?}"))
        .to_string();
    // Keep draining so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = out.read_to_end(&mut Vec::new());
    });
    Server(child, url)
}

fn run_cli(work: &Path, file: &Path) -> Duration {
    let server = start_server(work, "cli");
    let started = Instant::now();
    let out = Command::new(BIN)
        .env("M3TER_CONSOLE_CONFIG", work.join("none.toml"))
        .env("M3TER_CONSOLE_DATA_DIR", work.join("data"))
        .env("M3TER_API_KEY", KEY)
        .env("M3TER_API_SECRET", SECRET)
        .env("M3TER_ORG_ID", ORG)
        .args(["--base-url", &server.1, "submit", "--file"])
        .arg(file)
        .arg("--journal")
        .arg(work.join("cli.journal"))
        .args(["-q", "-o", "json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "CLI submit failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

/// Whole-process wall time and the script's own read + submit time.
fn run_sdk(work: &Path, python: &Path, script: &Path, file: &Path) -> (Duration, Duration) {
    let server = start_server(work, "sdk");
    let started = Instant::now();
    let out = Command::new(python)
        .arg(script)
        .arg(file)
        .env("M3TER_BASE_URL", &server.1)
        .env("M3TER_ORG_ID", ORG)
        .env("M3TER_API_KEY", KEY)
        .env("M3TER_API_SECRET", SECRET)
        .env_remove("M3TER_API_TOKEN")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "SDK submit_all failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let secs: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the SDK script prints its submit seconds");
    (took, Duration::from_secs_f64(secs))
}

fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("M3TER_SDK_VENV") {
        return PathBuf::from(dir);
    }
    // <target>/release/deps/cli_vs_sdk-HASH → <target>
    let exe = std::env::current_exe().expect("bench executable path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("sdk-venv")
}

/// The venv's python, creating the venv and installing the pinned SDK when needed.
fn sdk_python() -> PathBuf {
    let venv = venv_dir();
    let python = venv.join("bin").join("python");
    let ready = python.exists()
        && Command::new(&python)
            .args([
                "-c",
                "import m3ter, sys; sys.exit(m3ter.__version__ != '0.9.0')",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
        assert!(
            ok(Command::new("python3").args(["-m", "venv"]).arg(&venv)),
            "python3 -m venv {} failed: the bench needs Python 3.9+ with venv",
            venv.display()
        );
        assert!(
            ok(Command::new(&python).args(["-m", "pip", "install", "--quiet", SDK])),
            "pip install {SDK} failed"
        );
    }
    python
}
