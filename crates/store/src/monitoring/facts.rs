//! What the evaluator reads about subjects: the case with its pinned item
//! version, its events and windowed counts; or an applicant's unlinked
//! consultations on one item.

use crate::db::{Sql, Store, StoreResult};
use crate::org::OrgScope;
use govpulse_core::monitoring::clock::Unit;
use govpulse_core::monitoring::condition::Field;
use govpulse_core::monitoring::replay::CaseRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Case,
    Consultation,
}

/// One subject as loaded for evaluation.
#[derive(Debug, Clone)]
pub struct SubjectFacts {
    pub key: String,
    pub kind: SubjectKind,
    /// The case, or the newest consultation of the subject.
    pub case_code: String,
    pub district_code: String,
    pub item_name: String,
    pub region_name: String,
    pub department_name: String,
    pub applicant_masked: String,
    pub record: CaseRecord,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseFactRow {
    pub(crate) case_code: String,
    pub(crate) district_code: String,
    pub(crate) region_code: String,
    pub(crate) department_code: String,
    pub(crate) item_code: String,
    pub(crate) applicant_type: String,
    pub(crate) channel: String,
    pub(crate) submitted_at: i64,
    pub(crate) applicant_masked: String,
    pub(crate) item_name: String,
    pub(crate) item_type_code: String,
    pub(crate) case_type_code: i32,
    pub(crate) promised_limit: Option<i32>,
    pub(crate) legal_limit: Option<i32>,
    pub(crate) limit_unit: String,
    pub(crate) region_name: Option<String>,
    pub(crate) department_name: Option<String>,
}

pub(crate) const CASE_FACTS: &str =
    "SELECT c.case_code, c.district_code, c.region_code, c.department_code,
        c.item_code, c.applicant_type, c.channel, c.submitted_at, c.applicant_masked,
        i.name AS item_name, i.item_type_code, i.case_type_code, i.promised_limit, i.legal_limit,
        i.limit_unit, r.name AS region_name, d.name AS department_name
    FROM cases c
    JOIN items i ON i.item_code = c.item_code AND i.version = c.item_version
    LEFT JOIN regions r ON r.code = c.region_code
    LEFT JOIN departments d ON d.code = c.department_code
    WHERE c.erroneous_reason IS NULL AND ";

impl CaseFactRow {
    pub(crate) fn into_facts(self, events: Vec<(String, i64)>) -> SubjectFacts {
        SubjectFacts {
            key: super::case_subject(&self.case_code),
            kind: SubjectKind::Case,
            case_code: self.case_code,
            district_code: self.district_code,
            item_name: self.item_name,
            region_name: self.region_name.unwrap_or_default(),
            department_name: self.department_name.unwrap_or_default(),
            applicant_masked: self.applicant_masked,
            record: CaseRecord {
                region: self.region_code,
                department: self.department_code,
                item: self.item_code,
                item_type: self.item_type_code,
                case_type_code: self.case_type_code,
                applicant_type: self.applicant_type,
                channel: self.channel,
                submitted_at: self.submitted_at,
                promised_limit: self.promised_limit,
                legal_limit: self.legal_limit,
                unit: Unit::parse(&self.limit_unit),
                events,
                counts: Default::default(),
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConsultationFactRow {
    pub(crate) code: String,
    pub(crate) district_code: String,
    pub(crate) region_code: String,
    pub(crate) department_code: Option<String>,
    pub(crate) channel: String,
    pub(crate) applicant_type: String,
    pub(crate) applicant_masked: Option<String>,
    pub(crate) asked_at: i64,
    pub(crate) item_name: Option<String>,
    pub(crate) region_name: Option<String>,
    pub(crate) department_name: Option<String>,
}

/// Load the facts of `keys` on an open transaction: cases locked on PostgreSQL
/// so concurrent evaluations of one case run one after the other.
macro_rules! load_facts {
    ($pool:expr, $tx:expr, $keys:expr, $windows:expr) => {{
        use $crate::db::{PoolOps as _, Sql, ROWS_PER_STATEMENT};
        use $crate::monitoring::facts::{CaseFactRow, ConsultationFactRow, SubjectFacts, SubjectKind, CASE_FACTS};
        use govpulse_core::monitoring::condition::Field;
        use govpulse_core::monitoring::replay::CaseRecord;
        use std::collections::HashMap;
        let keys: &[String] = $keys;
        let windows: &[(Field, u32)] = $windows;
        let lock = if $pool.kind() == $crate::Backend::Postgres { " FOR UPDATE OF c" } else { "" };
        let case_codes: Vec<&str> = keys.iter().filter_map(|k| k.strip_prefix("c:")).collect();
        let mut facts: Vec<SubjectFacts> = Vec::with_capacity(keys.len());
        for chunk in case_codes.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(CASE_FACTS);
            sql.push("c.case_code IN ").push_list(chunk.iter().copied()).push(" ORDER BY c.case_code").push(lock);
            let rows = fetch_dynamic_on!($pool, $tx, CaseFactRow, &sql)?;
            let mut sql = Sql::new("SELECT case_code, kind, at FROM case_events WHERE case_code IN ");
            sql.push_list(chunk.iter().copied()).push(" ORDER BY case_code, at, seq");
            let mut events: HashMap<String, Vec<(String, i64)>> = HashMap::new();
            for (code, kind, at) in fetch_dynamic_on!($pool, $tx, (String, String, i64), &sql)? {
                events.entry(code).or_default().push((kind, at));
            }
            let mut counts: HashMap<(String, Field, u32), i64> = HashMap::new();
            let days: Vec<u32> = {
                let mut d: Vec<u32> = windows.iter().filter(|(f, _)| *f != Field::ConsultationsInWindow).map(|(_, d)| *d).collect();
                d.sort_unstable();
                d.dedup();
                d
            };
            for window in days {
                let mut sql = Sql::new(
                    "SELECT c.case_code, COUNT(*), CAST(SUM(CASE WHEN o.status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT)
                     FROM cases c JOIN cases o ON o.applicant_key = c.applicant_key AND o.item_code = c.item_code
                       AND o.submitted_at <= c.submitted_at AND o.submitted_at > c.submitted_at - ",
                );
                sql.bind_int(i64::from(window) * 86_400_000)
                    .push(" WHERE c.case_code IN ")
                    .push_list(chunk.iter().copied())
                    .push(" GROUP BY c.case_code");
                for (code, applications, rejections) in fetch_dynamic_on!($pool, $tx, (String, i64, i64), &sql)? {
                    counts.insert((code.clone(), Field::ApplicationsInWindow, window), applications);
                    counts.insert((code, Field::RejectionsInWindow, window), rejections);
                }
            }
            for row in rows {
                let code = row.case_code.clone();
                let mut subject = row.into_facts(events.remove(&code).unwrap_or_default());
                for (field, window) in windows {
                    if let Some(n) = counts.get(&(code.clone(), *field, *window)) {
                        subject.record.counts.insert((*field, *window), *n);
                    }
                }
                facts.push(subject);
            }
        }
        let consultation_windows: Vec<u32> = windows
            .iter()
            .filter(|(f, _)| *f == Field::ConsultationsInWindow)
            .map(|(_, d)| *d)
            .collect();
        for key in keys.iter().filter(|k| k.starts_with("q:")) {
            let Some((applicant, item)) = key[2..].split_once('|') else { continue };
            let mut sql = Sql::new(
                "SELECT k.code, k.district_code, k.region_code, k.department_code, k.channel, k.applicant_type,
                    k.applicant_masked, k.asked_at, i.name AS item_name, r.name AS region_name, d.name AS department_name
                 FROM consultations k
                 LEFT JOIN items i ON i.item_code = k.item_code AND i.is_current = TRUE
                 LEFT JOIN regions r ON r.code = k.region_code
                 LEFT JOIN departments d ON d.code = k.department_code
                 WHERE k.applicant_key = ",
            );
            sql.bind_text(applicant)
                .push(" AND k.item_code = ")
                .bind_text(item)
                .push(" AND k.linked_case_code IS NULL AND k.erroneous_reason IS NULL ORDER BY k.asked_at DESC LIMIT 500");
            let rows = fetch_dynamic_on!($pool, $tx, ConsultationFactRow, &sql)?;
            let Some(latest) = rows.first() else { continue };
            let mut record = CaseRecord {
                region: latest.region_code.clone(),
                department: latest.department_code.clone().unwrap_or_default(),
                item: item.to_string(),
                applicant_type: latest.applicant_type.clone(),
                channel: latest.channel.clone(),
                submitted_at: latest.asked_at,
                ..Default::default()
            };
            for days in &consultation_windows {
                let since = latest.asked_at - i64::from(*days) * 86_400_000;
                let n = rows.iter().filter(|r| r.asked_at > since).count() as i64;
                record.counts.insert((Field::ConsultationsInWindow, *days), n);
            }
            facts.push(SubjectFacts {
                key: key.clone(),
                kind: SubjectKind::Consultation,
                case_code: latest.code.clone(),
                district_code: latest.district_code.clone(),
                item_name: latest.item_name.clone().unwrap_or_default(),
                region_name: latest.region_name.clone().unwrap_or_default(),
                department_name: latest.department_name.clone().unwrap_or_default(),
                applicant_masked: latest.applicant_masked.clone().unwrap_or_default(),
                record,
            });
        }
        facts
    }};
}
pub(super) use load_facts;

impl Store {
    /// Facts of `keys` as they are now (read-only: previews, simulation).
    pub async fn subject_facts(
        &self,
        keys: &[String],
        windows: &[(Field, u32)],
    ) -> StoreResult<Vec<SubjectFacts>> {
        let mut facts = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(crate::db::ROWS_PER_STATEMENT) {
            facts.extend(on_read!(self, pool => {
                let mut conn = pool.acquire().await?;
                load_facts!(pool, conn, chunk, windows)
            }));
        }
        Ok(facts)
    }

    /// Keys of cases submitted in `[from, to]` within `scope`, in submission
    /// order, `limit` at a time after the keyset position `after`.
    pub async fn cases_submitted_in(
        &self,
        scope: &OrgScope,
        from: i64,
        to: i64,
        after: Option<&(i64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let mut sql =
            Sql::new("SELECT c.submitted_at, c.case_code FROM cases c WHERE c.submitted_at >= ");
        sql.bind_int(from)
            .push(" AND c.submitted_at <= ")
            .bind_int(to);
        scope.push_fact_scope(&mut sql, "c");
        if let Some((at, code)) = after {
            sql.push(" AND (c.submitted_at > ")
                .bind_int(*at)
                .push(" OR (c.submitted_at = ")
                .bind_int(*at)
                .push(" AND c.case_code > ")
                .bind_text(code)
                .push("))");
        }
        sql.push(" ORDER BY c.submitted_at, c.case_code LIMIT ")
            .bind_int(limit);
        Ok(fetch_dynamic!(self, (i64, String), &sql)?)
    }

    /// Consultation subjects (applicant, item) asked about in `[from, to]` within `scope`.
    pub async fn consultation_subjects_in(
        &self,
        scope: &OrgScope,
        from: i64,
        to: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        let mut sql = Sql::new(
            "SELECT DISTINCT k.applicant_key, k.item_code FROM consultations k
             WHERE k.applicant_key IS NOT NULL AND k.item_code IS NOT NULL AND k.asked_at >= ",
        );
        sql.bind_int(from).push(" AND k.asked_at <= ").bind_int(to);
        scope.push_fact_scope(&mut sql, "k");
        sql.push(" LIMIT ").bind_int(limit);
        Ok(fetch_dynamic!(self, (String, String), &sql)?
            .into_iter()
            .map(|(a, i)| super::consultation_subject(&a, &i))
            .collect())
    }
}
