//! What each screen and mode looks like, at 80×24 and 140×40 (ratatui TestBackend + insta).
//! The clock and uids are fixed by the fixtures, so the snapshots are stable.

use super::support::*;
use m3ter_console::tui::state::msg::{Msg, SubmitError};
use ratatui::crossterm::event::KeyCode;

fn snap(name: &str, app: &m3ter_console::tui::app::App) {
    snapshot(&format!("screens__{name}"), app);
}

#[test]
fn products() {
    snap("products", &app());
}

#[test]
fn products_filtered() {
    let mut a = app();
    typ(&mut a, "/pipe");
    snap("products_filtered", &a);
}

#[test]
fn meters() {
    let mut a = app();
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    snap("meters", &a);
}

#[test]
fn global_meters() {
    let mut a = app();
    key(&mut a, KeyCode::Enter);
    snap("global_meters", &a);
}

#[test]
fn submit_simple_with_an_invalid_number() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACM");
    snap("simple_picker", &a);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Tab);
    typ(&mut a, "eu-west\t12x");
    snap("simple_invalid", &a);
}

#[test]
fn submit_advanced() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\teu\t12.5");
    ctrl(&mut a, 't');
    snap("advanced", &a);
}

#[test]
fn advanced_with_broken_json() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::End);
    typ(&mut a, "oops");
    snap("advanced_broken", &a);
}

#[test]
fn log_with_answers() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\teu\t5");
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    typ(&mut a, "0");
    key(&mut a, KeyCode::F(5));
    // Past the last field and the end timestamp to the log.
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    snap("log_pending_focused", &a);
    a.on_msg(Msg::Submitted {
        id: 2,
        result: Err(SubmitError {
            status: Some(400),
            message: "measure.gb: must be a number".into(),
        }),
    });
    snap("log_answers", &a);
}

#[test]
fn help_overlay() {
    let mut a = app();
    open_submit(&mut a);
    key(&mut a, KeyCode::F(1));
    snap("help_submit", &a);
}

#[test]
fn accounts_placeholder() {
    let mut a = app();
    typ(&mut a, "A");
    feed_accounts(&mut a, accounts());
    snap("accounts", &a);
}
