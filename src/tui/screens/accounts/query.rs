//! What the list shows — filter text, sort, auto-created only — and how that becomes a request.
//!
//! Decisions: the default view (newest first, no filter) pages through the plain list endpoint,
//! whose cursor is cheap at any depth; everything else goes through `GET /accounts/search`
//! (server-side, so it works on 100,000 accounts): the filter is `code~TEXT$name~TEXT` with
//! operator OR; `$` cannot be escaped in m3ter's syntax, so it is dropped from the text. "Auto-
//! created only" asks for `name~-autocreated` (m3ter names them `CODE-autocreated`; with text it
//! becomes `code~TEXT$name~-autocreated`, operator AND — for these accounts the name is the code,
//! so nothing is lost) and rows are checked again with [`Account::is_auto_created`]. The end of
//! the list (`G`) is the same search in the opposite order.

use crate::m3ter::{Account, Client, ListQuery, Result, SearchQuery};
use crate::tui::state::msg::Cursor;

/// Rows per request (m3ter's largest account page).
pub const PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Created,
    Code,
    Name,
}

impl SortKey {
    fn field(self) -> &'static str {
        match self {
            SortKey::Created => "dtCreated",
            SortKey::Code => "code",
            SortKey::Name => "name",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub sort: SortKey,
    pub desc: bool,
    pub auto_only: bool,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            text: String::new(),
            sort: SortKey::Created,
            desc: true,
            auto_only: false,
        }
    }
}

impl Query {
    /// `o`: newest first → code A–Z → name A–Z → newest first.
    pub fn next_sort(&mut self) {
        (self.sort, self.desc) = match self.sort {
            SortKey::Created => (SortKey::Code, false),
            SortKey::Code => (SortKey::Name, false),
            SortKey::Name => (SortKey::Created, true),
        };
    }

    /// How the sort reads in the list title (`newest first`, `code A→Z`).
    pub fn sort_label(&self) -> String {
        match (self.sort, self.desc) {
            (SortKey::Created, true) => "newest first".into(),
            (SortKey::Created, false) => "oldest first".into(),
            (k, desc) => format!("{} {}", k.field(), if desc { "Z→A" } else { "A→Z" }),
        }
    }

    fn text(&self) -> String {
        self.text.trim().replace('$', "")
    }

    /// Whether a row the server sent belongs in the list.
    pub fn keeps(&self, a: &Account) -> bool {
        !self.auto_only || a.is_auto_created()
    }

    /// The default view can use the plain (cursor) list; its reverse and the rest need search.
    fn plain(&self) -> bool {
        self.text().is_empty() && !self.auto_only && self.sort == SortKey::Created && self.desc
    }

    /// `searchQuery` and `operator`.
    pub fn search(&self) -> (Option<String>, Option<&'static str>) {
        let t = self.text();
        match (t.is_empty(), self.auto_only) {
            (true, false) => (None, None),
            (true, true) => (Some("name~-autocreated".into()), None),
            (false, false) => (Some(format!("code~{t}$name~{t}")), Some("OR")),
            (false, true) => (Some(format!("code~{t}$name~-autocreated")), Some("AND")),
        }
    }

    /// One page: forward from the start, or (`reverse`) backwards from the end, last row first.
    pub async fn fetch(
        &self,
        client: &Client,
        reverse: bool,
        cursor: Cursor,
    ) -> Result<(Vec<Account>, Option<Cursor>)> {
        if self.plain() && !reverse {
            let token = match &cursor {
                Cursor::Token(t) => Some(t.as_str()),
                _ => None,
            };
            let q = ListQuery::page_size(PAGE);
            let page = client.list_page::<Account>(&q, token).await?;
            let next = match page.next() {
                Some(t) if !page.data.is_empty() => Some(Cursor::Token(t.to_string())),
                _ => None,
            };
            return Ok((page.data, next));
        }
        let from = match cursor {
            Cursor::Offset(n) => n,
            _ => 0,
        };
        let (search_query, operator) = self.search();
        let desc = self.desc != reverse;
        let q = SearchQuery {
            search_query,
            from_document: Some(from),
            page_size: Some(PAGE),
            operator: operator.map(String::from),
            sort_by: Some(self.sort.field().into()),
            sort_order: Some(if desc { "DESC" } else { "ASC" }.into()),
        };
        let page = client.search_accounts(&q).await?;
        let got = page.data.len() as u64;
        let next = (page.next().is_some() && got > 0).then_some(Cursor::Offset(from + got));
        Ok((page.data, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_and_auto_only_become_search_conditions() {
        let mut q = Query {
            text: " ac$me ".into(),
            ..Default::default()
        };
        assert_eq!(q.search(), (Some("code~acme$name~acme".into()), Some("OR")));
        q.auto_only = true;
        assert_eq!(
            q.search(),
            (Some("code~acme$name~-autocreated".into()), Some("AND"))
        );
        q.text.clear();
        assert!(!q.plain());
        q.auto_only = false;
        assert!(q.plain());
        q.next_sort();
        assert_eq!(q.sort_label(), "code A→Z");
    }
}
