//! Warnings as people see and handle them (MON-5/7): scoped lists, detail with
//! history, acknowledge / handle / false positive, and per-rule precision.

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreError, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, ScanWindow, SortField};
use crate::org::{fact_prefixes, push_fact_region, OrgScope};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WarningRow {
    pub id: i64,
    pub case_code: String,
    pub rule_code: String,
    pub rule_name: String,
    pub stage: String,
    pub level: String,
    pub level_name: String,
    pub colour: String,
    pub status: String,
    pub raised_at: i64,
    pub updated_at: i64,
    pub region_code: String,
    pub region_name: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub item_code: String,
    pub item_name: Option<String>,
    pub handle_deadline: i64,
    pub close_reason: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub at: i64,
    pub action: String,
    pub level: String,
    pub status: String,
    pub actor: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    pub level: Option<String>,
    pub stage: Option<String>,
    pub region_range: Option<(String, String)>,
    pub department: Option<String>,
    pub item: Option<String>,
    pub status: Option<String>,
    pub case_code: Option<String>,
    pub rule: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Handling actions and the state each leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningAction {
    Acknowledge,
    Handle,
    FalsePositive,
}

impl WarningAction {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "acknowledge" => Some(Self::Acknowledge),
            "handle" => Some(Self::Handle),
            "false_positive" => Some(Self::FalsePositive),
            _ => None,
        }
    }

    pub fn status(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledged",
            Self::Handle => "handled",
            Self::FalsePositive => "false_positive",
        }
    }
}

/// One handling step: what, why, by whom, when.
#[derive(Debug, Clone, Copy)]
pub struct Handling<'a> {
    pub action: WarningAction,
    pub note: Option<&'a str>,
    pub actor: &'a str,
    pub at_ms: i64,
}

/// Volume and precision of one rule.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct RuleStats {
    pub rule_code: String,
    pub volume: i64,
    pub open: i64,
    pub handled: i64,
    pub false_positives: i64,
}

pub(crate) const WARNING_SELECT: &str = "SELECT w.id, w.case_code, w.rule_code, COALESCE(r.name,
            (SELECT ia.name FROM indicator_alert_rules ia
             WHERE ia.code = substr(w.rule_code, 5) AND substr(w.rule_code, 1, 4) = 'ind:'),
            w.rule_code) AS rule_name,
        w.stage, w.level, w.level_name, w.colour, w.status, w.raised_at, w.updated_at, w.region_code,
        g.name AS region_name, w.department_code, d.name AS department_name, w.item_code,
        (SELECT i.name FROM items i WHERE i.item_code = w.item_code AND i.is_current = TRUE) AS item_name,
        w.handle_deadline, w.close_reason, w.note
    FROM warnings w
    LEFT JOIN warning_rules r ON r.code = w.rule_code
    LEFT JOIN regions g ON g.code = w.region_code
    LEFT JOIN departments d ON d.code = w.department_code
    WHERE 1 = 1";

/// Warning list sorts (indexes `(district_code | department_code | nothing, raised_at, id)`).
pub static WARNING_LIST: ListSpec<WarningRow> = ListSpec {
    fields: &[SortField {
        name: "raised_at",
        column: "w.raised_at",
        key: |r| Key::Int(r.raised_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "w.id",
        key: |r| Key::Int(r.id),
    },
};

pub(crate) fn push_filters(sql: &mut Sql, scope: &OrgScope, f: &WarningFilter) {
    scope.push_fact_scope(sql, "w");
    push_fact_region(sql, "w", &f.region_range);
    sql.and_eq("w.level", &f.level)
        .and_eq("w.stage", &f.stage)
        .and_eq("w.department_code", &f.department)
        .and_eq("w.item_code", &f.item)
        .and_eq("w.status", &f.status)
        .and_eq("w.case_code", &f.case_code)
        .and_eq("w.rule_code", &f.rule)
        .and_between("w.raised_at", f.from, f.to);
}

/// The scan window of a warning page whose filters no single index serves
/// (none for one case's warnings: they are few).
fn warning_window(scope: &OrgScope, f: &WarningFilter) -> Option<ScanWindow> {
    if f.case_code.is_some() {
        return None;
    }
    let (mut prefixes, street) = fact_prefixes("w", scope, &f.region_range, &f.department);
    prefixes.push(("w.status".into(), f.status.clone().map(Value::Text)));
    let unindexed =
        street || f.level.is_some() || f.stage.is_some() || f.item.is_some() || f.rule.is_some();
    ScanWindow::for_filters(prefixes, unindexed).map(|w| w.within("w.raised_at", f.from, f.to))
}

impl Store {
    pub async fn list_warnings(
        &self,
        scope: &OrgScope,
        filter: &WarningFilter,
        request: &ListRequest<WarningRow>,
    ) -> StoreResult<ListPage<WarningRow>> {
        list_of!(
            self,
            WarningRow,
            WARNING_SELECT,
            "FROM warnings w WHERE 1 = 1",
            |sql: &mut Sql| push_filters(sql, scope, filter),
            request,
            window: warning_window(scope, filter)
        )
    }

    pub async fn get_warning(&self, scope: &OrgScope, id: i64) -> StoreResult<Option<WarningRow>> {
        let mut sql = Sql::new(WARNING_SELECT);
        scope.push_fact_scope(&mut sql, "w");
        sql.push(" AND w.id = ").bind_int(id);
        Ok(fetch_dynamic!(self, WarningRow, &sql)?.into_iter().next())
    }

    pub async fn warning_history(&self, id: i64) -> StoreResult<Vec<HistoryRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, HistoryRow>(
                "SELECT at, action, level, status, actor, note FROM warning_history WHERE warning_id = $1 ORDER BY at, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Apply a handling action to the in-scope warnings `ids`; returns the ids
    /// changed. Closed and false-positive warnings are left as they are.
    pub async fn act_on_warnings(
        &self,
        scope: &OrgScope,
        ids: &[i64],
        handling: Handling<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<Vec<i64>> {
        let Handling {
            action,
            note,
            actor,
            at_ms: now_ms,
        } = handling;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Sql::new("SELECT w.id, w.level FROM warnings w WHERE w.status NOT IN ('closed', 'false_positive')");
        scope.push_fact_scope(&mut select, "w");
        select
            .push(" AND w.id IN ")
            .push_values(ids.iter().map(|id| Value::Int(*id)));
        let status = action.status();
        let backend = self.backend();
        let changed: Vec<i64> = on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let rows: Vec<(i64, String)> = bind_all!(
                sqlx::query_as(sqlx::AssertSqlSafe(select.text_for(backend))),
                &select.args
            )
            .fetch_all(&mut *tx)
            .await?;
            for (id, level) in &rows {
                sqlx::query("UPDATE warnings SET status = $1, note = COALESCE($2, note), updated_at = $3 WHERE id = $4")
                    .bind(status)
                    .bind(note)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(id)
                    .bind(now_ms)
                    .bind(status)
                    .bind(level)
                    .bind(status)
                    .bind(actor)
                    .bind(note)
                    .execute(&mut *tx)
                    .await?;
            }
            let done: Vec<i64> = rows.into_iter().map(|(id, _)| id).collect();
            // Audited with what actually changed; nothing changed is a refusal.
            let outcome = if done.is_empty() { govpulse_core::audit::Outcome::Failure } else { audit.result };
            let record = audit.with_result(outcome, serde_json::json!({"ids": done, "requested": ids.len(), "action": status, "note": note}));
            append_audit!(pool, tx, &record);
            tx.commit().await?;
            done
        });
        Ok(changed)
    }

    /// A single action; `NotFound` out of scope, `Conflict` when already closed.
    pub async fn act_on_warning(
        &self,
        scope: &OrgScope,
        id: i64,
        handling: Handling<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let Some(_) = self.get_warning(scope, id).await? else {
            return Err(StoreError::NotFound);
        };
        let changed = self.act_on_warnings(scope, &[id], handling, audit).await?;
        if changed.is_empty() {
            return Err(StoreError::Conflict("warning.closed".into()));
        }
        Ok(())
    }

    /// Volume, open count and judgements per rule.
    /// Warning counts per rule, of the warnings inside `scope` (a district or
    /// department user counts its own, like every other figure).
    pub async fn rule_stats(&self, scope: &OrgScope) -> StoreResult<Vec<RuleStats>> {
        let mut sql = Sql::new(
            "SELECT w.rule_code, COUNT(*) AS volume,
                CAST(SUM(CASE WHEN w.status IN ('open', 'acknowledged') THEN 1 ELSE 0 END) AS BIGINT) AS open,
                CAST(SUM(CASE WHEN w.status = 'handled' THEN 1 ELSE 0 END) AS BIGINT) AS handled,
                CAST(SUM(CASE WHEN w.status = 'false_positive' THEN 1 ELSE 0 END) AS BIGINT) AS false_positives
             FROM warnings w WHERE 1 = 1",
        );
        scope.push_fact_scope(&mut sql, "w");
        sql.push(" GROUP BY w.rule_code");
        Ok(fetch_dynamic!(self, RuleStats, &sql)?)
    }
}
