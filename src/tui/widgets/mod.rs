//! Reusable pieces: a one-line text input, a filterable list, and text fitting.

pub mod input;
pub mod list;
pub mod text;
