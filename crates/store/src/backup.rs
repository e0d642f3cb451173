//! What `govpulse backup`, `govpulse restore` and the crash harness need
//! from the database (issue 11, OPS-1 and item 12): a consistent copy of a
//! live SQLite file, the schema a PostgreSQL store lives in (handed to
//! `pg_dump`), and row counts that show a copy or a restarted server holds
//! what it should.

use crate::{Backend, Store, StoreResult};
use std::path::Path;

impl Store {
    /// SQLite only: copy the live database into `path` as one consistent
    /// snapshot (`VACUUM INTO` reads in a single transaction; under WAL the
    /// server's writers go on meanwhile). `path` must not exist yet.
    pub async fn snapshot_sqlite(&self, path: &Path) -> StoreResult<()> {
        if self.backend() != Backend::Sqlite {
            return Err(crate::StoreError::UnsupportedUrl(
                "a SQLite snapshot of a PostgreSQL store".to_string(),
            ));
        }
        let target = path.to_string_lossy().into_owned();
        on_read!(self, pool => {
            sqlx::query("VACUUM INTO ?").bind(target).execute(pool).await?;
        });
        Ok(())
    }

    /// The schema this store's tables live in (`public` unless the URL sets
    /// `search_path`); `main` on SQLite.
    pub async fn current_schema(&self) -> StoreResult<String> {
        if self.backend() == Backend::Sqlite {
            return Ok("main".to_string());
        }
        let schema: String = on_read!(self, pool => {
            sqlx::query_scalar("SELECT current_schema()").fetch_one(pool).await?
        });
        Ok(schema)
    }

    /// Every table of the schema with its row count, by table name.
    pub async fn table_row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let listing = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                     ORDER BY table_name"
            }
        };
        let tables: Vec<String> = on_read!(self, pool => {
            sqlx::query_scalar(listing).fetch_all(pool).await?
        });
        let mut counts = Vec::with_capacity(tables.len());
        for table in tables {
            // The name comes from the catalogue, quoted as an identifier.
            let statement = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
            let count: i64 = on_read!(self, pool => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(statement.clone())).fetch_one(pool).await?
            });
            counts.push((table, count));
        }
        Ok(counts)
    }

    /// Rows of `table` whose `column` starts with `prefix` (an index range:
    /// `prefix` ≤ value < `prefix` with its last character advanced). Table
    /// and column are the caller's constants, never input.
    pub async fn count_with_prefix(
        &self,
        table: &'static str,
        column: &'static str,
        prefix: &str,
    ) -> StoreResult<i64> {
        let mut upper = prefix.to_string();
        let last = upper.pop().unwrap_or('\0');
        upper.push(char::from_u32(u32::from(last) + 1).unwrap_or(char::MAX));
        let statement =
            format!("SELECT COUNT(*) FROM {table} WHERE {column} >= $1 AND {column} < $2");
        let count: i64 = on_read!(self, pool => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(statement.clone()))
                .bind(prefix.to_string())
                .bind(upper.clone())
                .fetch_one(pool)
                .await?
        });
        Ok(count)
    }
}
