//! On a terminal (a pseudo-terminal here) lists default to tables and a bulk submit draws a
//! progress bar on stderr and prints a human summary; piped, the same commands print JSON only
//! (checked in the other `cli_*` tests).

use crate::support::*;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::Read;
use std::time::Duration;

/// Runs the binary on a pty and returns everything it wrote and its exit code.
fn on_pty(ts: &TestSandbox, base_url: &str, args: &[&str]) -> (String, u32) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(BIN);
    cmd.env_clear();
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("TERM", "xterm-256color");
    cmd.env("M3TER_CONSOLE_CONFIG", ts.path("none.toml"));
    cmd.env("M3TER_API_KEY", m3ter_console::sandbox::DEFAULT_API_KEY);
    cmd.env("M3TER_API_SECRET", &ts.secret);
    cmd.env("M3TER_ORG_ID", m3ter_console::sandbox::DEFAULT_ORG_ID);
    cmd.args(["--base-url", base_url]);
    cmd.args(args);
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let collector = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        // Linux answers EIO once the child has exited and the slave is closed.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    let status = child.wait().unwrap();
    drop(pair.master);
    let out = collector.join().unwrap();
    (
        String::from_utf8_lossy(&out).into_owned(),
        status.exit_code(),
    )
}

#[test]
fn tables_and_a_progress_bar_on_a_terminal() {
    let ts = TestSandbox::start();
    let (out, code) = on_pty(&ts, &ts.base_url, &["products", "list"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("CODE") && out.contains("CLOUD-COMPUTE") && !out.contains('{'),
        "a table: {out}"
    );

    let proxy = Proxy::start(&ts, Duration::from_millis(150));
    let file = ts.path("p.ndjson");
    write_ndjson(&file, 5_000, 3);
    let (out, code) = on_pty(
        &ts,
        &proxy.url,
        &[
            "submit",
            "--file",
            file.to_str().unwrap(),
            "--concurrency",
            "1",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("/5000 measurements"),
        "progress bar drawn: {out}"
    );
    assert!(
        !out.contains("progress: "),
        "the bar, not the log lines: {out}"
    );
    // The rate is a whole number of measurements per second, not `38,058.6305/s`.
    let rates: Vec<&str> = out
        .split(|c: char| c.is_whitespace() || c == '\u{1b}')
        .filter(|w| w.ends_with("/s") && w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(!rates.is_empty(), "a rate is shown: {out}");
    assert!(
        rates.iter().all(|r| r
            .trim_end_matches("/s")
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',')),
        "{rates:?}"
    );
    assert!(
        out.contains("sent 5000 measurements in 5 batch(es): 5000 accepted, 0 rejected"),
        "{out}"
    );
}
