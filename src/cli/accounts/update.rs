//! `accounts update`: read the account as the server sent it, change only what the flags say,
//! check only what changed, and PUT back every field read — including fields this console does
//! not model (a newer m3ter field must survive an update from an older console) — with the
//! version read, so a concurrent edit is refused (409) instead of overwritten.

use super::args::{self, UpdateFlags};
use super::clear;
use super::fields::AccountFlags;
use crate::cli::exit::NotFound;
use crate::cli::output;
use crate::connect::Connection;
use crate::m3ter::{Account, ListQuery};
use serde_json::{Map, Value};

/// Fields the server sets itself; sending them back would only be noise.
const READ_ONLY: [&str; 5] = [
    "id",
    "dtCreated",
    "dtLastModified",
    "createdBy",
    "lastModifiedBy",
];

/// A change to the account's JSON: the path of a field and its new value (`None`: removed).
type Change = (Vec<String>, Option<Value>);

pub async fn run(conn: &Connection, flags: &UpdateFlags) -> anyhow::Result<Account> {
    let (current, raw) = find_raw(conn, &flags.code).await?;
    let before = current.to_request();
    let mut req = before.clone();
    flags.apply(&mut req);
    flags.options.apply(conn, &mut req).await?;
    args::check_conflicts(&flags.clear, &flags.options)?;
    for name in clear::apply(&flags.clear, &mut req) {
        eprintln!(
            "note: account {} has no {} to clear",
            output::clean(&flags.code),
            output::clean(&name)
        );
    }
    let mut changes = Vec::new();
    diff(
        &serde_json::to_value(&before)?,
        &serde_json::to_value(&req)?,
        &mut Vec::new(),
        &mut changes,
    );
    let changed: Vec<String> = changes.iter().map(|(p, _)| p.join(".")).collect();
    AccountFlags::check_only(&req, |field| {
        changed.iter().any(|p| {
            p == field || field.starts_with(&format!("{p}.")) || p.starts_with(&format!("{field}."))
        })
    })?;
    let body = put_body(raw, &changes);
    conn.client
        .update_raw::<Account>(&current.id, &body)
        .await
        .map_err(|e| {
            if e.is_conflict() {
                let read = current.version.map_or("?".into(), |v| v.to_string());
                anyhow::Error::from(e).context(format!(
                    "account {code} was changed by someone else after this update read it \
                     (version {read}), so nothing was written; run the same command again \
                     to apply it to the new version (`accounts show {code}` shows what changed)",
                    code = output::clean(&flags.code)
                ))
            } else {
                e.into()
            }
        })
}

/// The account with this code, typed and as sent.
async fn find_raw(conn: &Connection, code: &str) -> anyhow::Result<(Account, Value)> {
    let page = conn
        .client
        .list_page_raw::<Account>(&ListQuery::codes([code]), None)
        .await?;
    let raw = page
        .data
        .into_iter()
        .find(|a| a["code"] == code)
        .ok_or_else(|| NotFound(format!("no account has the code {code:?}")))?;
    Ok((serde_json::from_value(raw.clone())?, raw))
}

/// Where `after` differs from `before`, field by field (objects are compared inside, so a
/// change to one address line leaves the others — and unknown ones — alone).
fn diff(before: &Value, after: &Value, path: &mut Vec<String>, out: &mut Vec<Change>) {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        if before != after {
            out.push((path.clone(), Some(after.clone())));
        }
        return;
    };
    let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
    for key in keys {
        path.push(key.clone());
        match (b.get(key), a.get(key)) {
            (Some(x), Some(y)) if x.is_object() && y.is_object() => diff(x, y, path, out),
            (x, y) if x != y => out.push((path.clone(), y.cloned())),
            _ => {}
        }
        path.pop();
    }
}

/// The account as read, minus the fields the server sets, with the changes applied.
fn put_body(raw: Value, changes: &[Change]) -> Value {
    let mut body = match raw {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for key in READ_ONLY {
        body.remove(key);
    }
    for (path, value) in changes {
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        let mut obj = &mut body;
        for p in parents {
            let slot = obj
                .entry(p.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            obj = slot.as_object_mut().expect("made an object above");
        }
        match value {
            Some(v) => {
                obj.insert(last.clone(), v.clone());
            }
            None => {
                obj.remove(last);
            }
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_changes_are_applied_and_unknown_fields_survive() {
        let raw = json!({"id": "a1", "version": 2, "code": "C", "name": "Old", "dtCreated": "x",
            "futureField": {"a": 1}, "address": {"locality": "Leeds", "what3words": "a.b.c"},
            "customFields": {"k": 1, "gone": 2}});
        let before = json!({"code": "C", "name": "Old", "address": {"locality": "Leeds"},
            "customFields": {"k": 1, "gone": 2}, "version": 2});
        let after = json!({"code": "C", "name": "New", "address": {"locality": "York"},
            "customFields": {"k": 1}, "version": 2});
        let mut changes = Vec::new();
        diff(&before, &after, &mut Vec::new(), &mut changes);
        let paths: Vec<String> = changes.iter().map(|(p, _)| p.join(".")).collect();
        assert_eq!(paths, ["name", "address.locality", "customFields.gone"]);
        assert_eq!(
            put_body(raw, &changes),
            json!({"version": 2, "code": "C", "name": "New", "futureField": {"a": 1},
                "address": {"locality": "York", "what3words": "a.b.c"},
                "customFields": {"k": 1}})
        );
    }
}
