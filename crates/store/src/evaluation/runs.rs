//! Evaluation runs and the archive. A run is written once; publishing an
//! official run writes its archive row (at most one per run, the schema's
//! UNIQUE) with the audit row in one transaction. Nothing updates an archive.

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};

#[derive(Debug, Clone)]
pub struct NewRun {
    pub scheme_code: String,
    pub scheme_version: i64,
    pub period: String,
    pub unit_level: String,
    pub mode: String,
    pub data_version: String,
    pub results: String,
    pub units: String,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub scheme_code: String,
    pub scheme_version: i64,
    pub period: String,
    pub unit_level: String,
    pub mode: String,
    pub data_version: String,
    pub results: String,
    pub units: String,
    pub created_at: i64,
    pub created_by: String,
    pub archive_id: Option<i64>,
}

/// A run without its results (the run list).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunSummaryRow {
    pub id: i64,
    pub scheme_code: String,
    pub scheme_version: i64,
    pub period: String,
    pub unit_level: String,
    pub mode: String,
    pub created_at: i64,
    pub created_by: String,
    pub archive_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewArchive {
    pub run_id: i64,
    pub period: String,
    pub scheme_code: String,
    pub archived_at: i64,
    pub archived_by: String,
    pub data_version: String,
    pub snapshot: String,
    pub sha256: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchiveRow {
    pub id: i64,
    pub run_id: i64,
    pub period: String,
    pub scheme_code: String,
    pub archived_at: i64,
    pub archived_by: String,
    pub data_version: String,
    pub snapshot: String,
    pub sha256: String,
}

const RUN_COLUMNS: &str = "r.id, r.scheme_code, r.scheme_version, r.period, r.unit_level, r.mode, ";
const RUN_TAIL: &str = "r.created_at, r.created_by, a.id AS archive_id
     FROM evaluation_runs r LEFT JOIN evaluation_archives a ON a.run_id = r.id";

/// Run list sorts (index `(created_at, id)`), newest first by default.
pub static RUN_LIST: ListSpec<RunSummaryRow> = ListSpec {
    fields: &[
        SortField {
            name: "created_at",
            column: "r.created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "period",
            column: "r.period",
            key: |r| Key::Text(r.period.clone()),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "run_id",
        column: "r.id",
        key: |r| Key::Int(r.id),
    },
};

/// Run list filters (each an exact match).
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub mode: Option<String>,
    pub period: Option<String>,
    pub scheme: Option<String>,
}

impl Store {
    /// Store a run with its audit row; returns its id.
    pub async fn insert_run(&self, run: &NewRun, audit: &AuditRecord) -> StoreResult<i64> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO evaluation_runs (scheme_code, scheme_version, period, unit_level, mode, data_version,
                    results, units, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&run.scheme_code)
            .bind(run.scheme_version)
            .bind(&run.period)
            .bind(&run.unit_level)
            .bind(&run.mode)
            .bind(&run.data_version)
            .bind(&run.results)
            .bind(&run.units)
            .bind(run.created_at)
            .bind(&run.created_by)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(pool, tx, &audit.on_object("evaluation_run", &id.to_string()));
            tx.commit().await?;
            id
        }))
    }

    pub async fn run(&self, id: i64) -> StoreResult<Option<RunRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {RUN_COLUMNS}r.data_version, r.results, r.units, {RUN_TAIL} WHERE r.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// A page of runs (the list mechanism), filtered by mode, period, scheme.
    pub async fn list_runs(
        &self,
        filter: &RunFilter,
        request: &ListRequest<RunSummaryRow>,
    ) -> StoreResult<ListPage<RunSummaryRow>> {
        let select = format!("SELECT {RUN_COLUMNS}{RUN_TAIL} WHERE 1 = 1");
        list_of!(
            self,
            RunSummaryRow,
            &select,
            "FROM evaluation_runs r WHERE 1 = 1",
            |sql: &mut Sql| {
                sql.and_eq("r.mode", &filter.mode);
                sql.and_eq("r.period", &filter.period);
                sql.and_eq("r.scheme_code", &filter.scheme);
            },
            request
        )
    }

    /// Write the archive of a run with its audit row; None when the run is
    /// already archived.
    pub async fn insert_archive(
        &self,
        archive: &NewArchive,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO evaluation_archives (run_id, period, scheme_code, archived_at, archived_by, data_version, snapshot, sha256)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id) DO NOTHING RETURNING id",
            )
            .bind(archive.run_id)
            .bind(&archive.period)
            .bind(&archive.scheme_code)
            .bind(archive.archived_at)
            .bind(&archive.archived_by)
            .bind(&archive.data_version)
            .bind(&archive.snapshot)
            .bind(&archive.sha256)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                append_audit!(pool, tx, &audit.on_object("evaluation_archive", &id.to_string()));
                tx.commit().await?;
            }
            id
        }))
    }

    /// Every archive, oldest first.
    pub async fn archives(&self) -> StoreResult<Vec<ArchiveRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ArchiveRow>(
                "SELECT id, run_id, period, scheme_code, archived_at, archived_by, data_version, snapshot, sha256
                 FROM evaluation_archives ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn archive(&self, id: i64) -> StoreResult<Option<ArchiveRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ArchiveRow>(
                "SELECT id, run_id, period, scheme_code, archived_at, archived_by, data_version, snapshot, sha256
                 FROM evaluation_archives WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The data of a run's accepted appeals (work orders of type `appeal`), in
    /// the order they were accepted.
    pub async fn accepted_appeals(&self, run_id: i64) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT data FROM work_orders WHERE order_type = 'appeal' AND state = 'accepted'
                    AND subject_kind = 'evaluation_run' AND subject_ref = $1 ORDER BY closed_at, code",
            )
            .bind(run_id.to_string())
            .fetch_all(pool)
            .await?
        }))
    }

    /// What the facts looked like when a run read them: the number of cases
    /// and the newest intake time (a later import changes it).
    pub async fn data_version(&self) -> StoreResult<String> {
        let (count, newest): (i64, Option<i64>) = on_read!(self, pool => {
            sqlx::query_as("SELECT COUNT(*), MAX(received_at) FROM cases")
                .fetch_one(pool)
                .await?
        });
        Ok(format!(
            "cases={count};received_max={}",
            newest.unwrap_or(0)
        ))
    }
}
