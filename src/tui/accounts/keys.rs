//! One key table per view of the Accounts screen: it resolves the keys, fills the bottom bar and
//! the help overlay. Every Ctrl key has a function-key twin.

use crate::tui::keys::{Action, Key, KeyBinding, LIST_KEYS, REFRESH};
use crate::tui::widgets::list::FILTER_KEYS;
use ratatui::crossterm::event::KeyCode;

const ENTER_DETAIL: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter)],
    Action::Choose,
    "details",
    "Show every field of the account",
)
.bar();
const NEW: KeyBinding = KeyBinding::new(&[Key::ch('n')], Action::New, "new", "Create an account");
const EDIT: KeyBinding = KeyBinding::new(
    &[Key::ch('e')],
    Action::Edit,
    "edit",
    "Edit the account (auto-created: make it a real account — name from the code, email to fill)",
)
.bar();
const DELETE: KeyBinding = KeyBinding::new(
    &[Key::ch('d')],
    Action::Delete,
    "delete",
    "Delete the account (asks first)",
);
const SUBMIT_FOR: KeyBinding = KeyBinding::new(
    &[Key::ch('s')],
    Action::SubmitFor,
    "submit",
    "Submit usage for this account (opens the Submit panel with it chosen)",
)
.bar();

pub const LIST: [KeyBinding; 15] = [
    LIST_KEYS[0],
    LIST_KEYS[1],
    LIST_KEYS[2],
    LIST_KEYS[3],
    LIST_KEYS[4],
    LIST_KEYS[5],
    ENTER_DETAIL,
    KeyBinding::new(
        &[Key::ch('/')],
        Action::Filter,
        "filter",
        "Filter by code or name (searched on the server)",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('o')],
        Action::Sort,
        "sort",
        "Sort: newest first → code → name (the title says which)",
    ),
    KeyBinding::new(
        &[Key::ch('a')],
        Action::AutoOnly,
        "auto",
        "Show only auto-created accounts (AUTO), or all",
    )
    .bar(),
    NEW,
    EDIT,
    DELETE,
    SUBMIT_FOR,
    REFRESH,
];

/// While the filter is typed: the lists' filter keys, plus moving while typing (the server
/// answers as you type, so the selection can follow).
pub const FILTERING: [KeyBinding; 4] = [
    FILTER_KEYS[0],
    FILTER_KEYS[1],
    KeyBinding::new(&[Key::plain(KeyCode::Up)], Action::Up, "up", "Move up").text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Down,
        "down",
        "Move down",
    )
    .text(),
];

pub const DETAIL: [KeyBinding; 7] = [
    LIST_KEYS[0],
    LIST_KEYS[1],
    EDIT,
    DELETE,
    SUBMIT_FOR,
    KeyBinding::new(
        &[Key::ch('r'), Key::f(6)],
        Action::Refresh,
        "reload",
        "Fetch the account again",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "back",
        "Back to the list",
    ),
];

pub const FORM: [KeyBinding; 8] = [
    KeyBinding::new(
        &[Key::ctrl('s'), Key::f(5)],
        Action::Submit,
        "save",
        "Save (refused while a field is invalid)",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Tab)],
        Action::FocusNext,
        "next field",
        "Next field",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::BackTab)],
        Action::FocusPrev,
        "previous field",
        "Previous field",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Up)],
        Action::Up,
        "up",
        "Previous field (parent suggestions: previous account)",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Down,
        "down",
        "Next field (parent suggestions: next account)",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "pick",
        "Take the highlighted parent account; else next field",
    )
    .text(),
    KeyBinding::new(
        &[Key::ctrl('z'), Key::f(8)],
        Action::Restore,
        "swap back",
        "After a conflict's reload: swap your values and the server's",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "cancel",
        "Leave the form without saving (←/→/Space change a choice field)",
    )
    .bar()
    .text(),
];

pub const CONFLICT: [KeyBinding; 3] = [
    KeyBinding::new(
        &[Key::ch('o'), Key::f(5)],
        Action::Overwrite,
        "overwrite",
        "Save what you typed over the server's version",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('r'), Key::f(6)],
        Action::Refresh,
        "reload",
        "Take the server's version into the form (Ctrl+Z/F8 there brings yours back)",
    )
    .bar(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "back to form",
        "Back to your form, unchanged",
    )
    .bar(),
];

pub const DELETE_CONFIRM: [KeyBinding; 2] = [
    KeyBinding::new(
        &[Key::ch('y')],
        Action::Confirm,
        "delete",
        "Delete the account",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('n'), Key::plain(KeyCode::Esc)],
        Action::Back,
        "keep",
        "Keep the account",
    )
    .bar(),
];
