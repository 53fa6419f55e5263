//! The Upload screen's key tables, one per view: typing the path, the preview, sending, the
//! cancel question, and the result.

use crate::tui::keys::tables::NAV;
use crate::tui::keys::{Action, Key, KeyBinding, Tables};
use ratatui::crossterm::event::KeyCode;

const CHECK: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter)],
    Action::Choose,
    "check",
    "Read and check the file (nothing is sent yet)",
)
.bar()
.text();
const COMPLETE: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Tab)],
    Action::FocusNext,
    "complete",
    "Complete the path from the directory's files",
)
.bar()
.text();
pub const PATH: Tables = &[&[CHECK, COMPLETE]];

const SEND: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5), Key::plain(KeyCode::Enter)],
    Action::Submit,
    "send",
    "Send the measurements in m3ter-sized batches",
)
.bar()
.text();
const RESUME: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5), Key::plain(KeyCode::Enter)],
    Action::Submit,
    "resume",
    "Send the batches an earlier run left unsent, with their uids",
)
.bar()
.text();
const OTHER_FILE: KeyBinding = KeyBinding::new(
    &[Key::ch('e'), Key::ch('o')],
    Action::Edit,
    "other file",
    "Type another path",
)
.bar();
const RECHECK: KeyBinding = KeyBinding::new(
    &[Key::ch('r'), Key::f(6)],
    Action::Refresh,
    "check again",
    "Read and check the file again (after fixing it)",
)
.bar();
pub const READY: Tables = &[&[SEND, OTHER_FILE, RECHECK], NAV];
pub const RESUMABLE: Tables = &[&[RESUME, OTHER_FILE], NAV];
/// Send, with problems: not in the bar; pressed, it says why nothing is sent.
const SEND_REFUSED: KeyBinding = KeyBinding::new(
    &[Key::ctrl('s'), Key::f(5), Key::plain(KeyCode::Enter)],
    Action::Submit,
    "send",
    "Send (refused while the file has problems: a file is sent whole or not at all)",
);
pub const PROBLEMS: Tables = &[&[OTHER_FILE, RECHECK, SEND_REFUSED], NAV];

const CANCEL: KeyBinding = KeyBinding::new(
    &[Key::ch('c'), Key::plain(KeyCode::Esc)],
    Action::Cancel,
    "cancel",
    "Stop sending (asks; batches in flight finish, the journal stays resumable)",
)
.bar();
pub const SENDING: Tables = &[&[CANCEL], NAV];

pub const CONFIRM: Tables = &[&[
    KeyBinding::new(&[Key::ch('y')], Action::Confirm, "yes", "Yes, stop sending").bar(),
    KeyBinding::new(
        &[Key::ch('n'), Key::plain(KeyCode::Esc)],
        Action::Back,
        "no",
        "No, go on sending",
    )
    .bar()
    .text(),
]];

pub const DONE: Tables = &[&[OTHER_FILE, RECHECK], NAV];
