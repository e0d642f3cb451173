//! `govpulse bench …`: benchmarks that print Markdown rows for BENCHMARKS.md.
//! `monitoring`: the evaluator on N open cases; `dashboard`: the dashboard's
//! cube, overview and hot words, and the case list, on N synthetic cases;
//! `crash`: the crash harness (kill -9 while writing, then check).

pub mod crash;
pub mod dashboard;
mod monitoring;

pub use monitoring::monitoring;
