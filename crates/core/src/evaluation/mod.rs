//! Quality and efficiency evaluation (质效评价, IND-1, SCORE-1..3, EVAL-1/3):
//! periods, the indicator library and its built-in indicators, the measures
//! computed from facts, safe formulas, the scoring engine and the archive's
//! canonical checksum.

pub mod alerts;
pub mod archive;
pub mod formula;
pub mod indicators;
pub mod measures;
pub mod period;
pub mod scoring;
pub mod workbook;

#[cfg(test)]
mod tests;
