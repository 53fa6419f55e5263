//! How the TUI behaves, driven key by key through the app (no terminal, no network: answers are
//! fed as messages).

use super::support::*;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::msg::{Msg, SubmitError};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn screen(app: &m3ter_console::tui::app::App) -> String {
    render(app, 140, 40)
}

#[test]
fn values_cross_between_modes_both_ways() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\teu-west\t12.5\t3");
    ctrl(&mut a, 't');
    let s = screen(&a);
    assert!(s.contains(r#""region": "eu-west""#), "{s}");
    assert!(s.contains(r#""gb": 12.5"#), "{s}");
    assert!(s.contains(r#""storage_cost": 3"#), "{s}");
    // Edit the JSON: the account is on line 4; replace it with GLOBEX.
    for _ in 0..3 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::End);
    for _ in 0..6 {
        key(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "GLOBEX\",");
    key(&mut a, KeyCode::F(2));
    let s = screen(&a);
    assert!(s.contains("· Simple"), "{s}");
    assert!(s.contains("[GLOBEX]"), "{s}");
    assert!(s.contains("[12.5]") && s.contains("[eu-west]"), "{s}");
}

#[test]
fn invalid_json_stays_in_the_editor_with_line_and_column() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::End);
    typ(&mut a, "oops");
    let s = screen(&a);
    assert!(s.contains("invalid JSON at line 2, column"), "{s}");
    ctrl(&mut a, 't');
    let s = screen(&a);
    assert!(s.contains("· Advanced"), "refused: {s}");
    assert!(s.contains(r#""uid": "uid-1",oops"#), "text kept: {s}");
    assert!(s.contains("stays in Advanced"), "{s}");
    ctrl(&mut a, 's');
    assert!(screen(&a).contains("not sent"));
}

#[test]
fn a_wrong_type_and_an_unknown_field_are_named() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\tlots");
    assert!(screen(&a).contains("must be a number (a MEASURE value)"));
    ctrl(&mut a, 't');
    let s = screen(&a);
    assert!(s.contains("measure.gb: must be a number"), "{s}");
    // Line 2 is the uid: add an unknown category after it.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::End);
    typ(&mut a, "\n\"mesure\": {},");
    let s = screen(&a);
    assert!(s.contains("✗ mesure: is not a measurement field"), "{s}");
}

#[test]
fn accepted_refreshes_the_uid_not_the_ts_and_failure_keeps_it() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t1");
    key(&mut a, KeyCode::F(5));
    assert!(screen(&a).contains("sending…"));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Err(SubmitError {
            status: Some(503),
            message: "busy".into(),
        }),
    });
    let s = screen(&a);
    assert!(s.contains("uid-1") && s.contains("HTTP 503: busy"), "{s}");
    assert!(s.contains("uid                     uid-1"), "kept: {s}");
    ctrl(&mut a, 's');
    a.on_msg(Msg::Submitted {
        id: 2,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    let s = screen(&a);
    assert!(s.contains("uid                     uid-2"), "new uid: {s}");
    assert!(s.contains("[2026-01-02T03:04:05.000Z]"), "ts kept: {s}");
}

#[test]
fn q_types_in_inputs_and_quits_only_from_the_top() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "q");
    assert!(!a.quitting());
    assert!(screen(&a).contains("[q ]"));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.top_kind(), ScreenKind::Meters);
    typ(&mut a, "q");
    assert_eq!(a.top_kind(), ScreenKind::Products);
    typ(&mut a, "/q");
    assert!(!a.quitting(), "q in the filter is text");
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "q");
    assert!(a.quitting());
}

#[test]
fn ctrl_c_quits_from_a_text_input_and_releases_are_ignored() {
    let mut a = app();
    open_submit(&mut a);
    let mut release = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    a.on_event(Event::Key(release));
    assert!(screen(&a).contains("[ ]"), "a release types nothing");
    ctrl(&mut a, 'c');
    assert!(a.quitting());
}

#[test]
fn lists_take_vim_keys_and_filter() {
    let mut a = app();
    typ(&mut a, "G");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("Meters · Data Pipeline"));
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "gg");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("Meters · Global meters"));
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "/cloud\n");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("Meters · Cloud Compute"));
}

#[test]
fn accounts_jump_to_submit_with_the_account_chosen() {
    let mut a = app();
    typ(&mut a, "A");
    assert_eq!(a.top_kind(), ScreenKind::Accounts);
    feed_accounts(&mut a, accounts());
    typ(&mut a, "js");
    assert_eq!(a.top_kind(), ScreenKind::Products);
    open_submit(&mut a);
    let s = screen(&a);
    assert!(s.contains("[ACME-EU]"), "{s}");
    // From an open Submit panel, back to it with the new account.
    typ(&mut a, "\t");
    key(&mut a, KeyCode::F(9));
    assert_eq!(a.top_kind(), ScreenKind::Accounts);
    feed_accounts(&mut a, accounts());
    typ(&mut a, "Gs");
    assert_eq!(a.top_kind(), ScreenKind::Submit);
    assert!(screen(&a).contains("[GLOBEX]"));
}

#[test]
fn log_entries_can_be_loaded_into_the_editor() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t4");
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    // Past the last field and the end timestamp to the log.
    typ(&mut a, "\t\t\te");
    // The panel holds typed values: `e` asks before replacing them.
    assert!(screen(&a).contains("Replace the draft?"));
    typ(&mut a, "y");
    let s = screen(&a);
    assert!(s.contains("· Advanced"), "{s}");
    assert!(
        s.contains(r#""gb": 4"#) && !s.contains("4.0"),
        "the number comes back as typed: {s}"
    );
    assert!(
        s.contains(r#""uid": "uid-3""#),
        "an accepted entry gets a new uid: {s}"
    );
    // Tab indents in the editor; Shift+Tab goes to the log.
    key(&mut a, KeyCode::BackTab);
    typ(&mut a, "c");
    let copies = copied(&a);
    assert_eq!(copies.len(), 1);
    let curl = &copies[0];
    assert!(curl.contains("Bearer $M3TER_API_TOKEN") && curl.contains("/organizations/org-1/"));
}

#[test]
fn a_click_selects_a_row_and_a_second_click_opens_it() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = app();
    render(&a, 80, 24);
    // Title bar, block border, header: "Data Pipeline" is the third item, on row 5.
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 5,
        modifiers: KeyModifiers::NONE,
    });
    a.on_event(click.clone());
    assert_eq!(a.top_kind(), ScreenKind::Products);
    a.on_event(click);
    assert!(screen(&a).contains("Meters · Data Pipeline"));
}

#[test]
fn a_long_form_scrolls_to_the_focused_field_at_80x24() {
    use m3ter_console::m3ter::{DataField, DataFieldCategory, Meter};
    let mut a = app();
    let fields = (1..=15)
        .map(|n| DataField {
            category: DataFieldCategory::Measure,
            code: format!("f{n}"),
            name: format!("Field {n}"),
            unit: Some("1".into()),
        })
        .collect();
    a.on_msg(Msg::Meters(Ok(vec![Meter {
        id: "big".into(),
        code: Some("big".into()),
        name: Some("Big".into()),
        data_fields: fields,
        ..Default::default()
    }])));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    for _ in 0..16 {
        key(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "x");
    let s = render(&a, 80, 24);
    assert!(s.contains("▶Field 15 (f15)"), "{s}");
    assert!(s.contains("must be a number"), "{s}");
}

#[test]
fn tiny_terminals_never_panic() {
    let mut a = app();
    let mut screens = vec![];
    screens.push(render(&a, 30, 10));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    screens.push(render(&a, 30, 10));
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "AC");
    for (w, h) in [(1, 1), (5, 3), (12, 6), (20, 8), (40, 12), (60, 15)] {
        render(&a, w, h);
        key(&mut a, KeyCode::F(1));
        render(&a, w, h);
        key(&mut a, KeyCode::F(1));
    }
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Tab);
    for (w, h) in [(1, 1), (5, 3), (12, 6), (20, 8), (40, 12)] {
        render(&a, w, h);
    }
    key(&mut a, KeyCode::F(9));
    for (w, h) in [(1, 1), (5, 3), (12, 6), (20, 8), (40, 12)] {
        render(&a, w, h);
    }
    assert!(screens.iter().all(|s| !s.is_empty()));
}

#[test]
fn ts_now_and_a_click_on_a_log_entry() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n");
    ctrl(&mut a, 'u');
    typ(&mut a, "2020-01-01T00:00:00Z\t\t1");
    assert!(screen(&a).contains("[2020-01-01T00:00:00Z]"));
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    ctrl(&mut a, 'n');
    assert!(screen(&a).contains("[2026-01-02T03:04:05.000Z]"));
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::Submitted {
        id: 2,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    // Wide layout: the log is on the right; find the older entry's row and click it.
    let s = screen(&a);
    let row = s
        .lines()
        .position(|l| l.contains(r#"{"uid":"uid-1""#))
        .expect("the older entry is shown") as u16;
    a.on_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 120,
        row,
        modifiers: KeyModifiers::NONE,
    }));
    typ(&mut a, "ey");
    let s = screen(&a);
    assert!(s.contains(r#""ts": "2020-01-01T00:00:00Z""#), "{s}");
}

/// The Simple form sends the bytes the CLI sends for the same input: the same values as in the
/// CLI's own check (`src/cli/submit/same_json_tests.rs`, where flags, a CSV row and this NDJSON
/// line build identical JSON), all through the domain's measurement builder.
#[test]
fn the_simple_form_builds_the_json_the_cli_builds() {
    use m3ter_console::m3ter::{DataField, DataFieldCategory, Meter};
    let field = |category, code: &str| DataField {
        category,
        code: code.into(),
        name: code.into(),
        unit: None,
    };
    let meter = Meter {
        id: "m1".into(),
        code: Some("api".into()),
        data_fields: vec![
            field(DataFieldCategory::Who, "user"),
            field(DataFieldCategory::Measure, "calls"),
            field(DataFieldCategory::Cost, "price"),
        ],
        ..Default::default()
    };
    let mut a = app();
    a.on_msg(Msg::Meters(Ok(vec![meter.clone()])));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "ACME\n");
    ctrl(&mut a, 'u');
    typ(&mut a, "2026-01-01T12:00:00Z\tbob\t3\t933270.2121806375");
    key(&mut a, KeyCode::F(5));
    let sent = serde_json::to_string(&a.ctx.log.entries[0].request).unwrap();
    let cli_ndjson = r#"{"uid":"uid-1","meter":"api","account":"ACME","ts":"2026-01-01T12:00:00Z","who":{"user":"bob"},"measure":{"calls":3},"cost":{"price":933270.2121806375}}"#;
    assert_eq!(sent, cli_ndjson);
    // And the same through the domain builder the CLI's flags use.
    let mut b = m3ter_console::m3ter::measurement_builder::MeasurementBuilder::new();
    b.set("uid", "uid-1")
        .set("meter", "api")
        .set("account", "ACME")
        .set("ts", "2026-01-01T12:00:00Z");
    for (cat, code, raw) in [
        (DataFieldCategory::Who, "user", "bob"),
        (DataFieldCategory::Measure, "calls", "3"),
        (DataFieldCategory::Cost, "price", "933270.2121806375"),
    ] {
        b.set_typed(&field(cat, code), raw).unwrap();
    }
    let checked = m3ter_console::m3ter::rules::check_measurement(&b.into_value(), |c| {
        (c == "api").then_some(&meter)
    })
    .unwrap();
    assert_eq!(sent, serde_json::to_string(&checked).unwrap());
}
