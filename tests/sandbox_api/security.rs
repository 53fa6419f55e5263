//! What keeps the user's data and the sandbox's credentials to the user: file modes, and the
//! `Host` check against DNS rebinding.

use crate::common::*;
use reqwest::StatusCode;

#[cfg(unix)]
#[tokio::test]
async fn database_is_0600_in_a_0700_directory() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new().await;
    let (s, v) = env.post("/accounts", account("MODES")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let db = &env.sb.config.db_path;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(db.parent().unwrap()),
        0o700,
        "the directory the sandbox created"
    );
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}
