//! m3ter's domain: wire types, validation rules shared by sandbox and TUI, and the HTTP client.

pub mod rules;
pub mod types;

pub use types::*;
