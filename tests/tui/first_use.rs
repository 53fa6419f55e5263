//! The faults a new user met on a first try (each test failed before its fix): accounts beyond
//! the preloaded ones, keys while typing, cut messages, one-key resends, small terminals,
//! pasted CR line ends, drafts leaking between servers, blank fields sent as values.

use super::support::*;
use m3ter_console::m3ter::Account;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::msg::SubmitError;
use m3ter_console::tui::state::{ConnectionKey, Msg};
use ratatui::crossterm::event::{Event, KeyCode};

fn accepted(a: &mut m3ter_console::tui::app::App, id: u64) {
    a.on_msg(Msg::Submitted {
        id,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
}

/// An account older than the preloaded newest ones is asked of the server, not refused.
#[test]
fn an_account_not_preloaded_is_checked_on_the_server() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "GLOBEX-LOGISTICS\n");
    key(&mut a, KeyCode::F(5));
    let s = render(&a, 80, 24);
    assert!(!s.contains("no such account"), "{s}");
    assert!(s.contains("checking GLOBEX-LOGISTICS"), "{s}");
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn check account".to_string()));
    assert!(
        a.ctx.log.entries.is_empty(),
        "nothing sent before the answer"
    );
    let real = Account {
        id: "a-old".into(),
        code: Some("GLOBEX-LOGISTICS".into()),
        ..Default::default()
    };
    a.on_msg(Msg::AccountChecked {
        code: "GLOBEX-LOGISTICS".into(),
        found: Ok(Some(Box::new(real))),
    });
    assert_eq!(a.ctx.log.entries.len(), 1, "sent once the server knows it");
    assert_eq!(a.ctx.log.entries[0].request["account"], "GLOBEX-LOGISTICS");
    // A code the server does not know either is refused, by name.
    typ(&mut a, "");
    accepted(&mut a, 1);
    for _ in 0..3 {
        key(&mut a, KeyCode::Up);
    }
    ctrl(&mut a, 'u');
    typ(&mut a, "NOPE-CO");
    key(&mut a, KeyCode::F(5));
    a.on_msg(Msg::AccountChecked {
        code: "NOPE-CO".into(),
        found: Ok(None),
    });
    let s = render(&a, 80, 24);
    assert!(s.contains("not sent: no account NOPE-CO"), "{s}");
    // The field's own message is wrapped under it, whole, not cut at the border.
    assert!(
        s.contains("✗ no such account on the server: pick one"),
        "{s}"
    );
    assert!(s.contains("(Advanced mode takes any code)"), "{s}");
}

/// Letters type in the editor; the global keys have F-keys, shown in the Submit footer.
#[test]
fn letters_type_and_the_submit_footer_shows_f9() {
    let mut a = app();
    open_submit(&mut a);
    let s = render(&a, 80, 24);
    let bar = s.lines().last().unwrap();
    assert!(
        bar.contains("F9 accounts") && bar.contains("F1 help"),
        "{bar}"
    );
    ctrl(&mut a, 't');
    typ(&mut a, "A?");
    assert_eq!(a.top_kind(), ScreenKind::Submit);
    assert!(!a.help_open());
    assert!(render(&a, 80, 24).contains("A?{"));
    key(&mut a, KeyCode::F(9));
    assert_eq!(a.top_kind(), ScreenKind::Accounts);
}

/// A long answer wraps in the status line, and Enter on its log entry shows it whole.
#[test]
fn long_messages_wrap_and_a_log_entry_opens_whole() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n");
    key(&mut a, KeyCode::F(5));
    let long = "the Account 1d689211-5b1c-4a57-9e8f-0c2d3a4b5c6d cannot be deleted because \
                it is the parent of other accounts or has usage END-OF-REASON";
    a.on_msg(Msg::Submitted {
        id: 1,
        result: Err(SubmitError {
            status: Some(409),
            message: long.into(),
        }),
    });
    let s = render(&a, 80, 24);
    assert!(s.contains("END-OF-REASON"), "the whole message: {s}");
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("Log entry") && s.contains("HTTP 409"), "{s}");
    assert!(s.contains("END-OF-REASON"), "{s}");
    key(&mut a, KeyCode::Esc);
    assert!(!render(&a, 80, 24).contains("Log entry"));
    assert_eq!(
        a.top_kind(),
        ScreenKind::Submit,
        "Esc closed the entry only"
    );
}

/// In the log pane the focus says so, and `r` asks before sending billable usage again.
#[test]
fn the_log_focus_is_marked_and_resend_asks() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t4");
    key(&mut a, KeyCode::F(5));
    accepted(&mut a, 1);
    // From the last field (then the end timestamp), Tab goes to the log.
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    let s = render(&a, 80, 24);
    assert!(s.contains("◀ keys go here"), "{s}");
    typ(&mut a, "r");
    assert!(render(&a, 80, 24).contains("NEW measurement with a new uid"));
    typ(&mut a, "n");
    assert_eq!(a.ctx.log.entries.len(), 1, "n sends nothing");
    typ(&mut a, "ry");
    assert_eq!(a.ctx.log.entries.len(), 2);
    assert_ne!(
        a.ctx.log.entries[0].request["uid"], a.ctx.log.entries[1].request["uid"],
        "an accepted one goes with a new uid"
    );
}

/// At 40×12 the input gets the room first; below the minimum the app says what it needs; the
/// zoom key shows one pane.
#[test]
fn small_terminals_keep_the_input() {
    let mut a = app();
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 40, 12);
    assert!(s.contains("Storage (GB)"), "meter rows are shown: {s}");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 40, 12);
    assert!(s.contains("Account"), "the Simple form has rows: {s}");
    ctrl(&mut a, 't');
    let s = render(&a, 40, 12);
    assert!(s.contains("\"uid\""), "the editor shows text: {s}");
    key(&mut a, KeyCode::F(12));
    let s = render(&a, 40, 12);
    assert!(!s.contains("Log ·") && s.contains("\"meter\""), "{s}");
    let tiny = render(&a, 30, 8);
    assert!(
        tiny.contains("terminal too small (30×8)") && tiny.contains("needs 40×10"),
        "{tiny}"
    );
    key(&mut a, KeyCode::F(9));
    feed_accounts(&mut a, accounts());
    let s = render(&a, 40, 12);
    assert!(s.contains("ACME-EU"), "codes are not cut: {s}");
}

/// A paste with CR line ends keeps its lines; line numbers stay beside a long line.
#[test]
fn pasted_cr_line_ends_stay_lines() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    ctrl(&mut a, 'r');
    ctrl(&mut a, 'r');
    for _ in 0..20 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::End);
    a.on_event(Event::Paste("\r\n{\r  \"x\": 1\r}".into()));
    let s = render(&a, 80, 24);
    assert!(s.contains(r#""x": 1"#) && !s.contains(r#"{  "x""#), "{s}");
    let long = "y".repeat(150);
    a.on_event(Event::Paste(format!("\n{long}")));
    let s = render(&a, 80, 24);
    let shown: Vec<&str> = s.lines().filter(|l| l.contains("yyyy")).collect();
    assert!(shown.len() >= 2, "the long line wraps: {s}");
    assert!(shown[0].contains("19 ") || shown[0].contains(" 1"), "{s}");
}

/// Two servers with the same org id (two sandboxes) keep their own drafts and logs.
#[tokio::test(flavor = "multi_thread")]
async fn drafts_and_the_log_are_kept_per_connection() {
    let dir = tempfile::tempdir().unwrap();
    let first = ConnectionKey::new("sandbox:/tmp/one.db", "org-1");
    let (mut a, _rx) = app_at(Some(dir.path()), "one");
    a.ctx.connection = first.clone();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t7");
    key(&mut a, KeyCode::F(5));
    a.shutdown().await;

    let (mut b, mut rx) = app_at(Some(dir.path()), "two");
    b.ctx.connection = ConnectionKey::new("sandbox:/tmp/other.db", "org-1");
    b.load_saved();
    pump_until(&mut b, &mut rx, "the saved files", |b| {
        b.ctx.log.entries.is_empty() && b.ctx.status.is_none()
    })
    .await;
    open_submit(&mut b);
    let s = render(&b, 140, 40);
    assert!(!s.contains("draft restored") && !s.contains("[ACME"), "{s}");
    assert!(s.contains("Log · 0 submissions"), "{s}");

    let (mut c, mut rx) = app_at(Some(dir.path()), "three");
    c.ctx.connection = first;
    c.load_saved();
    pump_until(&mut c, &mut rx, "the first server's files", |c| {
        !c.ctx.log.entries.is_empty()
            && c.ctx
                .drafts
                .get(&c.ctx.connection.id(), "storage_gb")
                .is_some()
    })
    .await;
    open_submit(&mut c);
    assert!(render(&c, 140, 40).contains("draft restored"));
}

/// What the user left blank is sent by neither mode; the editor shows it as `null`.
#[test]
fn simple_and_advanced_send_the_same_payload() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t4");
    key(&mut a, KeyCode::F(5));
    accepted(&mut a, 1);
    ctrl(&mut a, 't');
    let s = render(&a, 140, 40);
    assert!(s.contains(r#""region": null"#), "{s}");
    key(&mut a, KeyCode::F(5));
    let simple = &a.ctx.log.entries[1].request;
    let advanced = &a.ctx.log.entries[0].request;
    assert!(
        advanced.get("where").is_none() && advanced.get("cost").is_none(),
        "{advanced}"
    );
    for k in ["meter", "account", "ts", "measure"] {
        assert_eq!(simple[k], advanced[k], "{k}");
    }
}

/// The terminal's own cursor is where the text cursor is: in the Simple form and the editor.
#[test]
fn the_terminal_cursor_is_on_the_focused_input() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "AC");
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| a.draw(f)).unwrap();
    let at = t.get_cursor_position().unwrap();
    let screen = t.backend().to_string();
    let row = screen.lines().position(|l| l.contains("[AC")).unwrap();
    let col = screen
        .lines()
        .nth(row)
        .unwrap()
        .chars()
        .position(|c| c == '[')
        .unwrap();
    // The TestBackend's lines are quoted: one character before column 0.
    assert_eq!((at.y as usize, at.x as usize), (row, col - 1 + 1 + 2));
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Down);
    t.draw(|f| a.draw(f)).unwrap();
    let at = t.get_cursor_position().unwrap();
    let screen = t.backend().to_string();
    let row = screen.lines().position(|l| l.contains(" 2 ")).unwrap();
    assert_eq!(at.y as usize, row, "{screen}");
}

/// The JSON editor: Enter keeps the indentation, Tab indents, Ctrl+Z/Ctrl+Y undo and redo.
#[test]
fn the_editor_indents_and_undoes() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::End);
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "\"a\": {");
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "\"b\": 1");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Tab);
    typ(&mut a, "x");
    let s = render(&a, 140, 40);
    assert!(s.contains(r#"   "a": {"#), "{s}");
    assert!(
        s.contains(r#"     "b": 1"#),
        "one step deeper after {{: {s}"
    );
    assert!(s.contains("       x"), "Tab indents: {s}");
    for _ in 0..30 {
        ctrl(&mut a, 'z');
    }
    assert!(!render(&a, 140, 40).contains(r#""b": 1"#));
    for _ in 0..30 {
        ctrl(&mut a, 'y');
    }
    assert!(render(&a, 140, 40).contains(r#""b": 1"#));
}

/// The JSON editor colours string literals.
#[test]
fn the_editor_colours_json_strings() {
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;
    use ratatui::Terminal;
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| a.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let text = t.backend().to_string();
    let row = text.lines().position(|l| l.contains(r#""meter""#)).unwrap() as u16;
    let cells: Vec<String> = (0..80)
        .map(|x| buf[(x, row)].symbol().to_string())
        .collect();
    let at = |needle: &str| {
        (0..cells.len())
            .find(|&i| cells[i..].concat().starts_with(needle))
            .unwrap() as u16
    };
    let value = at(r#""storage_gb""#) + 1;
    assert_eq!(buf[(value, row)].fg, Color::Green, "{}", cells.concat());
    assert_ne!(buf[(at(":"), row)].fg, Color::Green);
}

/// `/` in the log pane filters the entries; a restored draft with an old `ts` offers "now".
#[test]
fn the_log_filters_and_an_old_ts_is_pointed_out() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t4");
    key(&mut a, KeyCode::F(5));
    accepted(&mut a, 1);
    for _ in 0..3 {
        key(&mut a, KeyCode::Up);
    }
    ctrl(&mut a, 'u');
    typ(&mut a, "GLOBEX");
    ctrl(&mut a, 's');
    assert_eq!(a.ctx.log.entries.len(), 2);
    accepted(&mut a, 2);
    // From the first field, Shift+Tab goes to the log.
    key(&mut a, KeyCode::BackTab);
    typ(&mut a, "/globex");
    let s = render(&a, 140, 40);
    assert!(s.contains("1 shown"), "{s}");
    assert!(
        s.contains(r#""account":"GLOBEX""#) && !s.contains(r#""account":"ACME""#),
        "{s}"
    );
    typ(&mut a, "zzz");
    assert!(render(&a, 140, 40).contains("no match"));
    key(&mut a, KeyCode::Esc);
    assert!(render(&a, 140, 40).contains(r#""account":"ACME""#));

    // An old ts in a restored draft is named, with the key that sets it to now.
    let mut b = app();
    open_submit(&mut b);
    typ(&mut b, "ACME\n");
    ctrl(&mut b, 'u');
    typ(&mut b, "2020-01-01T00:00:00Z");
    key(&mut b, KeyCode::Esc);
    key(&mut b, KeyCode::Enter);
    let s = render(&b, 140, 40);
    assert!(
        s.contains("ts is 2020-01-01T00:00:00Z: Ctrl+N/F7 sets it to now"),
        "{s}"
    );
}

/// On a narrow terminal a cell too wide for its column ends in `…` (here the data fields of a
/// meter), so a cut name is never mistaken for the whole one.
#[test]
fn narrow_tables_cut_names_with_an_ellipsis() {
    let mut a = app();
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 40, 16);
    assert!(s.contains("Gigabytes st…"), "{s}");
    assert!(s.contains("storage_…"), "{s}");
    assert!(render(&a, 140, 40).contains("Gigabytes stored"));
}

/// At 40 columns the Submit panel's head line and the editor's field list end in `…` rather
/// than being clipped at the edge.
#[test]
fn the_submit_head_and_field_list_end_in_an_ellipsis_when_cut() {
    let mut a = app();
    open_submit(&mut a);
    ctrl(&mut a, 't');
    let s = render(&a, 40, 12);
    let head = s.lines().nth(1).unwrap();
    assert!(head.contains("Submit usage") && head.contains('…'), "{s}");
    let fields = s.lines().find(|l| l.contains("fields:")).unwrap();
    assert!(fields.contains("…┘"), "{s}");
}
