//! The terminal's own cursor sits on the text being typed (IMEs and screen readers follow it):
//! in the list `/` filters, the account form's fields and the usage explorer's typed settings.

use super::support::*;
use m3ter_console::tui::app::App;
use m3ter_console::tui::state::explore::ExploreMsg;
use m3ter_console::tui::state::msg::Msg;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;

/// (row, column) of the terminal cursor after a draw, and the screen (quoted lines).
fn drawn(a: &App, w: u16, h: u16) -> ((usize, usize), String) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| a.draw(f)).unwrap();
    let at = t.get_cursor_position().unwrap();
    ((at.y as usize, at.x as usize), t.backend().to_string())
}

/// Where the cursor belongs: just after `text` on the first row that has `text` after `after`.
fn after(screen: &str, after: &str, text: &str) -> (usize, usize) {
    for (row, line) in screen.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let hay: String = chars.iter().collect();
        if let Some(a) = hay.find(after) {
            if let Some(i) = hay[a..].find(text) {
                let col = hay[..a + i].chars().count() + text.chars().count();
                // Lines are quoted: one character before column 0.
                return (row, col - 1);
            }
        }
    }
    panic!("no {after:?}…{text:?} in {screen}");
}

#[test]
fn the_cursor_follows_a_list_filter() {
    let mut a = app();
    typ(&mut a, "/Clo");
    let (at, s) = drawn(&a, 80, 24);
    assert_eq!(at, after(&s, "/", "Clo"), "{s}");
    key(&mut a, KeyCode::Left);
    let (at, s) = drawn(&a, 80, 24);
    let (row, col) = after(&s, "/", "Clo");
    assert_eq!(at, (row, col - 1), "{s}");
}

#[test]
fn the_cursor_follows_the_accounts_filter_and_the_form_fields() {
    let mut a = app();
    key(&mut a, KeyCode::F(9));
    feed_accounts(&mut a, accounts());
    typ(&mut a, "/GLO");
    let (at, s) = drawn(&a, 100, 30);
    assert_eq!(at, after(&s, "/", "GLO"), "{s}");
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "n");
    typ(&mut a, "NEWCO");
    let (at, s) = drawn(&a, 100, 30);
    assert_eq!(at, after(&s, "Code", "NEWCO"), "{s}");
    // The next field, with a wide character: the cursor counts display columns.
    key(&mut a, KeyCode::Tab);
    typ(&mut a, "日本");
    let (at, s) = drawn(&a, 100, 30);
    let (row, col) = after(&s, "Name", "日本");
    assert_eq!(at, (row, col + 2), "two wide characters: {s}");
}

#[test]
fn the_cursor_follows_the_usage_explorers_typed_settings_and_export_prompt() {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    for _ in 0..4 {
        key(&mut a, KeyCode::Down);
    }
    typ(&mut a, "ACME");
    let (at, s) = drawn(&a, 80, 24);
    assert_eq!(at, after(&s, "Accounts", "ACME"), "{s}");
    let (at, s) = drawn(&a, 140, 40);
    assert_eq!(at, after(&s, "Accounts", "ACME"), "{s}");
    // The export prompt.
    let rows = serde_json::json!({"data": [{"sum(gb)": 1}]});
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Usage {
        gen: 1,
        result: Ok(serde_json::from_value(rows).unwrap()),
    })));
    key(&mut a, KeyCode::F(4));
    let (at, s) = drawn(&a, 80, 24);
    assert_eq!(at, after(&s, "file: ", "usage.csv"), "{s}");
}
