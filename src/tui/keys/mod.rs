//! Keys: every view declares its keys once, as a list of [`KeyBinding`] tables composed from
//! shared ones ([`tables`]). The loop resolves key presses through those tables (with the user's
//! [`Keymap`] applied), the bottom bar shows their `bar` entries and the help overlay lists all
//! of them — one source, so the three can never disagree, and hints in messages are built from
//! the same bindings ([`Keymap::label`]).
//!
//! This is the vocabulary under everything else in the TUI: it imports nothing from it.

mod binding;
pub mod keymap;
mod resolve;
pub mod tables;

pub use binding::{Action, Input, Key, KeyBinding, Tables};
pub use keymap::Keymap;
pub use resolve::{resolve, Resolved};
