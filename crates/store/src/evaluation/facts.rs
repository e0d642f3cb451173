//! The facts indicators are computed from: one GROUP BY per fact table over
//! the period's rows (cases by submission time, warnings by raise time,
//! evaluations by rating time), keyed by the unit — a district
//! (`district_code`) or a department (`department_code`). Each reads the
//! period's range of a `(time, key)` index once, so the cost grows with the
//! period's rows, not with the table.

use crate::db::{Sql, Store, StoreResult};
use govpulse_core::evaluation::measures::UnitFacts;
use govpulse_core::evaluation::scoring::UnitLevel;
use std::collections::BTreeMap;

/// One unit with its facts for a period.
#[derive(Debug, Clone)]
pub struct UnitFactsRow {
    pub unit_code: String,
    pub unit_name: String,
    pub region_code: String,
    pub facts: UnitFacts,
}

/// A case behind a problem (overdue) of a unit.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProblemCase {
    pub case_code: String,
    pub item_code: String,
    pub status: String,
    pub submitted_at: i64,
    pub completed_at: Option<i64>,
}

/// Channels counted as online applications.
pub const ONLINE_CHANNELS: &str = "('online', 'app', 'wechat')";

const MS_PER_DAY: f64 = 86_400_000.0;

/// The unit column of a fact table alias, and the restriction to the level's units.
fn unit_key(level: UnitLevel, alias: &str) -> (String, String) {
    match level {
        UnitLevel::District => (format!("{alias}.district_code"), String::new()),
        UnitLevel::CityDepartment => (
            format!("{alias}.department_code"),
            format!(" AND {alias}.department_code IN (SELECT code FROM departments WHERE level = 'city')"),
        ),
        UnitLevel::DistrictDepartment => (
            format!("{alias}.department_code"),
            format!(" AND {alias}.department_code IN (SELECT code FROM departments WHERE level = 'district')"),
        ),
    }
}

type CaseAggregate = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

impl Store {
    /// The units of a level: (code, name, region).
    pub async fn evaluation_units(
        &self,
        level: UnitLevel,
    ) -> StoreResult<Vec<(String, String, String)>> {
        let sql = Sql::new(match level {
            UnitLevel::District => "SELECT code, name, code FROM regions WHERE level = 2 ORDER BY code",
            UnitLevel::CityDepartment => {
                "SELECT code, name, region_code FROM departments WHERE level = 'city' ORDER BY code"
            }
            UnitLevel::DistrictDepartment => {
                "SELECT code, name, region_code FROM departments WHERE level = 'district' ORDER BY code"
            }
        });
        Ok(fetch_dynamic!(self, (String, String, String), &sql)?)
    }

    /// Every unit of the level with its facts for `[start_ms, end_ms)`.
    pub async fn unit_facts(
        &self,
        level: UnitLevel,
        start_ms: i64,
        end_ms: i64,
    ) -> StoreResult<Vec<UnitFactsRow>> {
        let mut facts: BTreeMap<String, UnitFacts> = BTreeMap::new();
        let (key, only) = unit_key(level, "c");
        let timed = "c.status = 'completed' AND c.accepted_at IS NOT NULL AND c.completed_at IS NOT NULL AND i.promised_limit IS NOT NULL";
        let mut sql = Sql::new(&format!(
            "SELECT {key}, COUNT(*),
                CAST(SUM(CASE WHEN c.status = 'completed' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN c.status = 'completed' AND NOT c.overdue THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN c.overdue THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN c.channel IN {ONLINE_CHANNELS} THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN {timed} THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN {timed} THEN c.completed_at - c.accepted_at ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN {timed} THEN i.promised_limit ELSE 0 END) AS BIGINT)
             FROM cases c LEFT JOIN items i ON i.item_code = c.item_code AND i.version = c.item_version
             WHERE c.submitted_at >= "
        ));
        sql.bind_int(start_ms)
            .push(" AND c.submitted_at < ")
            .bind_int(end_ms);
        sql.push(&format!("{only} GROUP BY {key}"));
        for r in fetch_dynamic!(self, CaseAggregate, &sql)? {
            let f = facts.entry(r.0).or_default();
            f.cases = r.1 as f64;
            f.completed = r.2 as f64;
            f.completed_on_time = r.3 as f64;
            f.overdue = r.4 as f64;
            f.online = r.5 as f64;
            f.rejected = r.6 as f64;
            f.timed = r.7 as f64;
            f.handling_days = r.8 as f64 / MS_PER_DAY;
            f.promised_days = r.9 as f64;
        }
        let (key, only) = unit_key(level, "w");
        let mut sql = Sql::new(&format!(
            "SELECT {key}, COUNT(*) FROM warnings w WHERE w.stage <> 'indicator' AND w.raised_at >= "
        ));
        sql.bind_int(start_ms)
            .push(" AND w.raised_at < ")
            .bind_int(end_ms);
        sql.push(&format!("{only} GROUP BY {key}"));
        for (unit, count) in fetch_dynamic!(self, (String, i64), &sql)? {
            facts.entry(unit).or_default().warnings = count as f64;
        }
        let (key, only) = unit_key(level, "e");
        let mut sql = Sql::new(&format!(
            "SELECT COALESCE({key}, ''), COUNT(*),
                CAST(SUM(CASE WHEN e.satisfaction >= 4 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN e.satisfaction <= 2 THEN 1 ELSE 0 END) AS BIGINT)
             FROM evaluations e WHERE e.rated_at >= "
        ));
        sql.bind_int(start_ms)
            .push(" AND e.rated_at < ")
            .bind_int(end_ms);
        sql.push(&format!("{only} GROUP BY {key}"));
        for (unit, count, bad, good) in fetch_dynamic!(self, (String, i64, i64, i64), &sql)? {
            let f = facts.entry(unit).or_default();
            f.evaluations = count as f64;
            f.bad_reviews = bad as f64;
            f.good_reviews = good as f64;
        }
        Ok(self
            .evaluation_units(level)
            .await?
            .into_iter()
            .map(|(code, name, region)| UnitFactsRow {
                facts: facts.remove(&code).unwrap_or_default(),
                unit_code: code,
                unit_name: name,
                region_code: region,
            })
            .collect())
    }

    /// A unit's overdue cases of the period (the problems behind its
    /// timeliness indicators), oldest first, at most `limit`.
    pub async fn overdue_cases(
        &self,
        level: UnitLevel,
        unit_code: &str,
        start_ms: i64,
        end_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ProblemCase>> {
        let column = match level {
            UnitLevel::District => "district_code",
            UnitLevel::CityDepartment | UnitLevel::DistrictDepartment => "department_code",
        };
        let mut sql = Sql::new(&format!(
            "SELECT case_code, item_code, status, submitted_at, completed_at FROM cases WHERE {column} = "
        ));
        sql.bind_text(unit_code)
            .push(" AND submitted_at >= ")
            .bind_int(start_ms)
            .push(" AND submitted_at < ")
            .bind_int(end_ms)
            .push(" AND overdue ORDER BY submitted_at, case_code LIMIT ")
            .bind_int(limit);
        Ok(fetch_dynamic!(self, ProblemCase, &sql)?)
    }
}
