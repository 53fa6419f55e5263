//! m3ter's domain: wire types, validation rules shared by sandbox and TUI, and the HTTP client
//! that the CLI and TUI share for real m3ter and the sandbox alike.

pub mod bulk;
pub mod calc;
pub mod client;
mod client_ingest;
pub mod csv_template;
pub mod error;
pub mod follow;
pub mod measurement_builder;
pub mod period;
pub mod resource;
pub mod rules;
pub mod samples;
pub mod types;
pub mod usage_table;

pub use client::{Client, ClientConfig, Credentials};
pub use error::{Error, ErrorKind, Result};
pub use resource::{ListQuery, Resource, SearchQuery};
pub use types::*;
