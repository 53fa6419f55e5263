//! The create/edit form: every AccountRequest field, checked with m3ter's rules
//! ([`rules::account_errors`]) on every keystroke, so errors sit next to their field before the
//! user tries to save; server rejections are placed on the field they name.
//!
//! Promotion decision: `e` on an auto-created account opens this form as "make it a real
//! account": the name is prefilled with the code (without `-autocreated`), the placeholder email
//! is emptied and the focus is on the name — Tab goes to the email. Everything else is kept.

use crate::m3ter::rules::{self, FieldError};
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

/// Everything the user can change, as typed: what a conflict must never lose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// One per field (the two pickers' entries are unused).
    pub text: Vec<String>,
    /// 0 = unset, else 1 + index into [`CREDIT_APPLICATION_ORDERS`].
    pub credit: usize,
    /// 0 = unset, else 1 + index into [`AutoGenerateStatementMode::ALL`].
    pub mode: usize,
    /// The chosen parent: (id, code).
    pub parent: Option<(String, String)>,
}

impl Values {
    pub fn from_account(a: &Account) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let ad = a.address.clone().unwrap_or_default();
        let text = vec![
            s(&a.code),
            s(&a.name),
            s(&a.email_address),
            s(&a.currency),
            // The parent's code replaces its id once it is looked up.
            s(&a.parent_account_id),
            s(&a.bill_epoch),
            s(&a.purchase_order_number),
            a.days_before_bill_due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            String::new(),
            String::new(),
            s(&a.statement_definition_id),
            s(&ad.address_line1),
            s(&ad.address_line2),
            s(&ad.address_line3),
            s(&ad.address_line4),
            s(&ad.locality),
            s(&ad.region),
            s(&ad.post_code),
            s(&ad.country),
            a.custom_fields
                .as_ref()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .unwrap_or_default(),
        ];
        let credit = a
            .credit_application_order
            .as_ref()
            .and_then(|o| {
                CREDIT_APPLICATION_ORDERS
                    .iter()
                    .position(|x| *x == o.as_slice())
            })
            .map_or(0, |i| i + 1);
        let mode = a
            .auto_generate_statement_mode
            .and_then(|m| AutoGenerateStatementMode::ALL.iter().position(|x| *x == m))
            .map_or(0, |i| i + 1);
        let parent = a.parent_account_id.clone().map(|id| (id.clone(), id));
        Self {
            text,
            credit,
            mode,
            parent,
        }
    }

    /// The request these values make, and the problems only the form can see (a number that is
    /// not one, custom fields that are not JSON, a parent typed but not picked).
    pub fn request(&self, version: Option<i64>) -> (AccountRequest, Vec<FieldError>) {
        let mut errs = Vec::new();
        let t = |i: usize| self.text[i].trim().to_string();
        let opt = |i: usize| Some(t(i)).filter(|v| !v.is_empty());
        let days = match opt(7) {
            None => None,
            Some(d) => match d.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.push(FieldError::new(
                        "daysBeforeBillDue",
                        format!("must be a whole number of days (got {d:?})"),
                    ));
                    None
                }
            },
        };
        let custom = match opt(CUSTOM) {
            None => None,
            Some(j) => match serde_json::from_str::<CustomFields>(&j) {
                Ok(m) => Some(m),
                Err(e) => {
                    errs.push(FieldError::new(
                        "customFields",
                        format!("must be a JSON object like {{\"tier\": \"gold\"}}: {e}"),
                    ));
                    None
                }
            },
        };
        let parent = match (&self.parent, opt(PARENT)) {
            (_, None) => None,
            (Some((id, code)), Some(typed)) if *code == typed || *id == typed => Some(id.clone()),
            (_, Some(_)) => {
                errs.push(FieldError::new(
                    "parentAccountId",
                    "pick an account from the suggestions (↑/↓, Enter), or clear the field",
                ));
                None
            }
        };
        let address = Address {
            address_line1: opt(11),
            address_line2: opt(12),
            address_line3: opt(13),
            address_line4: opt(14),
            locality: opt(15),
            region: opt(16),
            post_code: opt(17),
            country: opt(18),
        };
        let req = AccountRequest {
            code: self.text[CODE].clone(),
            name: self.text[NAME].clone(),
            email_address: t(EMAIL),
            address: (!address.is_empty()).then_some(address),
            parent_account_id: parent,
            bill_epoch: opt(5),
            purchase_order_number: opt(6),
            currency: opt(3),
            statement_definition_id: opt(10),
            auto_generate_statement_mode: self
                .mode
                .checked_sub(1)
                .map(|i| AutoGenerateStatementMode::ALL[i]),
            credit_application_order: self
                .credit
                .checked_sub(1)
                .map(|i| CREDIT_APPLICATION_ORDERS[i].to_vec()),
            days_before_bill_due: days,
            custom_fields: custom,
            version,
        };
        errs.extend(rules::account_errors(&req));
        (req, errs)
    }
}

/// How an enum picker value reads.
pub fn credit_label(i: usize) -> String {
    match i.checked_sub(1) {
        None => "— unset".into(),
        Some(i) => CREDIT_APPLICATION_ORDERS[i]
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub fn mode_label(i: usize) -> String {
    match i.checked_sub(1) {
        None => "— unset".into(),
        Some(i) => AutoGenerateStatementMode::ALL[i].as_str().into(),
    }
}

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
