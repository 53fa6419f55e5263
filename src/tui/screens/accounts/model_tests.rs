//! The window's paging without a server: pages are fed by hand, as the tasks would send them.

use super::model::{Slot, Window};
use super::query::Query;
use crate::m3ter::{Account, Client, ClientConfig, Credentials};
use crate::tui::state::msg::Cursor;
use crate::tui::state::Ctx;

fn ctx() -> Ctx {
    let creds = Credentials {
        org_id: "o".into(),
        api_key: "k".into(),
        api_secret: "s".into(),
        token: None,
    };
    let client = Client::new(ClientConfig::new(creds, Some("http://127.0.0.1:9"))).unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    Ctx::new(client, "test".into(), tx)
}

/// Accounts `n..m` in list order.
fn rows(range: impl Iterator<Item = usize>) -> Vec<Account> {
    range
        .map(|i| Account {
            id: format!("id-{i}"),
            code: Some(format!("C{i:03}")),
            ..Default::default()
        })
        .collect()
}

fn code(w: &Window, i: usize) -> String {
    match w.slot(i) {
        Some(Slot::Account(a)) => a.code.clone().unwrap(),
        Some(Slot::Gap) => "gap".into(),
        None => "none".into(),
    }
}

#[test]
fn the_end_loads_backwards_and_the_halves_join() {
    let mut c = ctx();
    let mut w = Window::new(Query::default());
    w.reset(&mut c, Query::default());
    let g = w.gen;
    w.on_page(
        &mut c,
        g,
        false,
        &Ok((rows(0..100), Some(Cursor::Token("t".into())))),
    );
    assert_eq!((w.len(), w.complete()), (101, false));
    w.bottom(&mut c);
    assert!(w.loading(), "the tail is being fetched");
    // The reversed query: the last row first.
    w.on_page(
        &mut c,
        g,
        true,
        &Ok((rows((150..250).rev()), Some(Cursor::Offset(100)))),
    );
    assert_eq!(w.len(), 201);
    assert_eq!(code(&w, w.selected), "C249", "pinned to the end");
    assert_eq!(code(&w, 100), "gap");
    assert_eq!(code(&w, 101), "C150");
    // Scrolling up to the gap fetches more of the tail; it meets the head.
    w.select(&mut c, 102);
    assert_eq!(code(&w, w.selected), "C151");
    w.on_page(
        &mut c,
        g,
        true,
        &Ok((rows((50..150).rev()), Some(Cursor::Offset(200)))),
    );
    assert!(w.complete());
    assert_eq!(w.len(), 250);
    assert_eq!(code(&w, 99), "C099");
    assert_eq!(code(&w, 100), "C100");
    assert_eq!(
        code(&w, w.selected),
        "C151",
        "the selection stays on its account"
    );
}

#[test]
fn answers_to_an_old_query_are_dropped_and_errors_stop_paging() {
    let mut c = ctx();
    let mut w = Window::new(Query::default());
    w.reset(&mut c, Query::default());
    let old = w.gen;
    w.reset(&mut c, Query::default());
    w.on_page(&mut c, old, false, &Ok((rows(0..5), None)));
    assert_eq!(w.loaded(), 0);
    w.on_page(&mut c, w.gen, false, &Err("boom".into()));
    assert_eq!(w.error.as_deref(), Some("boom"));
    assert!(!w.loading());
}

#[test]
fn the_head_reaching_the_tail_completes_the_list() {
    let mut c = ctx();
    let mut w = Window::new(Query::default());
    w.reset(&mut c, Query::default());
    let g = w.gen;
    w.on_page(&mut c, g, false, &Ok((rows(0..3), Some(Cursor::Offset(3)))));
    w.bottom(&mut c);
    w.on_page(
        &mut c,
        g,
        true,
        &Ok((rows((4..6).rev()), Some(Cursor::Offset(2)))),
    );
    w.select(&mut c, 0);
    w.on_page(&mut c, g, false, &Ok((rows(3..6), Some(Cursor::Offset(6)))));
    assert!(w.complete());
    let all: Vec<String> = (0..w.len()).map(|i| code(&w, i)).collect();
    assert_eq!(all, ["C000", "C001", "C002", "C003", "C004", "C005"]);
}

#[test]
fn auto_only_keeps_auto_created_rows() {
    let mut c = ctx();
    let q = Query {
        auto_only: true,
        ..Default::default()
    };
    let mut w = Window::new(q.clone());
    w.reset(&mut c, q);
    let mut page = rows(0..4);
    page[1].auto_created = Some(true);
    w.on_page(&mut c, w.gen, false, &Ok((page, None)));
    assert_eq!(w.len(), 1);
    assert_eq!(code(&w, 0), "C001");
}

#[test]
fn a_deleted_row_goes_and_the_selection_stays_on_its_account() {
    let mut c = ctx();
    let mut w = Window::new(Query::default());
    w.reset(&mut c, Query::default());
    w.on_page(&mut c, w.gen, false, &Ok((rows(0..5), None)));
    w.select(&mut c, 3);
    w.remove("id-1");
    assert_eq!((w.len(), code(&w, w.selected)), (4, "C003".to_string()));
}

#[test]
fn g_reaches_the_last_row_when_the_first_tail_page_meets_the_head() {
    // 104 accounts: a page of 100, then `G` fetches the end, which overlaps the head at once.
    let mut c = ctx();
    let mut w = Window::new(Query::default());
    w.reset(&mut c, Query::default());
    let g = w.gen;
    w.on_page(
        &mut c,
        g,
        false,
        &Ok((rows(0..100), Some(Cursor::Token("t".into())))),
    );
    w.bottom(&mut c);
    w.on_page(
        &mut c,
        g,
        true,
        &Ok((rows((4..104).rev()), Some(Cursor::Offset(100)))),
    );
    assert!(w.complete());
    assert_eq!(w.len(), 104);
    assert_eq!(code(&w, w.selected), "C103", "one G lands on the last row");
}
