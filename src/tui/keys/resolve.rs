//! Turning a key press into an action through a view's tables and the user's keymap.

use super::binding::{Action, Key, KeyBinding};
use super::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The result of feeding one key press to a set of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// The first key of a sequence (`g` of `gg`): wait for the next one.
    Pending,
    /// No binding: the screen gets the raw key (to type it, for example).
    Unbound,
}

/// Resolves a key through `tables` in order (the view's own first, then the global one), with
/// `keymap`'s keys. `pending` carries the first half of a `gg` between calls; `typing` limits
/// the match to bindings marked [`KeyBinding::text`], and plain characters are then typed.
pub fn resolve(
    keymap: &Keymap,
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
            if let Some(b) = bindings().find(|b| keymap.keys(b).contains(&Key::Twice(c))) {
                return Resolved::Action(b.action);
            }
        }
    }
    if let Some(b) = bindings().find(|b| keymap.keys(b).iter().any(|k| k.matches(ev))) {
        return Resolved::Action(b.action);
    }
    if let Some(c) = ch {
        if bindings().any(|b| keymap.keys(b).contains(&Key::Twice(c))) {
            *pending = Some(c);
            return Resolved::Pending;
        }
    }
    Resolved::Unbound
}

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
        let k = Keymap::default();
        let mut p = None;
        let g = ev(KeyCode::Char('g'), KeyModifiers::NONE);
        assert_eq!(resolve(&k, &[T], &g, &mut p, false), Resolved::Pending);
        assert_eq!(
            resolve(&k, &[T], &g, &mut p, false),
            Resolved::Action(Action::Top)
        );
        let big = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            resolve(&k, &[T], &big, &mut p, false),
            Resolved::Action(Action::Bottom)
        );
    }

    #[test]
    fn typing_only_sees_text_bindings() {
        let k = Keymap::default();
        let mut p = None;
        let big = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(resolve(&k, &[T], &big, &mut p, true), Resolved::Unbound);
        let f2 = ev(KeyCode::F(2), KeyModifiers::NONE);
        assert_eq!(
            resolve(&k, &[T], &f2, &mut p, true),
            Resolved::Action(Action::ToggleMode)
        );
        assert_eq!(k.label(&T[2]), "Ctrl+T/F2");
    }
}
