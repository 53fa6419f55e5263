//! The Accounts screen end to end: the real binary in a pseudo-terminal against a sandbox
//! started here; what the TUI did is checked over HTTP with the client.

use super::pty::*;
use m3ter_console::m3ter::Account;

/// The screen line holding `text`.
fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen.lines().find(|l| l.contains(text)).unwrap_or("")
}

fn account(env: &Env, code: &str) -> Account {
    env.rt
        .block_on(env.client().account_by_code(code))
        .unwrap()
        .unwrap_or_else(|| panic!("{code} exists"))
}

/// A submission through the TUI for a new code; the Accounts screen then shows the
/// auto-created account marked AUTO, and `e` turns it into a real account.
#[test]
fn a_submission_auto_creates_an_account_shown_marked_then_made_real() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    // Line 4 is `"account": "",`: put the new code between the quotes.
    tui.keys(&[DOWN, DOWN, DOWN, END, BACKSPACE, BACKSPACE]);
    tui.keys(&["NEWCO-9\","]);
    tui.wait_for("✓ valid measurement");
    tui.send(CTRL_S);
    tui.wait_for("✓ ingested");
    tui.send(F9);
    let s = tui.wait_until("NEWCO-9 listed", |s| {
        line_with(s, "NEWCO-9").contains("AUTO")
    });
    assert!(
        !line_with(&s, "INITECH").contains("AUTO"),
        "only auto-created accounts are marked:\n{s}"
    );
    // Newest first: it is the selected first row. `e` opens the promote form on the name.
    tui.send("e");
    tui.wait_for("make NEWCO-9 a real account");
    tui.keys(&[CTRL_U, "NewCo Limited", TAB, "ap@newco.example", CTRL_S]);
    tui.wait_for("saved NEWCO-9 (version 2)");
    let a = account(&env, "NEWCO-9");
    assert_eq!(a.name.as_deref(), Some("NewCo Limited"));
    assert_eq!(a.email_address.as_deref(), Some("ap@newco.example"));
    assert!(!a.is_auto_created());
    // Back in the list, the mark is gone.
    tui.send(ESC);
    tui.wait_until("NEWCO-9 unmarked", |s| {
        let l = line_with(s, "NEWCO-9");
        l.contains("NewCo Limited") && !l.contains("AUTO")
    });
    tui.quit();
}

/// Someone changes the account between opening the form and saving: the conflict view shows
/// both versions, `r` loads the server's, Ctrl+Z brings back what was typed, and saving then
/// writes it over the new version.
#[test]
fn a_stale_edit_shows_the_conflict_and_loses_nothing_typed() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.wait_for("Cloud Compute");
    tui.send("A");
    tui.wait_for("INITECH");
    tui.send("/");
    tui.keys(&["initech"]);
    tui.wait_until("filtered", |s| {
        !s.contains("GLOBEX") && s.contains("INITECH")
    });
    tui.keys(&["\r", "e"]);
    tui.wait_for("edit INITECH");
    // Meanwhile, over the API: a new purchase order number.
    let before = account(&env, "INITECH");
    let mut req = before.to_request();
    req.purchase_order_number = Some("PO-SERVER".into());
    env.rt
        .block_on(env.client().update::<Account>(&before.id, &req))
        .unwrap();
    tui.keys(&[CTRL_U, "Initech Global", CTRL_S]);
    let s = tui.wait_for("changed on the server");
    assert!(line_with(&s, "Name").contains("Initech Global"), "{s}");
    assert!(line_with(&s, "Name").contains("≠"), "{s}");
    assert!(line_with(&s, "Purchase order").contains("PO-SERVER"), "{s}");
    tui.send("r");
    let s = tui.wait_for("two versions kept");
    assert!(
        s.contains("Initech Software") && s.contains("PO-SERVER"),
        "{s}"
    );
    tui.send(CTRL_Z);
    tui.wait_for("Initech Global");
    tui.send(CTRL_S);
    tui.wait_for("saved INITECH (version 3)");
    let a = account(&env, "INITECH");
    assert_eq!(a.name.as_deref(), Some("Initech Global"));
    tui.quit();
}

/// Create with `n`, delete with `d` + `y`; the sandbox agrees at each step.
#[test]
fn create_then_delete_through_the_screen() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.wait_for("Cloud Compute");
    tui.send("A");
    tui.wait_for("INITECH");
    tui.send("n");
    tui.wait_for("new account");
    tui.keys(&["HOOLI", TAB, "Hooli", TAB, "bad-email", CTRL_S]);
    tui.wait_for("not saved: Email must be an email address");
    tui.keys(&[CTRL_U, "ar@hooli.example", TAB, "GBP", CTRL_S]);
    tui.wait_for("saved HOOLI (version 1)");
    assert_eq!(account(&env, "HOOLI").currency.as_deref(), Some("GBP"));
    tui.send("d");
    tui.wait_for("Delete account HOOLI (Hooli)?");
    tui.send("y");
    tui.wait_for("deleted HOOLI (Hooli)");
    let gone = env
        .rt
        .block_on(env.client().account_by_code("HOOLI"))
        .unwrap();
    assert!(gone.is_none());
    tui.quit();
}
