//! Data quality runs (QC-2): the run rows, the cases of a period read a keyset
//! page at a time, and the failing (case, code) rows a run records.

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreError, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::org::{push_fact_region, OrgScope};
use std::borrow::Cow;

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub owner: String,
    pub period_from: i64,
    pub period_to: i64,
    pub region: Option<String>,
    /// The creator's scope ([`crate::exports::scope_to_json`]).
    pub scope: String,
    pub state: String,
    pub cases_checked: i64,
    /// JSON object: failing cases per code.
    pub failures: String,
    /// JSON array of `{region_code, code, count}`.
    pub by_region: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const RUN_COLUMNS: &str =
    "id, owner, period_from, period_to, region, scope, state, cases_checked, failures,
    by_region, error, created_at, finished_at";

/// A keyset page of a run's cases, read as one JSON array of
/// [`QualityCase`]s in (submitted_at, case_code) order: one row per page
/// instead of one per case spares the driver's per-row hand-off between its
/// worker thread and the task and a heap value per column.
#[derive(Debug, Clone, Default)]
pub struct QualityPage {
    json: Option<String>,
}

impl QualityPage {
    /// Its cases, borrowing their text from the page.
    pub fn cases(&self) -> StoreResult<Vec<QualityCase<'_>>> {
        let Some(json) = &self.json else {
            return Ok(Vec::new());
        };
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("quality page: {e}")))
    }
}

/// A case as the checks read it (its item versions are loaded apart); an
/// element of a [`QualityPage`]: the fields in this order as an array.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct QualityCase<'a> {
    #[serde(borrow)]
    pub case_code: Cow<'a, str>,
    #[serde(borrow)]
    pub district_code: Cow<'a, str>,
    #[serde(borrow)]
    pub region_code: Cow<'a, str>,
    #[serde(borrow)]
    pub department_code: Cow<'a, str>,
    #[serde(borrow)]
    pub item_code: Cow<'a, str>,
    pub item_version: i32,
    #[serde(borrow)]
    pub applicant_name: Cow<'a, str>,
    #[serde(borrow)]
    pub handling_mode: Option<Cow<'a, str>>,
    pub submitted_at: i64,
    /// Its stage events as `kind:at:seq` joined by `,` (see [`Self::events`]).
    #[serde(borrow)]
    pub events: Option<Cow<'a, str>>,
}

impl QualityCase<'_> {
    /// Its stage events `(kind, at, seq)`.
    pub fn events(&self) -> impl Iterator<Item = (&str, i64, i64)> {
        self.events
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(|e| {
                let mut parts = e.rsplitn(3, ':');
                let seq = parts.next()?.parse().ok()?;
                let at = parts.next()?.parse().ok()?;
                Some((parts.next()?, at, seq))
            })
    }
}

/// A failing case of a run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailureRow {
    pub case_code: String,
    pub code: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: String,
    pub submitted_at: i64,
    pub reason: String,
}

/// Failures of a run, newest case first; ties by case and code.
pub static FAILURE_LIST: ListSpec<FailureRow> = ListSpec {
    fields: &[SortField {
        name: "submitted_at",
        column: "f.submitted_at",
        key: |r| Key::Int(r.submitted_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "key",
        column: "(f.case_code || '|' || f.code)",
        key: |r| Key::Text(format!("{}|{}", r.case_code, r.code)),
    },
};

impl Store {
    /// Queue a run; its audit row in the same transaction. Returns the run's id.
    pub async fn create_quality_run(
        &self,
        owner: &str,
        (from, to): (i64, i64),
        region: Option<&str>,
        scope: &str,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO quality_runs (owner, period_from, period_to, region, scope, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(owner)
            .bind(from)
            .bind(to)
            .bind(region)
            .bind(scope)
            .bind(QUEUED)
            .bind(govpulse_core::time::now_ms())
            .fetch_one(&mut *tx)
            .await?;
            let audit = audit.on_object("quality_run", &id.to_string());
            append_audit!(pool, tx, &audit);
            tx.commit().await?;
            id
        }))
    }

    /// A run of `owner` (anyone else's: none).
    pub async fn quality_run(&self, owner: &str, id: i64) -> StoreResult<Option<RunRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {RUN_COLUMNS} FROM quality_runs WHERE id = $1 AND owner = $2"
            )))
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// `owner`'s latest runs, newest first.
    pub async fn quality_runs_of(&self, owner: &str, limit: i64) -> StoreResult<Vec<RunRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {RUN_COLUMNS} FROM quality_runs WHERE owner = $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(owner)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Up to `limit` cases submitted in `[from, to)` within `scope` and the
    /// optional region subtree, in (submitted_at, case_code) order after the
    /// keyset position `after`, each with its stage events (a correlated
    /// aggregate over their primary key).
    pub async fn quality_page(
        &self,
        scope: &OrgScope,
        region_range: &Option<(String, String)>,
        (from, to): (i64, i64),
        after: Option<&(i64, String)>,
        limit: i64,
    ) -> StoreResult<QualityPage> {
        let (concat, array, array_agg, as_text) = match self.backend() {
            crate::Backend::Sqlite => ("group_concat", "json_array", "json_group_array", ""),
            crate::Backend::Postgres => ("string_agg", "json_build_array", "json_agg", "::text"),
        };
        let mut sql = Sql::new(&format!(
            "SELECT {array_agg}({array}(p.case_code, p.district_code, p.region_code, p.department_code,
                p.item_code, p.item_version, p.applicant_name, p.handling_mode, p.submitted_at, p.events)
                ORDER BY p.submitted_at, p.case_code){as_text}
             FROM (SELECT c.case_code, c.district_code, c.region_code, c.department_code, c.item_code,
                c.item_version, c.applicant_name, c.handling_mode, c.submitted_at,
                (SELECT {concat}(e.kind || ':' || e.at || ':' || e.seq, ',') FROM case_events e
                 WHERE e.case_code = c.case_code) AS events
             FROM cases c WHERE c.erroneous_reason IS NULL"
        ));
        sql.and_between("c.submitted_at", Some(from), Some(to));
        scope.push_fact_scope(&mut sql, "c");
        push_fact_region(&mut sql, "c", region_range);
        if let Some((at, code)) = after {
            // The `>=` conjunct bounds the index range at the keyset position
            // (PostgreSQL does not derive it from the OR, and would otherwise
            // read every earlier case of the period again on every page).
            sql.push(" AND c.submitted_at >= ")
                .bind_int(*at)
                .push(" AND (c.submitted_at > ")
                .bind_int(*at)
                .push(" OR (c.submitted_at = ")
                .bind_int(*at)
                .push(" AND c.case_code > ")
                .bind_text(code)
                .push("))");
        }
        sql.push(" ORDER BY c.submitted_at, c.case_code LIMIT ")
            .bind_int(limit)
            .push(") p");
        let json: Option<String> = on_read!(self, pool => {
            bind_all!(
                sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.text_for(crate::db::PoolOps::kind(pool)))),
                &sql.args
            )
            .fetch_one(pool)
            .await?
        });
        Ok(QualityPage { json })
    }

    /// Stage events `(case_code, kind, at, seq)` of the given cases.
    pub async fn events_of_cases(
        &self,
        codes: &[&str],
    ) -> StoreResult<Vec<(String, String, i64, i64)>> {
        let mut rows = Vec::new();
        for chunk in codes.chunks(crate::db::ROWS_PER_STATEMENT) {
            let mut sql =
                Sql::new("SELECT case_code, kind, at, seq FROM case_events WHERE case_code IN ");
            sql.push_list(chunk.iter().copied());
            rows.extend(fetch_dynamic!(self, (String, String, i64, i64), &sql)?);
        }
        Ok(rows)
    }

    /// Set a run's state (running, or a final state with its totals).
    pub async fn update_quality_run(
        &self,
        id: i64,
        state: &str,
        totals: Option<(&str, &str)>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let finished = (state != RUNNING).then(govpulse_core::time::now_ms);
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE quality_runs SET state = $2, failures = COALESCE($3, failures),
                    by_region = COALESCE($4, by_region), error = $5, finished_at = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(state)
            .bind(totals.map(|t| t.0))
            .bind(totals.map(|t| t.1))
            .bind(error)
            .bind(finished)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Record one page of a run: its failures and the cases it checked.
    pub async fn record_quality_page(
        &self,
        id: i64,
        checked: i64,
        failures: &[FailureRow],
    ) -> StoreResult<()> {
        let rows = failures
            .iter()
            .map(|f| {
                vec![
                    Value::Int(id),
                    Value::Text(f.case_code.clone()),
                    Value::Text(f.code.clone()),
                    Value::Text(f.district_code.clone()),
                    Value::Text(f.region_code.clone()),
                    Value::Text(f.department_code.clone()),
                    Value::Int(f.submitted_at),
                    Value::Text(f.reason.clone()),
                ]
            })
            .collect();
        on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            insert_rows!(pool, tx, "INSERT INTO quality_failures (run_id, case_code, code, district_code, region_code,
                department_code, submitted_at, reason)", rows);
            sqlx::query("UPDATE quality_runs SET cases_checked = cases_checked + $2 WHERE id = $1")
                .bind(id)
                .bind(checked)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A page of a run's failures (optionally of one code).
    pub async fn list_quality_failures(
        &self,
        id: i64,
        code: &Option<String>,
        request: &ListRequest<FailureRow>,
    ) -> StoreResult<ListPage<FailureRow>> {
        let push = |sql: &mut Sql| {
            sql.push(" AND f.run_id = ").bind_int(id);
            sql.and_eq("f.code", code);
        };
        list_of!(
            self,
            FailureRow,
            "SELECT f.case_code, f.code, f.district_code, f.region_code, f.department_code, f.submitted_at, f.reason
             FROM quality_failures f WHERE 1 = 1",
            "FROM quality_failures f WHERE 1 = 1",
            push,
            request
        )
    }

    /// Runs a stopped process left queued or running: failed (their
    /// creators start them again).
    pub async fn fail_interrupted_quality_runs(&self) -> StoreResult<u64> {
        Ok(on_write!(self, pool => {
            sqlx::query("UPDATE quality_runs SET state = $1, error = '服务重启，质检中断，请重新发起' WHERE state IN ($2, $3)")
                .bind(FAILED)
                .bind(QUEUED)
                .bind(RUNNING)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
