//! Drafts: what was typed in a Submit panel, kept per (connection, meter) when the panel closes and
//! saved in `drafts.json` in the data dir, so leaving the panel, quitting or a crash never loses
//! it. The Advanced text is kept verbatim, invalid JSON included, and the uid with it: a draft
//! whose submission failed comes back with the same uid, so sending it again is safe.
//!
//! The whole file is rewritten (atomically, by [`super::persistence`]) when a panel closes,
//! on quit, and 1 s after the last edit.

use serde::{Deserialize, Serialize};
use std::path::Path;

pub const DRAFTS_FILE: &str = "drafts.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftMode {
    Simple,
    Advanced,
}

/// One panel's draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedDraft {
    /// The server and org it was typed for ([`super::ConnectionKey::id`]); drafts of other
    /// connections stay in the file untouched and are never shown here.
    #[serde(default)]
    pub conn: String,
    pub org: String,
    pub meter: String,
    pub mode: DraftMode,
    /// The Simple form: uid, account, ts (and ets) and one value per data field, as typed.
    pub uid: String,
    pub account: String,
    pub ts: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ets: String,
    pub values: Vec<String>,
    /// The Advanced text exactly as typed (in Advanced mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    drafts: Vec<SavedDraft>,
}

/// The drafts of this session and of earlier ones (loaded at start-up).
#[derive(Debug, Default)]
pub struct Drafts {
    list: Vec<SavedDraft>,
}

impl Drafts {
    pub fn get(&self, conn: &str, meter: &str) -> Option<&SavedDraft> {
        self.list
            .iter()
            .find(|d| d.conn == conn && d.meter == meter)
    }

    pub fn put(&mut self, d: SavedDraft) {
        match self
            .list
            .iter_mut()
            .find(|x| x.conn == d.conn && x.meter == d.meter)
        {
            Some(x) => *x = d,
            None => self.list.push(d),
        }
    }

    /// Returns whether there was one.
    pub fn remove(&mut self, conn: &str, meter: &str) -> bool {
        let n = self.list.len();
        self.list.retain(|d| !(d.conn == conn && d.meter == meter));
        self.list.len() != n
    }

    /// Drafts read from disk; one typed in this session already wins.
    pub fn merge_loaded(&mut self, loaded: Vec<SavedDraft>) {
        for d in loaded {
            if self.get(&d.conn, &d.meter).is_none() {
                self.list.push(d);
            }
        }
    }

    /// A measurement with uid `sent` was accepted: drafts still carrying it get `new` (a later
    /// send would otherwise be dropped by m3ter as a duplicate). Returns whether any changed.
    pub fn uid_accepted(&mut self, sent: &str, new: impl Fn() -> String) -> bool {
        if sent.is_empty() {
            return false;
        }
        let quoted = format!("\"{sent}\"");
        let mut changed = false;
        for d in &mut self.list {
            let in_text = d.text.as_ref().is_some_and(|t| t.contains(&quoted));
            if d.uid != sent && !in_text {
                continue;
            }
            let fresh = new();
            if d.uid == sent {
                d.uid = fresh.clone();
            }
            if let Some(t) = &mut d.text {
                *t = t.replace(&quoted, &format!("\"{fresh}\""));
            }
            changed = true;
        }
        changed
    }

    pub fn to_json(&self) -> String {
        let file = File {
            version: 1,
            drafts: self.list.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

/// The drafts in a file; a missing file is none. A damaged or unreadable one is renamed aside
/// (never overwritten: the next save starts a new file) and every whole draft in it recovered;
/// the note says so. `Err` only when it could not even be set aside: then nothing may be saved.
pub fn read_file(path: &Path) -> Result<Loaded, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
        Err(e) => {
            // Unreadable (no permission, an I/O error): set aside so the next save cannot
            // overwrite what was never read; if even that fails, the caller stops saving.
            let why = format!("cannot read {}: {e}", path.display());
            return match set_aside(path) {
                Ok(aside) => Ok(Loaded {
                    drafts: Vec::new(),
                    note: Some(format!("{why}; kept as {}", aside.display())),
                }),
                Err(e2) => Err(format!("{why}; not saving drafts this session ({e2})")),
            };
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    match serde_json::from_str::<File>(&text) {
        Ok(f) => Ok(Loaded {
            drafts: f.drafts,
            note: None,
        }),
        Err(e) => {
            let (drafts, total) = recover(&text);
            let why = format!(
                "{} was damaged (line {}, column {}: {e})",
                path.display(),
                e.line(),
                e.column()
            );
            match set_aside(path) {
                Ok(aside) => Ok(Loaded {
                    note: Some(format!(
                        "{why}: kept as {}; recovered {} of {total} drafts",
                        aside.display(),
                        drafts.len()
                    )),
                    drafts,
                }),
                Err(e2) => Err(format!("{why}; not saving drafts this session ({e2})")),
            }
        }
    }
}

/// What start-up read: the drafts, and what to tell the user about a damaged file.
#[derive(Debug, Default)]
pub struct Loaded {
    pub drafts: Vec<SavedDraft>,
    pub note: Option<String>,
}

/// Every whole draft of a damaged file (cut short, garbage after a good part, a draft with an
/// unknown `mode`): the `drafts` array read element by element until it stops parsing. Returns
/// the drafts and how many elements were seen.
fn recover(text: &str) -> (Vec<SavedDraft>, usize) {
    let Some(start) = text
        .find("\"drafts\"")
        .and_then(|i| text[i..].find('[').map(|j| i + j + 1))
    else {
        return (Vec::new(), 0);
    };
    let (mut out, mut seen, mut pos) = (Vec::new(), 0, start);
    loop {
        let rest = text[pos..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        pos = text.len() - rest.len();
        if rest.is_empty() || rest.starts_with(']') {
            break;
        }
        let mut it = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        match it.next() {
            Some(Ok(v)) => {
                seen += 1;
                pos += it.byte_offset();
                if let Ok(d) = serde_json::from_value::<SavedDraft>(v) {
                    out.push(d);
                }
            }
            _ => {
                seen += 1;
                break;
            }
        }
    }
    (out, seen)
}

/// Renames a damaged file to `NAME.damaged-YYYYMMDDTHHMMSS` beside it (never replacing one).
pub fn set_aside(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let aside = path.with_file_name(format!("{name}.damaged-{stamp}{suffix}"));
        if !aside.exists() {
            std::fs::rename(path, &aside)?;
            return Ok(aside);
        }
    }
    Err(std::io::Error::other("too many damaged copies"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(meter: &str, uid: &str, text: Option<&str>) -> SavedDraft {
        SavedDraft {
            conn: "c".into(),
            org: "o".into(),
            meter: meter.into(),
            mode: DraftMode::Advanced,
            uid: uid.into(),
            account: String::new(),
            ts: String::new(),
            ets: String::new(),
            values: vec![],
            text: text.map(String::from),
        }
    }

    #[test]
    fn an_accepted_uid_is_replaced_in_the_form_and_the_raw_text() {
        let mut d = Drafts::default();
        d.put(draft("a", "u1", Some("{\"uid\": \"u1\", oops")));
        d.put(draft("b", "u2", None));
        assert!(d.uid_accepted("u1", || "u9".into()));
        let a = d.get("c", "a").unwrap();
        assert_eq!(a.uid, "u9");
        assert_eq!(a.text.as_deref(), Some("{\"uid\": \"u9\", oops"));
        assert_eq!(d.get("c", "b").unwrap().uid, "u2");
        let back: File = serde_json::from_str(&d.to_json()).unwrap();
        assert_eq!(back.drafts.len(), 2);
    }

    fn write(dir: &Path, text: &[u8]) -> std::path::PathBuf {
        let p = dir.join(DRAFTS_FILE);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn aside_copies(dir: &Path) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".damaged-"))
            .collect()
    }

    #[test]
    fn a_file_cut_short_is_set_aside_and_its_whole_drafts_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Drafts::default();
        d.put(draft("a", "u1", None));
        d.put(draft("b", "u2", Some("{")));
        let full = d.to_json();
        let cut = &full.as_bytes()[..full.len() - 20];
        let path = write(dir.path(), cut);
        let loaded = read_file(&path).unwrap();
        assert_eq!(loaded.drafts.len(), 1, "{loaded:?}");
        assert_eq!(loaded.drafts[0].uid, "u1");
        let note = loaded.note.unwrap();
        assert!(note.contains("recovered 1 of 2 drafts"), "{note}");
        assert!(
            !path.exists(),
            "the damaged file must not stay where a save would replace it"
        );
        let aside = aside_copies(dir.path());
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(&aside[0]).unwrap(), cut, "kept byte for byte");
        assert!(note.contains(&aside[0].display().to_string()), "{note}");
    }

    #[test]
    fn an_unknown_mode_or_garbage_loses_only_that_draft() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Drafts::default();
        d.put(draft("a", "u1", None));
        d.put(draft("b", "u2", None));
        let text = d.to_json().replacen("\"advanced\"", "\"fancy\"", 1);
        let path = write(dir.path(), text.as_bytes());
        let loaded = read_file(&path).unwrap();
        assert_eq!(loaded.drafts.len(), 1);
        assert_eq!(loaded.drafts[0].uid, "u2");
        assert_eq!(aside_copies(dir.path()).len(), 1);

        let path = write(dir.path(), b"\x00garbage \xff");
        let loaded = read_file(&path).unwrap();
        assert!(loaded.drafts.is_empty());
        assert!(loaded.note.unwrap().contains("damaged"));
        assert_eq!(
            aside_copies(dir.path()).len(),
            2,
            "two damaged copies, neither replaced"
        );
    }

    #[test]
    fn a_good_file_is_read_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Drafts::default();
        d.put(draft("a", "u1", None));
        let path = write(dir.path(), d.to_json().as_bytes());
        let loaded = read_file(&path).unwrap();
        assert_eq!(loaded.drafts.len(), 1);
        assert!(loaded.note.is_none());
        assert!(path.exists());
    }
}
