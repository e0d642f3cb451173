//! Server-side sessions. The cookie carries a random token; only its SHA-256
//! is stored, so a database read does not yield usable sessions.

use crate::db::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub ip: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    pub async fn create_session(&self, session: &SessionRow) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, ip, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&session.id_hash)
            .bind(session.user_id)
            .bind(&session.csrf_token)
            .bind(&session.ip)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn get_session(&self, id_hash: &str) -> StoreResult<Option<SessionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, SessionRow>(
                "SELECT id_hash, user_id, csrf_token, ip, created_at, last_seen_at
                 FROM sessions WHERE id_hash = $1",
            )
            .bind(id_hash)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn touch_session(&self, id_hash: &str, now_ms: i64) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(now_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Remove sessions idle since before `idle_before_ms`.
    pub async fn purge_idle_sessions(&self, idle_before_ms: i64) -> StoreResult<u64> {
        Ok(on_write!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
                .bind(idle_before_ms)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
