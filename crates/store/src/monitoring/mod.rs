//! Monitoring storage (MON-1..8): the deadline index, subject facts and the
//! application of rule verdicts (warnings, history, messages, webhook
//! deliveries) in one transaction, warning rules with versions, the inbox,
//! subscriptions and calendar years.
//!
//! A *subject* is what a warning is about: a case (`c:<case_code>`) or one
//! applicant's unlinked consultations on one item (`q:<applicant_key>|<item>`).

mod apply;
mod calendar;
pub(crate) mod facts;
pub(crate) mod inbox;
mod rules;
pub(crate) mod standalone;
mod warnings;
mod webhooks;

pub use apply::{DecidedLevel, Decision, Evaluation, EvaluationStats};
pub use calendar::{CalendarYearRow, MissingYear, CALENDAR_MISSING_RULE};
pub use facts::{SubjectFacts, SubjectKind};
pub use inbox::{MessageFilter, MessageRow, SubscriptionRow, MESSAGE_LIST};
pub use rules::{RuleHead, RuleRow, RuleVersionRow};
#[cfg(test)]
pub(crate) use warnings::{push_filters, WARNING_SELECT};
pub use warnings::{
    Handling, HistoryRow, RuleStats, WarningAction, WarningFilter, WarningRow, WARNING_LIST,
};
pub use webhooks::{DeliveryRow, DELIVERY_LIST};

use crate::db::{Store, StoreResult};

/// The subject key of a case.
pub fn case_subject(case_code: &str) -> String {
    format!("c:{case_code}")
}

/// The subject key of an applicant's consultations on an item.
pub fn consultation_subject(applicant_key: &str, item_code: &str) -> String {
    format!("q:{applicant_key}|{item_code}")
}

/// Mark subjects for evaluation at once, inside the caller's transaction, so an
/// acknowledged event is never left unevaluated even if the process dies.
macro_rules! mark_due {
    ($pool:expr, $tx:expr, $keys:expr) => {{
        let mut keys: Vec<String> = $keys;
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks($crate::db::ROWS_PER_STATEMENT) {
            let mut sql =
                $crate::db::Sql::new("INSERT INTO monitor_due (subject_key, due_at) VALUES ");
            sql.push_rows(chunk.iter().map(|k| {
                vec![
                    $crate::db::Value::Text(k.clone()),
                    $crate::db::Value::Int(0),
                ]
            }))
            .push(" ON CONFLICT (subject_key) DO UPDATE SET due_at = 0");
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}
pub(crate) use mark_due;

impl Store {
    /// Subjects due at `now_ms` (oldest first).
    pub async fn due_subjects(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT subject_key FROM monitor_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The earliest instant anything is due (the scheduler sleeps until then).
    pub async fn next_due_at(&self) -> StoreResult<Option<i64>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, Option<i64>>("SELECT MIN(due_at) FROM monitor_due")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Subjects in the deadline index.
    pub async fn due_count(&self) -> StoreResult<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM monitor_due")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Re-evaluate every open subject at once (after a rule or calendar change):
    /// cases not finished, and subjects holding an open warning.
    pub async fn mark_open_subjects_due(&self) -> StoreResult<u64> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let cases = sqlx::query(
                "INSERT INTO monitor_due (subject_key, due_at)
                 SELECT 'c:' || case_code, 0 FROM cases WHERE status NOT IN ('completed', 'rejected', 'withdrawn')
                 ON CONFLICT (subject_key) DO UPDATE SET due_at = 0",
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let warned = sqlx::query(
                "INSERT INTO monitor_due (subject_key, due_at)
                 SELECT DISTINCT subject_key, 0 FROM warnings WHERE status NOT IN ('closed', 'false_positive')
                 ON CONFLICT (subject_key) DO UPDATE SET due_at = 0",
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            cases + warned
        }))
    }
}
