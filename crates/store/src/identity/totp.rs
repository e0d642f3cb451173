//! The TOTP second factor's storage: the secret (sealed by the server with
//! the key file; the store sees only ciphertext) and the last time step
//! accepted, so that a code is accepted once (RFC 6238 §5.2).

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};

impl Store {
    /// Store a TOTP secret (pending until `enabled`) or clear it.
    pub async fn set_totp(
        &self,
        id: i64,
        secret: Option<&str>,
        enabled: bool,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled = $3 WHERE id = $1")
                .bind(id)
                .bind(secret)
                .bind(enabled)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Take TOTP time step `step` for the account: true only for the first
    /// taker of a step later than every step accepted before (one
    /// conditional UPDATE, so two parallel uses of one code cannot both win).
    pub async fn claim_totp_step(&self, id: i64, step: i64) -> StoreResult<bool> {
        let claimed = on_write!(self, pool => {
            sqlx::query(
                "UPDATE users SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(id)
            .bind(step)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(claimed == 1)
    }
}
