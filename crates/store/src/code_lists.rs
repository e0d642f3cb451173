//! Code lists (dictionaries) managed centrally and versioned (QC-1), and the
//! URL and schedule each may refresh from.

use crate::audit::AuditRecord;
use crate::db::{PoolOps, Store, StoreResult, Value};
use crate::quality_schedules::Claim;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CodeListRow {
    pub code: String,
    pub version: i64,
    /// JSON array of `{"code","name"}`.
    pub entries: String,
    pub source: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Where and when a list refreshes from, and how its last refresh went.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CodeListSourceRow {
    pub code: String,
    pub source_url: Option<String>,
    /// Cron, Asia/Shanghai.
    pub schedule: Option<String>,
    pub last_refresh_at: Option<i64>,
    /// `ok` (a new version), `unchanged` or `error`.
    pub last_outcome: Option<String>,
    pub last_message: Option<String>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A version to add.
pub struct NewCodeListVersion<'a> {
    pub code: &'a str,
    /// JSON array of `{"code","name"}`, serialised the same way every time
    /// (so equal entries give equal text).
    pub entries: &'a str,
    pub source: &'a str,
    /// Add it only when its entries differ from the version in force; the
    /// text given here stands for the built-in version 0.
    pub unless_same_as_builtin: Option<&'a str>,
}

impl Store {
    /// The versions of a code list, newest first.
    pub async fn code_list_versions(&self, code: &str) -> StoreResult<Vec<CodeListRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, CodeListRow>(
                "SELECT code, version, entries, source, created_by, created_at FROM code_lists
                 WHERE code = $1 ORDER BY version DESC",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Add a version of a code list (the next number); returns it, or None
    /// when `unless_same_as_builtin` is set and the entries did not change.
    pub async fn add_code_list_version(
        &self,
        new: &NewCodeListVersion<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        let now = govpulse_core::time::now_ms();
        Ok(on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT version, entries FROM code_lists WHERE code = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(new.code)
            .fetch_optional(&mut *tx)
            .await?;
            let (version, in_force) = match latest {
                Some((version, entries)) => (version + 1, Some(entries)),
                None => (1, new.unless_same_as_builtin.map(str::to_string)),
            };
            if new.unless_same_as_builtin.is_some() && in_force.as_deref() == Some(new.entries) {
                None
            } else {
                sqlx::query(
                    "INSERT INTO code_lists (code, version, entries, source, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(new.code)
                .bind(version)
                .bind(new.entries)
                .bind(new.source)
                .bind(&audit.actor)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(crate::db::conflict_on_unique("code list version"))?;
                append_audit!(pool, tx, audit);
                tx.commit().await?;
                Some(version)
            }
        }))
    }

    /// The refresh settings of every list that has them.
    pub async fn code_list_sources(&self) -> StoreResult<Vec<CodeListSourceRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, CodeListSourceRow>(
                "SELECT code, source_url, schedule, last_refresh_at, last_outcome, last_message, updated_at, updated_by
                 FROM code_list_sources ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Set (or clear, with None) where and when a list refreshes from; the
    /// last refresh's outcome stays.
    pub async fn set_code_list_source(
        &self,
        code: &str,
        source_url: Option<&str>,
        schedule: Option<&str>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let now = govpulse_core::time::now_ms();
        audited_write!(self, audit, tx => {
            sqlx::query(
                "INSERT INTO code_list_sources (code, source_url, schedule, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET source_url = excluded.source_url,
                    schedule = excluded.schedule, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by",
            )
            .bind(code)
            .bind(source_url)
            .bind(schedule)
            .bind(now)
            .bind(&audit.actor)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Claim a list's scheduled refresh for the minute starting at `minute`:
    /// true when it had not been claimed for that minute.
    pub async fn claim_code_list_refresh(&self, code: &str, minute: i64) -> StoreResult<bool> {
        let claim = Claim {
            table: "code_list_sources",
            key: ("code", Value::Text(code.to_string())),
            column: "claimed_minute",
        };
        self.claim_minute(&claim, minute).await
    }

    /// Record how a refresh went (shown beside the list).
    pub async fn record_code_list_refresh(
        &self,
        code: &str,
        at: i64,
        outcome: &str,
        message: Option<&str>,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE code_list_sources SET last_refresh_at = $2, last_outcome = $3, last_message = $4
                 WHERE code = $1",
            )
            .bind(code)
            .bind(at)
            .bind(outcome)
            .bind(message)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
