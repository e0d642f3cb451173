//! Tolerance acceptances (容缺受理): a case accepted with materials missing
//! against the applicant's commitment, due by a working-day deadline. Scoped
//! like cases (`district_code` / `department_code` lead the list indexes).
//! An acceptance still open past its due time raises a red warning
//! ([`TOLERANCE_OVERDUE_RULE`]) through the monitoring tables; handing the
//! materials in closes it.

use super::TolerableMaterial;
use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::monitoring::standalone::{
    close_standalone_warnings, raise_standalone_warning, StandaloneWarning, OVERDUE_COLOUR,
    OVERDUE_HANDLING_HOURS, OVERDUE_LEVEL, OVERDUE_LEVEL_NAME,
};
use crate::org::OrgScope;

/// The rule code of overdue tolerance warnings.
pub const TOLERANCE_OVERDUE_RULE: &str = "tolerance_overdue";
/// Its own stage, so the acceptance-overdue counts of cases stay as they are.
const STAGE: &str = "tolerance";

#[derive(Debug, Clone)]
pub struct NewTolerance {
    pub case_code: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: String,
    pub item_code: String,
    pub applicant_name: String,
    pub applicant_masked: String,
    /// `[{code, name}]` as JSON.
    pub missing: Vec<(String, String)>,
    pub commitment: String,
    pub commitment_signed_at: i64,
    pub deadline_days: i64,
    pub due_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToleranceRow {
    pub id: i64,
    pub case_code: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: String,
    pub item_code: String,
    pub applicant_name: String,
    pub applicant_masked: String,
    pub missing: String,
    pub commitment: String,
    pub commitment_signed_at: i64,
    pub deadline_days: i32,
    pub due_at: i64,
    pub status: String,
    pub completed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

pub(crate) const TOLERANCE_SELECT: &str = "SELECT t.id, t.case_code, t.district_code, t.region_code, t.department_code, t.item_code,
    t.applicant_name, t.applicant_masked, t.missing, t.commitment, t.commitment_signed_at, t.deadline_days, t.due_at,
    t.status, t.completed_at, t.created_by, t.created_at FROM tolerance_cases t WHERE 1 = 1";

pub static TOLERANCE_LIST: ListSpec<ToleranceRow> = ListSpec {
    fields: &[
        SortField {
            name: "created_at",
            column: "t.created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "due_at",
            column: "t.due_at",
            key: |r| Key::Int(r.due_at),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "t.id",
        key: |r| Key::Int(r.id),
    },
};

#[derive(Debug, Clone, Default)]
pub struct ToleranceFilter {
    /// open | completed
    pub status: Option<String>,
    pub case_code: Option<String>,
    /// Open and past due at `now_ms`.
    pub overdue: bool,
    pub now_ms: i64,
}

pub(crate) fn push_filter(sql: &mut Sql, scope: &OrgScope, filter: &ToleranceFilter) {
    scope.push_fact_scope(sql, "t");
    sql.and_eq("t.status", &filter.status);
    sql.and_eq("t.case_code", &filter.case_code);
    if filter.overdue {
        sql.push(" AND t.status = 'open' AND t.due_at < ")
            .bind_int(filter.now_ms);
    }
}

/// Tolerance acceptances in scope: how many, how they ended.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ToleranceStats {
    pub total: i64,
    pub open: i64,
    pub open_overdue: i64,
    pub completed_on_time: i64,
    pub completed_late: i64,
}

/// How often a material was missing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MissedMaterial {
    pub material_code: String,
    pub material_name: String,
    pub times: i64,
}

#[derive(sqlx::FromRow)]
struct DueTolerance {
    id: i64,
    case_code: String,
    district_code: String,
    region_code: String,
    department_code: String,
    item_code: String,
    applicant_name: String,
    due_at: i64,
}

impl Store {
    /// The tolerable materials published trees declare for an item.
    pub async fn tolerable_materials(
        &self,
        item_code: &str,
    ) -> StoreResult<Vec<TolerableMaterial>> {
        let rows: Vec<(String, String, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT item_code, material_code, MIN(material_name) FROM guidance_tolerable WHERE item_code = $1
                 GROUP BY item_code, material_code ORDER BY material_code",
            )
            .bind(item_code)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(item_code, material_code, material_name)| TolerableMaterial {
                    item_code,
                    material_code,
                    material_name,
                },
            )
            .collect())
    }

    /// The materials JSON of one item version (the catalogue's).
    pub async fn item_version_materials(
        &self,
        item_code: &str,
        version: i32,
    ) -> StoreResult<Option<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT materials FROM items WHERE item_code = $1 AND version = $2")
                .bind(item_code)
                .bind(version)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Store an acceptance with its missing materials and `audit`; `None`
    /// when the case has an open acceptance already.
    pub async fn create_tolerance(
        &self,
        new: &NewTolerance,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<Option<i64>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let open: Option<(i64,)> = sqlx::query_as("SELECT id FROM tolerance_cases WHERE case_code = $1 AND status = 'open'")
                .bind(&new.case_code)
                .fetch_optional(&mut *tx)
                .await?;
            if open.is_some() {
                tx.rollback().await?;
                None
            } else {
                let missing = serde_json::Value::Array(
                    new.missing.iter().map(|(code, name)| serde_json::json!({"code": code, "name": name})).collect(),
                );
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tolerance_cases (case_code, district_code, region_code, department_code, item_code,
                        applicant_name, applicant_masked, missing, commitment, commitment_signed_at, deadline_days, due_at,
                        status, completed_at, overdue_warned, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', NULL, FALSE, $13, $14) RETURNING id",
                )
                .bind(&new.case_code)
                .bind(&new.district_code)
                .bind(&new.region_code)
                .bind(&new.department_code)
                .bind(&new.item_code)
                .bind(&new.applicant_name)
                .bind(&new.applicant_masked)
                .bind(missing.to_string())
                .bind(&new.commitment)
                .bind(new.commitment_signed_at)
                .bind(new.deadline_days)
                .bind(new.due_at)
                .bind(&new.created_by)
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                for (code, name) in &new.missing {
                    sqlx::query("INSERT INTO tolerance_missing (tolerance_id, material_code, material_name) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(code)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                append_audit!(pool, tx, &audit.on_object("tolerance", &id.to_string()));
                tx.commit().await?;
                Some(id)
            }
        }))
    }

    pub async fn tolerance(&self, scope: &OrgScope, id: i64) -> StoreResult<Option<ToleranceRow>> {
        let mut sql = Sql::new(TOLERANCE_SELECT);
        scope.push_fact_scope(&mut sql, "t");
        sql.push(" AND t.id = ").bind_int(id);
        Ok(fetch_dynamic!(self, ToleranceRow, &sql)?.into_iter().next())
    }

    pub async fn list_tolerance(
        &self,
        scope: &OrgScope,
        filter: &ToleranceFilter,
        request: &ListRequest<ToleranceRow>,
    ) -> StoreResult<ListPage<ToleranceRow>> {
        list_of!(
            self,
            ToleranceRow,
            TOLERANCE_SELECT,
            "FROM tolerance_cases t WHERE 1 = 1",
            |sql: &mut Sql| push_filter(sql, scope, filter),
            request
        )
    }

    /// Mark an open acceptance complete (the materials were handed in) and
    /// close its overdue warning; `false` when it is not open.
    pub async fn complete_tolerance(
        &self,
        id: i64,
        actor: &str,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<bool> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let changed = sqlx::query("UPDATE tolerance_cases SET status = 'completed', completed_at = $2 WHERE id = $1 AND status = 'open'")
                .bind(id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                false
            } else {
                let subject = format!("t:{id}");
                close_standalone_warnings!(tx, &subject, "容缺材料已补齐", now_ms, actor);
                append_audit!(pool, tx, &audit.on_object("tolerance", &id.to_string()));
                tx.commit().await?;
                true
            }
        }))
    }

    /// Counts of acceptances in scope at `now_ms`.
    pub async fn tolerance_stats(
        &self,
        scope: &OrgScope,
        now_ms: i64,
    ) -> StoreResult<ToleranceStats> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN t.status = 'open' THEN 1 ELSE 0 END), 0) AS open,
                COALESCE(SUM(CASE WHEN t.status = 'open' AND t.due_at < ",
        );
        sql.bind_int(now_ms).push(
            " THEN 1 ELSE 0 END), 0) AS open_overdue,
                COALESCE(SUM(CASE WHEN t.status = 'completed' AND t.completed_at <= t.due_at THEN 1 ELSE 0 END), 0) AS completed_on_time,
                COALESCE(SUM(CASE WHEN t.status = 'completed' AND t.completed_at > t.due_at THEN 1 ELSE 0 END), 0) AS completed_late
             FROM tolerance_cases t WHERE 1 = 1",
        );
        scope.push_fact_scope(&mut sql, "t");
        Ok(fetch_dynamic!(self, ToleranceStats, &sql)?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// The materials most often missing at acceptance in scope.
    pub async fn most_missed_materials(
        &self,
        scope: &OrgScope,
        limit: i64,
    ) -> StoreResult<Vec<MissedMaterial>> {
        let mut sql = Sql::new(
            "SELECT m.material_code, MIN(m.material_name) AS material_name, COUNT(*) AS times
             FROM tolerance_missing m JOIN tolerance_cases t ON t.id = m.tolerance_id WHERE 1 = 1",
        );
        scope.push_fact_scope(&mut sql, "t");
        sql.push(" GROUP BY m.material_code ORDER BY times DESC, m.material_code LIMIT ")
            .bind_int(limit);
        Ok(fetch_dynamic!(self, MissedMaterial, &sql)?)
    }

    /// Raise the overdue warnings of up to `limit` open acceptances due
    /// before `now_ms`; returns how many were raised.
    pub async fn sweep_overdue_tolerance(&self, now_ms: i64, limit: i64) -> StoreResult<u64> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let due: Vec<DueTolerance> = sqlx::query_as(
                "SELECT id, case_code, district_code, region_code, department_code, item_code, applicant_name, due_at
                 FROM tolerance_cases WHERE status = 'open' AND overdue_warned = FALSE AND due_at < $1
                 ORDER BY due_at LIMIT $2",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for t in &due {
                let subject = format!("t:{}", t.id);
                let warning = StandaloneWarning {
                    rule: TOLERANCE_OVERDUE_RULE,
                    subject: &subject,
                    reference: &t.case_code,
                    stage: STAGE,
                    district: &t.district_code,
                    region: &t.region_code,
                    department: &t.department_code,
                    item: &t.item_code,
                    level: OVERDUE_LEVEL,
                    level_rank: 1,
                    level_name: OVERDUE_LEVEL_NAME,
                    colour: OVERDUE_COLOUR,
                    handling_hours: OVERDUE_HANDLING_HOURS,
                    action: "raised",
                    title: format!("【{OVERDUE_LEVEL_NAME}】容缺材料逾期未补齐：{}", t.case_code),
                    body: format!(
                        "办件 {} 的申请人 {} 承诺于 {} 前补齐容缺材料，至今未补齐，请督促。",
                        t.case_code,
                        t.applicant_name,
                        govpulse_core::time::to_rfc3339(t.due_at)
                    ),
                };
                raise_standalone_warning!(pool, tx, &users, &warning, now_ms);
            }
            for t in &due {
                sqlx::query("UPDATE tolerance_cases SET overdue_warned = TRUE WHERE id = $1")
                    .bind(t.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            due.len() as u64
        }))
    }
}
