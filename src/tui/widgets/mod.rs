//! Reusable pieces: a one-line text input, a filterable list, text fitting, and JSON colours.

pub mod input;
pub mod json_colours;
pub mod list;
pub mod text;
