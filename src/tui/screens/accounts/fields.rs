//! The account form's fields, in form order, with their labels and wire names.

use crate::m3ter::rules::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Code,
    Name,
    Email,
    Currency,
    Parent,
    BillEpoch,
    PurchaseOrder,
    DaysBeforeDue,
    CreditOrder,
    Statements,
    StatementDef,
    Address1,
    Address2,
    Address3,
    Address4,
    Locality,
    Region,
    PostCode,
    Country,
    CustomFields,
}

impl Field {
    pub const ALL: [Field; 20] = [
        Field::Code,
        Field::Name,
        Field::Email,
        Field::Currency,
        Field::Parent,
        Field::BillEpoch,
        Field::PurchaseOrder,
        Field::DaysBeforeDue,
        Field::CreditOrder,
        Field::Statements,
        Field::StatementDef,
        Field::Address1,
        Field::Address2,
        Field::Address3,
        Field::Address4,
        Field::Locality,
        Field::Region,
        Field::PostCode,
        Field::Country,
        Field::CustomFields,
    ];

    /// (label, wire name)
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Field::Code => ("Code", "code"),
            Field::Name => ("Name", "name"),
            Field::Email => ("Email", "emailAddress"),
            Field::Currency => ("Currency", "currency"),
            Field::Parent => ("Parent account", "parentAccountId"),
            Field::BillEpoch => ("Bill epoch", "billEpoch"),
            Field::PurchaseOrder => ("Purchase order", "purchaseOrderNumber"),
            Field::DaysBeforeDue => ("Days before due", "daysBeforeBillDue"),
            Field::CreditOrder => ("Credit order", "creditApplicationOrder"),
            Field::Statements => ("Statements", "autoGenerateStatementMode"),
            Field::StatementDef => ("Statement def.", "statementDefinitionId"),
            Field::Address1 => ("Address line 1", "address.addressLine1"),
            Field::Address2 => ("Address line 2", "address.addressLine2"),
            Field::Address3 => ("Address line 3", "address.addressLine3"),
            Field::Address4 => ("Address line 4", "address.addressLine4"),
            Field::Locality => ("Locality", "address.locality"),
            Field::Region => ("Region", "address.region"),
            Field::PostCode => ("Post code", "address.postCode"),
            Field::Country => ("Country", "address.country"),
            Field::CustomFields => ("Custom fields", "customFields"),
        }
    }

    pub fn label(self) -> &'static str {
        self.names().0
    }

    pub fn wire(self) -> &'static str {
        self.names().1
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// A choice (←/→ cycles it) rather than typed text.
    pub fn is_choice(self) -> bool {
        matches!(self, Field::CreditOrder | Field::Statements)
    }

    /// `delta` fields on, wrapping around.
    pub fn step(self, delta: isize) -> Field {
        let n = Self::ALL.len() as isize;
        Self::ALL[(self.index() as isize + delta).rem_euclid(n) as usize]
    }

    /// Whether an error (ours or the server's) is about this field.
    pub fn owns(self, e: &FieldError) -> bool {
        let wire = self.wire();
        e.field == wire || e.field.starts_with(&format!("{wire}."))
    }

    /// The field an error belongs to.
    pub fn of(e: &FieldError) -> Option<Field> {
        Self::ALL.into_iter().find(|f| f.owns(e))
    }
}
