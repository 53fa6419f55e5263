//! m3ter-console: a terminal console for m3ter, its headless CLI, and a local m3ter-compatible
//! sandbox. The binary (`src/main.rs`) only calls [`cli::main`].

pub mod cli;
pub mod config;
pub mod connect;
pub mod m3ter;
pub mod private_fs;
pub mod sandbox;
pub mod tui;
