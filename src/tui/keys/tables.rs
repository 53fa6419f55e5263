//! The key tables shared by several views. Views compose them into their own lists of tables
//! ([`super::Tables`]) instead of copying entries, so a change here reaches every view.

use super::binding::{Action, Key, KeyBinding};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

pub const UP: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Up), Key::ch('k')],
    Action::Up,
    "up",
    "Move up",
);
pub const DOWN: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Down), Key::ch('j')],
    Action::Down,
    "down",
    "Move down",
);

/// The list-navigation keys every list shares (arrows and vim keys).
pub const NAV: &[KeyBinding] = &[
    UP,
    DOWN,
    KeyBinding::new(
        &[Key::Twice('g'), Key::plain(KeyCode::Home)],
        Action::Top,
        "top",
        "First item",
    ),
    KeyBinding::new(
        &[Key::ch('G'), Key::plain(KeyCode::End)],
        Action::Bottom,
        "bottom",
        "Last item",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        "One page up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        "One page down",
    ),
];

/// Enter on a list.
pub const CHOOSE: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter)],
    Action::Choose,
    "choose",
    "Choose the selected item",
)
.bar();
/// `/` on a list.
pub const FILTER: KeyBinding =
    KeyBinding::new(&[Key::ch('/')], Action::Filter, "filter", "Filter the list").bar();
/// `r` on a list.
pub const REFRESH: KeyBinding = KeyBinding::new(
    &[Key::ch('r'), Key::f(6)],
    Action::Refresh,
    "reload",
    "Reload from the server",
);

/// A list screen's own keys after [`NAV`]: choose, filter, reload.
pub const LIST_ACTIONS: &[KeyBinding] = &[CHOOSE, FILTER, REFRESH];

/// Keys of a list while its filter is being typed.
pub const FILTERING: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "keep filter",
        "Stop typing, keep the filter",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "clear filter",
        "Clear the filter",
    )
    .bar()
    .text(),
];

pub const HELP: KeyBinding = KeyBinding::new(
    &[Key::ch('?'), Key::f(1)],
    Action::Help,
    "help",
    "Show or hide this help",
)
.bar()
.text();
pub const ACCOUNTS: KeyBinding = KeyBinding::new(
    &[Key::ch('A'), Key::f(9)],
    Action::Accounts,
    "accounts",
    "Open the Accounts screen",
)
.bar()
.text();
pub const QUIT_NOW: KeyBinding = KeyBinding::new(
    &[Key::ctrl('c'), Key::f(10)],
    Action::QuitNow,
    "quit",
    "Quit at once (from anywhere)",
)
.text();
pub const ZOOM: KeyBinding = KeyBinding::new(
    &[Key::ch('+'), Key::f(12)],
    Action::Zoom,
    "zoom",
    "Zoom the focused pane to the whole screen, or back",
)
.text();

/// Keys that work on every screen. Each has a key that works while typing (an F-key or a Ctrl
/// chord), so no screen hides one.
pub const USAGE: KeyBinding = KeyBinding::new(
    &[
        Key::ch('U'),
        Key::Code(KeyCode::Char('u'), KeyModifiers::ALT),
    ],
    Action::Usage,
    "usage",
    "Open the usage explorer",
)
.text();
pub const EVENTS: KeyBinding = KeyBinding::new(
    &[
        Key::ch('E'),
        Key::Code(KeyCode::Char('e'), KeyModifiers::ALT),
    ],
    Action::Events,
    "events",
    "Open the ingest events (measurements m3ter dropped)",
)
.text();

pub const UPLOAD: KeyBinding = KeyBinding::new(
    &[
        Key::ch('F'),
        Key::Code(KeyCode::Char('o'), KeyModifiers::ALT),
    ],
    Action::Upload,
    "upload file",
    "Upload a file of measurements (NDJSON, JSON array or CSV)",
)
.text();

pub const GLOBAL: &[KeyBinding] = &[
    ACCOUNTS,
    HELP,
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "back",
        "Back to the previous screen",
    )
    .bar_typing()
    .text(),
    KeyBinding::new(
        &[Key::ch('q')],
        Action::Quit,
        "back/quit",
        "Back; quit on the first screen",
    )
    .bar(),
    USAGE,
    EVENTS,
    UPLOAD,
    ZOOM,
    QUIT_NOW,
];

/// The help overlay's own keys (while it is open nothing else resolves, but Ctrl+C/F10).
pub const HELP_OVERLAY: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc), Key::ch('?'), Key::f(1)],
        Action::Help,
        "close",
        "Close the help",
    ),
    KeyBinding::new(&[Key::ch('q')], Action::Back, "close", "Close the help"),
    KeyBinding::new(
        &[Key::ch('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "down",
        "Scroll down",
    ),
    KeyBinding::new(
        &[Key::ch('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "up",
        "Scroll up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageDown), Key::ch(' ')],
        Action::PageDown,
        "page down",
        "One page down",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        "One page up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::Home), Key::ch('g')],
        Action::Top,
        "top",
        "First row",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::End), Key::ch('G')],
        Action::Bottom,
        "bottom",
        "Last row",
    ),
    QUIT_NOW,
];

/// The keys of binding `i` of `table`, as the bar writes them (for hints in messages).
pub fn label_of(keymap: &super::keymap::Keymap, table: &[KeyBinding], i: usize) -> String {
    table.get(i).map(|b| keymap.label(b)).unwrap_or_default()
}
