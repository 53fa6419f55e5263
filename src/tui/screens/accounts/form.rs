//! The create/edit form's state: every AccountRequest field as typed, checked with m3ter's rules
//! ([`crate::m3ter::rules::account_errors`]) on every keystroke; a field's error shows once the
//! user has touched it (or tried to save), and server rejections are placed on the field they
//! name.
//!
//! Promotion decision: `e` on an auto-created account opens this form as "make it a real
//! account": the name is prefilled with the code (without `-autocreated`), the placeholder email
//! is emptied and the focus is on the name — Tab goes to the email. Everything else is kept.

use super::fields::Field;
use crate::m3ter::rules::FieldError;
use crate::m3ter::*;
use crate::tui::state::Debounce;
use crate::tui::widgets::input::TextInput;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::collections::HashSet;

pub use super::values::{credit_label, mode_label, Values};

#[derive(Debug, Clone)]
pub struct Form {
    /// The account as read (its `id` and `version` go with the update); `None` creates.
    pub editing: Option<Account>,
    /// One per field, in [`Field::ALL`] order (see [`Form::input`]).
    inputs: Vec<TextInput>,
    pub credit: usize,
    pub mode: usize,
    pub parent: Option<(String, String)>,
    /// Accounts matching the typed parent code (id, code), and the highlighted one.
    pub parent_hits: Vec<(String, String)>,
    pub parent_pick: usize,
    /// Debounces the parent search while its code is typed.
    pub parent_search: Debounce,
    pub focus: Field,
    /// Fields the user has changed: only their errors show before a save is tried.
    pub touched: HashSet<Field>,
    /// A save was tried: every error shows.
    pub tried: bool,
    /// What the form held when it opened (or was last saved): leaving with other values asks.
    pub initial: Values,
    /// Esc was pressed once with unsaved changes: the next Esc leaves.
    pub leaving: bool,
    /// What the server said, by field (cleared when that field is edited).
    pub server_errors: Vec<FieldError>,
    pub saving: bool,
    /// The other set of values after a conflict's "reload": Ctrl+Z swaps them back.
    pub stash: Option<Values>,
    pub promote: bool,
    /// Where the form was last drawn, its scroll, and which field each drawn line belongs to
    /// (for mouse clicks; drawing only writes these).
    pub drawn: std::cell::RefCell<(ratatui::layout::Rect, usize, Vec<Option<Field>>)>,
}

impl Form {
    pub fn create() -> Self {
        Self::with(None, Values::empty())
    }

    pub fn edit(a: &Account) -> Self {
        let mut f = Self::with(Some(a.clone()), Values::from_account(a));
        if a.is_auto_created() {
            f.promote = true;
            let code = a.code.clone().unwrap_or_default();
            let name = a.name.clone().unwrap_or_default();
            let name = name.strip_suffix(AUTO_CREATED_NAME_SUFFIX).unwrap_or(&code);
            f.input_mut(Field::Name).set(name);
            f.input_mut(Field::Email).set("");
            // Both are what promotion asks to check: their errors show at once.
            f.touched.extend([Field::Name, Field::Email]);
        }
        f.focus = Field::Name;
        f
    }

    fn with(editing: Option<Account>, v: Values) -> Self {
        let mut f = Self {
            editing,
            inputs: Vec::new(),
            credit: 0,
            mode: 0,
            parent: None,
            parent_hits: Vec::new(),
            parent_pick: 0,
            parent_search: Debounce::default(),
            focus: Field::Code,
            touched: HashSet::new(),
            tried: false,
            initial: v.clone(),
            leaving: false,
            server_errors: Vec::new(),
            saving: false,
            stash: None,
            promote: false,
            drawn: Default::default(),
        };
        f.set_values(&v);
        f
    }

    pub fn input(&self, field: Field) -> &TextInput {
        &self.inputs[field.index()]
    }

    pub fn input_mut(&mut self, field: Field) -> &mut TextInput {
        &mut self.inputs[field.index()]
    }

    pub fn values(&self) -> Values {
        Values {
            text: self.inputs.iter().map(|i| i.value().to_string()).collect(),
            credit: self.credit,
            mode: self.mode,
            parent: self.parent.clone(),
        }
    }

    pub fn set_values(&mut self, v: &Values) {
        self.inputs = v.text.iter().map(TextInput::new).collect();
        self.credit = v.credit;
        self.mode = v.mode;
        self.parent = v.parent.clone();
    }

    /// Something differs from what the form opened with (or another version is kept aside).
    pub fn changed(&self) -> bool {
        self.values() != self.initial || self.stash.is_some()
    }

    pub fn version(&self) -> Option<i64> {
        self.editing.as_ref().and_then(|a| a.version)
    }

    pub fn request(&self) -> (AccountRequest, Vec<FieldError>) {
        self.values().request(self.version())
    }

    /// Whether `field`'s errors are shown yet.
    pub fn shows_errors(&self, field: Field) -> bool {
        self.tried || self.touched.contains(&field)
    }

    /// The first error on `field`: the form's own check first, then the server's.
    pub fn error_for(&self, errs: &[FieldError], field: Field) -> Option<String> {
        let own = errs
            .iter()
            .find(|e| field.owns(e))
            .filter(|_| self.shows_errors(field));
        own.or_else(|| self.server_errors.iter().find(|e| field.owns(e)))
            .map(|e| e.message.clone())
    }

    /// The parent's code arrived (we only had its id).
    pub fn parent_code(&mut self, id: &str, code: &str) {
        let shows_id = self.input(Field::Parent).value() == id;
        if let Some((pid, label)) = &mut self.parent {
            if pid == id && shows_id {
                *label = code.to_string();
                self.inputs[Field::Parent.index()].set(code);
                // Not the user's change: what the form opened with shows the code too.
                self.initial[Field::Parent] = code.to_string();
                if let Some((_, l)) = &mut self.initial.parent {
                    *l = code.to_string();
                }
            }
        }
    }

    pub fn move_focus(&mut self, delta: isize) {
        self.focus = self.focus.step(delta);
        self.parent_hits.clear();
    }

    /// A key for the focused field. Returns the parent text to search for when it changed.
    pub fn key(&mut self, k: &KeyEvent) -> Option<String> {
        let step = match k.code {
            KeyCode::Left => -1isize,
            KeyCode::Right | KeyCode::Char(' ') => 1,
            _ => 0,
        };
        match self.focus {
            Field::CreditOrder if step != 0 => {
                self.credit = (self.credit as isize + step).rem_euclid(5) as usize;
                self.touched.insert(self.focus);
            }
            Field::Statements if step != 0 => {
                self.mode = (self.mode as isize + step).rem_euclid(4) as usize;
                self.touched.insert(self.focus);
            }
            f if f.is_choice() => {}
            f => {
                let before = self.input(f).value().to_string();
                self.input_mut(f).handle_key(k);
                if self.input(f).value() != before {
                    self.edited(f);
                    if f == Field::Parent {
                        return Some(self.input(f).value().trim().to_string());
                    }
                }
            }
        }
        None
    }

    pub fn paste(&mut self, s: &str) {
        if !self.focus.is_choice() {
            let f = self.focus;
            self.input_mut(f).insert(s);
            self.edited(f);
        }
    }

    fn edited(&mut self, f: Field) {
        self.touched.insert(f);
        self.leaving = false;
        self.server_errors.retain(|e| !f.owns(e));
    }

    /// A click focuses the field under it; the wheel moves between fields.
    pub fn mouse(&mut self, m: &ratatui::crossterm::event::MouseEvent) -> bool {
        use ratatui::crossterm::event::{MouseButton, MouseEventKind};
        let (area, scroll, owners) = self.drawn.borrow().clone();
        match m.kind {
            MouseEventKind::ScrollUp => self.move_focus(-1),
            MouseEventKind::ScrollDown => self.move_focus(1),
            MouseEventKind::Down(MouseButton::Left) if m.row > area.y => {
                let line = (m.row - area.y - 1) as usize + scroll;
                match owners.get(line).copied().flatten() {
                    Some(f) if f != self.focus => {
                        self.focus = f;
                        self.parent_hits.clear();
                    }
                    Some(_) => {}
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }

    /// Up/Down: through the parent suggestions when they are shown, else between fields.
    pub fn up_down(&mut self, delta: isize) {
        if self.focus == Field::Parent && !self.parent_hits.is_empty() {
            let n = self.parent_hits.len() as isize;
            self.parent_pick = (self.parent_pick as isize + delta).clamp(0, n - 1) as usize;
        } else {
            self.move_focus(delta);
        }
    }

    /// Enter: take the highlighted parent, or go to the next field.
    pub fn enter(&mut self) {
        if self.focus == Field::Parent && !self.parent_hits.is_empty() {
            let (id, code) =
                self.parent_hits[self.parent_pick.min(self.parent_hits.len() - 1)].clone();
            self.input_mut(Field::Parent).set(code.clone());
            self.parent = Some((id, code));
            self.parent_hits.clear();
            self.edited(Field::Parent);
        } else {
            self.move_focus(1);
        }
    }

    /// Ctrl+Z after a conflict's reload: swap the server's values and what the user typed.
    pub fn swap_stash(&mut self) -> bool {
        let Some(other) = self.stash.take() else {
            return false;
        };
        self.stash = Some(self.values());
        self.set_values(&other);
        true
    }
}
