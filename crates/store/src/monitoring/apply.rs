//! Evaluation in one write transaction: lock and load the subjects, ask the
//! caller's rules for verdicts, and turn them into warning transitions —
//! raise, escalate, lower, close, reopen — with history, inbox messages and
//! webhook deliveries, and the subject's next due instant. Exactly one warning
//! per (rule, subject) is kept by the unique key and by deciding under the lock.

use super::facts::{load_facts, SubjectFacts};
use super::inbox::recipients;
use crate::dashboard::log_dashboard_changes;
use crate::db::{Sql, Store, StoreResult, Value, ROWS_PER_STATEMENT};
use govpulse_core::monitoring::condition::Field;
use std::collections::HashMap;
use std::collections::HashSet;

/// A level a rule decided on.
#[derive(Debug, Clone)]
pub struct DecidedLevel {
    pub key: String,
    pub name: String,
    /// Position in the rule's levels (higher = more severe).
    pub rank: i32,
    pub colour: String,
    pub handling_hours: u32,
    pub title: String,
    pub body: String,
    pub webhook_url: Option<String>,
}

/// One rule's decision on one subject.
#[derive(Debug, Clone)]
pub struct Decision {
    pub rule_code: String,
    pub rule_version: i64,
    pub stage: String,
    pub level: Option<DecidedLevel>,
    /// Why a warning closes when `level` is `None`.
    pub close_reason: String,
}

/// All rules' decisions on one subject and when to look again.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub decisions: Vec<Decision>,
    pub next_due: Option<i64>,
    /// For a case: whether any stage clock has run past its deadline.
    pub overdue: Option<bool>,
}

/// What one evaluation pass changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvaluationStats {
    pub subjects: u64,
    pub raised: u64,
    pub escalated: u64,
    pub closed: u64,
    pub messages: u64,
}

impl std::ops::AddAssign for EvaluationStats {
    fn add_assign(&mut self, other: Self) {
        self.subjects += other.subjects;
        self.raised += other.raised;
        self.escalated += other.escalated;
        self.closed += other.closed;
        self.messages += other.messages;
    }
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    rule_code: String,
    subject_key: String,
    level_rank: i32,
    status: String,
    raised_at: i64,
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A transition that notifies people.
struct Notice<'a> {
    warning_id: i64,
    /// When the warning was first raised (messages carry it for the dashboard).
    raised_at: i64,
    facts: &'a SubjectFacts,
    decision: &'a Decision,
    level: &'a DecidedLevel,
}

/// Store each case's overdue flag where it changed; returns the changed cases'
/// (district, submitted_at).
macro_rules! mark_overdue {
    ($pool:expr, $tx:expr, $flags:expr) => {{
        let flags: Vec<(&str, bool)> = $flags;
        let mut changed: Vec<(String, i64)> = Vec::new();
        for value in [true, false] {
            let codes: Vec<&str> = flags
                .iter()
                .filter(|(_, o)| *o == value)
                .map(|(c, _)| *c)
                .collect();
            if codes.is_empty() {
                continue;
            }
            let mut sql = Sql::new("UPDATE cases SET overdue = ");
            sql.bind(Value::Bool(value))
                .push(" WHERE overdue <> ")
                .bind(Value::Bool(value))
                .push(" AND case_code IN ")
                .push_list(codes)
                .push(" RETURNING district_code, submitted_at");
            changed.extend(fetch_dynamic_on!($pool, $tx, (String, i64), &sql)?);
        }
        changed
    }};
}

impl Store {
    /// Evaluate `keys` at `now_ms` with `decide`, which sees each subject's facts
    /// (windowed counts in `windows` loaded) and returns every rule's decision.
    pub async fn evaluate_subjects(
        &self,
        keys: &[String],
        windows: &[(Field, u32)],
        now_ms: i64,
        decide: &(dyn Fn(&SubjectFacts) -> Evaluation + Sync),
    ) -> StoreResult<EvaluationStats> {
        let mut stats = EvaluationStats::default();
        let users = self.recipients().await?;
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let chunk_stats = on_write!(self, pool => {
                let mut tx = crate::db::PoolOps::begin_write(pool).await?;
                let facts: Vec<SubjectFacts> = load_facts!(pool, tx, chunk, windows);
                let mut sql = Sql::new("SELECT id, rule_code, subject_key, level_rank, status, raised_at FROM warnings WHERE subject_key IN ");
                sql.push_list(chunk.iter().map(String::as_str));
                let mut existing: HashMap<(String, String), Existing> = HashMap::new();
                for row in fetch_dynamic_on!(pool, tx, Existing, &sql)? {
                    existing.insert((row.subject_key.clone(), row.rule_code.clone()), row);
                }
                let mut stats = EvaluationStats { subjects: chunk.len() as u64, ..Default::default() };
                let mut history: Vec<Vec<Value>> = Vec::new();
                let mut notices: Vec<Notice> = Vec::new();
                let mut closes: Vec<(i64, String)> = Vec::new();
                let mut due_rows: Vec<Vec<Value>> = Vec::new();
                let mut found: Vec<&str> = Vec::new();
                // (district, raised_at) of warnings whose level changed: dashboard partitions.
                let mut counted: Vec<(String, i64)> = Vec::new();
                let evaluations: Vec<(&SubjectFacts, Evaluation)> = facts.iter().map(|f| (f, decide(f))).collect();
                for (facts, evaluation) in &evaluations {
                    found.push(&facts.key);
                    if let Some(due) = evaluation.next_due {
                        due_rows.push(vec![text(&facts.key), Value::Int(due)]);
                    }
                    for decision in &evaluation.decisions {
                        let current = existing.remove(&(facts.key.clone(), decision.rule_code.clone()));
                        match (&decision.level, current) {
                            (Some(level), None) => {
                                let id: i64 = {
                                    let mut sql = Sql::new("INSERT INTO warnings (rule_code, rule_version, subject_key, case_code, stage,
                                        district_code, region_code, department_code, item_code, level, level_rank, level_name, colour,
                                        status, raised_at, updated_at, handle_deadline) VALUES ");
                                    let r = &facts.record;
                                    sql.push_rows([vec![
                                        text(&decision.rule_code), Value::Int(decision.rule_version), text(&facts.key),
                                        text(&facts.case_code), text(&decision.stage), text(&facts.district_code), text(&r.region),
                                        text(&r.department), text(&r.item), text(&level.key), Value::Int(i64::from(level.rank)),
                                        text(&level.name), text(&level.colour), text("open"), Value::Int(now_ms), Value::Int(now_ms),
                                        Value::Int(now_ms + i64::from(level.handling_hours) * 3_600_000),
                                    ]]).push(" RETURNING id");
                                    let ids = fetch_dynamic_on!(pool, tx, (i64,), &sql)?;
                                    ids.first().map(|(id,)| *id).unwrap_or_default()
                                };
                                history.push(vec![Value::Int(id), Value::Int(now_ms), text("raised"), text(&level.key), text("open"), text("system"), Value::OptText(None)]);
                                counted.push((facts.district_code.clone(), now_ms));
                                notices.push(Notice { warning_id: id, raised_at: now_ms, facts, decision, level });
                                stats.raised += 1;
                            }
                            (Some(level), Some(old)) => {
                                let reopen = old.status == "closed";
                                let up = level.rank > old.level_rank;
                                if old.status == "false_positive" || (!reopen && level.rank == old.level_rank) {
                                    continue;
                                }
                                let (action, status) = match (reopen, up) {
                                    (true, _) => ("reopened", "open".to_string()),
                                    (false, true) => ("escalated", "open".to_string()),
                                    (false, false) => ("lowered", old.status.clone()),
                                };
                                let mut sql = Sql::new("UPDATE warnings SET level = ");
                                sql.bind_text(&level.key).push(", level_rank = ").bind_int(i64::from(level.rank))
                                    .push(", level_name = ").bind_text(&level.name).push(", colour = ").bind_text(&level.colour)
                                    .push(", status = ").bind_text(&status).push(", rule_version = ").bind_int(decision.rule_version)
                                    .push(", updated_at = ").bind_int(now_ms).push(", closed_at = NULL, close_reason = NULL");
                                if reopen || up {
                                    sql.push(", handle_deadline = ").bind_int(now_ms + i64::from(level.handling_hours) * 3_600_000);
                                }
                                sql.push(" WHERE id = ").bind_int(old.id);
                                execute_dynamic!(pool, tx, &sql)?;
                                counted.push((facts.district_code.clone(), old.raised_at));
                                history.push(vec![Value::Int(old.id), Value::Int(now_ms), text(action), text(&level.key), text(&status), text("system"), Value::OptText(None)]);
                                if reopen || up {
                                    notices.push(Notice { warning_id: old.id, raised_at: old.raised_at, facts, decision, level });
                                    stats.escalated += 1;
                                }
                            }
                            (None, Some(old)) if old.status != "closed" && old.status != "false_positive" => {
                                closes.push((old.id, decision.close_reason.clone()));
                            }
                            _ => {}
                        }
                    }
                }
                // Warnings no verdict spoke for: the subject is gone (consultations
                // linked to an application) or the rule was deleted.
                let found: HashSet<&str> = found.into_iter().collect();
                for old in existing.values().filter(|w| w.status != "closed" && w.status != "false_positive") {
                    let reason = match (found.contains(old.subject_key.as_str()), old.subject_key.starts_with("q:")) {
                        (false, true) => "申请人已提交申请",
                        (false, false) => "办件已不存在或已标记为错误数据",
                        (true, _) => "规则已删除",
                    };
                    closes.push((old.id, reason.to_string()));
                }
                for (id, reason) in &closes {
                    let mut sql = Sql::new("UPDATE warnings SET status = 'closed', closed_at = ");
                    sql.bind_int(now_ms).push(", updated_at = ").bind_int(now_ms)
                        .push(", close_reason = ").bind_text(reason)
                        .push(" WHERE id = ").bind_int(*id);
                    execute_dynamic!(pool, tx, &sql)?;
                    history.push(vec![Value::Int(*id), Value::Int(now_ms), text("closed"), text(""), text("closed"), text("system"), Value::Text(reason.clone())]);
                }
                stats.closed = closes.len() as u64;
                insert_rows!(pool, tx, "INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)", history);
                let mut messages: Vec<Vec<Value>> = Vec::new();
                let mut deliveries: Vec<Vec<Value>> = Vec::new();
                for notice in &notices {
                    for user in recipients(&users, notice.facts, &notice.decision.rule_code, &notice.level.key) {
                        let r = &notice.facts.record;
                        messages.push(vec![
                            Value::Int(user), Value::Int(notice.warning_id), text(&notice.level.key), text(&notice.level.colour),
                            text(&notice.level.title), text(&notice.level.body), Value::Int(now_ms),
                            Value::Int(notice.raised_at), text(&notice.decision.stage), text(&notice.facts.district_code),
                            text(&r.region), text(&r.department), text(&r.item), text(&r.applicant_type),
                        ]);
                    }
                    if let Some(url) = &notice.level.webhook_url {
                        let payload = serde_json::json!({
                            "warning_id": notice.warning_id, "rule_code": notice.decision.rule_code,
                            "case_code": notice.facts.case_code, "stage": notice.decision.stage,
                            "level": notice.level.key, "region_code": notice.facts.record.region,
                            "department_code": notice.facts.record.department, "item_code": notice.facts.record.item,
                            "title": notice.level.title, "body": notice.level.body,
                            "at": govpulse_core::time::to_rfc3339(now_ms),
                        });
                        deliveries.push(vec![
                            text(&notice.decision.rule_code), Value::Int(notice.warning_id), text(url), text(&payload.to_string()),
                            text("pending"), Value::Int(0), Value::Int(now_ms), Value::Int(now_ms),
                        ]);
                    }
                }
                stats.messages = messages.len() as u64;
                insert_rows!(pool, tx, "INSERT INTO messages (user_id, warning_id, level, colour, title, body, created_at,
                    raised_at, stage, district_code, region_code, department_code, item_code, applicant_type)", messages);
                insert_rows!(pool, tx, "INSERT INTO webhook_deliveries (rule_code, warning_id, url, payload, status, attempts,
                    next_attempt_at, created_at)", deliveries);
                log_dashboard_changes!(pool, tx, "warnings", counted);
                let overdue: Vec<(&str, bool)> = evaluations
                    .iter()
                    .filter_map(|(f, e)| Some((f.case_code.as_str(), e.overdue?)))
                    .collect();
                let flipped = mark_overdue!(pool, tx, overdue);
                log_dashboard_changes!(pool, tx, "cases", flipped);
                // Subjects that no longer exist leave the index; the rest get their next instant.
                let mut sql = Sql::new("DELETE FROM monitor_due WHERE subject_key IN ");
                sql.push_list(chunk.iter().map(String::as_str));
                execute_dynamic!(pool, tx, &sql)?;
                insert_rows!(pool, tx, "INSERT INTO monitor_due (subject_key, due_at)", due_rows);
                tx.commit().await?;
                stats
            });
            stats += chunk_stats;
        }
        Ok(stats)
    }
}
