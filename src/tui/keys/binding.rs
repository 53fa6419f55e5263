//! The vocabulary: actions, keys, bindings, and what reaches a screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};

/// What reaches a screen.
#[derive(Debug, Clone)]
pub enum Input {
    /// A key the view's (or the global) tables resolved.
    Action(Action),
    /// A key no table claimed: text for the focused input.
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    /// The text back from `$EDITOR`.
    Edited(String),
}

/// A view's key tables, most specific first (the global table comes last, added by the app).
pub type Tables = &'static [&'static [KeyBinding]];

/// What a key means, independent of which key it is. One enum for every screen so a binding
/// can be shown and remapped uniformly (`keys.toml` names them in snake case, e.g. `submit`,
/// `page_down`); screens ignore the actions they do not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Choose,
    Back,
    /// Back; quit on the first screen.
    Quit,
    /// Quit at once, from anywhere (Ctrl+C/F10).
    QuitNow,
    Help,
    /// Zoom the focused pane to the whole screen, or back.
    Zoom,
    Filter,
    FocusNext,
    FocusPrev,
    ToggleMode,
    Submit,
    OpenEditor,
    Resend,
    EditEntry,
    CopyCurl,
    /// Log entry: show the whole entry (answer and JSON) in a view.
    Open,
    Accounts,
    Refresh,
    /// Submit panel: set the timestamp to now.
    Now,
    /// Submit panel: discard the draft and start a fresh form.
    Reset,
    /// Accounts screen: create/edit/delete/submit-usage-for.
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
    /// Confirm a question (delete, resend, replace the draft).
    Confirm,
    /// Editor: undo and redo.
    Undo,
    Redo,
    /// Copy a log entry's uid / its JSON (the curl copy is [`Action::CopyCurl`]).
    CopyUid,
    CopyJson,
    /// Open the account a measurement auto-created.
    JumpAccount,
    /// Follow a "not confirmed yet" submission again.
    Recheck,
    /// Ingest events: mark the event as followed up.
    MarkActioned,
    /// Usage explorer: table or chart; export the result to CSV.
    Chart,
    Export,
    /// Meter details: write the CSV template to a file.
    Template,
    /// Open the details of the selected item (a meter).
    Details,
    /// Open the usage explorer / the ingest events (from any screen).
    Usage,
    Events,
    /// Open the Upload screen: a file of measurements (from any screen).
    Upload,
    /// Stop what is running (an upload), after asking.
    Cancel,
    /// The previous / next option of the focused setting (or tab).
    Prev,
    Next,
    /// A multi-select: tick or untick the row; tick every shown row, or none.
    Toggle,
    ToggleAll,
}

impl Action {
    /// The name `keys.toml` uses (`page_down`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
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

    pub fn matches(&self, ev: &KeyEvent) -> bool {
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
    /// The default keys (a `keys.toml` entry for the action replaces them).
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
    /// Not shown in the bottom bar (the same binding shown elsewhere is enough).
    pub const fn quiet(mut self) -> Self {
        self.bar = false;
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
    /// The same binding with another bar label and help sentence.
    pub const fn described(mut self, label: &'static str, help: &'static str) -> Self {
        self.label = label;
        self.help = help;
        self
    }
}
