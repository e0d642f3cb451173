//! API tokens for systems: only a SHA-256 of the token is stored.

use crate::audit::AuditRecord;
use crate::db::{expect_found, PoolOps, Store, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str =
    "SELECT id, name, scope, created_by, created_at, last_used_at, revoked_at FROM api_tokens";

impl Store {
    pub async fn create_token(
        &self,
        name: &str,
        scope: &str,
        token_hash: &str,
        created_by: &str,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        let id = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(token_hash)
            .bind(scope)
            .bind(created_by)
            .bind(govpulse_core::time::now_ms())
            .fetch_one(&mut *tx)
            .await?;
            let audit = audit.on_object("api_token", &id.to_string());
            append_audit!(pool, tx, &audit);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn list_tokens(&self) -> StoreResult<Vec<TokenRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(format!("{TOKEN_COLUMNS} ORDER BY id DESC")))
            .fetch_all(pool)
            .await?
        }))
    }

    /// The live (not revoked) token with this hash; marks it used, at most once a minute.
    pub async fn use_token(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<TokenRow>> {
        let row = on_read!(self, pool => {
            sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(format!(
                "{TOKEN_COLUMNS} WHERE token_hash = $1 AND revoked_at IS NULL"
            )))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        if let Some(token) = &row {
            if token.last_used_at.is_none_or(|t| now_ms - t > 60_000) {
                on_write!(self, pool => {
                    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                        .bind(token.id)
                        .bind(now_ms)
                        .execute(pool)
                        .await?;
                });
            }
        }
        Ok(row)
    }

    pub async fn revoke_token(&self, id: i64, audit: &AuditRecord) -> StoreResult<()> {
        on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            expect_found(sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(govpulse_core::time::now_ms())
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
            append_audit!(pool, tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }
}
