//! The Submit panel's key tables, one per focused pane and mode. Every Ctrl key has an F-key
//! twin (some terminals and multiplexers eat Ctrl combinations).

use crate::tui::keys::{Action, Key, KeyBinding, LIST_KEYS};
use ratatui::crossterm::event::KeyCode;

const SUBMIT: KeyBinding = KeyBinding::new(
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
const NOW: KeyBinding = KeyBinding::new(
    &[Key::ctrl('n'), Key::f(7)],
    Action::Now,
    "ts now",
    "Set the timestamp (ts) to now (it is kept after a submission)",
)
.text();
/// Ctrl+R takes precedence over the JSON editor's redo (undo, Ctrl+U, still works).
const RESET: KeyBinding = KeyBinding::new(
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

pub const SIMPLE: &[KeyBinding] = &[
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

/// The bar is full at 80 columns here: reset is in the help (and named when a draft is restored).
pub const ADVANCED: &[KeyBinding] = &[SUBMIT, TO_SIMPLE, EDITOR.bar(), NEXT, PREV, RESET];

/// In the log pane these work too, but the bar keeps to the log's own keys.
const SUBMIT_QUIET: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5)],
    Action::Submit,
    "submit",
    "Submit the measurement in the panel",
);
const MODE_QUIET: KeyBinding = KeyBinding::new(
    &[Key::ctrl('t'), Key::f(2)],
    Action::ToggleMode,
    "mode",
    "Switch the panel between Simple and Advanced",
);

pub const LOG: &[KeyBinding] = &[
    LIST_KEYS[0],
    LIST_KEYS[1],
    LIST_KEYS[2],
    LIST_KEYS[3],
    LIST_KEYS[4],
    LIST_KEYS[5],
    KeyBinding::new(
        &[Key::ch('r')],
        Action::Resend,
        "resend",
        "Send this measurement again, as a new one (new uid)",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('e')],
        Action::EditEntry,
        "edit",
        "Load it into the Advanced editor",
    )
    .bar(),
    KeyBinding::new(
        &[Key::ch('c')],
        Action::CopyCurl,
        "curl",
        "Copy it as a curl command (clipboard, OSC 52)",
    )
    .bar(),
    NEXT,
    PREV,
    SUBMIT_QUIET,
    MODE_QUIET,
    EDITOR,
    RESET,
];
