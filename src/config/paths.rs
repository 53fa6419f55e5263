//! Where the console keeps the user's data: journals, drafts, the submission log. Create it
//! and write in it with [`crate::private_fs`] (0700 directory, 0600 files).

use std::path::PathBuf;

/// Environment variable that moves the data directory (tests, several setups side by side).
pub const DATA_DIR_ENV: &str = "M3TER_CONSOLE_DATA_DIR";

/// `$M3TER_CONSOLE_DATA_DIR`, else `<user data dir>/m3ter-console` (`~/.local/share/…` on
/// Linux). Not created here: see [`crate::private_fs::create_private_dir`].
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("m3ter-console"),
    }
}
