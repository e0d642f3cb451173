//! Intake of consultations, cases, case events and evaluations. One batch is one
//! transaction: either every accepted record of it is stored, or (on a database
//! failure) none, and the caller reports nothing as accepted. Records are
//! idempotent on their natural keys: the same content again is a duplicate, other
//! content under the same key is a conflict. Rows go in with multi-row INSERTs.

use super::{Batch, LineOutcome, ROWS_PER_STATEMENT};
use crate::dashboard::log_dashboard_changes;
use crate::db::{PoolOps, Sql, Store, StoreResult, Value};
use crate::monitoring::{case_subject, consultation_subject, mark_due};
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
}

/// Classify each row against stored and earlier-in-batch content hashes;
/// returns the indexes of rows to insert.
fn classify<K: std::hash::Hash + Eq + Clone>(
    keys_hashes: impl Iterator<Item = (usize, K, String)>,
    stored: &HashMap<K, String>,
    outcomes: &mut Vec<(usize, LineOutcome)>,
) -> Vec<usize> {
    let mut seen: HashMap<K, String> = HashMap::new();
    let mut fresh = Vec::new();
    for (index, (line, key, hash)) in keys_hashes.enumerate() {
        let known = stored.get(&key).or_else(|| seen.get(&key));
        match known {
            Some(existing) if *existing == hash => outcomes.push((line, LineOutcome::Duplicate)),
            Some(_) => outcomes.push((
                line,
                LineOutcome::rejected(
                    "record.conflict",
                    "a different record with the same key was already received",
                ),
            )),
            None => {
                seen.insert(key, hash);
                fresh.push(index);
                outcomes.push((line, LineOutcome::Accepted));
            }
        }
    }
    fresh
}

/// `SELECT key…, content_hash FROM table WHERE key IN (…)` in chunks, on the open transaction.
macro_rules! stored_hashes {
    ($pool:expr, $tx:expr, $select:expr, $keys:expr) => {{
        let mut stored = HashMap::new();
        let keys: Vec<&str> = $keys;
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new($select);
            sql.push_list(chunk.iter().copied());
            for (key, hash) in fetch_dynamic_on!($pool, $tx, (String, String), &sql)? {
                stored.insert(key, hash);
            }
        }
        stored
    }};
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
            let stored = stored_hashes!(pool, tx, "SELECT case_code, content_hash FROM cases WHERE case_code IN ", keys);
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let fresh = classify(
                batch.rows.iter().map(|(line, c)| (*line, c.case_code.clone(), c.content_hash.clone())),
                &stored,
                &mut outcomes,
            );
            let rows = fresh.iter().map(|&i| {
                let c = &batch.rows[i].1;
                vec![
                    text(&c.case_code), text(&c.district_code), text(&c.region_code), text(&c.department_code),
                    text(&c.item_code), Value::Int(c.item_version), text(&c.applicant_type), text(&c.applicant_key),
                    text(&c.applicant_enc), text(&c.applicant_masked), text(&c.applicant_name), text(&c.channel),
                    Value::Int(c.submitted_at), opt(&c.handling_mode), opt(&c.remark), text("submitted"),
                    text(&batch.source), text(&c.content_hash), Value::Int(batch.received_at),
                ]
            }).collect();
            insert_rows!(pool, tx, "INSERT INTO cases (case_code, district_code, region_code, department_code, item_code,
                item_version, applicant_type, applicant_key, applicant_enc, applicant_masked, applicant_name, channel,
                submitted_at, handling_mode, remark, status, source, content_hash, received_at)", rows);
            let keys = fresh.iter().map(|&i| batch.rows[i].1.applicant_key.as_str()).collect();
            link_consultations!(pool, tx, "applicant_key", keys, link_window_ms);
            let codes = fresh.iter().map(|&i| batch.rows[i].1.case_code.as_str()).collect();
            recount_consultations!(pool, tx, "SELECT case_code FROM cases WHERE case_code IN ", codes);
            // New cases, and the consultation subjects their applicants may have just closed.
            let due = fresh.iter().flat_map(|&i| {
                let c = &batch.rows[i].1;
                [case_subject(&c.case_code), consultation_subject(&c.applicant_key, &c.item_code)]
            }).collect();
            mark_due!(pool, tx, due);
            let changed = fresh.iter().map(|&i| (batch.rows[i].1.district_code.clone(), batch.rows[i].1.submitted_at));
            log_dashboard_changes!(pool, tx, "cases", changed);
            super::record_intake_stats!(tx, batch, &outcomes);
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
            let mut history: HashMap<String, Vec<(i64, String, i64, String)>> = HashMap::new();
            for chunk in codes.chunks(ROWS_PER_STATEMENT) {
                let mut sql = Sql::new("SELECT case_code, district_code, submitted_at FROM cases WHERE case_code IN ");
                // Lock in key order, as the evaluator does, so the two never deadlock.
                sql.push_list(chunk.iter().copied()).push(" ORDER BY case_code").push(lock);
                for (code, district, submitted) in fetch_dynamic_on!(pool, tx, (String, String, i64), &sql)? {
                    cases.insert(code, (district, submitted));
                }
                let mut sql = Sql::new("SELECT case_code, seq, kind, at, content_hash FROM case_events WHERE case_code IN ");
                sql.push_list(chunk.iter().copied());
                for (code, seq, kind, at, hash) in fetch_dynamic_on!(pool, tx, (String, i64, String, i64, String), &sql)? {
                    history.entry(code).or_default().push((seq, kind, at, hash));
                }
            }
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let mut rows = Vec::new();
            let mut touched: Vec<&str> = Vec::new();
            for (line, event) in &batch.rows {
                let Some((district, submitted_at)) = cases.get(&event.case_code) else {
                    outcomes.push((*line, LineOutcome::rejected("case.unknown", format!("no case {} has been received", event.case_code))));
                    continue;
                };
                let known = history.entry(event.case_code.clone()).or_default();
                match known.iter().find(|(seq, ..)| *seq == event.seq) {
                    Some((.., hash)) if *hash == event.content_hash => {
                        outcomes.push((*line, LineOutcome::Duplicate));
                        continue;
                    }
                    Some(_) => {
                        outcomes.push((*line, LineOutcome::rejected("record.conflict", format!("event {} of case {} was already received with other content", event.seq, event.case_code))));
                        continue;
                    }
                    None => {}
                }
                let out_of_order = event.at < *submitted_at
                    || known.iter().any(|(seq, _, at, _)| (*seq < event.seq && *at > event.at) || (*seq > event.seq && *at < event.at));
                known.push((event.seq, event.kind.clone(), event.at, event.content_hash.clone()));
                touched.push(&event.case_code);
                outcomes.push((*line, LineOutcome::Accepted));
                rows.push(vec![
                    text(&event.case_code), Value::Int(event.seq), text(district), text(&event.kind), Value::Int(event.at),
                    opt(&event.special_kind), opt(&event.operator), opt(&event.note), Value::Bool(out_of_order),
                    text(&batch.source), text(&event.content_hash), Value::Int(batch.received_at),
                ]);
            }
            insert_rows!(pool, tx, "INSERT INTO case_events (case_code, seq, district_code, kind, at, special_kind, operator,
                note, out_of_order, source, content_hash, received_at)", rows);
            touched.sort_unstable();
            touched.dedup();
            let states: Vec<Vec<Value>> = touched
                .iter()
                .map(|code| {
                    let events: Vec<(&str, i64, i64)> =
                        history[*code].iter().map(|(seq, kind, at, _)| (kind.as_str(), *at, *seq)).collect();
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
            super::record_intake_stats!(tx, batch, &outcomes);
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
            let stored = stored_hashes!(pool, tx, "SELECT code, content_hash FROM consultations WHERE code IN ", keys);
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            let fresh = classify(
                batch.rows.iter().map(|(line, c)| (*line, c.code.clone(), c.content_hash.clone())),
                &stored,
                &mut outcomes,
            );
            let rows = fresh.iter().map(|&i| {
                let c = &batch.rows[i].1;
                vec![
                    text(&c.code), text(&c.district_code), text(&c.region_code), opt(&c.department_code), text(&c.channel),
                    Value::Int(c.asked_at), text(&c.applicant_type), opt(&c.applicant_key), opt(&c.applicant_enc),
                    opt(&c.applicant_masked), opt(&c.item_code), text(&c.question), opt(&c.answer),
                    Value::OptText(None), text(&batch.source), text(&c.content_hash), Value::Int(batch.received_at),
                ]
            }).collect();
            insert_rows!(pool, tx, "INSERT INTO consultations (code, district_code, region_code, department_code, channel, asked_at,
                applicant_type, applicant_key, applicant_enc, applicant_masked, item_code, question, answer,
                linked_case_code, source, content_hash, received_at)", rows);
            let codes: Vec<&str> = fresh.iter().map(|&i| batch.rows[i].1.code.as_str()).collect();
            link_consultations!(pool, tx, "code", codes.clone(), link_window_ms);
            recount_consultations!(pool, tx, "SELECT linked_case_code FROM consultations WHERE code IN ", codes);
            let due = fresh.iter().filter_map(|&i| {
                let c = &batch.rows[i].1;
                Some(consultation_subject(c.applicant_key.as_deref()?, c.item_code.as_deref()?))
            }).collect();
            mark_due!(pool, tx, due);
            let changed = fresh.iter().map(|&i| (batch.rows[i].1.district_code.clone(), batch.rows[i].1.asked_at));
            log_dashboard_changes!(pool, tx, "consultations", changed);
            super::record_intake_stats!(tx, batch, &outcomes);
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
            let stored = stored_hashes!(pool, tx, "SELECT evaluation_id, content_hash FROM evaluations WHERE evaluation_id IN ", keys);
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
            let fresh = classify(
                known_case.iter().map(|(line, e)| (*line, e.evaluation_id.clone(), e.content_hash.clone())),
                &stored,
                &mut outcomes,
            );
            let rows = fresh.iter().map(|&i| {
                let e = &known_case[i].1;
                let (region, dept) = match e.case_code.as_ref().and_then(|c| cases.get(c)) {
                    Some((region, dept)) => (region.clone(), Some(dept.clone())),
                    None => (e.region_code.clone().unwrap_or_default(), None),
                };
                vec![
                    text(&e.evaluation_id), text(govpulse_core::region::district_of(&region)), text(&region), Value::OptText(dept),
                    opt(&e.case_code), text(&e.channel), Value::Int(e.rated_at), Value::Int(e.satisfaction), opt(&e.comment),
                    text(&batch.source), text(&e.content_hash), Value::Int(batch.received_at),
                ]
            }).collect();
            insert_rows!(pool, tx, "INSERT INTO evaluations (evaluation_id, district_code, region_code, department_code, case_code,
                channel, rated_at, satisfaction, comment, source, content_hash, received_at)", rows);
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
            super::record_intake_stats!(tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }
}
