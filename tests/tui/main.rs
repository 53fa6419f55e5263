//! The TUI driven through the app, key by key, and drawn on ratatui's TestBackend (no terminal,
//! no network: answers are fed as messages; tests that need the tasks run them on a runtime).

mod accounts;
mod behaviour;
mod cursor;
mod drafts;
mod editor_colours;
mod explore;
mod explore_sandbox;
mod explore_usage;
mod first_use;
mod help_mouse;
mod qa_fixes;
mod screens;
mod send_anyway;
mod support;
mod upload;
