//! Reusable pieces: a one-line text input, a filterable list, a scrolled text pane, text
//! fitting, and JSON colours.

pub mod input;
pub mod json_colours;
pub mod list;
pub mod scroll;
pub mod text;
