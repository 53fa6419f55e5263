//! The official Python SDK (`m3ter==0.9.0`, unchanged) against the real `m3ter-console sandbox
//! serve` binary: runs `tests/sdk/test_sdk.py` and requires it to pass.
//!
//! The SDK is installed once into a venv at `$M3TER_SDK_VENV`, or `<target dir>/sdk-venv`
//! (the target dir is found from this test's own executable, so `CARGO_TARGET_DIR` is honoured).
//! python3 is required: without it the test fails with a message saying so.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SDK: &str = "m3ter==0.9.0";
const ORG: &str = "00000000-0000-4000-a000-000000000001";
const KEY: &str = "sdk-test-key";
const SECRET: &str = "sdk-test-secret";

fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("M3TER_SDK_VENV") {
        return PathBuf::from(dir);
    }
    // <target>/debug/deps/sdk-HASH → <target>
    let exe = std::env::current_exe().expect("test executable path");
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("sdk-venv")
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
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
    if ready {
        return python;
    }
    let found = Command::new("python3").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "python3 is required for the SDK acceptance test (tests/sdk.rs): install Python 3.9+ with the venv module"
    );
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(&python).args(["-m", "pip", "install", "--quiet", SDK]),
        &format!("pip install {SDK}"),
    );
    python
}

/// The sandbox binary, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(db: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_m3ter-console"))
        .args(["sandbox", "serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(["--org-id", ORG, "--api-key", KEY, "--api-secret", SECRET])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start m3ter-console sandbox serve");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("read the first stdout line");
    let base = first
        .trim_end()
        .strip_prefix("m3ter sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let mut rest = String::new();
    // The remaining banner lines, then keep draining so the server never blocks on a full pipe.
    for _ in 0..9 {
        stdout.read_line(&mut rest).unwrap();
    }
    assert!(rest.contains(&format!("M3TER_ORG_ID={ORG}")), "{rest}");
    assert!(rest.contains(&format!("M3TER_API_KEY={KEY}")), "{rest}");
    // A secret chosen with --api-secret is never echoed (only the documented default is).
    assert!(
        !rest.contains(SECRET) && rest.contains("M3TER_API_SECRET=<the --api-secret you chose>"),
        "{rest}"
    );
    assert!(rest.contains(&format!("M3TER_BASE_URL={base}")), "{rest}");
    std::thread::spawn(move || {
        let _ = stdout.read_to_end(&mut Vec::new());
    });
    (server, base)
}

#[test]
fn official_python_sdk_works_unchanged() {
    let python = sdk_python();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = start_server(&dir.path().join("sandbox.db"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/test_sdk.py");
    let out = Command::new(&python)
        .arg(&script)
        .env("M3TER_BASE_URL", &base)
        .env("M3TER_ORG_ID", ORG)
        .env("M3TER_API_KEY", KEY)
        .env("M3TER_API_SECRET", SECRET)
        .env_remove("M3TER_API_TOKEN")
        .output()
        .expect("run the SDK script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the SDK script failed ({})",
        out.status
    );
    let last = stdout.lines().last().unwrap_or("");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}
