//! The account list as a window onto the server, so 100,000 accounts never have to be loaded:
//! a **head** loaded page by page from the first row and, once the user jumps to the end (`G`),
//! a **tail** loaded page by page backwards from the last row (the same query in the opposite
//! order). Between them is a gap row. When a page of one side reaches a row the other side
//! already holds, the two are joined and the list is complete. Neither m3ter's list nor its
//! search tells how many rows there are, so the window never needs a total.
//!
//! Pages are fetched on tokio tasks ([`Ctx::spawn`]); each answer carries the query generation
//! it was asked for, so answers to an old filter or sort are dropped.

use super::query::Query;
use crate::m3ter::Account;
use crate::tui::state::msg::{AcctMsg, Cursor, PageResult};
use crate::tui::state::{Ctx, Msg};
use std::collections::HashSet;

/// Fetch the next page when the selection is this close to the end of what is loaded.
pub const PREFETCH: usize = 40;

/// One side of the window.
#[derive(Debug, Default)]
struct Side {
    /// In display order (the tail too).
    rows: Vec<Account>,
    ids: HashSet<String>,
    /// Where the next page starts; `None` once this side reached the other end of the list.
    next: Option<Cursor>,
    loading: bool,
}

impl Side {
    fn fresh() -> Self {
        Self {
            next: Some(Cursor::First),
            ..Default::default()
        }
    }
}

/// What a display row is.
#[derive(Debug, Clone, Copy)]
pub enum Slot<'a> {
    Account(&'a Account),
    /// Rows not loaded yet between head and tail (or after the head).
    Gap,
}

#[derive(Debug)]
pub struct Window {
    pub query: Query,
    pub gen: u64,
    head: Side,
    tail: Side,
    /// Selected display row.
    pub selected: usize,
    /// `G` was pressed: keep the selection on the last row as the tail arrives.
    pinned_end: bool,
    pub error: Option<String>,
}

impl Window {
    pub fn new(query: Query) -> Self {
        Self {
            query,
            gen: 0,
            head: Side::fresh(),
            tail: Side::default(),
            selected: 0,
            pinned_end: false,
            error: None,
        }
    }

    /// All rows are loaded.
    pub fn complete(&self) -> bool {
        self.head.next.is_none()
    }

    pub fn loading(&self) -> bool {
        self.head.loading || self.tail.loading
    }

    /// Display rows: the head, then (if incomplete) the gap and the tail.
    pub fn len(&self) -> usize {
        if self.complete() {
            self.head.rows.len()
        } else {
            self.head.rows.len() + 1 + self.tail.rows.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn loaded(&self) -> usize {
        self.head.rows.len() + self.tail.rows.len()
    }

    pub fn slot(&self, i: usize) -> Option<Slot<'_>> {
        let h = self.head.rows.len();
        if i < h {
            return Some(Slot::Account(&self.head.rows[i]));
        }
        if self.complete() {
            return None;
        }
        if i == h {
            return Some(Slot::Gap);
        }
        self.tail.rows.get(i - h - 1).map(Slot::Account)
    }

    pub fn selected_account(&self) -> Option<&Account> {
        match self.slot(self.selected)? {
            Slot::Account(a) => Some(a),
            Slot::Gap => None,
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        let h = self.head.rows.len();
        if let Some(i) = self.head.rows.iter().position(|a| a.id == id) {
            return Some(i);
        }
        let t = self.tail.rows.iter().position(|a| a.id == id)?;
        Some(h + 1 + t)
    }

    /// Starts over with `query` (a new filter, sort, or a reload), dropping pending answers.
    pub fn reset(&mut self, ctx: &mut Ctx, query: Query) {
        let gen = self.gen + 1;
        *self = Window::new(query);
        self.gen = gen;
        self.ensure(ctx);
    }

    /// Moves the selection (clamped); `G` pins it to the end.
    pub fn select(&mut self, ctx: &mut Ctx, i: usize) {
        self.pinned_end = false;
        self.selected = i.min(self.len().saturating_sub(1));
        self.ensure(ctx);
    }

    pub fn bottom(&mut self, ctx: &mut Ctx) {
        self.pinned_end = !self.complete();
        self.selected = self.len().saturating_sub(1);
        if self.pinned_end && self.tail.rows.is_empty() && self.tail.next.is_none() {
            self.tail = Side::fresh();
        }
        self.ensure(ctx);
    }

    /// Fetches whatever the selection is close to and is not loaded yet.
    pub fn ensure(&mut self, ctx: &mut Ctx) {
        if self.complete() || self.error.is_some() {
            return;
        }
        let h = self.head.rows.len();
        let near_head_end = self.selected + PREFETCH >= h && self.selected <= h;
        if near_head_end && !self.head.loading {
            if let Some(c) = self.head.next.clone() {
                self.head.loading = true;
                fetch(ctx, self.gen, false, self.query.clone(), c);
            }
        }
        let near_tail_start = self.selected >= h && self.selected <= h + PREFETCH;
        if near_tail_start && !self.tail.loading {
            if let Some(c) = self.tail.next.clone() {
                self.tail.loading = true;
                fetch(ctx, self.gen, true, self.query.clone(), c);
            }
        }
    }

    /// A page arrived (answers to an older query are ignored).
    pub fn on_page(&mut self, ctx: &mut Ctx, gen: u64, tail: bool, page: &PageResult) {
        if gen != self.gen {
            return;
        }
        let selected_id = self.selected_account().map(|a| a.id.clone());
        // Joining the halves unpins the end: remember whether the user asked for it.
        let pinned = self.pinned_end;
        match page {
            Err(e) => {
                self.head.loading = false;
                self.tail.loading = false;
                self.error = Some(e.clone());
                return;
            }
            Ok((rows, next)) => {
                let rows: Vec<Account> = rows
                    .iter()
                    .filter(|a| self.query.keeps(a))
                    .cloned()
                    .collect();
                if tail {
                    self.add_tail(rows, next.clone());
                } else {
                    self.add_head(rows, next.clone());
                }
            }
        }
        if pinned {
            self.selected = self.len().saturating_sub(1);
        } else if let Some(i) = selected_id.and_then(|id| self.position(&id)) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.len().saturating_sub(1));
        // A page emptied by the auto-only filter must not stall the scroll.
        self.ensure(ctx);
    }

    fn add_head(&mut self, rows: Vec<Account>, next: Option<Cursor>) {
        self.head.loading = false;
        let meet = rows.iter().position(|a| self.tail.ids.contains(&a.id));
        for a in rows.into_iter().take(meet.unwrap_or(usize::MAX)) {
            if self.head.ids.insert(a.id.clone()) {
                self.head.rows.push(a);
            }
        }
        self.head.next = next;
        if meet.is_some() || self.head.next.is_none() {
            self.join();
        }
    }

    /// `rows` come last-first (the reversed query).
    fn add_tail(&mut self, rows: Vec<Account>, next: Option<Cursor>) {
        self.tail.loading = false;
        let meet = rows.iter().position(|a| self.head.ids.contains(&a.id));
        let mut new: Vec<Account> = rows
            .into_iter()
            .take(meet.unwrap_or(usize::MAX))
            .filter(|a| !self.tail.ids.contains(&a.id))
            .collect();
        new.reverse();
        let added = new.len();
        for a in &new {
            self.tail.ids.insert(a.id.clone());
        }
        new.append(&mut self.tail.rows);
        self.tail.rows = new;
        if self.selected > self.head.rows.len() {
            self.selected += added;
        }
        self.tail.next = next;
        if meet.is_some() || self.tail.next.is_none() {
            // The tail reached the head (or the start of the list): nothing is missing. Without
            // a meeting row the tail holds the whole list, so it replaces the head.
            if meet.is_none() {
                self.head.rows.clear();
                self.head.ids.clear();
            }
            self.join();
        }
    }

    /// Head and tail meet: one complete list.
    fn join(&mut self) {
        let tail = std::mem::take(&mut self.tail);
        for a in tail.rows {
            if self.head.ids.insert(a.id.clone()) {
                self.head.rows.push(a);
            }
        }
        self.head.next = None;
        self.head.loading = false;
        self.pinned_end = false;
    }

    /// Drops a deleted account without reloading (the position in a long list is kept).
    pub fn remove(&mut self, id: &str) {
        if let Some(i) = self.position(id) {
            for side in [&mut self.head, &mut self.tail] {
                side.rows.retain(|a| a.id != id);
                side.ids.remove(id);
            }
            if self.selected > i {
                self.selected -= 1;
            }
            self.selected = self.selected.min(self.len().saturating_sub(1));
        }
    }

    /// Replaces one account in place (after an edit) without reloading.
    pub fn replace(&mut self, account: &Account) {
        for side in [&mut self.head, &mut self.tail] {
            if let Some(a) = side.rows.iter_mut().find(|a| a.id == account.id) {
                *a = account.clone();
            }
        }
    }
}

fn fetch(ctx: &mut Ctx, gen: u64, tail: bool, query: Query, cursor: Cursor) {
    let client = ctx.client.clone();
    ctx.spawn("load accounts page", async move {
        let result = query
            .fetch(&client, tail, cursor)
            .await
            .map_err(|e| e.to_string());
        Msg::acct(AcctMsg::Page { gen, tail, result })
    });
}
