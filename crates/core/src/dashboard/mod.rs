//! Dashboard logic (DASH-1..5) that needs no database.
//!
//! - [`cube`]: case, consultation and warning counts per (district, day)
//!   partition, held in memory and recomputed per partition by the store;
//!   [`query`]: one overview (totals, breakdowns, trend) in a single pass.
//! - [`hotwords`]: consultation questions → meaningful words (Chinese
//!   segmentation with jieba, a government-domain dictionary, the
//!   administrators' own words and a stop-word list), ranking of word counts
//!   by frequency or tf-idf, and validation of the administrators' dictionary.

pub mod cube;
pub mod hotwords;
pub mod months;
pub mod query;
pub mod totals;

#[cfg(test)]
mod tests;
