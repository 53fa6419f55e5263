//! The profiles file, `m3ter-console/config.toml` in the user's config dir.
//!
//! It holds API secrets, so it is created owner-only (mode 0600, set at `open` time so there is
//! never a moment when others could read it) and a file that group or others can read is refused
//! rather than silently used: a leaked secret cannot be taken back.

use crate::private_fs;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Environment variable that points the console at another config file (tests, several setups).
pub const CONFIG_ENV: &str = "M3TER_CONSOLE_CONFIG";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub org_id: String,
    pub api_key: String,
    pub api_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

/// Never shows the secret, so a profile can go into logs and error messages.
impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("org_id", &self.org_id)
            .field("api_key", &self.api_key)
            .field("api_secret", &mask(&self.api_secret))
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// What `config show` prints instead of a secret: whether one is set, never any of its characters.
pub fn mask(secret: &str) -> &'static str {
    if secret.is_empty() {
        "(not set)"
    } else {
        "********"
    }
}

/// Where the config file lives: `$M3TER_CONSOLE_CONFIG`, else `<config dir>/m3ter-console/config.toml`.
pub fn path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dir = dirs::config_dir().context("cannot find the user's config directory")?;
    Ok(dir.join("m3ter-console").join("config.toml"))
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty config.
    pub fn load(path: &Path) -> anyhow::Result<ConfigFile> {
        let text = match read_private(path)? {
            Some(t) => t,
            None => return Ok(ConfigFile::default()),
        };
        toml::from_str(&text)
            .with_context(|| format!("{}: not a valid config file", path.display()))
    }

    pub fn profile(&self, name: &str, path: &Path) -> anyhow::Result<&Profile> {
        self.profiles.get(name).with_context(|| {
            let known: Vec<_> = self.profiles.keys().map(String::as_str).collect();
            format!(
                "no profile {name:?} in {} (profiles: {}); create it with `m3ter-console config set-profile {name} --org-id … --api-key … --api-secret-stdin`",
                path.display(),
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )
        })
    }

    /// Writes the whole file atomically: a new owner-only temp file, synced, renamed over the old.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|d| !d.exists()) {
            private_fs::create_private_dir(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = toml::to_string_pretty(self).context("cannot encode the config")?;
        let tmp = path.with_extension(format!("toml.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut f = private_fs::create_private_file(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    }
}

/// The file's text, or `None` if it does not exist; refuses a file others can read.
fn read_private(path: &Path) -> anyhow::Result<Option<String>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{} holds API secrets but its permissions ({mode:03o}) let other users read it; \
                 refusing to use it. Fix with: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut &file, &mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_the_secret() {
        let p = Profile {
            org_id: "o".into(),
            api_key: "k".into(),
            api_secret: "hunter2-secret".into(),
            base_url: None,
        };
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn round_trips_through_toml() {
        let mut c = ConfigFile {
            default_profile: Some("prod".into()),
            ..Default::default()
        };
        c.profiles.insert(
            "prod".into(),
            Profile {
                org_id: "o".into(),
                api_key: "k".into(),
                api_secret: "s".into(),
                base_url: Some("http://x".into()),
            },
        );
        let text = toml::to_string_pretty(&c).unwrap();
        assert!(text.contains("[profiles.prod]"), "{text}");
        assert_eq!(toml::from_str::<ConfigFile>(&text).unwrap(), c);
    }
}
