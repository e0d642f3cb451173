//! The three-level complaint classification operators maintain.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintClassRow {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub level: i32,
}

impl Store {
    /// Every class, by code (parents before children).
    pub async fn complaint_classes(&self) -> StoreResult<Vec<ComplaintClassRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ComplaintClassRow>(
                "SELECT code, name, parent_code, level FROM complaint_classes ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Create or rename a class, with its audit row.
    pub async fn put_complaint_class(
        &self,
        class: &ComplaintClassRow,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            sqlx::query(
                "INSERT INTO complaint_classes (code, name, parent_code, level, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET name = $2, parent_code = $3, level = $4, updated_at = $5",
            )
            .bind(&class.code)
            .bind(&class.name)
            .bind(&class.parent_code)
            .bind(class.level)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            append_audit!(pool, tx, &audit.on_object("complaint_class", &class.code));
            tx.commit().await?;
        });
        Ok(())
    }
}
