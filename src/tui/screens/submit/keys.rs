//! The Submit panel's key tables, one list per focused pane and mode. Every Ctrl key has an
//! F-key twin (some terminals and multiplexers eat Ctrl combinations).

use crate::tui::keys::tables::NAV;
use crate::tui::keys::{Action, Key, KeyBinding, Tables};
use ratatui::crossterm::event::KeyCode;

pub const SUBMIT: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5)],
    Action::Submit,
    "submit",
    "Submit the measurement",
)
.bar()
.text();
const TO_ADVANCED: KeyBinding = KeyBinding::new(
    &[Key::ctrl('t'), Key::f(2)],
    Action::ToggleMode,
    "JSON",
    "Advanced (JSON) mode; values carried across",
)
.bar()
.text();
const TO_SIMPLE: KeyBinding = KeyBinding::new(
    &[Key::ctrl('t'), Key::f(2)],
    Action::ToggleMode,
    "form",
    "Simple mode; values carried across (JSON must be valid)",
)
.bar()
.text();
const EDITOR: KeyBinding = KeyBinding::new(
    &[Key::ctrl('e'), Key::f(4)],
    Action::OpenEditor,
    "$EDITOR",
    "Edit the JSON in $EDITOR",
)
.text();
pub const NOW: KeyBinding = KeyBinding::new(
    &[Key::ctrl('n'), Key::f(7)],
    Action::Now,
    "ts now",
    "Set the timestamp (ts) to now (it is kept after a submission)",
)
.text();
/// Ctrl+R takes precedence over the JSON editor's redo (undo, Ctrl+U, still works).
pub const RESET: KeyBinding = KeyBinding::new(
    &[Key::ctrl('r'), Key::f(8)],
    Action::Reset,
    "reset",
    "Discard this meter's draft and start a fresh form (press twice)",
)
.text();
const NEXT: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Tab)],
    Action::FocusNext,
    "next",
    "Next field / pane",
)
.bar()
.text();
const PREV: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::BackTab)],
    Action::FocusPrev,
    "previous",
    "Previous field / pane",
)
.text();

const SIMPLE_OWN: &[KeyBinding] = &[
    SUBMIT,
    TO_ADVANCED,
    NEXT,
    PREV,
    KeyBinding::new(
        &[Key::plain(KeyCode::Up)],
        Action::Up,
        "up",
        "Previous field (account list: previous account)",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Down,
        "down",
        "Next field (account list: next account)",
    )
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "pick",
        "Take the highlighted account; next field",
    )
    .text(),
    NOW,
    EDITOR,
    RESET.bar(),
];
pub const SIMPLE: Tables = &[SIMPLE_OWN];

pub const UNDO: KeyBinding = KeyBinding::new(
    &[Key::ctrl('z')],
    Action::Undo,
    "undo",
    "Undo the last edit",
)
.text();
pub const REDO: KeyBinding = KeyBinding::new(
    &[Key::ctrl('y')],
    Action::Redo,
    "redo",
    "Redo what was undone",
)
.text();

/// In the editor Tab indents: the log pane is a Shift+Tab (or F3) away.
const TO_LOG: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::BackTab), Key::f(3)],
    Action::FocusNext,
    "log",
    "Go to the log pane (Tab indents in the editor)",
)
.bar()
.text();

/// The bar is full at 80 columns here: reset is in the help (and named when a draft is restored).
const ADVANCED_OWN: &[KeyBinding] = &[SUBMIT, TO_SIMPLE, TO_LOG, EDITOR.bar(), RESET, UNDO, REDO];
pub const ADVANCED: Tables = &[ADVANCED_OWN];

pub const RESEND: KeyBinding = KeyBinding::new(
    &[Key::ch('r')],
    Action::Resend,
    "resend",
    "Send this measurement again (asks first; a failed one keeps its uid)",
)
.bar();
pub const EDIT_ENTRY: KeyBinding = KeyBinding::new(
    &[Key::ch('e')],
    Action::EditEntry,
    "edit",
    "Load it into the Advanced editor (asks before replacing what is there)",
)
.bar();
pub const COPY_CURL: KeyBinding = KeyBinding::new(
    &[Key::ch('c')],
    Action::CopyCurl,
    "curl",
    "Copy it as a curl command (clipboard, OSC 52)",
)
.bar();
pub const OPEN_ENTRY: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter)],
    Action::Open,
    "open",
    "Show the whole entry: request, answer, latency, ingest outcome and event log",
)
.bar();
pub const LOG_FILTER: KeyBinding = KeyBinding::new(
    &[Key::ch('/')],
    Action::Filter,
    "filter",
    "Filter the log by meter, account or any text",
);

pub const JUMP_ACCOUNT: KeyBinding = KeyBinding::new(
    &[Key::ch('a')],
    Action::JumpAccount,
    "account",
    "Open the account this measurement auto-created",
);

const LOG_OWN: &[KeyBinding] = &[
    OPEN_ENTRY,
    RESEND,
    EDIT_ENTRY,
    COPY_CURL,
    LOG_FILTER,
    JUMP_ACCOUNT,
];

/// The panel's keys that work from the log pane too (the bar keeps to the log's own keys).
const PANEL_FROM_LOG: &[KeyBinding] = &[
    NEXT,
    PREV,
    SUBMIT
        .quiet()
        .described("submit", "Submit the measurement in the panel"),
    TO_ADVANCED
        .quiet()
        .described("mode", "Switch the panel between Simple and Advanced"),
    EDITOR,
    RESET,
];

pub const LOG: Tables = &[LOG_OWN, NAV, PANEL_FROM_LOG];

/// A question on screen (resend? replace the draft?): y answers yes, n or Esc no.
pub const CONFIRM: &[KeyBinding] = &[
    KeyBinding::new(&[Key::ch('y')], Action::Confirm, "yes", "Yes, do it").bar(),
    KeyBinding::new(
        &[Key::ch('n'), Key::plain(KeyCode::Esc)],
        Action::Back,
        "no",
        "No, leave things as they are",
    )
    .bar()
    .text(),
];
pub const CONFIRMING: Tables = &[CONFIRM];

/// While the log filter is typed.
pub const LOG_FILTERING: Tables = &[crate::tui::keys::tables::FILTERING];
