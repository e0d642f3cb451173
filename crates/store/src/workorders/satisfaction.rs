//! Satisfaction and 差评 figures of the dashboard: evaluations (好差评) in
//! the caller's scope and the dashboard's filters, counted per district,
//! responsible department or day, with how many were 差评.

use crate::db::{Sql, Store, StoreResult};
use crate::org::{push_fact_region, OrgScope};

/// What the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SatisfactionBy {
    District,
    Department,
    /// Asia/Shanghai day number (days since 1970-01-01).
    Day,
}

/// The dashboard's filters over evaluations.
#[derive(Debug, Clone, Default)]
pub struct SatisfactionFilter {
    pub region_range: Option<(String, String)>,
    pub department: Option<String>,
    /// Only evaluations of cases of this item / applicant type.
    pub item: Option<String>,
    pub applicant_type: Option<String>,
    /// Rated in `[from_ms, to_ms)`.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Satisfaction codes counted as 差评 (GB/T 39046 A.8: 不满意, 非常不满意).
    pub bad: (i64, i64),
}

/// Evaluations of one group and how many of them were 差评.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SatisfactionRow {
    pub key: String,
    pub name: Option<String>,
    pub total: i64,
    pub bad: i64,
}

const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

impl Store {
    /// Evaluations in `scope` matching `filter`, per district, department or day.
    pub async fn satisfaction_stats(
        &self,
        scope: &OrgScope,
        filter: &SatisfactionFilter,
        by: SatisfactionBy,
    ) -> StoreResult<Vec<SatisfactionRow>> {
        let (key, name, join) = match by {
            SatisfactionBy::District => (
                "e.district_code".to_string(),
                "r.name",
                "LEFT JOIN regions r ON r.code = e.district_code",
            ),
            SatisfactionBy::Department => (
                "COALESCE(e.department_code, '')".to_string(),
                "d.name",
                "LEFT JOIN departments d ON d.code = e.department_code",
            ),
            SatisfactionBy::Day => (
                format!("CAST((e.rated_at + {SHANGHAI_OFFSET_MS}) / {DAY_MS} AS TEXT)"),
                "NULL",
                "",
            ),
        };
        let mut sql = Sql::new(&format!(
            "SELECT {key} AS key, {name} AS name, COUNT(*) AS total,
                SUM(CASE WHEN e.satisfaction BETWEEN "
        ));
        sql.bind_int(filter.bad.0)
            .push(" AND ")
            .bind_int(filter.bad.1)
            .push(&format!(
                " THEN 1 ELSE 0 END) AS bad FROM evaluations e {join} WHERE e.rated_at >= "
            ))
            .bind_int(filter.from_ms)
            .push(" AND e.rated_at < ")
            .bind_int(filter.to_ms);
        scope.push_fact_scope(&mut sql, "e");
        push_fact_region(&mut sql, "e", &filter.region_range);
        sql.and_eq("e.department_code", &filter.department);
        if filter.item.is_some() || filter.applicant_type.is_some() {
            sql.push(" AND e.case_code IN (SELECT c.case_code FROM cases c WHERE 1 = 1");
            sql.and_eq("c.item_code", &filter.item);
            sql.and_eq("c.applicant_type", &filter.applicant_type);
            sql.push(")");
        }
        let group = match by {
            SatisfactionBy::Day => key.clone(),
            _ => format!("{key}, {name}"),
        };
        sql.push(&format!(" GROUP BY {group} ORDER BY key"));
        Ok(fetch_dynamic!(self, SatisfactionRow, &sql)?)
    }
}
