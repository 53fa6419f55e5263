//! The key tables of each view of the Accounts screen: they resolve the keys, fill the bottom
//! bar and the help overlay. Every Ctrl key has a function-key twin.

use crate::tui::keys::tables::{self, NAV, REFRESH};
use crate::tui::keys::{Action, Key, KeyBinding, Tables};
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

const LIST_OWN: &[KeyBinding] = &[
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
pub const LIST: Tables = &[NAV, LIST_OWN];

/// While the filter is typed, moving works too (the server answers as you type, so the
/// selection can follow).
const MOVE_WHILE_TYPING: &[KeyBinding] = &[
    KeyBinding::new(&[Key::plain(KeyCode::Up)], Action::Up, "up", "Move up").text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Down,
        "down",
        "Move down",
    )
    .text(),
];
pub const FILTERING: Tables = &[tables::FILTERING, MOVE_WHILE_TYPING];

const DETAIL_OWN: &[KeyBinding] = &[
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
pub const DETAIL: Tables = &[DETAIL_OWN, crate::tui::widgets::scroll::KEYS];

pub const SAVE: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5)],
    Action::Submit,
    "save",
    "Save (refused while a field is invalid)",
)
.bar()
.text();

const FORM_OWN: &[KeyBinding] = &[
    SAVE,
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
        "Leave the form (asks when something is unsaved; ←/→/Space change a choice field)",
    )
    .bar()
    .text(),
];
pub const FORM: Tables = &[FORM_OWN];

const CONFLICT_OWN: &[KeyBinding] = &[
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
pub const CONFLICT: Tables = &[CONFLICT_OWN];

const DELETE_OWN: &[KeyBinding] = &[
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
pub const DELETE_CONFIRM: Tables = &[DELETE_OWN];
