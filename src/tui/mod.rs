//! The terminal UI (placeholder).
