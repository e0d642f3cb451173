//! Exact list totals from the cube: how many cases (or consultations) a list
//! filter admits, when every part of the filter is a cube dimension — period
//! in whole local days, region, department, item, applicant type, and for
//! cases completion and the overdue flag. One pass over whole months and the
//! ragged days, no rows read.

use super::cube::{CaseCounts, Cube};
use super::query::{Filter, Matcher};

/// Which case counter a list filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMeasure {
    All,
    Completed,
    Overdue,
    NotOverdue,
    CompletedOnTime,
    CompletedLate,
}

impl CaseMeasure {
    /// The measure of a list's `status` and `overdue` filters; `None` when the
    /// cube does not count that status.
    pub fn of(status: Option<&str>, overdue: Option<bool>) -> Option<Self> {
        Some(match (status, overdue) {
            (None, None) => Self::All,
            (None, Some(true)) => Self::Overdue,
            (None, Some(false)) => Self::NotOverdue,
            (Some("completed"), None) => Self::Completed,
            (Some("completed"), Some(false)) => Self::CompletedOnTime,
            (Some("completed"), Some(true)) => Self::CompletedLate,
            _ => return None,
        })
    }

    fn count(self, c: &CaseCounts) -> u64 {
        match self {
            Self::All => c.cases,
            Self::Completed => c.completed,
            Self::Overdue => c.overdue,
            Self::NotOverdue => c.cases - c.overdue,
            Self::CompletedOnTime => c.on_time,
            Self::CompletedLate => c.completed - c.on_time,
        }
    }
}

impl Cube {
    /// The days `filter` spans, clamped to the days the cube holds.
    fn span(&self, filter: &Filter) -> Option<(i64, i64)> {
        let first = self.partitions.keys().next()?.0.max(filter.first_day);
        let last = self.partitions.keys().next_back()?.0.min(filter.last_day);
        (first <= last).then_some((first, last))
    }

    /// Cases `filter` admits, counted by `measure`.
    pub fn case_total(&self, filter: &Filter, measure: CaseMeasure) -> u64 {
        let Some((first, last)) = self.span(filter) else {
            return 0;
        };
        let matcher = Matcher::new(self, filter);
        let mut total = 0;
        self.walk(first, last, true, |_, district, partition| {
            if matcher.district(district) {
                for (p, counts) in &partition.cases {
                    if matcher.cell(p) {
                        total += measure.count(counts);
                    }
                }
            }
        });
        total
    }

    /// Consultations `filter` admits.
    pub fn consultation_total(&self, filter: &Filter) -> u64 {
        let Some((first, last)) = self.span(filter) else {
            return 0;
        };
        let matcher = Matcher::new(self, filter);
        let mut total = 0;
        self.walk(first, last, true, |_, district, partition| {
            if matcher.district(district) {
                for (p, n) in &partition.consultations {
                    if matcher.cell(p) {
                        total += n;
                    }
                }
            }
        });
        total
    }
}
