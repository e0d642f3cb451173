//! Quality and efficiency evaluation: the indicator library and the scheme
//! library (every change a new version), the facts each indicator is
//! computed from (SQL aggregates per unit and period), evaluation runs and
//! the archive of published runs.

#[macro_use]
mod versioned;
pub mod alerts;
pub mod facts;
pub mod library;
pub mod runs;

pub use alerts::{
    warning_rule, AlertOutcome, AlertOutcomeLevel, AlertRuleFilter, AlertRuleRow, ALERT_RULE_LIST,
};
pub use facts::{ProblemCase, UnitFactsRow};
pub use library::{IndicatorFilter, IndicatorRow, SchemeRow, VersionRow, INDICATOR_LIST};
pub use runs::{ArchiveRow, NewArchive, NewRun, RunFilter, RunRow, RunSummaryRow, RUN_LIST};
