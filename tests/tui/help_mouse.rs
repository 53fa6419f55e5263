//! The help overlay scrolls when the keys do not fit, a click in the Advanced editor moves its
//! cursor, and the Products bar points to the Accounts screen.

use super::support::*;
use ratatui::crossterm::event::MouseEventKind;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent};

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn the_help_overlay_scrolls_to_the_last_key_at_80x24() {
    let mut a = app();
    typ(&mut a, "A");
    feed_accounts(&mut a, accounts());
    key(&mut a, KeyCode::F(1));
    let s = render(&a, 80, 24);
    assert!(s.contains("more ↓"), "the cut is announced: {s}");
    assert!(
        !s.contains("Quit at once"),
        "the last key is cut at first: {s}"
    );
    for _ in 0..30 {
        key(&mut a, KeyCode::Char('j'));
    }
    let s = render(&a, 80, 24);
    assert!(s.contains("Quit at once (from anywhere)"), "{s}");
    assert!(s.contains("↑ more") && !s.contains("more ↓"), "{s}");
    // The wheel and PgUp scroll back; keys do not leak to the screen below.
    a.on_event(mouse(MouseEventKind::ScrollUp, 40, 10));
    key(&mut a, KeyCode::PageUp);
    key(&mut a, KeyCode::PageUp);
    let s = render(&a, 80, 24);
    assert!(s.contains("more ↓") && !s.contains("↑ more"), "{s}");
    a.on_event(mouse(MouseEventKind::ScrollDown, 40, 10));
    assert!(render(&a, 80, 24).contains("↑ more"));
    key(&mut a, KeyCode::Esc);
    assert!(!a.help_open());
    // Reopened, it starts at the top again.
    key(&mut a, KeyCode::F(1));
    assert!(!render(&a, 80, 24).contains("↑ more"));
}

#[test]
fn a_help_that_fits_has_no_scroll_hint() {
    let mut a = app();
    key(&mut a, KeyCode::F(1));
    let s = render(&a, 140, 40);
    assert!(!s.contains("more ↓") && s.contains("Esc/?/F1 close"), "{s}");
}

#[test]
fn a_click_in_the_advanced_editor_moves_the_cursor_there() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    let s = render(&a, 140, 40);
    let (row, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(r#""account": """#))
        .expect("the account line is shown");
    // Between the two quotes of the empty account value (`render` opens each line with a `"`).
    let col = line.chars().count()
        - line[line.find(r#""account": ""#).unwrap()..]
            .chars()
            .count()
        + r#""account": ""#.len()
        - 1;
    a.on_event(mouse(
        MouseEventKind::Down(MouseButton::Left),
        col as u16,
        row as u16,
    ));
    typ(&mut a, "ACME");
    let s = render(&a, 140, 40);
    assert!(
        s.contains(r#""account": "ACME","#),
        "typed where clicked: {s}"
    );
    // A click past the end of a line lands at its end.
    let (row, _) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(r#""meter": "storage_gb","#))
        .unwrap();
    a.on_event(mouse(
        MouseEventKind::Down(MouseButton::Left),
        70,
        row as u16,
    ));
    typ(&mut a, "!");
    assert!(render(&a, 140, 40).contains(r#""meter": "storage_gb",!"#));
}

#[test]
fn the_products_bar_names_the_accounts_key() {
    let a = app();
    let s = render(&a, 80, 24);
    let bar = s.lines().last().unwrap();
    assert!(bar.contains("A/F9 accounts"), "{bar}");
}

#[test]
fn a_click_in_a_scrolled_editor_lands_on_the_line_shown() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    // At 80×24 the editor shows 9 lines: going to line 14 scrolls it.
    for _ in 0..13 {
        key(&mut a, KeyCode::Down);
    }
    let s = render(&a, 80, 24);
    assert!(
        !s.contains(r#""uid": "uid-1""#),
        "scrolled past line 2: {s}"
    );
    let (row, _) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(r#""storage_cost": null"#))
        .expect("the cost line is shown");
    a.on_event(mouse(
        MouseEventKind::Down(MouseButton::Left),
        70,
        row as u16,
    ));
    typ(&mut a, "1");
    assert!(render(&a, 80, 24).contains(r#""storage_cost": null1"#));
}
