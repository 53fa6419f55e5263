//! The user's key remapping: `keys.toml` in the config dir names an action and the keys that
//! trigger it, one per line, replacing that action's default keys in every table:
//!
//! ```toml
//! submit = ["ctrl+s", "f5"]
//! resend = "R"
//! help = ["?", "f1"]
//! ```
//!
//! Keys are written as shown in the bottom bar, case-insensitively for names: `ctrl+x`, `alt+x`,
//! `f1`…`f12`, `esc`, `enter`, `tab`, `shift+tab`, `up`, `down`, `left`, `right`, `home`,
//! `end`, `pgup`, `pgdn`, `space`, `backspace`, `delete`, one character (`G`, `?`), or a
//! doubled one (`gg`). A line that cannot be used is reported with its file and line number and
//! skipped; the rest still apply. Nothing here ever panics on what the file holds.

use super::binding::{Action, Key, KeyBinding};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::collections::HashMap;
use std::path::Path;

pub const KEYS_FILE: &str = "keys.toml";

/// Keys per action where the user chose their own; every other action keeps its defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keymap {
    overrides: HashMap<Action, Vec<Key>>,
}

impl Keymap {
    /// The keys that trigger `b` (the user's, else the table's).
    pub fn keys<'a>(&'a self, b: &KeyBinding) -> &'a [Key] {
        self.overrides
            .get(&b.action)
            .map(Vec::as_slice)
            .unwrap_or(b.keys)
    }

    /// `Ctrl+T/F2`: every key of the binding.
    pub fn label(&self, b: &KeyBinding) -> String {
        join(self.keys(b).iter())
    }

    /// Only the keys that work while typing (no plain characters), or all of them.
    pub fn label_for(&self, b: &KeyBinding, typing: bool) -> String {
        join(self.keys(b).iter().filter(|k| !typing || !k.is_printable()))
    }

    /// Whether the binding does anything in the given mode (for the bottom bar).
    pub fn active(&self, b: &KeyBinding, typing: bool) -> bool {
        if !typing {
            return !b.bar_typing_only;
        }
        b.in_text && self.keys(b).iter().any(|k| !k.is_printable())
    }

    /// Reads `path` (a missing file is no remapping). Returns the map and one message per line
    /// that was skipped, as `path:line: why`.
    pub fn load(path: &Path) -> (Keymap, Vec<String>) {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Keymap::default(), vec![]),
            Err(e) => (
                Keymap::default(),
                vec![format!("{}: cannot read: {e}", path.display())],
            ),
        }
    }

    /// Parses the file's text line by line (`file` names it in the messages).
    pub fn parse(text: &str, file: &str) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "[keys]" {
                continue;
            }
            match parse_line(trimmed) {
                Ok((action, keys)) => {
                    map.overrides.insert(action, keys);
                }
                Err(why) => problems.push(format!("{file}:{}: {why} (line ignored)", n + 1)),
            }
        }
        (map, problems)
    }
}

fn join<'a>(keys: impl Iterator<Item = &'a Key>) -> String {
    keys.map(Key::label).collect::<Vec<_>>().join("/")
}

fn parse_line(line: &str) -> Result<(Action, Vec<Key>), String> {
    let table: toml::Table = toml::from_str(line).map_err(|e| {
        let msg = e.message().to_string();
        format!("not `action = [\"key\", …]`: {msg}")
    })?;
    let Some((name, value)) = table.into_iter().next() else {
        return Err("expected `action = [\"key\", …]`".into());
    };
    let action: Action = serde_json::from_value(serde_json::Value::String(name.clone()))
        .map_err(|_| format!("unknown action {name:?}"))?;
    let texts: Vec<String> = match value {
        toml::Value::String(s) => vec![s],
        toml::Value::Array(a) => a
            .into_iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s),
                other => Err(format!("{name}: {other} is not a key name in quotes")),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(format!("{name}: expected a list of keys, got {other}")),
    };
    if texts.is_empty() {
        return Err(format!("{name}: no keys (an action needs at least one)"));
    }
    let keys = texts
        .iter()
        .map(|t| parse_key(t).ok_or_else(|| format!("{name}: unknown key {t:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((action, keys))
}

/// `ctrl+s`, `F5`, `esc`, `G`, `gg`… (see the module docs).
pub fn parse_key(text: &str) -> Option<Key> {
    let t = text.trim();
    let chars: Vec<char> = t.chars().collect();
    match chars.as_slice() {
        [c] => return Some(Key::ch(*c)),
        [a, b] if a == b => return Some(Key::Twice(*a)),
        _ => {}
    }
    let lower = t.to_lowercase();
    let (mods, rest) = if let Some(r) = lower.strip_prefix("ctrl+") {
        (KeyModifiers::CONTROL, r)
    } else if let Some(r) = lower.strip_prefix("alt+") {
        (KeyModifiers::ALT, r)
    } else {
        (KeyModifiers::NONE, lower.as_str())
    };
    let code = match rest {
        "esc" | "escape" => KeyCode::Esc,
        "enter" | "return" => KeyCode::Enter,
        "tab" => KeyCode::Tab,
        "shift+tab" | "backtab" => KeyCode::BackTab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        f if f.starts_with('f') && f.len() > 1 => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        c if c.chars().count() == 1 && mods != KeyModifiers::NONE => {
            KeyCode::Char(c.chars().next()?)
        }
        _ => return None,
    };
    Some(Key::Code(code, mods))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_apply_and_bad_ones_are_named_by_line() {
        let text = "# mine\nsubmit = [\"ctrl+x\", \"F6\"]\nsumbit = \"x\"\nresend = \"R\"\nhelp = [\"hyper+q\"]\nnot toml at all\n";
        let (k, problems) = Keymap::parse(text, "keys.toml");
        const SUBMIT: KeyBinding = KeyBinding::new(&[Key::ctrl('s')], Action::Submit, "", "");
        const RESEND: KeyBinding = KeyBinding::new(&[Key::ch('r')], Action::Resend, "", "");
        const HELP: KeyBinding = KeyBinding::new(&[Key::ch('?')], Action::Help, "", "");
        let (submit, resend, help) = (SUBMIT, RESEND, HELP);
        assert_eq!(k.label(&submit), "Ctrl+X/F6");
        assert_eq!(k.label(&resend), "R");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("keys.toml:3: unknown action \"sumbit\""));
        assert!(problems[1].starts_with("keys.toml:5: help: unknown key \"hyper+q\""));
        assert!(problems[2].starts_with("keys.toml:6: "));
        assert_eq!(k.label(&help), "?", "a bad line leaves the defaults");
    }

    #[test]
    fn key_names() {
        assert_eq!(parse_key("gg"), Some(Key::Twice('g')));
        assert_eq!(parse_key("G"), Some(Key::ch('G')));
        assert_eq!(parse_key("Ctrl+S"), Some(Key::ctrl('s')));
        assert_eq!(parse_key("pgdn"), Some(Key::plain(KeyCode::PageDown)));
        assert_eq!(parse_key("f13"), None);
        assert_eq!(parse_key("bogus"), None);
    }
}
