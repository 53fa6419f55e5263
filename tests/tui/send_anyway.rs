//! The Advanced editor and what m3ter checks only after accepting: an unknown meter code (or a
//! field the meter does not have) is a warning, sent on a second Ctrl+S so a QA engineer can
//! watch m3ter drop it; what m3ter refuses with a 400 stays a hard block.

use super::support::*;
use m3ter_console::m3ter::follow::{Answer, Failure};
use m3ter_console::tui::app::App;
use m3ter_console::tui::state::follow::FollowMsg;
use m3ter_console::tui::state::msg::Msg;
use serde_json::json;

fn screen(a: &App) -> String {
    render(a, 140, 40)
}

fn advanced_with(a: &mut App, v: serde_json::Value) {
    open_submit(a);
    ctrl(a, 't');
    a.editor_done(Ok(serde_json::to_string_pretty(&v).unwrap()));
}

fn submits(a: &App) -> usize {
    a.ctx
        .effect_names()
        .iter()
        .filter(|n| *n == "spawn submit")
        .count()
}

#[test]
fn an_unknown_meter_is_sent_on_a_second_ctrl_s_and_followed_to_undefined_meter() {
    let mut a = app();
    advanced_with(
        &mut a,
        json!({"uid": "u-x", "meter": "nope", "account": "ACME",
            "ts": "2026-01-02T03:00:00Z", "measure": {"gb": 1}}),
    );
    let s = screen(&a);
    assert!(
        s.contains("⚠ no meter has the code \"nope\": m3ter will accept this and then drop it"),
        "{s}"
    );
    a.ctx.effects.clear();
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 0, "the first Ctrl+S only warns");
    assert!(a.ctx.log.entries.is_empty());
    let s = screen(&a);
    assert!(
        s.contains("(UndefinedMeter). Ctrl+S again sends it anyway"),
        "{s}"
    );
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 1, "the second Ctrl+S sends");
    assert_eq!(a.ctx.log.entries[0].request["meter"], "nope");
    let id = a.ctx.log.entries[0].id;
    a.on_msg(Msg::Submitted {
        id,
        result: Ok(json!({"result": "accepted"})),
    });
    let t = a.ctx.log.entries[0].follow.clone().expect("followed");
    assert_eq!(t.state.label(), "accepted");
    assert_eq!(
        t.meter_id, None,
        "no meter id: only its event can settle it"
    );
    a.on_msg(Msg::Follow(Box::new(FollowMsg::Answer(Ok(Answer {
        failures: vec![Failure {
            uid: "u-x".into(),
            failure_type: "UndefinedMeter".into(),
            event_id: Some("ev-1".into()),
            event_time: None,
            meter: Some("nope".into()),
            account: Some("ACME".into()),
            message: Some("no meter has the code \"nope\"".into()),
            download_path: None,
        }],
        ..Default::default()
    })))));
    assert!(
        screen(&a).contains("✗ failed: UndefinedMeter"),
        "{}",
        screen(&a)
    );
}

#[test]
fn an_edit_between_the_two_ctrl_s_asks_again() {
    let mut a = app();
    advanced_with(
        &mut a,
        json!({"uid": "u-x", "meter": "nope", "account": "ACME",
            "ts": "2026-01-02T03:00:00Z"}),
    );
    a.ctx.effects.clear();
    ctrl(&mut a, 's');
    a.editor_done(Ok(
        json!({"uid": "u-y", "meter": "nope2", "account": "ACME",
            "ts": "2026-01-02T03:00:00Z"})
        .to_string(),
    ));
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 0, "a changed text is warned about again");
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 1);
}

#[test]
fn a_field_the_meter_lacks_warns_and_a_request_error_still_blocks() {
    let mut a = app();
    advanced_with(
        &mut a,
        json!({"uid": "u-x", "meter": "storage_gb", "account": "ACME",
            "ts": "2026-01-02T03:00:00Z", "measure": {"gbx": 1}}),
    );
    let s = screen(&a);
    assert!(s.contains("⚠ measure.gbx:"), "{s}");
    // m3ter answers 400 to a naive timestamp: no second Ctrl+S sends that.
    a.editor_done(Ok(json!({"uid": "u-x", "meter": "nope", "account": "ACME",
            "ts": "2026-01-02T03:00:00"})
    .to_string()));
    a.ctx.effects.clear();
    ctrl(&mut a, 's');
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 0, "{}", screen(&a));
    assert!(screen(&a).contains("✗ "), "{}", screen(&a));
}

#[test]
fn several_measurements_with_an_unknown_meter_go_in_one_request_on_the_second_ctrl_s() {
    let mut a = app();
    let m = |uid: &str, meter: &str| json!({"uid": uid, "meter": meter, "account": "ACME", "ts": "2026-01-02T03:00:00Z"});
    advanced_with(&mut a, json!([m("a-1", "storage_gb"), m("a-2", "nope")]));
    assert!(
        screen(&a).contains("⚠ measurements[1].meter: no meter has the code"),
        "{}",
        screen(&a)
    );
    a.ctx.effects.clear();
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 0);
    ctrl(&mut a, 's');
    assert_eq!(submits(&a), 1, "one request");
    assert_eq!(a.ctx.log.entries.len(), 2);
}

/// The answer's status for a new account promises auto-creation only once m3ter ingests the
/// measurement: one sent anyway to an unknown meter is dropped and creates no account.
#[test]
fn a_new_account_sent_anyway_is_not_promised_as_created() {
    let mut a = app();
    advanced_with(
        &mut a,
        json!({"uid": "u-n", "meter": "nope", "account": "BRANDNEW",
            "ts": "2026-01-02T03:00:00Z", "measure": {"gb": 1}}),
    );
    ctrl(&mut a, 's');
    ctrl(&mut a, 's');
    let id = a.ctx.log.entries[0].id;
    a.on_msg(Msg::Submitted {
        id,
        result: Ok(json!({"result": "accepted"})),
    });
    let s = screen(&a);
    assert!(
        s.contains("BRANDNEW-autocreated when it ingests this"),
        "{s}"
    );
}
