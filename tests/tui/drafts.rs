//! Users never lose what they typed or sent: Submit panel drafts survive leaving the panel and
//! restarting, and a submission is on record (as pending) before its answer arrives.

use super::support::*;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::drafts::DRAFTS_FILE;
use m3ter_console::tui::state::log::{self, LOG_FILE, NO_ANSWER};
use m3ter_console::tui::state::Msg;
use ratatui::crossterm::event::KeyCode;

fn screen(a: &m3ter_console::tui::app::App) -> String {
    render(a, 140, 40)
}

/// Advanced mode with `oops` after the uid line: invalid JSON.
fn break_the_json(a: &mut m3ter_console::tui::app::App) {
    ctrl(a, 't');
    key(a, KeyCode::Down);
    key(a, KeyCode::End);
    typ(a, "oops");
}

#[test]
fn esc_keeps_typed_values_and_invalid_json_and_reopening_restores_them() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\teu-west\t12.5");
    break_the_json(&mut a);
    assert!(screen(&a).contains("invalid JSON at line 2"));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.top_kind(), ScreenKind::Meters);
    // Another meter, in Simple mode.
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    let vm = screen(&a);
    assert!(
        vm.contains("Submit · vm_hours") && vm.contains("uid-2"),
        "{vm}"
    );
    typ(&mut a, "GLOBEX\n\t7");
    key(&mut a, KeyCode::Esc);

    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(s.contains("· Advanced"), "the mode comes back: {s}");
    assert!(s.contains(r#""uid": "uid-1",oops"#), "text verbatim: {s}");
    assert!(s.contains(r#""region": "eu-west""#) && s.contains(r#""gb": 12.5"#));
    assert!(s.contains("draft restored (uid uid-1)"), "{s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(
        s.contains("· Simple") && s.contains("[GLOBEX") && s.contains("[7"),
        "{s}"
    );
    assert!(s.contains("uid                     uid-2"), "same uid: {s}");
}

#[test]
fn an_untouched_panel_leaves_no_draft() {
    let mut a = app();
    open_submit(&mut a);
    key(&mut a, KeyCode::Down);
    // The first Esc closes the account list that ↓ opened, the second leaves.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.top_kind(), ScreenKind::Submit);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(!s.contains("draft restored") && s.contains("uid-2"), "{s}");
}

#[test]
fn ctrl_r_twice_discards_the_draft_and_another_key_keeps_it() {
    let mut a = app();
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t4");
    assert!(screen(&a).contains("Ctrl+R/F8 reset"), "in the bar");
    ctrl(&mut a, 'r');
    assert!(screen(&a).contains("Ctrl+R/F8 again to discard this draft"));
    key(&mut a, KeyCode::Left);
    ctrl(&mut a, 'r');
    let s = screen(&a);
    assert!(s.contains("[ACME]") && s.contains("[4"), "kept: {s}");
    key(&mut a, KeyCode::F(8));
    let s = screen(&a);
    assert!(s.contains("draft discarded") && !s.contains("ACME"), "{s}");
    assert!(
        s.contains("uid                     uid-2"),
        "a new uid: {s}"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    assert!(!screen(&a).contains("draft restored"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_app_over_the_same_data_dir_restores_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _rx) = app_at(Some(dir.path()), "first");
    open_submit(&mut a);
    typ(&mut a, "ACME\n\teu\t");
    key(&mut a, KeyCode::Esc);
    // Quitting with a panel open keeps its draft too.
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "GLOBEX\n\t9");
    a.shutdown().await;
    let saved = std::fs::read_to_string(dir.path().join(DRAFTS_FILE)).unwrap();
    assert!(
        saved.contains("first-1") && saved.contains("GLOBEX"),
        "{saved}"
    );

    let (mut b, mut rx) = app_at(Some(dir.path()), "second");
    b.load_saved();
    pump_until(&mut b, &mut rx, "the drafts", |b| {
        b.ctx
            .drafts
            .get(&b.ctx.connection.id(), "vm_hours")
            .is_some()
    })
    .await;
    open_submit(&mut b);
    let s = screen(&b);
    assert!(s.contains("draft restored (uid first-1)"), "{s}");
    assert!(s.contains("[ACME") && s.contains("[eu]"), "{s}");
    assert!(s.contains("uid                     first-1"), "{s}");
    key(&mut b, KeyCode::Esc);
    key(&mut b, KeyCode::Char('j'));
    key(&mut b, KeyCode::Enter);
    assert!(screen(&b).contains("[GLOBEX"));
}

#[test]
fn a_submission_is_on_disk_as_pending_before_the_answer_then_superseded() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _rx) = app_at(Some(dir.path()), "uid");
    open_submit(&mut a);
    typ(&mut a, "ACME\n\t\t3");
    key(&mut a, KeyCode::F(5));
    a.ctx.disk.flush_blocking();
    let path = dir.path().join(LOG_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let first: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert!(
        first["id"].is_string() && first.get("answer").is_none(),
        "{text}"
    );
    assert_eq!(first["request"]["uid"], "uid-1");

    a.on_msg(Msg::Submitted {
        id: 1,
        result: Ok(serde_json::json!({"result": "accepted"})),
    });
    a.ctx.disk.flush_blocking();
    let text = std::fs::read_to_string(&path).unwrap();
    let second: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["answer"]["result"], "accepted");
    let back = log::read_file(&path).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].outcome(), "accepted");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_entry_warns_after_a_restart_and_e_keeps_its_uid() {
    let dir = tempfile::tempdir().unwrap();
    let request = serde_json::json!({
        "uid": "sent-uid-7", "meter": "storage_gb", "account": "ACME",
        "ts": "2026-01-01T00:00:00.000Z", "measure": {"gb": 2}
    });
    let line =
        serde_json::json!({"id": "e1", "time": "2026-01-01T00:00:01.000Z", "request": request});
    let text = format!("{line}\n{{\"id\":\"e2\",\"time\":\"2026-01-0");
    std::fs::write(dir.path().join(LOG_FILE), text).unwrap();

    let (mut a, mut rx) = app_at(Some(dir.path()), "uid");
    a.load_saved();
    pump_until(&mut a, &mut rx, "the log", |a| {
        !a.ctx.log.entries.is_empty()
    })
    .await;
    assert_eq!(a.ctx.log.entries.len(), 1, "the torn line is skipped");
    open_submit(&mut a);
    let s = screen(&a);
    let (head, why) = NO_ANSWER.split_once(" (").unwrap();
    assert!(s.contains(&format!("⚠ {head}")) && s.contains(why), "{s}");
    key(&mut a, KeyCode::BackTab);
    typ(&mut a, "e");
    let s = screen(&a);
    assert!(s.contains(r#""uid": "sent-uid-7""#), "the same uid: {s}");
    assert!(s.contains("same uid loaded: resending is safe"), "{s}");
    key(&mut a, KeyCode::BackTab);
    typ(&mut a, "r");
    assert!(screen(&a).contains("Resend?"), "r asks first");
    typ(&mut a, "y");
    let resent = &a.ctx.log.entries[0].request["uid"];
    assert_eq!(
        resent, "sent-uid-7",
        "an unanswered entry goes again with its own uid (m3ter counts it once)"
    );
}

/// A damaged drafts file is set aside and reported; the next save starts a new file and never
/// replaces the damaged one.
#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_drafts_file_is_kept_aside_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let damaged =
        b"{\"version\":1,\"drafts\":[{\"conn\":\"x\",\"org\":\"o\",\"meter\":\"m\",\"mode\":\"sim";
    std::fs::write(dir.path().join(DRAFTS_FILE), damaged).unwrap();
    let (mut a, mut rx) = app_at(Some(dir.path()), "first");
    a.load_saved();
    pump_until(&mut a, &mut rx, "the damaged-file report", |a| {
        format!("{:?}", a.ctx.status).contains("damaged")
    })
    .await;
    let status = format!("{:?}", a.ctx.status);
    assert!(status.contains("kept as"), "{status}");
    open_submit(&mut a);
    typ(&mut a, "ACME\n");
    a.shutdown().await;
    let asides: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("drafts.json.damaged-"))
        .collect();
    assert_eq!(asides.len(), 1, "{asides:?}");
    assert_eq!(std::fs::read(&asides[0]).unwrap(), damaged);
    let saved = std::fs::read_to_string(dir.path().join(DRAFTS_FILE)).unwrap();
    assert!(saved.contains("ACME"), "{saved}");
}

/// When the drafts file could be neither read nor set aside, nothing is written over it.
#[tokio::test(flavor = "multi_thread")]
async fn unread_drafts_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DRAFTS_FILE), "precious").unwrap();
    let (mut a, _rx) = app_at(Some(dir.path()), "first");
    a.on_msg(Msg::DraftsLoaded(Err("cannot read drafts.json".into())));
    open_submit(&mut a);
    typ(&mut a, "ACME\n");
    a.shutdown().await;
    let saved = std::fs::read_to_string(dir.path().join(DRAFTS_FILE)).unwrap();
    assert_eq!(saved, "precious");
}
