//! End to end: the real binary in a pseudo-terminal (portable-pty), read back with vt100, against
//! a sandbox started here on a temp database. Waits poll the screen with a timeout; no fixed
//! sleeps.

use m3ter_console::m3ter::{Client, ClientConfig, Credentials};
use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};
use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_m3ter-console");
const TIMEOUT: Duration = Duration::from_secs(20);
const F5: &str = "\x1b[15~";
const CTRL_T: &str = "\x14";
const CTRL_S: &str = "\x13";
const DOWN: &str = "\x1b[B";
const END: &str = "\x1b[F";
const BACKSPACE: &str = "\x7f";

struct Env {
    rt: tokio::runtime::Runtime,
    sb: Option<Sandbox>,
    dir: tempfile::TempDir,
}

impl Env {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = SandboxConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_path: dir.path().join("sandbox.db"),
            demo_data: true,
            ..Default::default()
        };
        let sb = rt.block_on(sandbox::start(config)).expect("sandbox starts");
        Self {
            rt,
            sb: Some(sb),
            dir,
        }
    }

    fn base_url(&self) -> String {
        self.sb.as_ref().unwrap().base_url.clone()
    }

    fn client(&self) -> Client {
        let creds = Credentials {
            org_id: sandbox::DEFAULT_ORG_ID.into(),
            api_key: sandbox::DEFAULT_API_KEY.into(),
            api_secret: sandbox::DEFAULT_API_SECRET.into(),
            token: None,
        };
        Client::new(ClientConfig::new(creds, Some(&self.base_url()))).unwrap()
    }

    fn tui(&self) -> Tui {
        Tui::spawn(&self.base_url(), self.dir.path())
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(sb) = self.sb.take() {
            self.rt.block_on(sb.shutdown());
        }
    }
}

struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Tui {
    fn spawn(base_url: &str, dir: &Path) -> Self {
        let (rows, cols) = (30u16, 100u16);
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("HOME", dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("M3TER_CONSOLE_CONFIG", dir.join("no-config.toml"));
        cmd.env("M3TER_CONSOLE_DATA_DIR", dir.join("data"));
        cmd.env("M3TER_BASE_URL", base_url);
        cmd.env("M3TER_ORG_ID", sandbox::DEFAULT_ORG_ID);
        cmd.env("M3TER_API_KEY", sandbox::DEFAULT_API_KEY);
        cmd.env("M3TER_API_SECRET", sandbox::DEFAULT_API_SECRET);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        // The master must outlive the child's use of the terminal.
        std::mem::forget(pair.master);
        Self {
            screen,
            writer,
            child,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends keys in order (the TUI reads them as a stream: no pacing needed).
    fn keys(&mut self, keys: &[&str]) {
        self.send(&keys.concat());
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.contents();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out waiting for {what:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Products → Cloud Compute → Storage (GB).
    fn open_submit(&mut self) {
        self.wait_for("Cloud Compute");
        self.keys(&["j", "\r"]);
        self.wait_for("Meters · Cloud Compute");
        self.wait_for("storage_gb");
        self.keys(&["\r"]);
        self.wait_for("Submit usage · Storage (GB)");
    }

    fn quit(mut self) {
        self.send("\x03");
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < TIMEOUT, "the TUI did not quit on Ctrl+C");
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The uid shown in the Simple form.
fn uid(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.trim_start_matches('│').strip_prefix("uid"))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .expect("a uid line")
}

#[test]
fn simple_submission_is_accepted_logged_and_its_log_and_draft_shown_after_a_restart() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    let before = uid(&tui.contents());
    tui.keys(&["I", "N", "I", "T", "E", "C", "H", "\r", "\t"]);
    tui.keys(&["e", "u", "\t", "1", "2", ".", "5"]);
    tui.send(F5);
    let s = tui.wait_for("✓ accepted");
    let after = uid(&s);
    assert_ne!(before, after, "a new uid after an accepted submission");
    assert!(s.contains(&format!("\"uid\":\"{before}\"")), "{s}");
    // Leave the panel with the values still typed, then quit: the draft is kept on disk.
    tui.send("\x1b");
    tui.wait_for("Meters · Cloud Compute");
    tui.quit();

    let saved = std::fs::read_to_string(env.dir.path().join("data/submissions.log.jsonl")).unwrap();
    assert!(
        saved.contains(&before) && saved.contains("accepted"),
        "{saved}"
    );
    let mut again = env.tui();
    again.open_submit();
    let s = again.wait_for("Log · 1 submission ");
    assert!(s.contains("✓ accepted"), "{s}");
    let s = again.wait_for("draft restored");
    assert!(s.contains("[INITECH") && s.contains("[12.5]"), "{s}");
    assert_eq!(uid(&s), after, "the draft keeps its (fresh) uid");
    again.quit();
}

#[test]
fn advanced_submission_with_a_new_account_auto_creates_it() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    // Line 4 is `"account": "",`: put the new code between the quotes.
    tui.keys(&[DOWN, DOWN, DOWN, END, BACKSPACE, BACKSPACE]);
    tui.keys(&["N", "E", "W", "C", "O", "-", "7", "\"", ","]);
    tui.wait_for("✓ valid measurement");
    tui.send(CTRL_S);
    tui.wait_for("✓ accepted");
    tui.quit();
    let account = env
        .rt
        .block_on(env.client().account_by_code("NEWCO-7"))
        .unwrap()
        .expect("the account exists");
    assert_eq!(account.name.as_deref(), Some("NEWCO-7-autocreated"));
}

#[test]
fn broken_json_shows_line_and_column_and_keeps_the_text() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    tui.keys(&[DOWN, END, "o", "o", "p", "s"]);
    let s = tui.wait_for("invalid JSON at line 2, column");
    assert!(s.contains(",oops"), "{s}");
    tui.send(CTRL_T);
    let s = tui.wait_for("stays in Advanced");
    assert!(s.contains(",oops") && s.contains("Advanced · JSON"), "{s}");
    tui.quit();
}
