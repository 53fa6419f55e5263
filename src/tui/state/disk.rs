//! File writes for the TUI (the submission log and the drafts), done on one background thread so
//! the UI never waits for the disk and writes land in the order they were asked for: a log
//! entry's `pending` line always comes before its answer, and the newest drafts file is the last
//! one written. Files are owner-only (0600) in an owner-only directory (0700). [`Disk::flush`] waits for everything asked so far (on quit, so nothing typed or
//! sent is lost when the process ends).

use super::msg::Msg;
use crate::private_fs::{create_private_dir, open_private, write_private_file};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

enum Job {
    /// One line at the end of a JSON-lines file.
    Append { path: PathBuf, line: String },
    /// The whole file, replaced atomically (a temp file renamed over it).
    Replace { path: PathBuf, contents: String },
    /// Answers once every earlier job is done.
    Flush(mpsc::Sender<()>),
}

/// The writer's handle; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Disk {
    jobs: mpsc::Sender<Job>,
}

impl Disk {
    /// Starts the writer thread; failures come back to the UI as [`Msg::WriteFailed`].
    pub fn start(errors: UnboundedSender<Msg>) -> Self {
        let (jobs, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("m3ter-console-disk".into())
            .spawn(move || {
                for job in rx {
                    let (path, result) = match job {
                        Job::Append { path, line } => {
                            let r = append(&path, &line);
                            (path, r)
                        }
                        Job::Replace { path, contents } => {
                            let r = replace(&path, &contents);
                            (path, r)
                        }
                        Job::Flush(done) => {
                            let _ = done.send(());
                            continue;
                        }
                    };
                    if let Err(e) = result {
                        let _ = errors.send(Msg::WriteFailed(format!(
                            "cannot write {}: {e}",
                            path.display()
                        )));
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the file writer: {e}");
        }
        Self { jobs }
    }

    pub fn append(&self, path: PathBuf, line: String) {
        let _ = self.jobs.send(Job::Append { path, line });
    }

    pub fn replace(&self, path: PathBuf, contents: String) {
        let _ = self.jobs.send(Job::Replace { path, contents });
    }

    /// Blocks until every write asked so far is on disk (at most 5 s). For tests and
    /// [`Disk::flush`]; never call it on the UI task.
    pub fn flush_blocking(&self) {
        let (tx, rx) = mpsc::channel();
        if self.jobs.send(Job::Flush(tx)).is_ok() {
            let _ = rx.recv_timeout(Duration::from_secs(5));
        }
    }

    /// Waits (off the UI task) until every write asked so far is done.
    pub async fn flush(&self) {
        let me = self.clone();
        let _ = tokio::task::spawn_blocking(move || me.flush_blocking()).await;
    }
}

/// Appends `line` (which ends in `\n`). If the file does not end with a newline (a line torn by
/// a crash), one is added first so the torn line cannot swallow the new one.
fn append(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let mut f = open_private(
        path,
        std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true),
    )?;
    let mut out = String::with_capacity(line.len() + 1);
    if f.metadata()?.len() > 0 {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::End(-1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            out.push('\n');
        }
    }
    out.push_str(line);
    f.write_all(out.as_bytes())
}

fn replace(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    write_private_file(path, contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_order_and_heals_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.jsonl");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"a\":1}\n{torn").unwrap();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let disk = Disk::start(tx);
        disk.append(path.clone(), "{\"b\":2}\n".into());
        disk.replace(dir.path().join("d.json"), "one".into());
        disk.replace(dir.path().join("d.json"), "two".into());
        disk.flush_blocking();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"a\":1}\n{torn\n{\"b\":2}\n");
        let d = std::fs::read_to_string(dir.path().join("d.json")).unwrap();
        assert_eq!(d, "two");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only_in_an_owner_only_dir() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let disk = Disk::start(tx);
        disk.append(data.join("log.jsonl"), "{}\n".into());
        disk.replace(data.join("drafts.json"), "{}".into());
        disk.flush_blocking();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("log.jsonl")), 0o600);
        assert_eq!(mode(&data.join("drafts.json")), 0o600);
    }
}
