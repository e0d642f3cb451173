//! Consultation codes (AGG-1): one per (channel, request id), serials per
//! district, day and channel.

use crate::db::{PoolOps, Store, StoreResult};

impl Store {
    /// The code for `(channel, request_id)`: the existing one, or a new one built
    /// by `compose(serial)`. Returns `(code, created)`.
    pub async fn issue_consultation_code(
        &self,
        channel: &str,
        request_id: &str,
        district: &str,
        day: &str,
        now_ms: i64,
        compose: impl Fn(u32) -> Option<String>,
    ) -> StoreResult<(String, bool)> {
        // Two requests with the same id can race (PostgreSQL): the loser's insert
        // violates the key, and the second pass finds the winner's code.
        for _ in 0..2 {
            let existing = self.existing_code(channel, request_id).await?;
            if let Some(code) = existing {
                return Ok((code, false));
            }
            let issued: Result<String, sqlx::Error> = on_write!(self, pool => {
                async {
                    let mut tx = pool.begin_write().await?;
                    let serial: i64 = sqlx::query_scalar(
                        "INSERT INTO code_counters (district_code, day, channel, last_serial) VALUES ($1, $2, $3, 1)
                         ON CONFLICT (district_code, day, channel) DO UPDATE SET last_serial = code_counters.last_serial + 1
                         RETURNING last_serial",
                    )
                    .bind(district)
                    .bind(day)
                    .bind(channel)
                    .fetch_one(&mut *tx)
                    .await?;
                    let code = u32::try_from(serial)
                        .ok()
                        .and_then(&compose)
                        .ok_or_else(|| sqlx::Error::Protocol("consultation serials exhausted for today".into()))?;
                    sqlx::query(
                        "INSERT INTO consultation_codes (channel, request_id, code, district_code, issued_at)
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(channel)
                    .bind(request_id)
                    .bind(&code)
                    .bind(district)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(code)
                }
                .await
            });
            match issued {
                Ok(code) => return Ok((code, true)),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(crate::StoreError::Conflict("consultation code".into()))
    }

    async fn existing_code(&self, channel: &str, request_id: &str) -> StoreResult<Option<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT code FROM consultation_codes WHERE channel = $1 AND request_id = $2",
            )
            .bind(channel)
            .bind(request_id)
            .fetch_optional(pool)
            .await?
        }))
    }
}
