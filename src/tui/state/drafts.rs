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

/// The drafts in a file; a missing file is none, a damaged one an error (and is left alone
/// until the next save).
pub fn read_file(path: &Path) -> Result<Vec<SavedDraft>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => serde_json::from_str::<File>(&t)
            .map(|f| f.drafts)
            .map_err(|e| format!("cannot read the drafts in {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
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
}
