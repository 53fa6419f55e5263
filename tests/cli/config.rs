//! Profiles in the config file: created owner-only, refused when others can read them, used by
//! `--profile` and `default_profile`, and the secret never printed or logged anywhere.

use crate::support::*;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

const SECRET: &str = "Zq9-UNMISTAKABLE-s3cret-7781";

/// The binary with only this config file (no SDK environment variables).
fn cmd(config: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("M3TER_CONSOLE_CONFIG", config)
        .env("M3TER_LOG", "debug");
    c
}

fn set_profile(config: &Path, name: &str, base_url: &str, secret: &str, extra: &[&str]) -> Run {
    let mut child = cmd(config)
        .args([
            "config",
            "set-profile",
            name,
            "--org-id",
            m3ter_console::sandbox::DEFAULT_ORG_ID,
        ])
        .args([
            "--api-key",
            m3ter_console::sandbox::DEFAULT_API_KEY,
            "--api-secret-stdin",
            "--base-url",
            base_url,
        ])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{secret}").unwrap();
    Run::from(child.wait_with_output().unwrap())
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn profiles_are_private_used_and_never_leak_the_secret() {
    let ts = TestSandbox::start_with_secret(SECRET);
    let config = ts.path("cfg/m3ter-console/config.toml");
    let mut outputs = Vec::new();

    let r = set_profile(&config, "local", &ts.base_url, SECRET, &[]).ok();
    assert!(
        r.stderr.contains("local is now the default profile"),
        "the first profile becomes the default, and the user is told: {}",
        r.stderr
    );
    outputs.push(r);
    assert_eq!(mode(&config), 0o600, "created owner-only");
    assert_eq!(mode(config.parent().unwrap()), 0o700);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("[profiles.local]") && text.contains("default_profile = \"local\""),
        "{text}"
    );

    // A second, broken profile, and the first stays the default.
    let r = set_profile(&config, "broken", &ts.base_url, "wrong-secret", &[]).ok();
    assert!(!r.stderr.contains("default"), "{}", r.stderr);
    outputs.push(r);
    assert_eq!(mode(&config), 0o600, "rewritten owner-only");

    let show = Run::from(cmd(&config).args(["config", "show"]).output().unwrap()).ok();
    assert!(
        show.stdout.contains("[profiles.local]") && show.stdout.contains("********"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("# credentials in use: profile local"),
        "{}",
        show.stdout
    );
    outputs.push(show);

    // default_profile, --profile, and the auth failure of the broken one.
    let r = Run::from(cmd(&config).args(["products", "list"]).output().unwrap()).ok();
    assert!(r.stdout.contains("CLOUD-COMPUTE"));
    outputs.push(r);
    let r = Run::from(
        cmd(&config)
            .args(["--profile", "local", "accounts", "list", "-o", "table"])
            .output()
            .unwrap(),
    )
    .ok();
    outputs.push(r);
    let r = Run::from(
        cmd(&config)
            .args(["--profile", "broken", "accounts", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    outputs.push(r);
    let r = Run::from(
        cmd(&config)
            .args(["--profile", "nope", "accounts", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("local") && r.stderr.contains("broken"),
        "lists profiles: {}",
        r.stderr
    );
    outputs.push(r);
    let r = Run::from(
        cmd(&config)
            .args([
                "submit",
                "--meter",
                "api_calls",
                "--account",
                "A",
                "--field",
                "calls=1",
            ])
            .output()
            .unwrap(),
    )
    .ok();
    outputs.push(r);
    // The SDK environment variables, with a debug log.
    let r = Run::from(
        cmd(&config)
            .env("M3TER_API_KEY", m3ter_console::sandbox::DEFAULT_API_KEY)
            .env("M3TER_API_SECRET", SECRET)
            .env("M3TER_ORG_ID", m3ter_console::sandbox::DEFAULT_ORG_ID)
            .env("M3TER_BASE_URL", &ts.base_url)
            .args(["meters", "list"])
            .output()
            .unwrap(),
    )
    .ok();
    outputs.push(r);

    for (i, r) in outputs.iter().enumerate() {
        assert!(
            !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
            "run {i} leaked the secret:\n{}\n{}",
            r.stdout,
            r.stderr
        );
        assert!(
            !r.stderr.contains("wrong-secret"),
            "run {i} leaked a secret"
        );
    }
    assert!(
        outputs.iter().any(|r| r.stderr.contains("DEBUG")),
        "the debug log was on"
    );
}

#[test]
fn a_readable_config_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    set_profile(&config, "p", "http://127.0.0.1:9", "s", &[]).ok();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        &["accounts", "list"][..],
        &["config", "show"],
        &["--profile", "p", "products", "list"],
    ] {
        let r = Run::from(cmd(&config).args(args).output().unwrap());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(config.to_str().unwrap()),
            "names the file: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(&format!("chmod 600 {}", config.display())),
            "gives the fix: {}",
            r.stderr
        );
    }
    let r = set_profile(&config, "q", "http://127.0.0.1:9", "s", &[]);
    assert_eq!(r.code, 2, "does not rewrite a file it refuses to read");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    Run::from(cmd(&config).args(["config", "show"]).output().unwrap()).ok();
}

#[test]
fn set_profile_needs_every_credential() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let r = Run::from(
        cmd(&config)
            .args(["config", "set-profile", "p", "--org-id", "o"])
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--api-key") && r.stderr.contains("--api-secret-stdin"),
        "{}",
        r.stderr
    );
    assert!(!config.exists());
    let r = Run::from(cmd(&config).args(["config", "path"]).output().unwrap()).ok();
    assert_eq!(r.stdout.trim(), config.to_str().unwrap());
}

#[test]
fn precedence_profile_flag_then_environment_then_default_profile() {
    let ts = TestSandbox::start_with_secret(SECRET);
    let config = ts.path("config.toml");
    set_profile(&config, "good", &ts.base_url, SECRET, &[]).ok();
    set_profile(&config, "bad", &ts.base_url, "not-it", &["--default"]).ok();
    let with_env = |secret: &str| {
        let mut c = cmd(&config);
        c.env("M3TER_API_KEY", m3ter_console::sandbox::DEFAULT_API_KEY)
            .env("M3TER_API_SECRET", secret)
            .env("M3TER_ORG_ID", m3ter_console::sandbox::DEFAULT_ORG_ID)
            .env("M3TER_BASE_URL", &ts.base_url)
            .args(["products", "list"]);
        c
    };
    // The default profile ("bad") is used with nothing else given.
    assert_eq!(
        Run::from(cmd(&config).args(["products", "list"]).output().unwrap()).code,
        3
    );
    // Environment credentials beat the default profile…
    Run::from(with_env(SECRET).output().unwrap()).ok();
    // …and --profile (or M3TER_PROFILE) beats the environment.
    Run::from(
        with_env("wrong")
            .args(["--profile", "good"])
            .output()
            .unwrap(),
    )
    .ok();
    Run::from(
        with_env("wrong")
            .env("M3TER_PROFILE", "good")
            .output()
            .unwrap(),
    )
    .ok();
    assert_eq!(Run::from(with_env("wrong").output().unwrap()).code, 3);
}
