//! End to end: the real binary in a pseudo-terminal (portable-pty), read back with vt100, against
//! a sandbox started here on a temp database. Waits poll the screen with a timeout; no fixed
//! sleeps.

use super::pty::*;

/// The uid shown in the Simple form.
fn uid(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.trim_start_matches('│').strip_prefix("uid"))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .expect("a uid line")
}

#[test]
fn simple_submission_is_accepted_logged_and_its_log_and_draft_shown_after_a_restart() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    let before = uid(&tui.contents());
    tui.keys(&["I", "N", "I", "T", "E", "C", "H", "\r", "\t"]);
    tui.keys(&["e", "u", "\t", "1", "2", ".", "5"]);
    tui.send(F5);
    // Accepted, then followed to its outcome by itself.
    let s = tui.wait_for("✓ ingested");
    let after = uid(&s);
    assert_ne!(before, after, "a new uid after an accepted submission");
    assert!(s.contains(&format!("\"uid\":\"{before}\"")), "{s}");
    // Leave the panel with the values still typed, then quit: the draft is kept on disk.
    tui.send("\x1b");
    tui.wait_for("Meters · Cloud Compute");
    tui.quit();

    let saved = std::fs::read_to_string(env.dir.path().join("data/submissions.log.jsonl")).unwrap();
    assert!(
        saved.contains(&before) && saved.contains("accepted"),
        "{saved}"
    );
    let mut again = env.tui();
    again.open_submit();
    let s = again.wait_for("Log · 1 submission ");
    assert!(
        s.contains("✓ ingested"),
        "the outcome survives the restart: {s}"
    );
    let s = again.wait_for("draft restored");
    assert!(s.contains("[INITECH") && s.contains("[12.5]"), "{s}");
    assert_eq!(uid(&s), after, "the draft keeps its (fresh) uid");
    again.quit();
}

#[test]
fn advanced_submission_with_a_new_account_auto_creates_it() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    // Line 4 is `"account": "",`: put the new code between the quotes.
    tui.keys(&[DOWN, DOWN, DOWN, END, BACKSPACE, BACKSPACE]);
    tui.keys(&["N", "E", "W", "C", "O", "-", "7", "\"", ","]);
    tui.wait_for("✓ valid measurement");
    tui.send(CTRL_S);
    tui.wait_for("✓ ingested · account NEWCO-7 auto-created");
    tui.quit();
    let account = env
        .rt
        .block_on(env.client().account_by_code("NEWCO-7"))
        .unwrap()
        .expect("the account exists");
    assert_eq!(account.name.as_deref(), Some("NEWCO-7-autocreated"));
}

#[test]
fn broken_json_shows_line_and_column_and_keeps_the_text() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    tui.keys(&[DOWN, END, "o", "o", "p", "s"]);
    let s = tui.wait_for(",oops");
    assert!(s.contains("invalid JSON at line 2, column"), "{s}");
    tui.send(CTRL_T);
    let s = tui.wait_for("stays in Advanced");
    assert!(s.contains(",oops") && s.contains("Advanced · JSON"), "{s}");
    tui.quit();
}

#[test]
fn advanced_with_an_unknown_meter_warns_then_sends_on_a_second_ctrl_s_and_fails_undefined_meter() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    // Line 3 is `"meter": "storage_gb",`: make it a code no meter has; line 4 gets an account.
    tui.keys(&[DOWN, DOWN, END, BACKSPACE, BACKSPACE, "x", "\"", ","]);
    tui.keys(&[DOWN, END, BACKSPACE, BACKSPACE]);
    tui.keys(&["I", "N", "I", "T", "E", "C", "H", "\"", ","]);
    tui.wait_for("⚠ no meter has the code \"storage_gbx\"");
    tui.send(CTRL_S);
    tui.wait_for("Ctrl+S again sends it anyway");
    tui.send(CTRL_S);
    let s = tui.wait_for("✗ failed: UndefinedMeter");
    assert!(s.contains("storage_gbx"), "{s}");
    // Its detail: m3ter's first answer was 200 accepted; the outcome came after.
    tui.send("\x1b[Z");
    tui.wait_for("◀ keys go here");
    tui.send("\r");
    let s = tui.wait_for("HTTP 200");
    assert!(
        s.contains("accepted") && s.contains("UndefinedMeter"),
        "{s}"
    );
    tui.quit();
}
