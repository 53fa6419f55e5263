//! Files that are the user's own (usage data, journals, drafts, the submission log, the sandbox
//! database): directories created 0700 and files 0600 from the moment they exist (never created
//! open, then narrowed). A leaf module, std only, so every layer can use it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Creates `dir` (and missing parents) owner-only (0700). An existing `dir` that others can
/// enter is narrowed to 0700 too: earlier versions created it 0755.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Opens `path` with `options`, creating it owner-only (0600) if it does not exist.
pub fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options.open(path)
}

/// A new owner-only file for writing; fails if `path` exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    open_private(path, OpenOptions::new().write(true).create_new(true))
}

/// Replaces `path` with `bytes` atomically: a new owner-only temp file beside it, synced, then
/// renamed over the old one, so a crash leaves the old file or the new one, never half of one.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_beside(path);
    let _ = std::fs::remove_file(&tmp);
    let mut f = create_private_file(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_parent(path);
    Ok(())
}

/// `<name>.<pid>.tmp` next to `path`.
pub fn temp_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Makes a rename in `path`'s directory durable (best effort: not every filesystem allows it).
pub fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn dirs_are_0700_and_files_0600() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let f = dir.join("drafts.json");
        write_private_file(&f, b"{}").unwrap();
        assert_eq!(mode(&f), 0o600);
        write_private_file(&f, b"{\"x\":1}").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"{\"x\":1}");
        assert_eq!(mode(&f), 0o600);
        let log = dir.join("log.jsonl");
        open_private(&log, OpenOptions::new().append(true).create(true)).unwrap();
        assert_eq!(mode(&log), 0o600);
        // An old 0755 data dir is narrowed.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "no temp file left"
        );
    }
}
