//! A one-line text input (filters, form fields, the account picker).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        Self { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, value: impl Into<String>) {
        *self = Self::new(value);
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_idx)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    pub fn insert(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        let clean: String = s.chars().filter(|c| !c.is_control()).collect();
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Edits for a key; returns whether the key was an editing key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.value.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.insert(&c.to_string())
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < self.value.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.value.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.value.chars().count(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// The display width of the text before the cursor: how far right of the value's first
    /// column the terminal's cursor goes.
    pub fn cursor_offset(&self) -> u16 {
        let before = &self.value[..self.byte_at(self.cursor)];
        Line::from(before).width() as u16
    }

    /// Puts the terminal's own cursor on the text cursor (IMEs and screen readers follow it),
    /// the value being drawn from column `x` of row `y`; not at or past column `limit`.
    pub fn place_cursor(&self, frame: &mut Frame, x: u16, y: u16, limit: u16) {
        let at = x.saturating_add(self.cursor_offset());
        if at < limit {
            frame.set_cursor_position((at, y));
        }
    }

    /// The value as spans, with a block cursor when focused.
    pub fn spans(&self, focused: bool, style: Style) -> Line<'static> {
        if !focused {
            return Line::from(Span::styled(self.value.clone(), style));
        }
        let at = self.byte_at(self.cursor);
        let (before, rest) = self.value.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next().map(String::from).unwrap_or_else(|| " ".into());
        Line::from(vec![
            Span::styled(before.to_string(), style),
            Span::styled(under, style.add_modifier(Modifier::REVERSED)),
            Span::styled(chars.as_str().to_string(), style),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_in_the_middle() {
        let mut t = TextInput::new("ac");
        t.handle_key(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        t.handle_key(&KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE));
        assert_eq!(t.value(), "abc");
        t.handle_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(t.value(), "ac");
    }

    #[test]
    fn the_cursor_offset_counts_display_columns() {
        let mut t = TextInput::new("日本x");
        assert_eq!(t.cursor_offset(), 5);
        t.handle_key(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        assert_eq!(t.cursor_offset(), 4);
    }
}
