//! Corrections from sources and erroneous records (issue 14 item 4).
//!
//! A record resent with a higher revision and other content supersedes the
//! stored one: the row is updated in place (its derived columns — case state,
//! links, overdue flag — are kept and re-derived by intake and the evaluator)
//! and the content it replaced goes to `record_history`, in the batch's own
//! transaction. An operator may mark a record erroneous: it stays in the lists
//! with its reason but drops out of the dashboard's figures and of monitoring.

use super::LineOutcome;
use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreResult};
use crate::org::OrgScope;
use govpulse_core::aggregation::corrections::{resent, Resent};
use govpulse_core::time::to_rfc3339;
use serde_json::{json, Value as Json};
use std::collections::HashMap;

/// The fact kinds a source may correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Cases,
    CaseEvents,
    Consultations,
    Evaluations,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::CaseEvents => "case-events",
            Self::Consultations => "consultations",
            Self::Evaluations => "evaluations",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Cases,
            Self::CaseEvents,
            Self::Consultations,
            Self::Evaluations,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// Table, key column and dashboard kind of the kinds an operator may mark
    /// erroneous (a case event is corrected by its source, not marked).
    fn markable(
        self,
    ) -> Option<(
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    )> {
        match self {
            Self::Cases => Some(("cases", "case_code", "submitted_at", Some("cases"))),
            Self::Consultations => {
                Some(("consultations", "code", "asked_at", Some("consultations")))
            }
            Self::Evaluations => Some(("evaluations", "evaluation_id", "rated_at", None)),
            Self::CaseEvents => None,
        }
    }
}

/// The stored content of a case a correction replaces.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct CaseSnapshot {
    pub(crate) district_code: String,
    pub(crate) region_code: String,
    pub(crate) department_code: String,
    pub(crate) item_code: String,
    pub(crate) item_version: i32,
    pub(crate) applicant_type: String,
    pub(crate) applicant_key: String,
    pub(crate) applicant_masked: String,
    pub(crate) applicant_name: String,
    pub(crate) channel: String,
    pub(crate) submitted_at: i64,
    pub(crate) handling_mode: Option<String>,
    pub(crate) remark: Option<String>,
    pub(crate) revision: i64,
    pub(crate) source: String,
    pub(crate) received_at: i64,
}

pub(crate) const CASE_SNAPSHOT: &str = "SELECT district_code, region_code, department_code, item_code, item_version,
    applicant_type, applicant_key, applicant_masked, applicant_name, channel, submitted_at, handling_mode, remark,
    revision, source, received_at FROM cases WHERE case_code = $1";

impl CaseSnapshot {
    pub(crate) fn content(&self) -> Json {
        json!({
            "region_code": self.region_code, "department_code": self.department_code,
            "item_code": self.item_code, "item_version": self.item_version,
            "applicant_type": self.applicant_type, "applicant_masked": self.applicant_masked,
            "applicant_name": self.applicant_name, "channel": self.channel,
            "submitted_at": to_rfc3339(self.submitted_at), "handling_mode": self.handling_mode,
            "remark": self.remark,
        })
    }
}

/// The stored content of a case event a correction replaces.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EventSnapshot {
    pub(crate) kind: String,
    pub(crate) at: i64,
    pub(crate) special_kind: Option<String>,
    pub(crate) operator: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) revision: i64,
    pub(crate) source: String,
    pub(crate) received_at: i64,
}

pub(crate) const EVENT_SNAPSHOT: &str =
    "SELECT kind, at, special_kind, operator, note, revision, source, received_at
    FROM case_events WHERE case_code = $1 AND seq = $2";

impl EventSnapshot {
    pub(crate) fn content(&self) -> Json {
        json!({
            "kind": self.kind, "at": to_rfc3339(self.at), "special_kind": self.special_kind,
            "operator": self.operator, "note": self.note,
        })
    }
}

/// The stored content of a consultation a correction replaces.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ConsultationSnapshot {
    pub(crate) district_code: String,
    pub(crate) region_code: String,
    pub(crate) channel: String,
    pub(crate) asked_at: i64,
    pub(crate) applicant_type: String,
    pub(crate) applicant_key: Option<String>,
    pub(crate) applicant_masked: Option<String>,
    pub(crate) item_code: Option<String>,
    pub(crate) question: String,
    pub(crate) answer: Option<String>,
    pub(crate) linked_case_code: Option<String>,
    pub(crate) revision: i64,
    pub(crate) source: String,
    pub(crate) received_at: i64,
}

pub(crate) const CONSULTATION_SNAPSHOT: &str = "SELECT district_code, region_code, channel, asked_at,
    applicant_type, applicant_key, applicant_masked, item_code, question, answer, linked_case_code, revision,
    source, received_at FROM consultations WHERE code = $1";

impl ConsultationSnapshot {
    pub(crate) fn content(&self) -> Json {
        json!({
            "region_code": self.region_code, "channel": self.channel, "asked_at": to_rfc3339(self.asked_at),
            "applicant_type": self.applicant_type, "applicant_masked": self.applicant_masked,
            "item_code": self.item_code, "question": self.question, "answer": self.answer,
        })
    }
}

/// The stored content of an evaluation a correction replaces.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EvaluationSnapshot {
    pub(crate) case_code: Option<String>,
    pub(crate) region_code: String,
    pub(crate) channel: String,
    pub(crate) rated_at: i64,
    pub(crate) satisfaction: i32,
    pub(crate) comment: Option<String>,
    pub(crate) revision: i64,
    pub(crate) source: String,
    pub(crate) received_at: i64,
}

pub(crate) const EVALUATION_SNAPSHOT: &str =
    "SELECT case_code, region_code, channel, rated_at, satisfaction,
    comment, revision, source, received_at FROM evaluations WHERE evaluation_id = $1";

impl EvaluationSnapshot {
    pub(crate) fn content(&self) -> Json {
        json!({
            "case_code": self.case_code, "region_code": self.region_code, "channel": self.channel,
            "rated_at": to_rfc3339(self.rated_at), "satisfaction": self.satisfaction, "comment": self.comment,
        })
    }
}

/// Read the stored content `$snapshot` (a `*_SNAPSHOT` query bound to `$keys`)
/// of a record about to be superseded and keep it in `record_history`, inside
/// transaction `$tx`; yields the snapshot.
macro_rules! keep_history {
    ($tx:expr, $row:ty, $snapshot:expr, [$($key:expr),+], $kind:expr, $record_key:expr, $case:expr, $by:expr, $now:expr) => {{
        let old: $row = sqlx::query_as::<_, $row>($snapshot)
            $(.bind($key))+
            .fetch_one(&mut *$tx)
            .await?;
        let case: Option<String> = $case(&old);
        sqlx::query(
            "INSERT INTO record_history (kind, record_key, case_code, revision, content, source, received_at,
                superseded_at, superseded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($kind.as_str())
        .bind($record_key)
        .bind(case)
        .bind(old.revision)
        .bind(old.content().to_string())
        .bind(&old.source)
        .bind(old.received_at)
        .bind($now)
        .bind($by)
        .execute(&mut *$tx)
        .await?;
        old
    }};
}
pub(crate) use keep_history;

/// Classify each row `(line, key, content hash, revision)` against stored and
/// earlier-in-batch versions; returns the indexes of rows to insert and of
/// rows that supersede a record (to apply, in order, after the inserts).
/// Keys and hashes are borrowed from the batch: a large batch is not copied.
pub(crate) fn classify<'a>(
    rows: impl Iterator<Item = (usize, &'a str, &'a str, i64)>,
    stored: &HashMap<String, (String, i64)>,
    outcomes: &mut Vec<(usize, LineOutcome)>,
) -> (Vec<usize>, Vec<usize>) {
    let mut seen: HashMap<&str, (&str, i64)> = HashMap::new();
    let (mut fresh, mut corrected) = (Vec::new(), Vec::new());
    for (index, (line, key, hash, revision)) in rows.enumerate() {
        let known = seen
            .get(key)
            .copied()
            .or_else(|| stored.get(key).map(|(h, r)| (h.as_str(), *r)));
        let outcome = match known {
            None => {
                fresh.push(index);
                LineOutcome::Accepted
            }
            Some((known_hash, known_revision)) => {
                match resent((known_hash, known_revision), (hash, revision)) {
                    Resent::Duplicate => {
                        outcomes.push((line, LineOutcome::Duplicate));
                        continue;
                    }
                    Resent::Conflict => {
                        outcomes.push((line, conflict()));
                        continue;
                    }
                    Resent::Corrects => {
                        corrected.push(index);
                        LineOutcome::Corrected {
                            key: key.to_string(),
                        }
                    }
                }
            }
        };
        seen.insert(key, (hash, revision));
        outcomes.push((line, outcome));
    }
    (fresh, corrected)
}

fn conflict() -> LineOutcome {
    LineOutcome::rejected(
        "record.conflict",
        "a different record with the same key and no higher revision was already received",
    )
}

/// `SELECT key, content_hash, revision FROM table WHERE key IN (…)` in chunks, on the open transaction.
macro_rules! stored_versions {
    ($pool:expr, $tx:expr, $select:expr, $keys:expr) => {{
        let mut stored = std::collections::HashMap::new();
        let keys: Vec<&str> = $keys;
        for chunk in keys.chunks($crate::db::ROWS_PER_STATEMENT) {
            let mut sql = $crate::db::Sql::new($select);
            sql.push_list(chunk.iter().copied());
            for (key, hash, revision) in fetch_dynamic_on!($pool, $tx, (String, String, i64), &sql)?
            {
                stored.insert(key, (hash, revision));
            }
        }
        stored
    }};
}
pub(crate) use stored_versions;

/// Unlink the consultations linked to the cases `$codes` (before linking afresh).
macro_rules! unlink_consultations {
    ($pool:expr, $tx:expr, $codes:expr) => {{
        let codes: Vec<&str> = $codes;
        for chunk in codes.chunks($crate::db::ROWS_PER_STATEMENT) {
            let mut sql = $crate::db::Sql::new(
                "UPDATE consultations SET linked_case_code = NULL WHERE linked_case_code IN ",
            );
            sql.push_list(chunk.iter().copied());
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}
pub(crate) use unlink_consultations;

/// Recount `cases.consultations` of the cases whose `$column` is in `$values`,
/// including those left with none (after a correction moved links away).
macro_rules! recount_exactly {
    ($pool:expr, $tx:expr, $column:expr, $values:expr) => {{
        let mut values: Vec<&str> = $values;
        values.sort_unstable();
        values.dedup();
        for chunk in values.chunks($crate::db::ROWS_PER_STATEMENT) {
            let mut sql = $crate::db::Sql::new(
                "UPDATE cases SET consultations = (SELECT COUNT(*) FROM consultations k
                    WHERE k.linked_case_code = cases.case_code) WHERE ",
            );
            sql.push($column)
                .push(" IN ")
                .push_list(chunk.iter().copied());
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}
pub(crate) use recount_exactly;

/// One superseded version of a record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub kind: String,
    pub record_key: String,
    pub revision: i64,
    /// JSON object of the superseded fields.
    pub content: String,
    pub source: String,
    pub received_at: i64,
    pub superseded_at: i64,
    pub superseded_by: i64,
}

impl Store {
    /// Superseded versions of a case and of its events, consultations linked
    /// at the time and evaluations, oldest first.
    pub async fn case_history(&self, case_code: &str) -> StoreResult<Vec<HistoryRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, HistoryRow>(
                "SELECT kind, record_key, revision, content, source, received_at, superseded_at, superseded_by
                 FROM record_history WHERE case_code = $1 ORDER BY id LIMIT 500",
            )
            .bind(case_code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Whether any case (`cases`) or consultation (`consultations`) in scope
    /// is marked erroneous: the dashboard's cube leaves those out, so it cannot
    /// give the lists their totals. One probe of a partial index.
    pub async fn any_erroneous(&self, kind: RecordKind, scope: &OrgScope) -> StoreResult<bool> {
        let table = match kind {
            RecordKind::Cases => "cases",
            RecordKind::Consultations => "consultations",
            _ => return Ok(false),
        };
        let mut sql = Sql::new(&format!(
            "SELECT 1 FROM {table} t WHERE t.erroneous_reason IS NOT NULL"
        ));
        scope.push_fact_scope(&mut sql, "t");
        sql.push(" LIMIT 1");
        Ok(!fetch_dynamic!(self, (i32,), &sql)?.is_empty())
    }

    /// Mark a record in scope erroneous with a reason, or (reason `None`) take
    /// the mark back; logs the dashboard partition, marks the monitoring
    /// subject due and appends the audit row in one transaction. `false` when
    /// no such record is in scope.
    pub async fn mark_erroneous(
        &self,
        kind: RecordKind,
        scope: &OrgScope,
        key: &str,
        reason: Option<&str>,
        audit: &AuditRecord,
    ) -> StoreResult<bool> {
        let Some((table, key_column, time_column, figures)) = kind.markable() else {
            return Ok(false);
        };
        let subject_column = match kind {
            RecordKind::Cases => "'c:' || t.case_code",
            RecordKind::Consultations => {
                "CASE WHEN t.applicant_key IS NULL OR t.item_code IS NULL THEN NULL
                 ELSE 'q:' || t.applicant_key || '|' || t.item_code END"
            }
            _ => "NULL",
        };
        let mut select = Sql::new(&format!(
            "SELECT t.district_code, t.{time_column}, {subject_column} FROM {table} t WHERE t.{key_column} = "
        ));
        select.bind_text(key);
        scope.push_fact_scope(&mut select, "t");
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let found = fetch_dynamic_on!(pool, tx, (String, i64, Option<String>), &select)?;
            let Some((district, at, subject)) = found.into_iter().next() else {
                return Ok(false);
            };
            let mut update = Sql::new(&format!("UPDATE {table} SET erroneous_reason = "));
            update.bind(crate::db::Value::OptText(reason.map(str::to_string)));
            update.push(&format!(" WHERE {key_column} = ")).bind_text(key);
            execute_dynamic!(pool, tx, &update)?;
            if let Some(figures) = figures {
                crate::dashboard::log_dashboard_changes!(pool, tx, figures, [(district, at)]);
            }
            if let Some(subject) = subject {
                crate::monitoring::mark_due!(pool, tx, vec![subject]);
            }
            append_audit!(pool, tx, audit);
            tx.commit().await?;
            true
        }))
    }
}
