//! Data aggregation storage: items, consultation codes, intake of the four fact
//! kinds (each record applied whole or not at all, idempotent on its natural
//! key), collection rules and reconciliation counts.

mod codes;
mod corrections;
mod feeds;
mod intake;
mod items;
mod reading;
mod sources;

pub use corrections::{HistoryRow, RecordKind};
pub use feeds::{feed_subject, FeedDayRow, FeedSpan, FeedWarning, Manifest, FEED_RULE};
pub use intake::{FollowUp, NewCase, NewConsultation, NewEvaluation, NewEvent};
pub use items::{ItemFilter, ItemRow, ItemVersionRow, NewItem, ITEM_LIST};
#[cfg(test)]
pub(crate) use reading::{
    push_case_filters, push_consultation_filters, push_evaluation_filters, CASE_SELECT,
    CONSULTATION_SELECT, EVALUATION_SELECT,
};
pub use reading::{
    CaseFilter, CaseRow, ConsultationFilter, ConsultationRow, EvaluationFilter, EvaluationRow,
    EventRow, FactScope, LinkingRow, TimelineRow, CASE_LIST, CONSULTATION_LIST, EVALUATION_LIST,
};
pub use sources::{ReconciliationFilter, ReconciliationRow, SourceRow, RECONCILIATION_LIST};

use std::collections::BTreeMap;

/// What happened to one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    Accepted,
    /// Superseded the stored record of the same key (a higher revision).
    Corrected {
        key: String,
    },
    Duplicate,
    Rejected {
        code: String,
        message: String,
    },
}

impl LineOutcome {
    pub fn rejected(code: &str, message: impl Into<String>) -> Self {
        Self::Rejected {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// A validated batch ready for storage, with what validation already refused
/// (so the reconciliation counts are written in the batch's own transaction).
#[derive(Debug, Clone)]
pub struct Batch<T> {
    pub source: String,
    pub kind: &'static str,
    /// Receipt day `YYYY-MM-DD` (Asia/Shanghai).
    pub day: String,
    pub received_at: i64,
    /// Records refused before reaching the store, by error code.
    pub refused_by_code: BTreeMap<String, u64>,
    /// `(line, record)` in line order.
    pub rows: Vec<(usize, T)>,
    /// The request's audit record, appended in the batch's own transaction
    /// with the batch's counts added to its details: a committed batch always
    /// has its audit row, and an audit row always its batch.
    pub audit: Option<crate::audit::AuditRecord>,
}

impl<T> Batch<T> {
    fn received(&self) -> u64 {
        self.rows.len() as u64 + self.refused_by_code.values().sum::<u64>()
    }
}

pub(crate) use crate::db::ROWS_PER_STATEMENT;

/// Add a batch's counts to the reconciliation table inside transaction `$tx`,
/// and append the batch's audit record (if any) with those counts.
macro_rules! record_intake_stats {
    ($pool:expr, $tx:expr, $batch:expr, $outcomes:expr) => {{
        let batch = $batch;
        let outcomes: &[(usize, $crate::aggregation::LineOutcome)] = $outcomes;
        let mut by_code = batch.refused_by_code.clone();
        let (mut accepted, mut corrected, mut duplicates) = (0_i64, 0_i64, 0_i64);
        for (_, outcome) in outcomes {
            match outcome {
                $crate::aggregation::LineOutcome::Accepted => accepted += 1,
                $crate::aggregation::LineOutcome::Corrected { .. } => corrected += 1,
                $crate::aggregation::LineOutcome::Duplicate => duplicates += 1,
                $crate::aggregation::LineOutcome::Rejected { code, .. } => {
                    *by_code.entry(code.clone()).or_default() += 1
                }
            }
        }
        let rejected: i64 = by_code.values().sum::<u64>() as i64;
        let existing: Option<(i64, i64, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT received, accepted, corrected, duplicates, rejected, rejected_by_code FROM intake_stats
             WHERE day = $1 AND source = $2 AND kind = $3",
        )
        .bind(&batch.day)
        .bind(&batch.source)
        .bind(batch.kind)
        .fetch_optional(&mut *$tx)
        .await?;
        let (mut r, mut a, mut c, mut d, mut j, mut codes) = match existing {
            Some((r, a, c, d, j, text)) => (r, a, c, d, j, serde_json::from_str::<std::collections::BTreeMap<String, u64>>(&text).unwrap_or_default()),
            None => (0, 0, 0, 0, 0, std::collections::BTreeMap::new()),
        };
        r += batch.received() as i64;
        a += accepted;
        c += corrected;
        d += duplicates;
        j += rejected;
        for (code, n) in by_code {
            *codes.entry(code).or_default() += n;
        }
        sqlx::query(
            "INSERT INTO intake_stats (day, source, kind, received, accepted, duplicates, rejected, rejected_by_code, corrected,
                last_received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (day, source, kind) DO UPDATE SET received = excluded.received,
                accepted = excluded.accepted, duplicates = excluded.duplicates, corrected = excluded.corrected,
                last_received_at = excluded.last_received_at,
                rejected = excluded.rejected, rejected_by_code = excluded.rejected_by_code",
        )
        .bind(&batch.day)
        .bind(&batch.source)
        .bind(batch.kind)
        .bind(r)
        .bind(a)
        .bind(d)
        .bind(j)
        .bind(serde_json::to_string(&codes).unwrap_or_default())
        .bind(c)
        .bind(batch.received_at)
        .execute(&mut *$tx)
        .await?;
        if let Some(record) = &batch.audit {
            let corrected_keys: Vec<&str> = outcomes
                .iter()
                .filter_map(|(_, o)| match o {
                    $crate::aggregation::LineOutcome::Corrected { key } => Some(key.as_str()),
                    _ => None,
                })
                .collect();
            let mut details = record.details.clone();
            if let Some(fields) = details.as_object_mut() {
                fields.insert("accepted".into(), accepted.into());
                fields.insert("corrected".into(), corrected.into());
                fields.insert("duplicates".into(), duplicates.into());
                fields.insert("rejected".into(), rejected.into());
                fields.insert("corrected_keys".into(), corrected_keys.into());
            }
            append_audit!($pool, $tx, &record.with_result(record.result, details));
        }
    }};
}
pub(crate) use record_intake_stats;
