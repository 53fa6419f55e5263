//! Key tables: every screen declares its keys once, as a slice of [`KeyBinding`]s. The event
//! loop resolves key presses through that table, the bottom bar shows its `bar` entries and the
//! help overlay lists all of it — one source, so the three can never disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key means, independent of which key it is. One enum for every screen so a binding
/// can be shown and remapped uniformly; screens ignore the actions they do not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Choose,
    Back,
    Quit,
    Help,
    Filter,
    FocusNext,
    FocusPrev,
    ToggleMode,
    Submit,
    OpenEditor,
    Resend,
    EditEntry,
    CopyCurl,
    Accounts,
    Refresh,
    /// Submit panel: set the timestamp to now.
    Now,
    /// Submit panel: discard the draft and start a fresh form.
    Reset,
    /// Accounts screen (issue 6): create/edit/delete/submit-usage-for actions live here too.
    New,
    Edit,
    Delete,
    SubmitFor,
    /// Accounts list: cycle the sort; show only auto-created accounts.
    Sort,
    AutoOnly,
    /// Accounts conflict view: overwrite with what you typed; swap back to what you typed.
    Overwrite,
    Restore,
    /// Confirm a deletion.
    Confirm,
}

/// One physical key (or the two-key vim sequence `gg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key with exactly these modifiers (Shift is ignored on characters: `G` is `G`).
    Code(KeyCode, KeyModifiers),
    /// The same character pressed twice (`gg`).
    Twice(char),
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key::Code(code, KeyModifiers::NONE)
    }
    pub const fn ch(c: char) -> Key {
        Key::Code(KeyCode::Char(c), KeyModifiers::NONE)
    }
    pub const fn ctrl(c: char) -> Key {
        Key::Code(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    pub const fn f(n: u8) -> Key {
        Key::Code(KeyCode::F(n), KeyModifiers::NONE)
    }

    /// How the key is written in the bar and help (`Ctrl+T`, `↑`, `gg`).
    pub fn label(&self) -> String {
        match self {
            Key::Twice(c) => format!("{c}{c}"),
            Key::Code(code, mods) => {
                let mut s = String::new();
                if mods.contains(KeyModifiers::CONTROL) {
                    s.push_str("Ctrl+");
                }
                if mods.contains(KeyModifiers::ALT) {
                    s.push_str("Alt+");
                }
                match code {
                    KeyCode::Char(' ') => s.push_str("Space"),
                    KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                        s.push(c.to_ascii_uppercase())
                    }
                    KeyCode::Char(c) => s.push(*c),
                    KeyCode::F(n) => s.push_str(&format!("F{n}")),
                    KeyCode::Up => s.push('↑'),
                    KeyCode::Down => s.push('↓'),
                    KeyCode::Left => s.push('←'),
                    KeyCode::Right => s.push('→'),
                    KeyCode::Enter => s.push_str("Enter"),
                    KeyCode::Esc => s.push_str("Esc"),
                    KeyCode::Tab => s.push_str("Tab"),
                    KeyCode::BackTab => s.push_str("Shift+Tab"),
                    KeyCode::Home => s.push_str("Home"),
                    KeyCode::End => s.push_str("End"),
                    KeyCode::PageUp => s.push_str("PgUp"),
                    KeyCode::PageDown => s.push_str("PgDn"),
                    other => s.push_str(&format!("{other:?}")),
                }
                s
            }
        }
    }

    /// A plain character (or `gg`): typed into an input rather than resolved while typing.
    pub fn is_printable(&self) -> bool {
        match self {
            Key::Twice(_) => true,
            Key::Code(KeyCode::Char(_), m) => {
                !m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            }
            _ => false,
        }
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        let Key::Code(code, mods) = self else {
            return false;
        };
        let mut ev_mods = ev.modifiers;
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            ev_mods.remove(KeyModifiers::SHIFT);
        }
        let same_code = match (code, ev.code) {
            // Ctrl+letters arrive lowercase; be lenient about the case.
            (KeyCode::Char(a), KeyCode::Char(b)) if mods.contains(KeyModifiers::CONTROL) => {
                a.eq_ignore_ascii_case(&b)
            }
            (a, b) => *a == b,
        };
        same_code && ev_mods == *mods
    }
}

/// One entry of a key table.
#[derive(Debug, Clone, Copy)]
pub struct KeyBinding {
    pub keys: &'static [Key],
    pub action: Action,
    /// Short text for the bottom bar (`submit`).
    pub label: &'static str,
    /// Sentence for the help overlay.
    pub help: &'static str,
    /// Shown in the bottom bar (keep it to the few main keys).
    pub bar: bool,
    /// Shown in the bottom bar only while typing (Esc: `q` says it otherwise).
    pub bar_typing_only: bool,
    /// Active while a text input has focus (its plain-character keys never are: they get typed).
    pub in_text: bool,
}

impl KeyBinding {
    pub const fn new(
        keys: &'static [Key],
        action: Action,
        label: &'static str,
        help: &'static str,
    ) -> Self {
        Self {
            keys,
            action,
            label,
            help,
            bar: false,
            bar_typing_only: false,
            in_text: false,
        }
    }
    /// Also shown in the bottom bar.
    pub const fn bar(mut self) -> Self {
        self.bar = true;
        self
    }
    /// Shown in the bottom bar, but only while typing.
    pub const fn bar_typing(mut self) -> Self {
        self.bar = true;
        self.bar_typing_only = true;
        self
    }
    /// Also active while typing.
    pub const fn text(mut self) -> Self {
        self.in_text = true;
        self
    }
    /// `Ctrl+T/F2`
    pub fn keys_label(&self) -> String {
        self.keys
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Only the keys that work while typing (no plain characters), or all of them.
    pub fn keys_label_for(&self, typing: bool) -> String {
        self.keys
            .iter()
            .filter(|k| !typing || !k.is_printable())
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Whether this binding does anything in the given mode (for the bottom bar).
    pub fn active(&self, typing: bool) -> bool {
        if !typing {
            return !self.bar_typing_only;
        }
        self.in_text && self.keys.iter().any(|k| !k.is_printable())
    }
}

/// The result of feeding one key press to a set of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// The first key of a sequence (`g` of `gg`): wait for the next one.
    Pending,
    /// No binding: the screen gets the raw key (to type it, for example).
    Unbound,
}

/// Resolves a key through `tables` in order (the screen's own first, then the global one).
/// `pending` carries the first half of a `gg` between calls; `typing` limits the match to
/// bindings marked [`KeyBinding::text`].
pub fn resolve(
    tables: &[&[KeyBinding]],
    ev: &KeyEvent,
    pending: &mut Option<char>,
    typing: bool,
) -> Resolved {
    let ch = match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    // While typing, printable characters always go to the input.
    if typing && ch.is_some() {
        pending.take();
        return Resolved::Unbound;
    }
    let bindings = || {
        tables
            .iter()
            .flat_map(|t| t.iter())
            .filter(|b| !typing || b.in_text)
    };
    if let (Some(first), Some(c)) = (pending.take(), ch) {
        if first == c {
            if let Some(b) = bindings().find(|b| b.keys.contains(&Key::Twice(c))) {
                return Resolved::Action(b.action);
            }
        }
    }
    if let Some(b) = bindings().find(|b| b.keys.iter().any(|k| k.matches(ev))) {
        return Resolved::Action(b.action);
    }
    if let Some(c) = ch {
        if bindings().any(|b| b.keys.contains(&Key::Twice(c))) {
            *pending = Some(c);
            return Resolved::Pending;
        }
    }
    Resolved::Unbound
}

/// The list-navigation keys every list screen shares (arrows and vim keys).
pub const LIST_KEYS: [KeyBinding; 6] = [
    KeyBinding::new(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::Up,
        "up",
        "Move up",
    ),
    KeyBinding::new(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::Down,
        "down",
        "Move down",
    ),
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

/// A list screen's table: navigation, choose, filter, reload.
pub const LIST_SCREEN_KEYS: [KeyBinding; 9] = [
    LIST_KEYS[0],
    LIST_KEYS[1],
    LIST_KEYS[2],
    LIST_KEYS[3],
    LIST_KEYS[4],
    LIST_KEYS[5],
    CHOOSE,
    FILTER,
    REFRESH,
];

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[KeyBinding] = &[
        KeyBinding::new(&[Key::Twice('g')], Action::Top, "top", ""),
        KeyBinding::new(&[Key::ch('G')], Action::Bottom, "bottom", ""),
        KeyBinding::new(&[Key::ctrl('t'), Key::f(2)], Action::ToggleMode, "mode", "").text(),
    ];

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn gg_needs_two_presses_and_shift_g_is_g() {
        let mut p = None;
        let g = ev(KeyCode::Char('g'), KeyModifiers::NONE);
        assert_eq!(resolve(&[T], &g, &mut p, false), Resolved::Pending);
        assert_eq!(
            resolve(&[T], &g, &mut p, false),
            Resolved::Action(Action::Top)
        );
        let big = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            resolve(&[T], &big, &mut p, false),
            Resolved::Action(Action::Bottom)
        );
    }

    #[test]
    fn typing_only_sees_text_bindings() {
        let mut p = None;
        let big = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(resolve(&[T], &big, &mut p, true), Resolved::Unbound);
        let f2 = ev(KeyCode::F(2), KeyModifiers::NONE);
        assert_eq!(
            resolve(&[T], &f2, &mut p, true),
            Resolved::Action(Action::ToggleMode)
        );
        assert_eq!(T[2].keys_label(), "Ctrl+T/F2");
    }
}
