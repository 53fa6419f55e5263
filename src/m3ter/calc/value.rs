//! Values, errors and the parsed form of a calculation.

use std::fmt;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum CalcValue {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
}

impl CalcValue {
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::Str(_) => "a string",
        }
    }

    /// The value as JSON (a whole number stays whole: `3`, not `3.0`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            Self::Bool(b) => (*b).into(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => (*n as i64).into(),
            Self::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Self::Str(s) => s.clone().into(),
        }
    }

    /// A JSON value as a calculation value (objects and arrays are not values: `null`).
    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map(Self::Number).unwrap_or(Self::Null),
            serde_json::Value::String(s) => Self::Str(s.clone()),
            _ => Self::Null,
        }
    }
}

impl fmt::Display for CalcValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Why a calculation could not be parsed or evaluated, and where (1-based column in the
/// calculation text, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct CalcError {
    pub column: usize,
    pub message: String,
}

pub(super) type Res<T> = Result<T, CalcError>;

pub(super) fn err<T>(column: usize, message: impl Into<String>) -> Res<T> {
    Err(CalcError {
        column,
        message: message.into(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl Bin {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Bin::Add => "+",
            Bin::Sub => "-",
            Bin::Mul => "*",
            Bin::Div => "/",
            Bin::Rem => "%",
            Bin::Pow => "^",
            Bin::Eq => "==",
            Bin::Ne => "!=",
            Bin::Lt => "<",
            Bin::Le => "<=",
            Bin::Gt => ">",
            Bin::Ge => ">=",
            Bin::And => "AND",
            Bin::Or => "OR",
        }
    }
}

/// A parsed calculation; evaluate it with [`Expr::eval`] as many times as needed.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(CalcValue),
    Field {
        name: String,
        at: usize,
    },
    Neg(Box<Expr>, usize),
    Not(Box<Expr>),
    Binary(Bin, Box<Expr>, Box<Expr>, usize),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    Call {
        name: String,
        args: Vec<Expr>,
        at: usize,
    },
}
