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

/// `--db` may point into any folder of the user's: an existing directory keeps its mode (only
/// the database file is narrowed, to 0600).
#[cfg(unix)]
#[tokio::test]
async fn an_existing_directory_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = project.join("sandbox.db");
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cfg = config(&dir, false);
    cfg.db_path = db.clone();
    let sb = m3ter_console::sandbox::start(cfg).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&project), 0o755);
    assert_eq!(mode(&db), 0o600, "an older 0644 database is narrowed");
    sb.shutdown().await;
}
