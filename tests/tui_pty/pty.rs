//! The pseudo-terminal harness shared by the end-to-end tests: the real binary in a pty
//! (portable-pty), read back with vt100, against a sandbox started in the test on a temp
//! database. Waits poll the screen with a timeout; no fixed sleeps.

use m3ter_console::m3ter::{Client, ClientConfig, Credentials};
use m3ter_console::sandbox::{self, Sandbox, SandboxConfig};
use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_m3ter-console");
pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const F5: &str = "\x1b[15~";
pub const F9: &str = "\x1b[20~";
pub const CTRL_T: &str = "\x14";
pub const CTRL_S: &str = "\x13";
pub const CTRL_U: &str = "\x15";
pub const CTRL_Z: &str = "\x1a";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const DOWN: &str = "\x1b[B";
pub const END: &str = "\x1b[F";
pub const PGDN: &str = "\x1b[6~";
pub const BACKSPACE: &str = "\x7f";

pub struct Env {
    pub timeout: Duration,
    pub rt: tokio::runtime::Runtime,
    sb: Option<Sandbox>,
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn start() -> Self {
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
            timeout: TIMEOUT,
            rt,
            sb: Some(sb),
            dir,
        }
    }

    pub fn base_url(&self) -> String {
        self.sb.as_ref().unwrap().base_url.clone()
    }

    pub fn client(&self) -> Client {
        let creds = Credentials {
            org_id: sandbox::DEFAULT_ORG_ID.into(),
            api_key: sandbox::DEFAULT_API_KEY.into(),
            api_secret: sandbox::DEFAULT_API_SECRET.into(),
            token: None,
        };
        Client::new(ClientConfig::new(creds, Some(&self.base_url()))).unwrap()
    }

    pub fn tui(&self) -> Tui {
        self.tui_sized(100, 30)
    }

    /// The TUI in a terminal of `cols`×`rows`.
    pub fn tui_sized(&self, cols: u16, rows: u16) -> Tui {
        self.tui_with_env(cols, rows, &[])
    }

    /// The same with more environment variables (a test-only knob).
    pub fn tui_with_env(&self, cols: u16, rows: u16, env: &[(&str, &str)]) -> Tui {
        let mut t = Tui::spawn(&self.base_url(), self.dir.path(), cols, rows, env);
        t.timeout = self.timeout;
        t
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(sb) = self.sb.take() {
            self.rt.block_on(sb.shutdown());
        }
    }
}

pub struct Tui {
    pub timeout: Duration,
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Tui {
    fn spawn(base_url: &str, dir: &Path, cols: u16, rows: u16, env: &[(&str, &str)]) -> Self {
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
        for (k, v) in env {
            cmd.env(k, v);
        }
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
            timeout: TIMEOUT,
            screen,
            writer,
            child,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends keys in order (the TUI reads them as a stream: no pacing needed).
    pub fn keys(&mut self, keys: &[&str]) {
        self.send(&keys.concat());
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.contents();
            if ok(&s) {
                // A frame may be read half-written: take it once it has settled.
                std::thread::sleep(Duration::from_millis(60));
                let again = self.contents();
                if ok(&again) {
                    return again;
                }
            }
            if start.elapsed() > self.timeout {
                panic!("timed out waiting for {what:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Products → Cloud Compute → Storage (GB).
    pub fn open_submit(&mut self) {
        self.wait_for("Cloud Compute");
        // Products come in the server's order: find it by name.
        self.keys(&["/", "cloud", "\r", "\r"]);
        self.wait_for("Meters · Cloud Compute");
        self.wait_for("storage_gb");
        self.keys(&["\r"]);
        self.wait_for("Submit usage · Storage (GB)");
    }

    pub fn quit(mut self) {
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
