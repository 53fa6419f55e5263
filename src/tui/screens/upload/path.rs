//! The path input's rules: `~` is the home directory, and Tab completes the last component
//! from a directory listing (read on a task, never on the UI thread).

use std::path::PathBuf;

/// `~` and `~/…` expanded to the home directory; anything else as typed.
pub fn expand(typed: &str) -> PathBuf {
    let home = || dirs::home_dir().unwrap_or_else(|| PathBuf::from("~"));
    if typed == "~" {
        return home();
    }
    match typed.strip_prefix("~/") {
        Some(rest) => home().join(rest),
        None => PathBuf::from(typed),
    }
}

/// `("~/data/", "us")` for `~/data/us`: the directory part as typed (kept when completing) and
/// the start of the name being completed.
pub fn split(typed: &str) -> (&str, &str) {
    match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None if typed == "~" => ("~", ""),
        None => ("", typed),
    }
}

/// The directory whose entries complete `typed` (`.` when none is typed).
pub fn dir_of(typed: &str) -> PathBuf {
    match split(typed) {
        ("", _) => PathBuf::from("."),
        ("~", _) => expand("~"),
        (dir, _) => expand(dir),
    }
}

/// What Tab does with the listing of `typed`'s directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The input's new text.
    pub value: String,
    /// The entries that still match (shown under the input when more than one does).
    pub candidates: Vec<String>,
}

/// Completes `typed` from `entries` (names; directories end in `/`): one match completes
/// fully, several extend to their common start. Hidden entries only match a typed `.`.
pub fn complete(typed: &str, entries: &[String]) -> Completion {
    let (dir, start) = split(typed);
    let dir = if dir == "~" { "~/" } else { dir };
    let candidates: Vec<String> = entries
        .iter()
        .filter(|e| e.starts_with(start) && (start.starts_with('.') || !e.starts_with('.')))
        .cloned()
        .collect();
    let value = match candidates.as_slice() {
        [] => typed.to_string(),
        [one] => format!("{dir}{one}"),
        many => format!("{dir}{}", common_start(many)),
    };
    Completion {
        value,
        candidates: if candidates.len() > 1 {
            candidates
        } else {
            Vec::new()
        },
    }
}

fn common_start(names: &[String]) -> String {
    let mut out: Vec<char> = names[0].chars().collect();
    for n in &names[1..] {
        let same = out
            .iter()
            .zip(n.chars())
            .take_while(|(a, b)| **a == *b)
            .count();
        out.truncate(same);
    }
    out.into_iter().collect()
}

/// The entries of `dir`, sorted, directories with a trailing `/` (blocking: run it on a task).
pub fn list(dir: &std::path::Path) -> Result<Vec<String>, String> {
    let read = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = read
        .flatten()
        .map(|e| {
            let mut name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                name.push('/');
            }
            name
        })
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn one_match_completes_several_extend_to_their_common_start() {
        let e = names(&["usage.csv", "usage.ndjson", "data/", ".hidden"]);
        let c = complete("da", &e);
        assert_eq!(c.value, "data/");
        assert!(c.candidates.is_empty());
        let c = complete("~/x/us", &e);
        assert_eq!(c.value, "~/x/usage.");
        assert_eq!(c.candidates, ["usage.csv", "usage.ndjson"]);
        assert_eq!(
            complete("", &e).candidates.len(),
            3,
            "hidden ones stay hidden"
        );
        assert_eq!(complete(".h", &e).value, ".hidden");
        assert_eq!(complete("zz", &e).value, "zz");
        assert_eq!(complete("~", &e).candidates.len(), 3);
    }

    #[test]
    fn tilde_is_home() {
        let home = dirs::home_dir().unwrap();
        assert_eq!(expand("~/a.csv"), home.join("a.csv"));
        assert_eq!(expand("~"), home);
        assert_eq!(expand("a~/b"), PathBuf::from("a~/b"));
        assert_eq!(dir_of("~/x/us"), home.join("x/"));
        assert_eq!(dir_of("us"), PathBuf::from("."));
    }
}
