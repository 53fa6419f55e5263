//! m3ter's derived-field calculations: a parser and an evaluator, pure (no I/O), so the sandbox
//! computes derived values at ingest and the TUI can check a calculation as it is typed.
//!
//! The language (m3ter's Calculation Engine): numbers, `'strings'` or `"strings"`, `true`,
//! `false`, `null`; field names (a data field's code, `ts`, `ets`; dotted names such as
//! `measure.calls` are looked up whole); `+ - * / % ^` (power, right-associative), unary `-`;
//! comparisons `== != < <= > >=` (also `=` and `<>`); `AND`/`&&`, `OR`/`||`, `NOT`/`!`; the
//! ternary `c ? a : b`; `x IN (a, b, …)` and `IN(x, a, b, …)`; `isnull(x)`;
//! `Math.max/min/floor/ceil/round/pow/abs/sqrt`.
//!
//! Decisions where m3ter's documentation is silent:
//! - a field the measurement does not carry is `null`; arithmetic or ordering on `null` is a
//!   [`CalcError`] (guard with `isnull(x) ? 0 : x`), `==`/`!=` compare it;
//! - `ts`/`ets` are the timestamps as epoch milliseconds (numbers), so `(ets - ts) / 1000` is a
//!   duration in seconds; m3ter's other date-time helpers are not supported and are reported
//!   as unknown functions;
//! - division or remainder by zero and non-finite results are errors, never `Infinity`;
//! - `+` on two strings concatenates; other mixes of strings and numbers are errors;
//! - `Math.round` rounds half away from zero.

mod eval;
mod parse;
#[cfg(test)]
mod tests;
mod value;

pub use eval::evaluate;
pub use parse::{fields, parse};
pub use value::{Bin, CalcError, CalcValue, Expr};
