//! Answers for the screens that look at what m3ter did with the usage: the usage explorer, the
//! ingest events, a log entry's failure log, and files the user asked to write (a CSV template,
//! an export). Each screen picks the answers it asked for.

use super::ctx::Ctx;
use super::msg::Msg;
pub use super::msg_explore::ExploreMsg;
use std::path::PathBuf;

impl Ctx {
    /// Fetches the failure log of event `event_id`: its `getDownloadUrl` path (`file`, or read
    /// from the event), the signed link, then the file (pretty-printed when it is JSON).
    pub fn fetch_failure_log(&mut self, event_id: String, file: Option<String>) {
        let c = self.client.clone();
        self.spawn("failure log", async move {
            let result = async {
                let file = match file {
                    Some(f) => f,
                    None => c
                        .event(&event_id)
                        .await?
                        .ingest_failure()
                        .and_then(|f| f.get_download_url)
                        .unwrap_or_default(),
                };
                if file.is_empty() {
                    return Ok(b"the event names no failure log".to_vec());
                }
                let link = c.failed_ingest_download_url(&file).await?;
                c.download(&link.url).await
            }
            .await
            .map(|bytes| {
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
            })
            .map_err(|e: crate::m3ter::Error| e.to_string());
            Msg::Explore(Box::new(ExploreMsg::FailureLog { event_id, result }))
        });
    }

    /// Writes `text` to the file the user named (`~` expands to home), off the UI thread; the
    /// answer is [`ExploreMsg::Written`]. An existing file is replaced only as a whole (written
    /// aside, then renamed), so a failure never leaves half a file.
    pub fn write_user_file(&mut self, what: &str, path: &str, text: String) {
        let what = what.to_string();
        let path = expand_home(path.trim());
        self.spawn("write file", async move {
            let result = tokio::task::spawn_blocking(move || write_whole(&path, &text))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            Msg::Explore(Box::new(ExploreMsg::Written { what, result }))
        });
    }
}

/// `~/x` → the home directory's `x`.
pub fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().unwrap_or_default().join(rest),
        None => PathBuf::from(path),
    }
}

fn write_whole(path: &std::path::Path, text: &str) -> Result<PathBuf, String> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| "no file name given".to_string())?;
    if path.is_dir() {
        return Err(format!("{} is a directory", path.display()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let write = || -> std::io::Result<()> {
        let mut f = open.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_names_what_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        assert_eq!(write_whole(&p, "a,b\n").unwrap(), p);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a,b\n");
        let e = write_whole(dir.path(), "x").unwrap_err();
        assert!(e.contains("is a directory"), "{e}");
        let e = write_whole(&dir.path().join("no/such/dir/f.csv"), "x").unwrap_err();
        assert!(e.starts_with("cannot write"), "{e}");
    }
}
