//! Background export jobs (DASH-4): a queue of large list exports, each run
//! with the data scope its creator had when asking, and visible only to them.
//!
//! A job moves `queued` → `running` → `done` | `failed`. The runner claims one
//! job at a time; a job left `running` by a process that died is queued again
//! when the next process starts ([`Store::requeue_running_export_jobs`]).

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreError, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::org::OrgScope;
use serde::{Deserialize, Serialize};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportJobRow {
    pub id: i64,
    /// Username of the creator: the only one who sees the job.
    pub owner: String,
    pub source: String,
    pub format: String,
    /// The list's query parameters as a JSON object.
    pub filters: String,
    /// The creator's data scope at creation ([`scope_to_json`]).
    pub scope: String,
    pub status: String,
    pub rows_done: i64,
    pub rows_total: i64,
    pub file_name: Option<String>,
    pub file_path: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// Export job list sorts (index `(owner, id)`; ids grow with creation time).
pub static EXPORT_JOB_LIST: ListSpec<ExportJobRow> = ListSpec {
    fields: &[
        SortField {
            name: "created_at",
            column: "created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "id",
            column: "id",
            key: |r| Key::Int(r.id),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "id",
        key: |r| Key::Int(r.id),
    },
};

const JOB_COLUMNS: &str =
    "id, owner, source, format, filters, scope, status, rows_done, rows_total,
    file_name, file_path, error, created_at, started_at, finished_at";

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewExportJob<'a> {
    pub owner: &'a str,
    pub source: &'a str,
    pub format: &'a str,
    pub filters: &'a str,
    pub scope: &'a str,
}

/// How a scope is kept in `export_jobs.scope`.
#[derive(Serialize, Deserialize)]
struct StoredScope {
    region_range: Option<(String, String)>,
    department: Option<String>,
}

/// The scope as stored with a job.
pub fn scope_to_json(scope: &OrgScope) -> String {
    serde_json::json!(StoredScope {
        region_range: scope.region_range.clone(),
        department: scope.department.clone(),
    })
    .to_string()
}

/// The scope a job was created with.
pub fn scope_from_json(text: &str) -> StoreResult<OrgScope> {
    let stored: StoredScope = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("export job scope: {e}")))?;
    Ok(OrgScope {
        region_range: stored.region_range,
        department: stored.department,
    })
}

impl Store {
    /// Queue a job; its audit row is written in the same transaction.
    /// `None` (nothing written) when the owner already has `max_pending`
    /// jobs queued or running: one user cannot fill the export queue.
    pub async fn create_export_job(
        &self,
        job: &NewExportJob<'_>,
        max_pending: i64,
        audit: &AuditRecord,
    ) -> StoreResult<Option<ExportJobRow>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            // SQLite's write transaction already serialises; PostgreSQL
            // serialises one owner's submissions on an advisory lock.
            if crate::db::PoolOps::kind(pool) == crate::Backend::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(7100003, hashtext($1))")
                    .bind(job.owner)
                    .execute(&mut *tx)
                    .await?;
            }
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM export_jobs WHERE owner = $1 AND status IN ($2, $3)",
            )
            .bind(job.owner)
            .bind(QUEUED)
            .bind(RUNNING)
            .fetch_one(&mut *tx)
            .await?;
            if pending >= max_pending {
                return Ok(None);
            }
            let row = sqlx::query_as::<_, ExportJobRow>(sqlx::AssertSqlSafe(format!(
                "INSERT INTO export_jobs (owner, source, format, filters, scope, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {JOB_COLUMNS}"
            )))
            .bind(job.owner)
            .bind(job.source)
            .bind(job.format)
            .bind(job.filters)
            .bind(job.scope)
            .bind(QUEUED)
            .bind(govpulse_core::time::now_ms())
            .fetch_one(&mut *tx)
            .await?;
            let audit = audit.on_object("export_job", &row.id.to_string());
            append_audit!(pool, tx, &audit);
            tx.commit().await?;
            Some(row)
        }))
    }

    /// A page of `owner`'s jobs.
    pub async fn export_jobs_of(
        &self,
        owner: &str,
        request: &ListRequest<ExportJobRow>,
    ) -> StoreResult<ListPage<ExportJobRow>> {
        let select = format!("SELECT {JOB_COLUMNS} FROM export_jobs WHERE owner = ");
        list_of!(
            self,
            ExportJobRow,
            &select,
            "FROM export_jobs WHERE owner = ",
            |sql: &mut Sql| {
                sql.bind_text(owner);
            },
            request
        )
    }

    /// One job of `owner` (`None` for a job of anyone else).
    pub async fn export_job_of(&self, owner: &str, id: i64) -> StoreResult<Option<ExportJobRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ExportJobRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {JOB_COLUMNS} FROM export_jobs WHERE id = $1 AND owner = $2"
            )))
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Take the oldest queued job and mark it running (an idle poll is one
    /// read). Two runners (two server processes on one PostgreSQL database)
    /// never take the same job: the update only succeeds while it is queued.
    pub async fn claim_export_job(&self, now_ms: i64) -> StoreResult<Option<ExportJobRow>> {
        let queued: Option<i64> = on_read!(self, pool => {
            sqlx::query_scalar("SELECT id FROM export_jobs WHERE status = $1 ORDER BY id LIMIT 1")
                .bind(QUEUED)
                .fetch_optional(pool)
                .await?
        });
        let Some(id) = queued else {
            return Ok(None);
        };
        Ok(on_write!(self, pool => {
            sqlx::query_as::<_, ExportJobRow>(sqlx::AssertSqlSafe(format!(
                "UPDATE export_jobs SET status = $1, started_at = $2, rows_done = 0
                 WHERE id = $3 AND status = $4 RETURNING {JOB_COLUMNS}"
            )))
            .bind(RUNNING)
            .bind(now_ms)
            .bind(id)
            .bind(QUEUED)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Rows written so far and rows expected.
    pub async fn export_progress(
        &self,
        id: i64,
        rows_done: i64,
        rows_total: i64,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("UPDATE export_jobs SET rows_done = $2, rows_total = $3 WHERE id = $1 AND status = $4")
                .bind(id)
                .bind(rows_done)
                .bind(rows_total)
                .bind(RUNNING)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The file is complete: `rows` rows (which is then also the total).
    pub async fn finish_export_job(
        &self,
        id: i64,
        file_name: &str,
        file_path: &str,
        rows: i64,
        now_ms: i64,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE export_jobs SET status = $2, file_name = $3, file_path = $4, rows_done = $5,
                    rows_total = $5, finished_at = $6, error = NULL
                 WHERE id = $1 AND status = $7",
            )
            .bind(id)
            .bind(DONE)
            .bind(file_name)
            .bind(file_path)
            .bind(rows)
            .bind(now_ms)
            .bind(RUNNING)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn fail_export_job(&self, id: i64, error: &str, now_ms: i64) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE export_jobs SET status = $2, error = $3, finished_at = $4 WHERE id = $1 AND status = $5",
            )
            .bind(id)
            .bind(FAILED)
            .bind(error)
            .bind(now_ms)
            .bind(RUNNING)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Queue again the jobs a stopped process left running (call at start-up,
    /// before the runner starts); returns how many.
    pub async fn requeue_running_export_jobs(&self) -> StoreResult<u64> {
        Ok(on_write!(self, pool => {
            sqlx::query(
                "UPDATE export_jobs SET status = $1, started_at = NULL, rows_done = 0 WHERE status = $2",
            )
            .bind(QUEUED)
            .bind(RUNNING)
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }

    /// Queue again one running job this process stopped (shutdown): it
    /// starts over from its first row at the next start.
    pub async fn requeue_export_job(&self, id: i64) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE export_jobs SET status = $1, started_at = NULL, rows_done = 0 WHERE id = $2 AND status = $3",
            )
            .bind(QUEUED)
            .bind(id)
            .bind(RUNNING)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Delete the finished jobs created before `before_ms`; returns their files.
    pub async fn purge_export_jobs(&self, before_ms: i64) -> StoreResult<Vec<String>> {
        let paths: Vec<Option<String>> = on_write!(self, pool => {
            sqlx::query_scalar(
                "DELETE FROM export_jobs WHERE created_at < $1 AND status IN ($2, $3) RETURNING file_path",
            )
            .bind(before_ms)
            .bind(DONE)
            .bind(FAILED)
            .fetch_all(pool)
            .await?
        });
        Ok(paths.into_iter().flatten().collect())
    }
}

impl Store {
    /// Whether [`Store::close`] ran (background workers stop then).
    pub fn is_closed(&self) -> bool {
        match &*self.pools {
            crate::db::Pools::Sqlite { write, .. } => write.is_closed(),
            crate::db::Pools::Postgres(pool) => pool.is_closed(),
        }
    }
}
