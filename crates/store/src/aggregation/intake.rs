//! Intake of consultations, cases, case events and evaluations. One batch is one
//! transaction: either every accepted record of it is stored, or (on a database
//! failure) none, and the caller reports nothing as accepted. Records are
//! idempotent on their natural keys: the same content again is a duplicate, other
//! content under the same key a correction when its revision is higher, else a
//! conflict (see `corrections`). Rows go in with multi-row INSERTs.

use super::corrections::{
    classify, keep_history, recount_exactly, stored_versions, unlink_consultations, CaseSnapshot,
    ConsultationSnapshot, EvaluationSnapshot, EventSnapshot, RecordKind, CASE_SNAPSHOT,
    CONSULTATION_SNAPSHOT, EVALUATION_SNAPSHOT, EVENT_SNAPSHOT,
};
use super::{Batch, LineOutcome, ROWS_PER_STATEMENT};
use crate::dashboard::log_dashboard_changes;
use crate::db::{PoolOps, Sql, Store, StoreResult, Value};
use crate::monitoring::{case_subject, consultation_subject, mark_due};
use govpulse_core::aggregation::corrections::{resent, Resent};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct NewCase {
    pub case_code: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: String,
    pub item_code: String,
    pub item_version: i64,
    pub applicant_type: String,
    pub applicant_key: String,
    pub applicant_enc: String,
    pub applicant_masked: String,
    pub applicant_name: String,
    pub channel: String,
    pub submitted_at: i64,
    pub handling_mode: Option<String>,
    pub remark: Option<String>,
    pub content_hash: String,
    /// The source's revision (0 unless numbered).
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub case_code: String,
    pub seq: i64,
    pub kind: String,
    pub at: i64,
    pub special_kind: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    pub content_hash: String,
    /// The source's revision (0 unless numbered).
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub code: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: Option<String>,
    pub channel: String,
    pub asked_at: i64,
    pub applicant_type: String,
    pub applicant_key: Option<String>,
    pub applicant_enc: Option<String>,
    pub applicant_masked: Option<String>,
    pub item_code: Option<String>,
    pub question: String,
    pub answer: Option<String>,
    pub content_hash: String,
    /// The source's revision (0 unless numbered).
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub evaluation_id: String,
    pub case_code: Option<String>,
    /// Used when the evaluation names no case.
    pub region_code: Option<String>,
    pub channel: String,
    pub rated_at: i64,
    pub satisfaction: i64,
    pub comment: Option<String>,
    pub content_hash: String,
    /// The source's revision (0 unless numbered).
    pub revision: i64,
}

/// Link unlinked consultations selected by `$column IN $values` to the earliest
/// case of the same applicant they preceded within the window (same item when
/// both name one). Set-based: one statement per 500 keys.
macro_rules! link_consultations {
    ($pool:expr, $tx:expr, $column:expr, $values:expr, $window:expr) => {{
        let mut values: Vec<&str> = $values;
        values.sort_unstable();
        values.dedup();
        for chunk in values.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "UPDATE consultations SET linked_case_code = (
                    SELECT c.case_code FROM cases c
                    WHERE c.applicant_key = consultations.applicant_key
                      AND c.submitted_at >= consultations.asked_at AND c.submitted_at <= consultations.asked_at + ",
            );
            sql.bind_int($window)
                .push(
                    " AND (consultations.item_code IS NULL OR c.item_code = consultations.item_code)
                    ORDER BY c.submitted_at LIMIT 1)
                 WHERE ",
                )
                .push($column)
                .push(" IN ")
                .push_list(chunk.iter().copied())
                .push(" AND linked_case_code IS NULL AND applicant_key IS NOT NULL");
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}

/// Recount `cases.consultations` for the cases `$select` (a SELECT of case codes
/// with an `IN` list appended per chunk of `$values`) names.
macro_rules! recount_consultations {
    ($pool:expr, $tx:expr, $select:expr, $values:expr) => {{
        let values: Vec<&str> = $values;
        for chunk in values.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "UPDATE cases SET consultations = counted.n FROM (
                    SELECT linked_case_code AS code, COUNT(*) AS n FROM consultations
                    WHERE linked_case_code IN (",
            );
            sql.push($select).push_list(chunk.iter().copied()).push(
                ") GROUP BY linked_case_code) AS counted WHERE cases.case_code = counted.code",
            );
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}

/// A stored (or earlier-in-batch) event of a case being ingested.
struct KnownEvent {
    seq: i64,
    kind: String,
    at: i64,
    hash: String,
    revision: i64,
}

/// The natural key of a case event in the history and audit trail.
fn event_key(event: &NewEvent) -> String {
    format!("{}#{}", event.case_code, event.seq)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn opt(s: &Option<String>) -> Value {
    Value::OptText(s.clone())
}

/// Opens a follow-up work order for a fresh evaluation, given the region and
/// department of its case (差评 follow-up), or not.
pub type FollowUp<'a> = dyn Fn(&NewEvaluation, &str, &str) -> Option<crate::workorders::NewWorkOrder>
    + Send
    + Sync
    + 'a;

impl Store {
    /// Store cases and link each to its applicant's earlier consultations within
    /// `link_window_ms` before submission (same item when both name one).
    pub async fn ingest_cases(
        &self,
        batch: &Batch<NewCase>,
        link_window_ms: i64,
    ) -> StoreResult<Vec<(usize, LineOutcome)>> {
        let outcomes = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let keys = batch.rows.iter().map(|(_, c)| c.case_code.as_str()).collect();
            let stored = stored_versions!(pool, tx, "SELECT case_code, content_hash, revision FROM cases WHERE case_code IN ", keys);
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let (fresh, corrected) = classify(
                batch.rows.iter().map(|(line, c)| (*line, c.case_code.as_str(), c.content_hash.as_str(), c.revision)),
                &stored,
                &mut outcomes,
            );
            insert_rows!(pool, tx, "INSERT INTO cases (case_code, district_code, region_code, department_code, item_code,
                item_version, applicant_type, applicant_key, applicant_enc, applicant_masked, applicant_name, channel,
                submitted_at, handling_mode, remark, status, source, content_hash, received_at, revision)", fresh, |&i| {
                let c = &batch.rows[i].1;
                vec![
                    text(&c.case_code), text(&c.district_code), text(&c.region_code), text(&c.department_code),
                    text(&c.item_code), Value::Int(c.item_version), text(&c.applicant_type), text(&c.applicant_key),
                    text(&c.applicant_enc), text(&c.applicant_masked), text(&c.applicant_name), text(&c.channel),
                    Value::Int(c.submitted_at), opt(&c.handling_mode), opt(&c.remark), text("submitted"),
                    text(&batch.source), text(&c.content_hash), Value::Int(batch.received_at), Value::Int(c.revision),
                ]
            });
            // Corrections in line order: keep the stored content, then replace it
            // (state, clocks and links are derived again below and by the evaluator).
            let mut replaced: Vec<CaseSnapshot> = Vec::with_capacity(corrected.len());
            for &i in &corrected {
                let c = &batch.rows[i].1;
                let code = Some(c.case_code.clone());
                let old = keep_history!(tx, CaseSnapshot, CASE_SNAPSHOT, [&c.case_code], RecordKind::Cases,
                    &c.case_code, |_: &CaseSnapshot| code.clone(), c.revision, batch.received_at);
                sqlx::query("UPDATE cases SET district_code = $2, region_code = $3, department_code = $4, item_code = $5,
                    item_version = $6, applicant_type = $7, applicant_key = $8, applicant_enc = $9, applicant_masked = $10,
                    applicant_name = $11, channel = $12, submitted_at = $13, handling_mode = $14, remark = $15, source = $16,
                    content_hash = $17, received_at = $18, revision = $19 WHERE case_code = $1")
                    .bind(&c.case_code).bind(&c.district_code).bind(&c.region_code).bind(&c.department_code)
                    .bind(&c.item_code).bind(c.item_version).bind(&c.applicant_type).bind(&c.applicant_key)
                    .bind(&c.applicant_enc).bind(&c.applicant_masked).bind(&c.applicant_name).bind(&c.channel)
                    .bind(c.submitted_at).bind(&c.handling_mode).bind(&c.remark).bind(&batch.source)
                    .bind(&c.content_hash).bind(batch.received_at).bind(c.revision)
                    .execute(&mut *tx).await?;
                sqlx::query("UPDATE case_events SET district_code = $2 WHERE case_code = $1 AND district_code <> $2")
                    .bind(&c.case_code).bind(&c.district_code)
                    .execute(&mut *tx).await?;
                replaced.push(old);
            }
            // A corrected case may name another applicant: its consultations are linked afresh.
            let corrected_codes: Vec<&str> = corrected.iter().map(|&i| batch.rows[i].1.case_code.as_str()).collect();
            unlink_consultations!(pool, tx, corrected_codes);
            let relinked: Vec<&str> = corrected.iter().map(|&i| batch.rows[i].1.applicant_key.as_str())
                .chain(replaced.iter().map(|old| old.applicant_key.as_str()))
                .collect();
            let keys = fresh.iter().map(|&i| batch.rows[i].1.applicant_key.as_str()).chain(relinked.iter().copied()).collect();
            link_consultations!(pool, tx, "applicant_key", keys, link_window_ms);
            let codes = fresh.iter().map(|&i| batch.rows[i].1.case_code.as_str()).collect();
            recount_consultations!(pool, tx, "SELECT case_code FROM cases WHERE case_code IN ", codes);
            recount_exactly!(pool, tx, "applicant_key", relinked);
            // New and corrected cases, and the consultation subjects their
            // applicants (before and after a correction) may have just closed.
            let due = fresh.iter().chain(&corrected).flat_map(|&i| {
                let c = &batch.rows[i].1;
                [case_subject(&c.case_code), consultation_subject(&c.applicant_key, &c.item_code)]
            }).chain(replaced.iter().map(|old| consultation_subject(&old.applicant_key, &old.item_code))).collect();
            mark_due!(pool, tx, due);
            let changed = fresh.iter().chain(&corrected)
                .map(|&i| (batch.rows[i].1.district_code.clone(), batch.rows[i].1.submitted_at))
                .chain(replaced.iter().map(|old| (old.district_code.clone(), old.submitted_at)));
            log_dashboard_changes!(pool, tx, "cases", changed);
            super::record_intake_stats!(pool, tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }

    /// Store stage events of known cases, flag those out of time order, and
    /// re-derive each touched case's state from all its events.
    pub async fn ingest_events(
        &self,
        batch: &Batch<NewEvent>,
    ) -> StoreResult<Vec<(usize, LineOutcome)>> {
        let outcomes = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut codes: Vec<&str> = batch.rows.iter().map(|(_, e)| e.case_code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            // Lock the touched cases on PostgreSQL so concurrent batches for one
            // case derive its state one after the other (SQLite's writer is exclusive).
            let lock = if pool.kind() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
            let mut cases: HashMap<String, (String, i64)> = HashMap::new();
            let mut history: HashMap<String, Vec<KnownEvent>> = HashMap::new();
            for chunk in codes.chunks(ROWS_PER_STATEMENT) {
                let mut sql = Sql::new("SELECT case_code, district_code, submitted_at FROM cases WHERE case_code IN ");
                // Lock in key order, as the evaluator does, so the two never deadlock.
                sql.push_list(chunk.iter().copied()).push(" ORDER BY case_code").push(lock);
                for (code, district, submitted) in fetch_dynamic_on!(pool, tx, (String, String, i64), &sql)? {
                    cases.insert(code, (district, submitted));
                }
                let mut sql = Sql::new("SELECT case_code, seq, kind, at, content_hash, revision FROM case_events WHERE case_code IN ");
                sql.push_list(chunk.iter().copied());
                for (code, seq, kind, at, hash, revision) in fetch_dynamic_on!(pool, tx, (String, i64, String, i64, String, i64), &sql)? {
                    history.entry(code).or_default().push(KnownEvent { seq, kind, at, hash, revision });
                }
            }
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            // Fresh events with their case's district and order flag (rows are built a statement at a time).
            let mut fresh: Vec<(&NewEvent, &str, bool)> = Vec::new();
            let mut corrections: Vec<(&NewEvent, bool)> = Vec::new();
            let mut touched: Vec<&str> = Vec::new();
            for (line, event) in &batch.rows {
                let Some((district, submitted_at)) = cases.get(&event.case_code) else {
                    outcomes.push((*line, LineOutcome::rejected("case.unknown", format!("no case {} has been received", event.case_code))));
                    continue;
                };
                let known = history.entry(event.case_code.clone()).or_default();
                let stored = known.iter().find(|k| k.seq == event.seq).map(|k| resent((&k.hash, k.revision), (&event.content_hash, event.revision)));
                match stored {
                    Some(Resent::Duplicate) => {
                        outcomes.push((*line, LineOutcome::Duplicate));
                        continue;
                    }
                    Some(Resent::Conflict) => {
                        outcomes.push((*line, LineOutcome::rejected("record.conflict", format!("event {} of case {} was already received with other content and no lower revision", event.seq, event.case_code))));
                        continue;
                    }
                    Some(Resent::Corrects) => known.retain(|k| k.seq != event.seq),
                    None => {}
                }
                let out_of_order = event.at < *submitted_at
                    || known.iter().any(|k| (k.seq < event.seq && k.at > event.at) || (k.seq > event.seq && k.at < event.at));
                known.push(KnownEvent { seq: event.seq, kind: event.kind.clone(), at: event.at, hash: event.content_hash.clone(), revision: event.revision });
                touched.push(&event.case_code);
                if stored.is_some() {
                    outcomes.push((*line, LineOutcome::Corrected { key: event_key(event) }));
                    corrections.push((event, out_of_order));
                    continue;
                }
                outcomes.push((*line, LineOutcome::Accepted));
                fresh.push((event, district, out_of_order));
            }
            insert_rows!(pool, tx, "INSERT INTO case_events (case_code, seq, district_code, kind, at, special_kind, operator,
                note, out_of_order, source, content_hash, received_at, revision)", fresh, |&(event, district, out_of_order)| vec![
                    text(&event.case_code), Value::Int(event.seq), text(district), text(&event.kind), Value::Int(event.at),
                    opt(&event.special_kind), opt(&event.operator), opt(&event.note), Value::Bool(out_of_order),
                    text(&batch.source), text(&event.content_hash), Value::Int(batch.received_at), Value::Int(event.revision),
                ]);
            for (event, out_of_order) in corrections {
                let case = Some(event.case_code.clone());
                keep_history!(tx, EventSnapshot, EVENT_SNAPSHOT, [&event.case_code, event.seq], RecordKind::CaseEvents,
                    event_key(event), |_: &EventSnapshot| case.clone(), event.revision, batch.received_at);
                sqlx::query("UPDATE case_events SET kind = $3, at = $4, special_kind = $5, operator = $6, note = $7,
                    out_of_order = $8, source = $9, content_hash = $10, received_at = $11, revision = $12
                    WHERE case_code = $1 AND seq = $2")
                    .bind(&event.case_code).bind(event.seq).bind(&event.kind).bind(event.at).bind(&event.special_kind)
                    .bind(&event.operator).bind(&event.note).bind(out_of_order).bind(&batch.source)
                    .bind(&event.content_hash).bind(batch.received_at).bind(event.revision)
                    .execute(&mut *tx).await?;
            }
            touched.sort_unstable();
            touched.dedup();
            let states: Vec<Vec<Value>> = touched
                .iter()
                .map(|code| {
                    let events: Vec<(&str, i64, i64)> =
                        history[*code].iter().map(|k| (k.kind.as_str(), k.at, k.seq)).collect();
                    let state = govpulse_core::aggregation::state::case_state(&events);
                    vec![
                        text(code),
                        text(state.status),
                        Value::OptInt(state.accepted_at),
                        Value::OptInt(state.completed_at),
                        Value::OptInt(state.last_event_at),
                    ]
                })
                .collect();
            for chunk in states.chunks(ROWS_PER_STATEMENT) {
                // VALUES columns are column1… on both databases.
                let mut sql = Sql::new("UPDATE cases SET status = v.column2, accepted_at = v.column3, completed_at = v.column4,
                    last_event_at = v.column5 FROM (VALUES ");
                sql.push_rows(chunk.to_vec()).push(") AS v WHERE cases.case_code = v.column1");
                execute_dynamic!(pool, tx, &sql)?;
            }
            mark_due!(pool, tx, touched.iter().map(|c| case_subject(c)).collect());
            log_dashboard_changes!(pool, tx, "cases", touched.iter().filter_map(|c| cases.get(*c).cloned()));
            super::record_intake_stats!(pool, tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }

    /// Store consultations; one that arrives after its applicant's case (within
    /// the window after asking) is linked to that case.
    pub async fn ingest_consultations(
        &self,
        batch: &Batch<NewConsultation>,
        link_window_ms: i64,
    ) -> StoreResult<Vec<(usize, LineOutcome)>> {
        let outcomes = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let keys = batch.rows.iter().map(|(_, c)| c.code.as_str()).collect();
            let stored = stored_versions!(pool, tx, "SELECT code, content_hash, revision FROM consultations WHERE code IN ", keys);
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let (fresh, corrected) = classify(
                batch.rows.iter().map(|(line, c)| (*line, c.code.as_str(), c.content_hash.as_str(), c.revision)),
                &stored,
                &mut outcomes,
            );
            insert_rows!(pool, tx, "INSERT INTO consultations (code, district_code, region_code, department_code, channel, asked_at,
                applicant_type, applicant_key, applicant_enc, applicant_masked, item_code, question, answer,
                linked_case_code, source, content_hash, received_at, revision)", fresh, |&i| {
                let c = &batch.rows[i].1;
                vec![
                    text(&c.code), text(&c.district_code), text(&c.region_code), opt(&c.department_code), text(&c.channel),
                    Value::Int(c.asked_at), text(&c.applicant_type), opt(&c.applicant_key), opt(&c.applicant_enc),
                    opt(&c.applicant_masked), opt(&c.item_code), text(&c.question), opt(&c.answer),
                    Value::OptText(None), text(&batch.source), text(&c.content_hash), Value::Int(batch.received_at),
                    Value::Int(c.revision),
                ]
            });
            // Corrections in line order: keep the stored content, replace it and link it afresh.
            let mut replaced: Vec<ConsultationSnapshot> = Vec::with_capacity(corrected.len());
            for &i in &corrected {
                let c = &batch.rows[i].1;
                let old = keep_history!(tx, ConsultationSnapshot, CONSULTATION_SNAPSHOT, [&c.code], RecordKind::Consultations,
                    &c.code, |old: &ConsultationSnapshot| old.linked_case_code.clone(), c.revision, batch.received_at);
                sqlx::query("UPDATE consultations SET district_code = $2, region_code = $3, department_code = $4, channel = $5,
                    asked_at = $6, applicant_type = $7, applicant_key = $8, applicant_enc = $9, applicant_masked = $10,
                    item_code = $11, question = $12, answer = $13, linked_case_code = NULL, source = $14, content_hash = $15,
                    received_at = $16, revision = $17 WHERE code = $1")
                    .bind(&c.code).bind(&c.district_code).bind(&c.region_code).bind(&c.department_code).bind(&c.channel)
                    .bind(c.asked_at).bind(&c.applicant_type).bind(&c.applicant_key).bind(&c.applicant_enc)
                    .bind(&c.applicant_masked).bind(&c.item_code).bind(&c.question).bind(&c.answer).bind(&batch.source)
                    .bind(&c.content_hash).bind(batch.received_at).bind(c.revision)
                    .execute(&mut *tx).await?;
                replaced.push(old);
            }
            let codes: Vec<&str> = fresh.iter().chain(&corrected).map(|&i| batch.rows[i].1.code.as_str()).collect();
            link_consultations!(pool, tx, "code", codes.clone(), link_window_ms);
            recount_consultations!(pool, tx, "SELECT linked_case_code FROM consultations WHERE code IN ", codes);
            let unlinked: Vec<&str> = replaced.iter().filter_map(|old| old.linked_case_code.as_deref()).collect();
            recount_exactly!(pool, tx, "case_code", unlinked.clone());
            let due = fresh.iter().chain(&corrected).filter_map(|&i| {
                let c = &batch.rows[i].1;
                Some(consultation_subject(c.applicant_key.as_deref()?, c.item_code.as_deref()?))
            }).chain(replaced.iter().filter_map(|old| {
                Some(consultation_subject(old.applicant_key.as_deref()?, old.item_code.as_deref()?))
            })).chain(unlinked.iter().map(|code| case_subject(code))).collect();
            mark_due!(pool, tx, due);
            let changed = fresh.iter().chain(&corrected)
                .map(|&i| (batch.rows[i].1.district_code.clone(), batch.rows[i].1.asked_at))
                .chain(replaced.iter().map(|old| (old.district_code.clone(), old.asked_at)));
            log_dashboard_changes!(pool, tx, "consultations", changed);
            super::record_intake_stats!(pool, tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }

    /// Store evaluations; one naming a case takes the case's region and
    /// department. `follow_up` may open a work order for a fresh evaluation
    /// (given its region and department): it is stored in the same
    /// transaction, with one audit row naming the orders opened.
    pub async fn ingest_evaluations(
        &self,
        batch: &Batch<NewEvaluation>,
        follow_up: &FollowUp<'_>,
    ) -> StoreResult<Vec<(usize, LineOutcome)>> {
        let outcomes = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let keys = batch.rows.iter().map(|(_, e)| e.evaluation_id.as_str()).collect();
            let stored = stored_versions!(pool, tx, "SELECT evaluation_id, content_hash, revision FROM evaluations WHERE evaluation_id IN ", keys);
            let mut case_codes: Vec<&str> = batch.rows.iter().filter_map(|(_, e)| e.case_code.as_deref()).collect();
            case_codes.sort_unstable();
            case_codes.dedup();
            let mut cases: HashMap<String, (String, String)> = HashMap::new();
            for chunk in case_codes.chunks(ROWS_PER_STATEMENT) {
                let mut sql = Sql::new("SELECT case_code, region_code, department_code FROM cases WHERE case_code IN ");
                sql.push_list(chunk.iter().copied());
                for (code, region, dept) in fetch_dynamic_on!(pool, tx, (String, String, String), &sql)? {
                    cases.insert(code, (region, dept));
                }
            }
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let known_case: Vec<_> = batch
                .rows
                .iter()
                .filter(|(line, e)| match &e.case_code {
                    Some(code) if !cases.contains_key(code) => {
                        outcomes.push((*line, LineOutcome::rejected("case.unknown", format!("no case {code} has been received"))));
                        false
                    }
                    _ => true,
                })
                .collect();
            let (fresh, corrected) = classify(
                known_case.iter().map(|(line, e)| (*line, e.evaluation_id.as_str(), e.content_hash.as_str(), e.revision)),
                &stored,
                &mut outcomes,
            );
            // Region and department: the case's, else the evaluation's own region.
            let place = |e: &NewEvaluation| match e.case_code.as_ref().and_then(|c| cases.get(c)) {
                Some((region, dept)) => (region.clone(), Some(dept.clone())),
                None => (e.region_code.clone().unwrap_or_default(), None),
            };
            insert_rows!(pool, tx, "INSERT INTO evaluations (evaluation_id, district_code, region_code, department_code, case_code,
                channel, rated_at, satisfaction, comment, source, content_hash, received_at, revision)", fresh, |&i| {
                let e = &known_case[i].1;
                let (region, dept) = place(e);
                vec![
                    text(&e.evaluation_id), text(govpulse_core::region::district_of(&region)), text(&region), Value::OptText(dept),
                    opt(&e.case_code), text(&e.channel), Value::Int(e.rated_at), Value::Int(e.satisfaction), opt(&e.comment),
                    text(&batch.source), text(&e.content_hash), Value::Int(batch.received_at), Value::Int(e.revision),
                ]
            });
            // Corrections replace the stored content; a follow-up order opens only for a fresh evaluation.
            for &i in &corrected {
                let e = &known_case[i].1;
                keep_history!(tx, EvaluationSnapshot, EVALUATION_SNAPSHOT, [&e.evaluation_id], RecordKind::Evaluations,
                    &e.evaluation_id, |old: &EvaluationSnapshot| old.case_code.clone(), e.revision, batch.received_at);
                let (region, dept) = place(e);
                sqlx::query("UPDATE evaluations SET district_code = $2, region_code = $3, department_code = $4, case_code = $5,
                    channel = $6, rated_at = $7, satisfaction = $8, comment = $9, source = $10, content_hash = $11,
                    received_at = $12, revision = $13 WHERE evaluation_id = $1")
                    .bind(&e.evaluation_id).bind(govpulse_core::region::district_of(&region)).bind(&region).bind(dept)
                    .bind(&e.case_code).bind(&e.channel).bind(e.rated_at).bind(e.satisfaction).bind(&e.comment)
                    .bind(&batch.source).bind(&e.content_hash).bind(batch.received_at).bind(e.revision)
                    .execute(&mut *tx).await?;
            }
            let mut opened: Vec<String> = Vec::new();
            for &i in &fresh {
                let e = &known_case[i].1;
                let Some((region, dept)) = e.case_code.as_ref().and_then(|c| cases.get(c)) else { continue };
                if let Some(order) = follow_up(e, region, dept) {
                    opened.extend(crate::workorders::insert_work_order!(pool, tx, &order, batch.received_at));
                }
            }
            if !opened.is_empty() {
                let record = crate::audit::AuditRecord {
                    actor: "system".into(),
                    ip: "local".into(),
                    action: "workorder.create".into(),
                    object_type: "work_order".into(),
                    object_id: opened[0].clone(),
                    result: govpulse_core::audit::Outcome::Success,
                    details: serde_json::json!({ "created": opened, "reason": "evaluation" }),
                };
                append_audit!(pool, tx, &record);
            }
            outcomes.sort_by_key(|(line, _)| *line);
            super::record_intake_stats!(pool, tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }
}
