//! After the submit: every accepted measurement followed to its outcome in the log, the log
//! entry's detail, the ingest events and a meter's details — driven key by
//! key, answers fed as messages, drawn at 80×24 and 140×40.

use super::support::*;
use m3ter_console::m3ter::follow::{AccountSeen, Answer, Failure, Seen};
use m3ter_console::m3ter::Event;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::explore::ExploreMsg;
use m3ter_console::tui::state::follow::FollowMsg;
use m3ter_console::tui::state::log::read_file;
use m3ter_console::tui::state::msg::Msg;
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

fn snap(name: &str, app: &m3ter_console::tui::app::App) {
    snapshot(&format!("explore__{name}"), app);
}

fn screen(a: &m3ter_console::tui::app::App) -> String {
    render(a, 140, 40)
}

/// Submits one Storage (GB) measurement for `account` and answers it `accepted`.
fn submit_accepted(a: &mut m3ter_console::tui::app::App, account: &str) {
    open_submit(a);
    typ(a, &format!("{account}\n\t\t1"));
    key(a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(json!({"result": "accepted"})),
    });
}

fn follow(a: &mut m3ter_console::tui::app::App, answer: Answer) {
    a.on_msg(Msg::Follow(Box::new(FollowMsg::Answer(Ok(answer)))));
}

fn seen(uid: &str) -> Seen {
    Seen {
        uid: uid.into(),
        ts: None,
        values: json!({"uid": uid, "meter": "storage_gb", "account": "ACME",
            "measure": {"gb": 1}, "derived": {"gb_x2": 2}})
        .as_object()
        .unwrap()
        .clone(),
    }
}

fn failure(uid: &str) -> Failure {
    Failure {
        uid: uid.into(),
        failure_type: "UndefinedMeter".into(),
        event_id: Some("ev-1".into()),
        event_time: None,
        meter: Some("storage_gb".into()),
        account: Some("ACME".into()),
        message: Some("no meter has the code \"storage_gbx\"".into()),
        download_path: None,
    }
}

#[test]
fn an_accepted_submission_moves_to_ingested_by_itself() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    let e = a.ctx.log.entries[0].clone();
    let t = e.follow.expect("an accepted entry is followed");
    assert_eq!(t.state.label(), "accepted");
    assert_eq!(t.uid, "uid-1");
    assert_eq!(t.meter_id.as_deref(), Some("m-1"));
    assert!(
        a.ctx.effect_names().contains(&"later".to_string()),
        "a timer for the first round: {:?}",
        a.ctx.effect_names()
    );
    follow(
        &mut a,
        Answer {
            seen: vec![seen("uid-1")],
            ..Default::default()
        },
    );
    assert_eq!(a.ctx.log.entries[0].outcome(), "ingested");
    assert!(screen(&a).contains("✓ ingested"), "{}", screen(&a));
    snap("log_ingested", &a);
}

#[test]
fn a_dropped_submission_shows_failed_with_its_type() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            failures: vec![failure("uid-1")],
            ..Default::default()
        },
    );
    assert!(
        screen(&a).contains("✗ failed: UndefinedMeter"),
        "{}",
        screen(&a)
    );
}

#[test]
fn auto_created_account_is_announced_and_a_key_jumps_to_it() {
    let mut a = app();
    // Advanced mode takes any account code.
    open_submit(&mut a);
    ctrl(&mut a, 't');
    a.editor_done(Ok(
        json!({"uid": "uid-1", "meter": "storage_gb", "account": "TempAcct",
        "ts": "2026-01-02T03:00:00Z", "measure": {"gb": 1}})
        .to_string(),
    ));
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(json!({"result": "accepted"})),
    });
    assert_eq!(a.ctx.log.entries[0].outcome(), "accepted");
    follow(
        &mut a,
        Answer {
            seen: vec![seen("uid-1")],
            ..Default::default()
        },
    );
    follow(
        &mut a,
        Answer {
            accounts: vec![AccountSeen {
                code: "TempAcct".into(),
                id: "a-temp".into(),
                auto_created: true,
                // Created after it was sent (the fixture's clock): by this measurement.
                created_at: Some("2026-01-02T03:04:06Z".parse().unwrap()),
            }],
            ..Default::default()
        },
    );
    let s = screen(&a);
    assert!(s.contains("account TempAcct auto-created"), "{s}");
    // Into the log pane, then `a`.
    while !screen(&a).contains("◀ keys go here") {
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Char('a'));
    assert_eq!(a.top_kind(), ScreenKind::Accounts);
}

#[test]
fn log_detail_shows_request_answer_latency_and_outcome() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            seen: vec![seen("uid-1")],
            ..Default::default()
        },
    );
    let uid = a.ctx.log.entries[0].request["uid"].clone();
    a.ctx.log.selected = 0;
    // Focus the log and open the entry.
    while !screen(&a).contains("◀ keys go here") {
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.top_kind(), ScreenKind::LogDetail);
    let s = screen(&a);
    assert!(s.contains("HTTP 200") && s.contains("ingested"), "{s}");
    assert!(s.contains("(0 ms)"), "latency from the fixed clock: {s}");
    assert!(
        render(&a, 140, 60).contains("gb_x2"),
        "the stored (derived) values"
    );
    snap("log_detail", &a);
    key(&mut a, KeyCode::Char('y'));
    key(&mut a, KeyCode::Char('c'));
    let c = copied(&a);
    assert_eq!(c[0], uid.as_str().unwrap());
    assert!(c[1].starts_with("curl -X POST") && c[1].contains("M3TER_API_TOKEN"));
}

/// Scrolling a detail stops at its last line: PgDn/End never leave an empty pane, and the
/// border says which way more text lies.
#[test]
fn the_log_detail_scrolls_to_its_end_and_no_further() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            seen: vec![seen("uid-1")],
            ..Default::default()
        },
    );
    while !screen(&a).contains("◀ keys go here") {
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Enter);
    let top = render(&a, 80, 24);
    assert!(top.contains("more ↓") && !top.contains("more ↑"), "{top}");
    for _ in 0..20 {
        key(&mut a, KeyCode::PageDown);
        render(&a, 80, 24);
    }
    let end = render(&a, 80, 24);
    assert!(
        end.contains("gb_x2"),
        "the last lines stay on screen: {end}"
    );
    assert!(end.contains("more ↑") && !end.contains("more ↑↓"), "{end}");
    // One key up from the end moves at once (no dead presses spent past the end).
    key(&mut a, KeyCode::Up);
    assert!(render(&a, 80, 24).contains("more ↑↓"));
    key(&mut a, KeyCode::Home);
    assert_eq!(render(&a, 80, 24), top);
    key(&mut a, KeyCode::End);
    assert_eq!(render(&a, 80, 24), end);
}

fn events() -> Vec<Event> {
    let ev = |id: &str, time: &str, kind: &str, uid: &str, meter: &str| {
        serde_json::from_value::<Event>(json!({
            "id": id, "eventName": "ingest.validation.failure", "eventTime": time,
            "dtActioned": null,
            "m3terEvent": {"eventData": {"failureType": kind, "message": format!("{kind} for {uid}"),
                "uid": uid, "meter": meter, "account": "ACME", "getDownloadUrl": format!("failed/{id}.json")}}
        }))
        .unwrap()
    };
    vec![
        ev(
            "ev-1",
            "2026-01-02T03:00:00Z",
            "UndefinedMeter",
            "u-1",
            "nope",
        ),
        ev(
            "ev-2",
            "2026-01-02T03:03:00Z",
            "DuplicateUid",
            "u-2",
            "storage_gb",
        ),
    ]
}

fn open_events(a: &mut m3ter_console::tui::app::App) {
    key(a, KeyCode::Char('E'));
    assert_eq!(a.top_kind(), ScreenKind::Events);
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn load events".to_string()));
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Events(Ok(events())))));
}

#[test]
fn events_screen_lists_newest_first_filters_and_marks_actioned() {
    let mut a = app();
    open_events(&mut a);
    let s = screen(&a);
    let dup = s.find("DuplicateUid").unwrap();
    let undef = s.find("UndefinedMeter").unwrap();
    assert!(dup < undef, "newest first: {s}");
    snap("events", &a);
    typ(&mut a, "/nope\n");
    assert!(!screen(&a).contains("DuplicateUid"));
    key(&mut a, KeyCode::Char('x'));
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn mark actioned".to_string()));
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Actioned {
        id: "ev-1".into(),
        result: Ok(events()[0].clone()),
    })));
    assert!(!screen(&a).contains("UndefinedMeter"), "actioned: hidden");
}

/// A uid (or meter, account) wider than its column ends in `…` at 80 columns: a cut is seen.
#[test]
fn events_cut_long_cells_with_an_ellipsis() {
    let mut a = app();
    open_events(&mut a);
    let mut evs = events();
    let uid = "0696cf91-c989-4b5a-b533-93be62a6eafe";
    evs[1].m3ter_event.as_mut().unwrap()["eventData"]["uid"] = json!(uid);
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Events(Ok(evs)))));
    let s = render(&a, 80, 24);
    let row = s.lines().find(|l| l.contains("DuplicateUid")).unwrap();
    assert!(row.contains("0696cf91-") && row.contains('…'), "{row}");
    assert!(!render(&a, 140, 40).contains('…'), "whole when it fits");
    assert!(render(&a, 140, 40).contains(uid));
}

/// At 40 columns the type, meter, account and uid share the width (cut with `…`); the time
/// gives way.
#[test]
fn events_at_40_columns_keep_type_meter_account_and_uid() {
    let mut a = app();
    open_events(&mut a);
    let s = render(&a, 40, 12);
    assert!(
        s.contains("Uid") && s.contains("Meter") && s.contains("Accou…"),
        "{s}"
    );
    let row = s.lines().find(|l| l.contains("Duplica")).expect(&s);
    assert!(
        row.contains("…") && row.contains("ACME") && row.contains("u-2"),
        "{row}"
    );
}

#[test]
fn event_detail_shows_the_failure_log_and_loads_it_into_the_editor() {
    let mut a = app();
    open_events(&mut a);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.top_kind(), ScreenKind::EventDetail);
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn failure log".to_string()));
    let log = json!({"eventId": "ev-1", "failureType": "UndefinedMeter",
        "message": "no meter has the code \"nope\"",
        "measurement": {"uid": "u-1", "meter": "storage_gb", "account": "ACME",
            "ts": "2026-01-02T02:00:00Z", "measure": {"gb": 3}}});
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::FailureLog {
        event_id: "ev-1".into(),
        result: Ok(serde_json::to_string_pretty(&log).unwrap()),
    })));
    let s = screen(&a);
    assert!(
        s.contains("\"measurement\"") && s.contains("UndefinedMeter"),
        "{s}"
    );
    snap("event_detail", &a);
    key(&mut a, KeyCode::Char('e'));
    assert_eq!(a.top_kind(), ScreenKind::Submit);
    let s = screen(&a);
    assert!(
        s.contains("\"uid\": \"u-1\""),
        "same uid in the editor: {s}"
    );
}

#[test]
fn meter_details_show_fields_samples_and_write_the_template() {
    let mut a = app();
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('d'));
    assert_eq!(a.top_kind(), ScreenKind::MeterDetail);
    let s = screen(&a);
    assert!(s.contains("Measure") && s.contains("Dimension"), "{s}");
    assert!(s.contains("/organizations/org-1/measurements"), "{s}");
    snap("meter_detail", &a);
    // The bar has no room for the sample's keys at 80 columns: the sample names them.
    let s = render(&a, 80, 24);
    assert!(s.contains("Java   ←/h →/l"), "{s}");
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    let s = render(&a, 80, 24);
    assert!(
        s.contains("y copies the sample · u the URL · t writes the CSV template"),
        "{s}"
    );
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Right);
    assert!(screen(&a).contains("curl -X POST"));
    snap("meter_detail_curl", &a);
    key(&mut a, KeyCode::Char('y'));
    assert!(copied(&a)[0].starts_with("curl -X POST"));
    key(&mut a, KeyCode::Char('t'));
    assert!(screen(&a).contains("storage_gb-template.csv"));
    key(&mut a, KeyCode::Enter);
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn write file".to_string()));
}

#[test]
fn follow_states_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _rx) = app_at(Some(dir.path()), "uid");
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            failures: vec![failure("uid-1")],
            ..Default::default()
        },
    );
    drop(a);
    // The disk thread writes in order; give it a moment to drain.
    let path = dir.path().join("submissions.log.jsonl");
    for _ in 0..100 {
        if std::fs::read_to_string(&path).is_ok_and(|t| t.contains("UndefinedMeter")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let back = read_file(&path).unwrap();
    assert_eq!(back[0].outcome(), "failed: UndefinedMeter");
    let (mut b, _rx) = app_at(Some(dir.path()), "uid2");
    b.on_msg(Msg::LogLoaded(Ok(back)));
    assert_eq!(b.ctx.log.entries[0].outcome(), "failed: UndefinedMeter");
    assert!(b.ctx.following.engine.get("uid-1").is_some());
}

#[test]
fn a_dropped_submission_is_edited_with_its_own_uid() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            failures: vec![failure("uid-1")],
            ..Default::default()
        },
    );
    while !screen(&a).contains("◀ keys go here") {
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Char('e'));
    let s = screen(&a);
    assert!(
        s.contains("(UndefinedMeter), never ingested: it keeps its uid"),
        "{s}"
    );
    key(&mut a, KeyCode::Char('y'));
    let s = screen(&a);
    assert!(
        s.contains(r#""uid": "uid-1""#),
        "m3ter never ingested it: same uid: {s}"
    );
}

#[test]
fn simple_mode_takes_an_optional_ets_and_flags_future_ts_and_ets_before_ts() {
    let mut a = app();
    open_submit(&mut a);
    // Account, then the ts: one hour after the fixture's clock (03:04:05).
    typ(&mut a, "ACME\n");
    ctrl(&mut a, 'u');
    typ(&mut a, "2026-01-02T04:00:00Z\t\t1");
    key(&mut a, KeyCode::F(5));
    let s = screen(&a);
    assert!(
        s.contains("in the future: m3ter refuses future timestamps"),
        "{s}"
    );
    assert!(a.ctx.log.entries.is_empty(), "nothing was sent");
    // The failed send put the cursor on the ts: a past one, then an ets before it (last row).
    ctrl(&mut a, 'u');
    typ(&mut a, "2026-01-02T02:00:00Z\t\t\t\t2026-01-02T01:00:00Z");
    key(&mut a, KeyCode::F(5));
    assert!(screen(&a).contains("ends before the timestamp (ts)"));
    assert!(a.ctx.log.entries.is_empty());
    ctrl(&mut a, 'u');
    typ(&mut a, "2026-01-02T02:30:00Z");
    snap("simple_with_ets", &a);
    key(&mut a, KeyCode::F(5));
    let sent = &a.ctx.log.entries[0].request;
    assert_eq!(sent["ets"], "2026-01-02T02:30:00Z");
    assert_eq!(sent["ts"], "2026-01-02T02:00:00Z");
}

#[test]
fn advanced_takes_several_measurements_sends_one_request_and_follows_each() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    let m = |uid: &str, gb: u32| {
        json!({"uid": uid, "meter": "storage_gb", "account": "ACME",
            "ts": "2026-01-02T03:00:00Z", "measure": {"gb": gb}})
    };
    // A bad second measurement is named by its place.
    a.editor_done(Ok(json!([m("a-1", 1), {"meter": "storage_gb"}]).to_string()));
    assert!(screen(&a).contains("measurements[1]."), "{}", screen(&a));
    a.editor_done(Ok(
        json!({"measurements": [m("a-1", 1), m("a-2", 2)]}).to_string()
    ));
    assert!(
        screen(&a).contains("✓ 2 valid measurements"),
        "{}",
        screen(&a)
    );
    a.ctx.effects.clear();
    key(&mut a, KeyCode::F(5));
    assert_eq!(a.ctx.effect_names(), ["spawn submit"], "one request");
    assert_eq!(a.ctx.log.entries.len(), 2, "one log entry each");
    let ids: Vec<u64> = a.ctx.log.entries.iter().map(|e| e.id).collect();
    a.on_msg(Msg::SubmittedMany {
        ids,
        result: Ok(json!({"result": "accepted"})),
    });
    follow(
        &mut a,
        Answer {
            seen: vec![seen("a-2")],
            failures: vec![failure("a-1")],
            ..Default::default()
        },
    );
    let s = screen(&a);
    assert!(
        s.contains("✓ ingested") && s.contains("✗ failed: UndefinedMeter"),
        "{s}"
    );
}

/// After a DuplicateUid the uid belongs to another measurement: `r` and `e` take a new one (the
/// same uid would only be dropped again), and the question says why.
#[test]
fn a_duplicate_uid_goes_again_with_a_new_uid() {
    let mut a = app();
    submit_accepted(&mut a, "ACME");
    follow(
        &mut a,
        Answer {
            failures: vec![Failure {
                failure_type: "DuplicateUid".into(),
                ..failure("uid-1")
            }],
            ..Default::default()
        },
    );
    while !screen(&a).contains("◀ keys go here") {
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Char('r'));
    let s = screen(&a);
    assert!(s.contains("DuplicateUid: it gets a new uid"), "{s}");
    key(&mut a, KeyCode::Char('y'));
    assert_eq!(a.ctx.log.entries.len(), 2);
    assert_ne!(a.ctx.log.entries[0].request["uid"], "uid-1");
}

fn dup_event_detail(a: &mut m3ter_console::tui::app::App) {
    open_events(a);
    key(a, KeyCode::Enter);
    let log = json!({"eventId": "ev-2", "failureType": "DuplicateUid",
        "message": "the uid \"u-2\" was already ingested",
        "measurement": {"uid": "u-2", "meter": "storage_gb", "account": "ACME",
            "ts": "2026-01-02T02:00:00Z", "measure": {"gb": 3}}});
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::FailureLog {
        event_id: "ev-2".into(),
        result: Ok(serde_json::to_string_pretty(&log).unwrap()),
    })));
}

/// `e` on an event: a DuplicateUid comes back with a new uid, and a draft kept for that meter
/// is not replaced without asking (with no draft, it loads at once).
#[test]
fn fixing_an_event_renews_a_duplicate_uid_and_asks_before_replacing_a_draft() {
    let mut a = app();
    dup_event_detail(&mut a);
    key(&mut a, KeyCode::Char('e'));
    assert_eq!(a.top_kind(), ScreenKind::Submit);
    let s = screen(&a);
    assert!(
        !s.contains("\"uid\": \"u-2\"") && s.contains("\"gb\": 3"),
        "{s}"
    );
    assert!(!s.contains("draft restored"), "no stale notice: {s}");

    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "MY-DRAFT-CO");
    while a.top_kind() != ScreenKind::Products {
        key(&mut a, KeyCode::Esc);
    }
    dup_event_detail(&mut a);
    key(&mut a, KeyCode::Char('e'));
    let s = screen(&a);
    assert!(s.contains("Replace the draft?"), "{s}");
    assert!(s.contains("it gets a new uid"), "{s}");
    key(&mut a, KeyCode::Esc);
    assert!(screen(&a).contains("MY-DRAFT-CO"), "the draft stays");
}

/// A draft kept in Advanced mode is announced with the uid the editor shows, not the form's.
#[test]
fn the_restored_notice_names_the_editors_uid() {
    let mut a = app();
    dup_event_detail(&mut a);
    key(&mut a, KeyCode::Char('e'));
    let s = screen(&a);
    let at = s.find("\"uid\": \"").unwrap() + 8;
    let uid = s[at..].split('"').next().unwrap().to_string();
    assert_ne!(uid, "u-2");
    while a.top_kind() != ScreenKind::Products {
        key(&mut a, KeyCode::Esc);
    }
    open_submit(&mut a);
    let s = render(&a, 80, 24);
    assert!(
        s.contains(&format!("draft restored (uid {uid})")),
        "{uid}: {s}"
    );
}
