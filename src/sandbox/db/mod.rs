//! The sandbox's SQLite layer: the schema, every SQL statement, and the connections.
//!
//! [`Store`] owns one writer connection and a small pool of read connections (WAL lets readers
//! run during a write, so a list page never waits behind an ingest COMMIT). Work on the database
//! goes through a [`Db`] handle — a connection plus the organization it serves — whose methods
//! are the only SQL in the sandbox; the HTTP layer above never builds SQL.

mod entities;
mod handle;
mod measurements;
mod schema;
mod search;
mod store;

pub use entities::{Cols, Filter};
pub use handle::{Db, Kind};
pub use measurements::NewMeasurement;
pub use search::{Comparator, Cond, Joiner, SearchSpec, SortOrder};
pub use store::Store;
