//! `govpulse bench …`: benchmarks that print Markdown rows for BENCHMARKS.md.
//! `monitoring`: the evaluator on N open cases; `dashboard`: the dashboard's
//! cube, overview and hot words, and the case list, on N synthetic cases;
//! `evaluation`: indicator values, scoring and a quality run over a year of
//! N cases; `crash`: the crash harness (kill -9 while writing, then check).

pub mod crash;
pub mod dashboard;
mod evaluation;
mod monitoring;

pub use evaluation::evaluation;
pub use monitoring::monitoring;
