//! What the Accounts screen looks like — list (an auto-created account marked), detail, form
//! with errors, conflict view — at 80×24 and 140×40, plus how its views behave key by key. No
//! runtime runs in these tests: the server's answers are fed as messages, on fixed data.

use super::support::*;
use m3ter_console::m3ter::*;
use m3ter_console::tui::app::App;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::msg::{AcctMsg, SaveError};
use m3ter_console::tui::state::Msg;
use ratatui::crossterm::event::KeyCode;

fn snap(name: &str, app: &m3ter_console::tui::app::App) {
    snapshot(&format!("accounts__{name}"), app);
}

fn audit(day: u32) -> Audit {
    Audit {
        dt_created: Some(format!("2026-01-{day:02}T10:00:00.000Z")),
        dt_last_modified: Some(format!("2026-01-{day:02}T11:00:00.000Z")),
        created_by: Some("sandbox-user".into()),
        last_modified_by: Some("sandbox-user".into()),
    }
}

/// Newest first, as the server lists them.
fn fixed_accounts() -> Vec<Account> {
    vec![
        Account {
            id: "a-3".into(),
            version: Some(1),
            code: Some("NEWCO".into()),
            name: Some("NEWCO-autocreated".into()),
            email_address: Some("3fa9c2d4e5f60718-autocreated@example.com".into()),
            audit: audit(3),
            auto_created: Some(true),
            ..Default::default()
        },
        Account {
            id: "a-2".into(),
            version: Some(4),
            code: Some("ACME".into()),
            name: Some("Acme Corp".into()),
            email_address: Some("billing@acme.example".into()),
            address: Some(Address {
                address_line1: Some("1 Road Runner Way".into()),
                locality: Some("Phoenix".into()),
                post_code: Some("85001".into()),
                country: Some("US".into()),
                ..Default::default()
            }),
            parent_account_id: Some("a-1".into()),
            bill_epoch: Some("2026-01-01".into()),
            purchase_order_number: Some("PO-77".into()),
            currency: Some("USD".into()),
            auto_generate_statement_mode: Some(AutoGenerateStatementMode::Json),
            credit_application_order: Some(vec![
                CreditApplication::Prepayment,
                CreditApplication::Balance,
            ]),
            days_before_bill_due: Some(30),
            custom_fields: Some(serde_json::from_str(r#"{"tier":"gold"}"#).unwrap()),
            audit: audit(2),
            auto_created: Some(false),
            ..Default::default()
        },
        Account {
            id: "a-1".into(),
            version: Some(1),
            code: Some("GLOBEX".into()),
            name: Some("Globex Holdings".into()),
            email_address: Some("ap@globex.example".into()),
            audit: audit(1),
            auto_created: Some(false),
            ..Default::default()
        },
    ]
}

fn accounts_app() -> App {
    let mut a = app();
    typ(&mut a, "A");
    feed_accounts(&mut a, fixed_accounts());
    a
}

#[test]
fn list_marks_auto_created_accounts() {
    let a = accounts_app();
    let s = render(&a, 80, 24);
    assert!(s.contains("AUTO") && s.contains("NEWCO"), "{s}");
    snap("accounts_list", &a);
}

#[test]
fn detail_shows_every_field_and_unset_ones() {
    let mut a = accounts_app();
    typ(&mut a, "j");
    key(&mut a, KeyCode::Enter);
    a.on_msg(Msg::acct(AcctMsg::ParentCode {
        id: "a-1".into(),
        code: "GLOBEX".into(),
    }));
    let s = render(&a, 140, 40);
    for f in [
        "emailAddress",
        "address.addressLine1",
        "GLOBEX  (a-1)",
        "statementDefinitionId",
        "— unset",
        "PREPAYMENT, BALANCE",
        "customFields.tier",
        "lastModifiedBy",
    ] {
        assert!(s.contains(f), "{f} missing:\n{s}");
    }
    snap("accounts_detail", &a);
}

/// At 80×24 the auto-created badge's sentence wraps whole, End reaches the last field (and
/// scrolling stops there), and the list's count reads "1 account".
#[test]
fn auto_created_detail_fits_80_columns_and_scrolls_to_its_end() {
    let mut a = accounts_app();
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(
        s.contains("e makes it a real") && s.contains("account"),
        "{s}"
    );
    assert!(!s.contains("accoun│"), "cut at the border: {s}");
    assert!(s.contains("more ↓"), "{s}");
    key(&mut a, KeyCode::End);
    let end = render(&a, 80, 24);
    assert!(
        end.contains("lastModifiedBy") && end.contains("more ↑"),
        "{end}"
    );
    key(&mut a, KeyCode::PageDown);
    assert_eq!(render(&a, 80, 24), end, "no scrolling past the end");

    let mut a = app();
    typ(&mut a, "A");
    feed_accounts(&mut a, fixed_accounts()[..1].to_vec());
    let s = render(&a, 80, 24);
    assert!(
        s.contains(" 1 account ") && !s.contains("1 accounts"),
        "{s}"
    );
}

#[test]
fn form_shows_errors_next_to_fields_and_refuses_to_save() {
    let mut a = accounts_app();
    typ(&mut a, "n");
    typ(
        &mut a,
        "NEW CO \tNew Co\tnot-an-email\tusd\t\t2026-13-01\t\t0",
    );
    let s = render(&a, 140, 40);
    assert!(s.contains("must be an email address"), "{s}");
    assert!(s.contains("must be greater than 0"), "{s}");
    assert!(s.contains("must be a date YYYY-MM-DD"), "{s}");
    snap("accounts_form_errors", &a);
    ctrl(&mut a, 's');
    let s = render(&a, 80, 24);
    // Every problem named by its label, none cut (the status wraps).
    assert!(s.contains("not saved: Code must not start"), "{s}");
    assert!(s.contains("Email must be an email address"), "{s}");
    // q types in the form; Esc asks before dropping what was typed, a second Esc leaves.
    typ(&mut a, "q");
    assert_eq!(a.top_kind(), ScreenKind::Accounts);
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 80, 24);
    assert!(s.contains("unsaved changes") && s.contains("NEW CO"), "{s}");
    key(&mut a, KeyCode::Esc);
    assert!(render(&a, 80, 24).contains("newest first"));
}

#[test]
fn promote_prefills_the_name_and_empties_the_email() {
    let mut a = accounts_app();
    typ(&mut a, "e");
    let s = render(&a, 140, 40);
    assert!(s.contains("make NEWCO a real account"), "{s}");
    assert!(s.contains("▶ Name             NEWCO"), "{s}");
    assert!(s.contains("is required (an email address)"), "{s}");
}

fn conflict_app() -> App {
    let mut a = accounts_app();
    typ(&mut a, "j");
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "e");
    // Name: replace "Acme Corp" with "Acme Corporation".
    typ(&mut a, "oration\t\t");
    ctrl(&mut a, 'u');
    typ(&mut a, "EUR");
    ctrl(&mut a, 's');
    assert!(
        render(&a, 140, 40).contains("saving…"),
        "the form is valid and sent"
    );
    a.on_msg(Msg::acct(AcctMsg::Saved(Err(SaveError {
        conflict: true,
        field: None,
        message: "version: 4 is stale".into(),
    }))));
    let mut server = fixed_accounts()[1].clone();
    server.version = Some(5);
    server.purchase_order_number = Some("PO-88".into());
    a.on_msg(Msg::acct(AcctMsg::Current(Ok(server))));
    a
}

#[test]
fn conflict_view_puts_both_versions_side_by_side() {
    let a = conflict_app();
    let s = render(&a, 140, 40);
    assert!(s.contains("you read version 4, now 5"), "{s}");
    assert!(
        s.contains("≠ Name") && s.contains("Acme Corporation"),
        "{s}"
    );
    assert!(s.contains("≠ Purchase order") && s.contains("PO-88"), "{s}");
    snap("accounts_conflict", &a);
}

#[test]
fn conflict_reload_keeps_what_was_typed_one_key_away() {
    let mut a = conflict_app();
    typ(&mut a, "r");
    let s = render(&a, 140, 40);
    assert!(
        s.contains("Acme Corp ") && !s.contains("Acme Corporation"),
        "{s}"
    );
    assert!(s.contains("PO-88"), "{s}");
    ctrl(&mut a, 'z');
    let s = render(&a, 140, 40);
    assert!(s.contains("Acme Corporation") && s.contains("EUR"), "{s}");
    key(&mut a, KeyCode::F(8));
    assert!(render(&a, 140, 40).contains("PO-88"));
}

#[test]
fn delete_names_the_account_and_waits_for_y() {
    let mut a = accounts_app();
    typ(&mut a, "jd");
    let s = render(&a, 80, 24);
    assert!(s.contains("Delete account ACME (Acme Corp)?"), "{s}");
    typ(&mut a, "n");
    assert!(!render(&a, 80, 24).contains("Delete account"));
}

#[test]
fn s_jumps_to_submit_with_the_account() {
    let mut a = accounts_app();
    typ(&mut a, "Gs");
    assert_eq!(a.top_kind(), ScreenKind::Products);
    open_submit(&mut a);
    assert!(render(&a, 140, 40).contains("[GLOBEX]"));
}

#[test]
fn conflict_overwrite_resends_the_typed_values() {
    let mut a = conflict_app();
    typ(&mut a, "o");
    let s = render(&a, 140, 40);
    assert!(
        s.contains("saving…") && s.contains("Acme Corporation"),
        "{s}"
    );
    // A second refusal lands in the conflict view again; Esc returns to the typed form.
    a.on_msg(Msg::acct(AcctMsg::Saved(Err(SaveError {
        conflict: false,
        field: Some("name".into()),
        message: "name is taken".into(),
    }))));
    let s = render(&a, 140, 40);
    assert!(
        s.contains("✗ name is taken") && s.contains("not saved: name is taken"),
        "{s}"
    );
}

#[test]
fn the_parent_is_picked_from_server_suggestions_by_code() {
    let mut a = accounts_app();
    typ(&mut a, "n");
    typ(&mut a, "KIDCO\tKid Co\tkid@co.example\t\tGLO");
    let s = render(&a, 140, 40);
    assert!(s.contains("pick an account from the suggestions"), "{s}");
    // One search per keystroke is asked for; only the last (generation 3) counts.
    a.on_msg(Msg::acct(AcctMsg::ParentHits {
        gen: 2,
        hits: vec![("a-9".into(), "GLOBAL-OLD".into())],
    }));
    assert!(!render(&a, 140, 40).contains("GLOBAL-OLD"));
    a.on_msg(Msg::acct(AcctMsg::ParentHits {
        gen: 3,
        hits: vec![("a-1".into(), "GLOBEX".into())],
    }));
    assert!(render(&a, 140, 40).contains("▸ GLOBEX"));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 140, 40);
    assert!(s.contains("GLOBEX   ✓") || s.contains("GLOBEX  ✓"), "{s}");
    assert!(s.contains("ready: Ctrl+S/F5 saves"), "{s}");
}

#[test]
fn a_click_focuses_a_form_field() {
    use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut a = accounts_app();
    typ(&mut a, "n");
    render(&a, 140, 40);
    // Row 0 is the title bar, row 1 the border, then Code, Name and Email (no errors shown
    // before a field is touched): row 4 is Email.
    assert!(!render(&a, 140, 40).contains("is required"));
    a.on_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 4,
        modifiers: KeyModifiers::NONE,
    }));
    typ(&mut a, "x@y.example");
    let s = render(&a, 140, 40);
    assert!(s.contains("▶ Email            x@y.example"), "{s}");
}

/// After a conflict's reload the list shows the server's copy, and Enter opens it.
#[test]
fn after_a_conflict_reload_the_list_is_not_stale() {
    let mut a = accounts_app();
    typ(&mut a, "j");
    key(&mut a, KeyCode::Enter);
    typ(&mut a, "e");
    typ(&mut a, "oration");
    ctrl(&mut a, 's');
    a.on_msg(Msg::acct(AcctMsg::Saved(Err(SaveError {
        conflict: true,
        field: None,
        message: "version: 4 is stale".into(),
    }))));
    let mut server = fixed_accounts()[1].clone();
    server.version = Some(5);
    server.name = Some("Acme Renamed".into());
    a.on_msg(Msg::acct(AcctMsg::Current(Ok(server))));
    typ(&mut a, "r");
    // The form keeps the other version aside: Esc asks once, then leaves to the detail.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 140, 40);
    assert!(
        s.contains("Acme Renamed") && !s.contains("Acme Corp "),
        "{s}"
    );
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 140, 40);
    assert!(
        s.contains("Acme Renamed") && s.contains("version                   5"),
        "{s}"
    );
}
