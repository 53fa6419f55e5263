//! The sandbox's SQLite layer: the schema, every SQL statement, and the connections.
//!
//! [`Store`] owns one writer connection and a small pool of read connections (WAL lets readers
//! run during a write, so a list page never waits behind an ingest COMMIT). Work on the database
//! goes through a [`Db`] handle — a connection plus the organization it serves — whose methods
//! are the only SQL in the sandbox; the HTTP layer above never builds SQL.

mod enrich;
mod entities;
mod events;
mod handle;
mod ingest_schema;
mod measurements;
mod queue;
mod rollup;
mod schema;
mod search;
mod store;
mod uploads;
mod usage;
mod usage_fast;

pub use enrich::{EnrichedRow, NewEvent};
pub use entities::{Cols, Filter};
pub use events::{EventFilter, EventRow};
pub use handle::{Db, Kind};
pub use queue::{queue_path, IngestQueue, RawBatch};
pub use rollup::RollupAcc;
pub use search::{Comparator, Cond, Joiner, SearchSpec, SortOrder};
pub use store::Store;
pub use uploads::{JobRow, SignedLink};
pub use usage::{AggPlan, DimFilter, GroupPlan, UsagePlan};
