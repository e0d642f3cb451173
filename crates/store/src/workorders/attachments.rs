//! Work-order attachments: content stored once per SHA-256
//! (`attachment_blobs`), named per order (`work_order_attachments`).

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub order_code: String,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// An attachment to store (the caller checked size and type and hashed it).
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub order_code: &'a str,
    pub sha256: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: &'a str,
}

const ATTACHMENT_COLUMNS: &str =
    "id, order_code, sha256, name, content_type, size, uploaded_by, uploaded_at";

impl Store {
    /// Store an attachment of an order (the content once per hash) with its audit row.
    pub async fn add_work_order_attachment(
        &self,
        new: &NewAttachment<'_>,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<AttachmentRow> {
        let size = i64::try_from(new.content.len()).unwrap_or(i64::MAX);
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            sqlx::query(
                "INSERT INTO attachment_blobs (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(new.sha256)
            .bind(size)
            .bind(new.content)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query_as::<_, AttachmentRow>(sqlx::AssertSqlSafe(format!(
                "INSERT INTO work_order_attachments (order_code, sha256, name, content_type, size, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ATTACHMENT_COLUMNS}"
            )))
            .bind(new.order_code)
            .bind(new.sha256)
            .bind(new.name)
            .bind(new.content_type)
            .bind(size)
            .bind(new.uploaded_by)
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(pool, tx, &audit.on_object("work_order", new.order_code));
            tx.commit().await?;
            row
        }))
    }

    /// The attachments of an order.
    pub async fn work_order_attachments(&self, code: &str) -> StoreResult<Vec<AttachmentRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, AttachmentRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM work_order_attachments WHERE order_code = $1 ORDER BY id"
            )))
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The content of an attachment of `code`.
    pub async fn work_order_attachment_content(
        &self,
        code: &str,
        id: i64,
    ) -> StoreResult<Option<(AttachmentRow, Vec<u8>)>> {
        let row: Option<AttachmentRow> = on_read!(self, pool => {
            sqlx::query_as::<_, AttachmentRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM work_order_attachments WHERE order_code = $1 AND id = $2"
            )))
            .bind(code)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let content: Vec<u8> = on_read!(self, pool => {
            sqlx::query_scalar("SELECT content FROM attachment_blobs WHERE sha256 = $1")
                .bind(&row.sha256)
                .fetch_one(pool)
                .await?
        });
        Ok(Some((row, content)))
    }
}
