//! Scheduled quality runs (QC-2).

use crate::audit::AuditRecord;
use crate::db::{expect_found, Sql, Store, StoreResult, Value};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub owner: String,
    pub cron: String,
    pub days: i64,
    pub region: Option<String>,
    /// The owner's scope at creation (JSON, as export jobs keep it).
    pub scope: String,
    pub last_run_at: Option<i64>,
    pub created_at: i64,
}

/// A schedule to create.
pub struct NewSchedule<'a> {
    pub owner: &'a str,
    pub cron: &'a str,
    pub days: i64,
    pub region: Option<&'a str>,
    pub scope: &'a str,
}

const COLUMNS: &str = "id, owner, cron, days, region, scope, last_run_at, created_at";

impl Store {
    pub async fn create_quality_schedule(
        &self,
        new: &NewSchedule<'_>,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        Ok(audited_write!(self, audit, tx => {
            sqlx::query_scalar(
                "INSERT INTO quality_schedules (owner, cron, days, region, scope, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(new.owner)
            .bind(new.cron)
            .bind(new.days)
            .bind(new.region)
            .bind(new.scope)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }))
    }

    /// `owner`'s schedules (every owner's with `None`), oldest first.
    pub async fn quality_schedules(&self, owner: Option<&str>) -> StoreResult<Vec<ScheduleRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ScheduleRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM quality_schedules WHERE $1 IS NULL OR owner = $1 ORDER BY id"
            )))
            .bind(owner)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Delete a schedule of `owner`'s (anyone else's: not found).
    pub async fn delete_quality_schedule(
        &self,
        owner: &str,
        id: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("DELETE FROM quality_schedules WHERE id = $1 AND owner = $2")
                .bind(id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
        });
        Ok(())
    }

    /// Claim a schedule's run for the minute starting at `minute`: true when
    /// it had not run in that minute yet (so two sweeps never run it twice).
    pub async fn claim_quality_schedule(&self, id: i64, minute: i64) -> StoreResult<bool> {
        let claim = Claim {
            table: "quality_schedules",
            key: ("id", Value::Int(id)),
            column: "last_run_at",
        };
        self.claim_minute(&claim, minute).await
    }

    /// Claim `claim`'s row for the minute starting at `minute`: true when it
    /// had not been claimed for that minute yet. Every cron-driven job swept
    /// more than once a minute (scheduled runs, code list refreshes) claims
    /// its minute this way, so two sweeps — or two servers — never run it twice.
    pub(crate) async fn claim_minute(&self, claim: &Claim, minute: i64) -> StoreResult<bool> {
        let (table, (key, value), column) = (claim.table, &claim.key, claim.column);
        let mut sql = Sql::new(&format!("UPDATE {table} SET {column} = "));
        sql.bind_int(minute)
            .push(&format!(" WHERE {key} = "))
            .bind(value.clone())
            .push(&format!(" AND ({column} IS NULL OR {column} < "))
            .bind_int(minute)
            .push(")");
        Ok(on_write!(self, pool => {
            let mut conn = pool.acquire().await?;
            execute_dynamic!(pool, conn, &sql)? == 1
        }))
    }
}

/// A row whose cron minute is claimed: its table, key and claim column.
pub(crate) struct Claim {
    pub table: &'static str,
    pub key: (&'static str, Value),
    pub column: &'static str,
}
