//! Throwaway databases for tests, on every backend available.
//!
//! SQLite always runs (a temporary file). PostgreSQL runs when reachable at
//! `GOVPULSE_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`); each
//! test gets its own schema, dropped afterwards. When the `CI` environment
//! variable is set, an unreachable PostgreSQL fails the test instead of being
//! skipped.

use crate::{Backend, Store};

/// A database that lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

fn pg_base_url() -> String {
    std::env::var("GOVPULSE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("OS randomness");
    hex::encode(bytes)
}

/// The audit chain key of every test process (production loads it from the
/// key file); the same for all tests, which share the process-wide key.
pub const TEST_CHAIN_KEY: govpulse_core::audit::ChainKey =
    govpulse_core::audit::ChainKey([0x5a; 32]);

impl TestDb {
    /// A fresh, migrated SQLite database in a temporary directory.
    pub async fn sqlite() -> Self {
        crate::audit::use_chain_key(TEST_CHAIN_KEY);
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        Self {
            store,
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A fresh, migrated PostgreSQL schema, or `None` when no server is reachable
    /// outside CI.
    pub async fn postgres() -> Option<Self> {
        crate::audit::use_chain_key(TEST_CHAIN_KEY);
        let base = pg_base_url();
        let admin = match Store::connect(&base).await {
            Ok(store) => store,
            Err(err) if std::env::var_os("CI").is_none() => {
                eprintln!("skipping PostgreSQL: {err}");
                return None;
            }
            Err(err) => panic!("PostgreSQL required in CI at {base}: {err}"),
        };
        let schema = format!("gp_t_{}", random_suffix());
        admin
            .execute_admin(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::open(&url).await.expect("open postgres");
        Some(Self {
            store,
            url,
            backend: Backend::Postgres,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    /// Every backend available here: SQLite, then PostgreSQL when reachable.
    pub async fn all() -> Vec<Self> {
        let mut dbs = vec![Self::sqlite().await];
        dbs.extend(Self::postgres().await);
        dbs
    }

    /// Drop the PostgreSQL schema (SQLite files go with the temp dir).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((base, schema)) = &self.pg_schema {
            if let Ok(admin) = Store::connect(base).await {
                let _ = admin
                    .execute_admin(&format!("DROP SCHEMA {schema} CASCADE"))
                    .await;
                admin.close().await;
            }
        }
    }
}

/// Counts to `n` in one statement: CPU-bound, about a minute per 10^9 on
/// either backend — a stand-in for a slow query in tests of deadlines and
/// cancellation. `n` is written into the text (an integer: nothing to
/// inject), so that a test can find its own statement among the server's.
fn slow_count_sql(n: i64) -> String {
    format!(
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL \
         SELECT x + 1 FROM c WHERE x < {n}) SELECT count(*) FROM c"
    )
}

impl Store {
    /// One slow statement on a read connection (see [`slow_count_sql`]).
    pub async fn slow_count(&self, n: i64) -> crate::StoreResult<i64> {
        let sql = slow_count_sql(n);
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone())).fetch_one(pool).await?
        }))
    }

    /// A write transaction that appends `record` to the audit log, then runs
    /// the slow statement before committing: interrupted, it leaves nothing.
    pub async fn slow_write(
        &self,
        n: i64,
        record: &crate::audit::AuditRecord,
    ) -> crate::StoreResult<i64> {
        let sql = slow_count_sql(n);
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            append_audit!(pool, tx, record);
            let count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            count
        }))
    }

    /// Whether the server stopped running the slow count to `n` within a
    /// second (statements left running for nobody would show here).
    pub async fn slow_count_stopped_within_a_second(&self, n: i64) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(1) {
            if matches!(self.running_slow_counts(n).await, Ok(0)) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    /// Wait until every connection of every pool is idle; how long it took
    /// (`None`: not within `limit`).
    pub async fn pools_idle_within(
        &self,
        limit: std::time::Duration,
    ) -> Option<std::time::Duration> {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if self.pool_status().iter().all(|p| p.idle == p.size as usize) {
                return Some(started.elapsed());
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        None
    }

    /// PostgreSQL: how many slow counts to `n` the server is running, from
    /// any connection (a statement left running for nobody shows here even
    /// after its connection closed). SQLite has no server: always 0.
    pub async fn running_slow_counts(&self, n: i64) -> crate::StoreResult<i64> {
        let crate::db::Control::Postgres(canceller) = &*self.control else {
            return Ok(0);
        };
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
             AND pid <> pg_backend_pid() AND query LIKE $1",
        )
        .bind(format!("%x < {n})%"))
        .fetch_one(canceller.control())
        .await?)
    }
}
