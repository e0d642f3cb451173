//! Key/value settings (JSON values), e.g. the security policy.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};

impl Store {
    pub async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn put_setting(
        &self,
        key: &str,
        value: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
