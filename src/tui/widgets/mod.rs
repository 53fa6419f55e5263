//! Reusable pieces: a one-line text input and a filterable list.

pub mod input;
pub mod list;
