//! govpulse persistence: one storage layer over two backends.
//!
//! [`Store`] holds either an SQLite database (the embedded default: one file, WAL,
//! one writer connection plus a pool of readers) or a PostgreSQL pool (the
//! scale-out backend). Queries are written once in the SQL both databases
//! understand (`$N` placeholders, `RETURNING`, `ON CONFLICT`, epoch-millisecond
//! integers for instants) and dispatched to the active backend by the macros in
//! [`db`]; the schema is written once in [`migrate`] with a handful of
//! backend-specific substitutions.

#[macro_use]
mod macros;
mod db;
#[macro_use]
pub mod audit;
pub mod aggregation;
mod audit_batch;
pub mod backup;
pub mod code_lists;
pub mod dashboard;
pub mod evaluation;
pub mod exports;
pub mod guidance;
pub mod identity;
pub mod interrupt;
pub mod list;
mod migrate;
pub mod monitoring;
pub mod oplogs;
pub mod org;
pub mod org_admin;
pub mod quality;
pub mod quality_schedules;
pub mod remembered;
pub mod settings;
pub mod tokens;
pub mod workorders;

pub use db::{Backend, Page, PoolStatus, Store, StoreError, StoreResult};

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(test)]
mod fresh_sqlite;
#[cfg(test)]
mod plans;
#[cfg(test)]
mod sqlite_build;
