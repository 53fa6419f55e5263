//! [`Db`]: one connection and the organization every statement is scoped to.

use rusqlite::Connection;

/// What the SQL methods (in `entities`, `measurements`, `search`) work on. Writes get a handle
/// inside a transaction; reads one on a read-only pooled connection.
#[derive(Clone, Copy)]
pub struct Db<'a> {
    pub conn: &'a Connection,
    pub org: &'a str,
}

/// Which entity rows a query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Product,
    Meter,
    Account,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Meter => "meter",
            Kind::Account => "account",
        }
    }

    /// m3ter's entity name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Product => "Product",
            Kind::Meter => "Meter",
            Kind::Account => "Account",
        }
    }
}
