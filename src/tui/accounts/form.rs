//! The create/edit form: every AccountRequest field, checked with m3ter's rules
//! ([`rules::account_errors`]) on every keystroke, so errors sit next to their field before the
//! user tries to save; server rejections are placed on the field they name.
//!
//! Promotion decision: `e` on an auto-created account opens this form as "make it a real
//! account": the name is prefilled with the code (without `-autocreated`), the placeholder email
//! is emptied and the focus is on the name — Tab goes to the email. Everything else is kept.

use crate::m3ter::rules::FieldError;
use crate::m3ter::*;
use crate::tui::widgets::input::TextInput;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// The fields, in form order: (label, wire name).
pub const FIELDS: [(&str, &str); 20] = [
    ("Code", "code"),
    ("Name", "name"),
    ("Email", "emailAddress"),
    ("Currency", "currency"),
    ("Parent account", "parentAccountId"),
    ("Bill epoch", "billEpoch"),
    ("Purchase order", "purchaseOrderNumber"),
    ("Days before due", "daysBeforeBillDue"),
    ("Credit order", "creditApplicationOrder"),
    ("Statements", "autoGenerateStatementMode"),
    ("Statement def.", "statementDefinitionId"),
    ("Address line 1", "address.addressLine1"),
    ("Address line 2", "address.addressLine2"),
    ("Address line 3", "address.addressLine3"),
    ("Address line 4", "address.addressLine4"),
    ("Locality", "address.locality"),
    ("Region", "address.region"),
    ("Post code", "address.postCode"),
    ("Country", "address.country"),
    ("Custom fields", "customFields"),
];
pub const CODE: usize = 0;
pub const NAME: usize = 1;
pub const EMAIL: usize = 2;
pub const PARENT: usize = 4;
pub const CREDIT: usize = 8;
pub const MODE: usize = 9;
pub const CUSTOM: usize = 19;

pub use super::values::{credit_label, mode_label, Values};

#[derive(Debug, Clone)]
pub struct Form {
    /// The account as read (its `id` and `version` go with the update); `None` creates.
    pub editing: Option<Account>,
    pub inputs: Vec<TextInput>,
    pub credit: usize,
    pub mode: usize,
    pub parent: Option<(String, String)>,
    /// Accounts matching the typed parent code (id, code), and the highlighted one.
    pub parent_hits: Vec<(String, String)>,
    pub parent_pick: usize,
    pub focus: usize,
    /// What the server said, by field (cleared when that field is edited).
    pub server_errors: Vec<FieldError>,
    pub saving: bool,
    /// The other set of values after a conflict's "reload": Ctrl+Z swaps them back.
    pub stash: Option<Values>,
    pub promote: bool,
    /// Where the form was last drawn, its scroll, and which field each drawn line belongs to
    /// (for mouse clicks; drawing only writes these).
    pub drawn: std::cell::RefCell<(ratatui::layout::Rect, usize, Vec<Option<usize>>)>,
}

impl Form {
    pub fn create() -> Self {
        Self::with(
            None,
            Values {
                text: vec![String::new(); FIELDS.len()],
                ..Default::default()
            },
        )
    }

    pub fn edit(a: &Account) -> Self {
        let mut f = Self::with(Some(a.clone()), Values::from_account(a));
        if a.is_auto_created() {
            f.promote = true;
            let code = a.code.clone().unwrap_or_default();
            let name = a.name.clone().unwrap_or_default();
            let name = name.strip_suffix(AUTO_CREATED_NAME_SUFFIX).unwrap_or(&code);
            f.inputs[NAME].set(name);
            f.inputs[EMAIL].set("");
            f.focus = NAME;
        } else {
            f.focus = NAME;
        }
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
            focus: 0,
            server_errors: Vec::new(),
            saving: false,
            stash: None,
            promote: false,
            drawn: Default::default(),
        };
        f.set_values(&v);
        f
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

    pub fn version(&self) -> Option<i64> {
        self.editing.as_ref().and_then(|a| a.version)
    }

    pub fn request(&self) -> (AccountRequest, Vec<FieldError>) {
        self.values().request(self.version())
    }

    /// The first error on field `i`: the form's own check first, then the server's.
    pub fn error_for(&self, errs: &[FieldError], i: usize) -> Option<String> {
        let wire = FIELDS[i].1;
        let on = |e: &&FieldError| e.field == wire || e.field.starts_with(&format!("{wire}."));
        errs.iter()
            .find(on)
            .or_else(|| self.server_errors.iter().find(on))
            .map(|e| e.message.clone())
    }

    /// The parent's code arrived (we only had its id).
    pub fn parent_code(&mut self, id: &str, code: &str) {
        if let Some((pid, label)) = &mut self.parent {
            if pid == id && self.inputs[PARENT].value() == id {
                *label = code.to_string();
                self.inputs[PARENT].set(code);
            }
        }
    }

    pub fn move_focus(&mut self, delta: isize) {
        let n = FIELDS.len() as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
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
            CREDIT if step != 0 => {
                self.credit = (self.credit as isize + step).rem_euclid(5) as usize
            }
            MODE if step != 0 => self.mode = (self.mode as isize + step).rem_euclid(4) as usize,
            CREDIT | MODE => {}
            i => {
                let before = self.inputs[i].value().to_string();
                self.inputs[i].handle_key(k);
                if self.inputs[i].value() != before {
                    self.edited(i);
                    if i == PARENT {
                        return Some(self.inputs[i].value().trim().to_string());
                    }
                }
            }
        }
        None
    }

    pub fn paste(&mut self, s: &str) {
        if !matches!(self.focus, CREDIT | MODE) {
            self.inputs[self.focus].insert(s);
            self.edited(self.focus);
        }
    }

    fn edited(&mut self, i: usize) {
        let wire = FIELDS[i].1;
        self.server_errors
            .retain(|e| !(e.field == wire || e.field.starts_with(&format!("{wire}."))));
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
                    Some(i) if i != self.focus => {
                        self.focus = i;
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
        if self.focus == PARENT && !self.parent_hits.is_empty() {
            let n = self.parent_hits.len() as isize;
            self.parent_pick = (self.parent_pick as isize + delta).clamp(0, n - 1) as usize;
        } else {
            self.move_focus(delta);
        }
    }

    /// Enter: take the highlighted parent, or go to the next field.
    pub fn enter(&mut self) {
        if self.focus == PARENT && !self.parent_hits.is_empty() {
            let (id, code) =
                self.parent_hits[self.parent_pick.min(self.parent_hits.len() - 1)].clone();
            self.inputs[PARENT].set(code.clone());
            self.parent = Some((id, code));
            self.parent_hits.clear();
            self.edited(PARENT);
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

/// Which form field an error (ours or the server's) belongs to.
pub trait FieldErrorExt {
    fn field_index(&self) -> Option<usize>;
}

impl FieldErrorExt for FieldError {
    fn field_index(&self) -> Option<usize> {
        FIELDS.iter().position(|(_, wire)| {
            self.field == *wire || self.field.starts_with(&format!("{wire}."))
        })
    }
}
