//! Code lists (dictionaries) managed centrally and versioned (QC-1).

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};
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

    /// Add a version of a code list (the next number); returns it.
    pub async fn add_code_list_version(
        &self,
        code: &str,
        entries: &str,
        source: &str,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        let now = govpulse_core::time::now_ms();
        Ok(audited_write!(self, audit, tx => {
            let version: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM code_lists WHERE code = $1",
            )
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO code_lists (code, version, entries, source, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(code)
            .bind(version)
            .bind(entries)
            .bind(source)
            .bind(&audit.actor)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(crate::db::conflict_on_unique("code list version"))?;
            version
        }))
    }
}
