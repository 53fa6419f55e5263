//! Every colour and shared look of the TUI in one place: the theme (dark, light, or none with
//! `NO_COLOR`), the focused border, the auto-created badge, the selection, and the centred
//! popup rectangle. Screens ask for a role (`style::error()`), never for a colour.
//!
//! The theme comes from `theme.toml` in the config dir (`theme = "light"` or `"dark"`, and any
//! role set to a colour name or `#rrggbb`, e.g. `accent = "blue"`); `NO_COLOR` (any value)
//! drops every colour and keeps bold, reverse and underline, so everything still reads.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use std::path::Path;
use std::sync::OnceLock;

pub const THEME_FILE: &str = "theme.toml";

/// The colours by role. `None` is the terminal's own colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Focused borders, the mode, field labels.
    pub accent: Option<Color>,
    /// Unfocused borders, hints, line numbers.
    pub muted: Option<Color>,
    pub ok: Option<Color>,
    pub error: Option<Color>,
    /// Keys in the bar and help, the focused field, pending work, auto-created rows.
    pub warn: Option<Color>,
    /// The title bar: background and text.
    pub title_bg: Option<Color>,
    pub title_fg: Option<Color>,
    /// JSON strings and numbers in the editor.
    pub string: Option<Color>,
    pub number: Option<Color>,
    /// No colours at all (`NO_COLOR`): marks rely on modifiers and symbols.
    pub mono: bool,
}

impl Theme {
    pub fn dark() -> Self {
        Self {
            accent: Some(Color::Cyan),
            muted: Some(Color::DarkGray),
            ok: Some(Color::Green),
            error: Some(Color::Red),
            warn: Some(Color::Yellow),
            title_bg: Some(Color::Blue),
            title_fg: Some(Color::White),
            string: Some(Color::Green),
            number: Some(Color::Magenta),
            mono: false,
        }
    }

    /// For light backgrounds: no yellow or cyan text, which fade on white.
    pub fn light() -> Self {
        Self {
            accent: Some(Color::Blue),
            muted: Some(Color::Gray),
            ok: Some(Color::Green),
            error: Some(Color::Red),
            warn: Some(Color::Magenta),
            title_bg: Some(Color::Blue),
            title_fg: Some(Color::White),
            string: Some(Color::Green),
            number: Some(Color::Blue),
            mono: false,
        }
    }

    pub fn mono() -> Self {
        Self {
            accent: None,
            muted: None,
            ok: None,
            error: None,
            warn: None,
            title_bg: None,
            title_fg: None,
            string: None,
            number: None,
            mono: true,
        }
    }

    /// The theme for this process: `NO_COLOR` wins, then `theme.toml` in `config_dir`, then
    /// dark. Returns why a line of the file was not used, as `path:line: why`.
    pub fn load(config_dir: Option<&Path>, no_color: bool) -> (Theme, Vec<String>) {
        if no_color {
            return (Theme::mono(), vec![]);
        }
        let Some(path) = config_dir.map(|d| d.join(THEME_FILE)) else {
            return (Theme::dark(), vec![]);
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Theme::parse(&text, &path.display().to_string()),
            Err(_) => (Theme::dark(), vec![]),
        }
    }

    pub fn parse(text: &str, file: &str) -> (Theme, Vec<String>) {
        let mut theme = Theme::dark();
        let mut problems = Vec::new();
        let mut roles: Vec<(usize, String, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let parsed: Result<toml::Table, _> = toml::from_str(t);
            let Some((k, v)) = parsed.ok().and_then(|t| t.into_iter().next()) else {
                problems.push(format!(
                    "{file}:{}: expected `name = \"value\"` (line ignored)",
                    n + 1
                ));
                continue;
            };
            let Some(v) = v.as_str().map(String::from) else {
                problems.push(format!("{file}:{}: {k}: expected a string", n + 1));
                continue;
            };
            if k == "theme" {
                match v.as_str() {
                    "dark" => theme = Theme::dark(),
                    "light" => theme = Theme::light(),
                    other => problems.push(format!(
                        "{file}:{}: theme {other:?}: expected \"dark\" or \"light\"",
                        n + 1
                    )),
                }
            } else {
                roles.push((n + 1, k, v));
            }
        }
        for (line, k, v) in roles {
            let color = match v.parse::<Color>() {
                Ok(c) => Some(c),
                Err(_) => {
                    problems.push(format!("{file}:{line}: {k}: unknown colour {v:?}"));
                    continue;
                }
            };
            let slot = match k.as_str() {
                "accent" => &mut theme.accent,
                "muted" => &mut theme.muted,
                "ok" => &mut theme.ok,
                "error" => &mut theme.error,
                "warn" => &mut theme.warn,
                "title_bg" => &mut theme.title_bg,
                "title_fg" => &mut theme.title_fg,
                "string" => &mut theme.string,
                "number" => &mut theme.number,
                _ => {
                    problems.push(format!("{file}:{line}: unknown setting {k:?}"));
                    continue;
                }
            };
            *slot = color;
        }
        (theme, problems)
    }
}

static THEME: OnceLock<Theme> = OnceLock::new();

/// Sets the theme for the process (once, at start-up; later calls are ignored).
pub fn set_theme(t: Theme) {
    let _ = THEME.set(t);
}

/// The theme in use: the one set at start-up, else dark (or none with `NO_COLOR`).
pub fn theme() -> &'static Theme {
    THEME.get_or_init(|| {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            Theme::mono()
        } else {
            Theme::dark()
        }
    })
}

fn fg(c: Option<Color>) -> Style {
    match c {
        Some(c) => Style::default().fg(c),
        None => Style::default(),
    }
}

pub fn accent() -> Style {
    fg(theme().accent)
}
pub fn muted() -> Style {
    fg(theme().muted)
}
pub fn ok() -> Style {
    fg(theme().ok)
}
pub fn error() -> Style {
    fg(theme().error)
}
pub fn warn() -> Style {
    fg(theme().warn)
}
pub fn json_string() -> Style {
    fg(theme().string)
}
pub fn json_number() -> Style {
    fg(theme().number)
}

/// A key name in the bar and the help.
pub fn key() -> Style {
    warn().add_modifier(Modifier::BOLD)
}

/// The border of a pane: bright when it has focus. Without colours the focused one is bold
/// (and its title says so where it matters).
pub fn border(focused: bool) -> Style {
    match (focused, theme().mono) {
        (true, true) => Style::default().add_modifier(Modifier::BOLD),
        (true, false) => accent(),
        (false, _) => muted(),
    }
}

/// The selected row of a list: reversed, and bold so it reads without colours too.
pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// The title bar.
pub fn title_bar() -> Style {
    let t = theme();
    let mut s = Style::default();
    if let Some(c) = t.title_bg {
        s = s.bg(c);
    }
    if let Some(c) = t.title_fg {
        s = s.fg(c);
    }
    if t.mono {
        s = s.add_modifier(Modifier::REVERSED);
    }
    s
}

/// The text of the auto-created badge.
pub const AUTO_BADGE: &str = "AUTO";

/// The badge of an auto-created account: readable without colour, coloured when there is.
pub fn badge() -> Style {
    let t = theme();
    match t.warn {
        Some(c) if !t.mono => Style::default()
            .fg(Color::Black)
            .bg(c)
            .add_modifier(Modifier::BOLD),
        _ => Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
    }
}

/// A `width`×`height` rectangle centred in `area` (clamped to it).
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [r] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_file_picks_light_and_reports_bad_lines() {
        let (t, problems) = Theme::parse(
            "theme = \"light\"\naccent = \"#ff0000\"\nwarn = \"purplish\"\nbogus\n",
            "theme.toml",
        );
        assert_eq!(t.accent, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.warn, Theme::light().warn);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("theme.toml:4:"), "{problems:?}");
        assert!(
            problems[1].starts_with("theme.toml:3: warn"),
            "{problems:?}"
        );
        assert!(Theme::load(None, true).0.mono);
    }
}
