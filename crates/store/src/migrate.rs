//! Schema migrations, written once for both backends.
//!
//! Each migration is portable SQL with a few placeholders that differ between
//! SQLite and PostgreSQL (auto-increment keys, binary columns, generated
//! columns), plus optional backend-only statements (triggers). Applied
//! migrations are recorded in `schema_migrations`; each runs in its own
//! transaction.

use crate::db::{Backend, Store, StoreResult};

struct Migration {
    version: i64,
    name: &'static str,
    portable: &'static str,
    sqlite_only: &'static str,
    postgres_only: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        portable: include_str!("migrations/0001_foundation.sql"),
        sqlite_only: include_str!("migrations/0001_foundation.sqlite.sql"),
        postgres_only: include_str!("migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "aggregation",
        portable: include_str!("migrations/0002_aggregation.sql"),
        sqlite_only: include_str!("migrations/0002_aggregation.sqlite.sql"),
        postgres_only: include_str!("migrations/0002_aggregation.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "monitoring",
        portable: include_str!("migrations/0003_monitoring.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 4,
        name: "dashboard",
        portable: include_str!("migrations/0004_dashboard.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 5,
        name: "exports",
        portable: include_str!("migrations/0005_exports.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 6,
        name: "lists",
        portable: include_str!("migrations/0006_lists.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 7,
        name: "inbox_filters",
        portable: include_str!("migrations/0007_inbox_filters.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 8,
        name: "workorders",
        portable: include_str!("migrations/0008_workorders.sql"),
        sqlite_only: include_str!("migrations/0008_workorders.sqlite.sql"),
        postgres_only: include_str!("migrations/0008_workorders.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "keyed_audit_chain",
        portable: include_str!("migrations/0009_keyed_audit_chain.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 10,
        name: "guidance",
        portable: include_str!("migrations/0010_guidance.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 11,
        name: "evaluation",
        portable: include_str!("migrations/0011_evaluation.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 12,
        name: "governance",
        portable: include_str!("migrations/0012_governance.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 13,
        name: "totp_single_use",
        portable: include_str!("migrations/0013_totp_single_use.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 14,
        name: "usernames_case_insensitive",
        portable: include_str!("migrations/0014_usernames_case_insensitive.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 15,
        name: "workorder_reminders",
        portable: include_str!("migrations/0015_workorder_reminders.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 16,
        name: "indicator_alerts",
        portable: include_str!("migrations/0016_indicator_alerts.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 17,
        name: "org_and_oplogs",
        portable: include_str!("migrations/0017_org_and_oplogs.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 18,
        name: "unread_list",
        portable: include_str!("migrations/0018_unread_list.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 19,
        name: "alert_versions_and_code_list_sources",
        portable: include_str!("migrations/0019_alert_versions_and_code_list_sources.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 20,
        name: "list_covering",
        portable: include_str!("migrations/0020_list_covering.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 21,
        name: "due_sort",
        portable: include_str!("migrations/0021_due_sort.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 22,
        name: "city_statistics",
        portable: "",
        sqlite_only: "",
        postgres_only: include_str!("migrations/0022_city_statistics.postgres.sql"),
    },
    Migration {
        version: 23,
        name: "due_sort_without_ties",
        portable: include_str!("migrations/0023_due_sort_without_ties.sql"),
        sqlite_only: "",
        postgres_only: "",
    },
];

fn render(sql: &str, backend: Backend) -> String {
    // A generated column added to a table: SQLite adds only virtual ones,
    // PostgreSQL (before 18) has only stored ones.
    let (id, blob, generated) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", "VIRTUAL"),
        Backend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BYTEA",
            "STORED",
        ),
    };
    sql.replace("{{ID}}", id)
        .replace("{{BLOB}}", blob)
        .replace("{{GENERATED}}", generated)
}

impl Store {
    /// Apply every migration not yet recorded. Safe to call on every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        let backend = self.backend();
        on_write!(self, pool => {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )",
            )
            .execute(pool)
            .await?;
            for migration in MIGRATIONS {
                let mut tx = pool.begin().await?;
                // Serialise concurrent migrators on PostgreSQL; SQLite's single
                // writer already does.
                if backend == Backend::Postgres {
                    sqlx::query("SELECT pg_advisory_xact_lock(7100001)")
                        .execute(&mut *tx)
                        .await?;
                }
                let applied: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                        .bind(migration.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if applied.is_some() {
                    continue;
                }
                let extra = match backend {
                    Backend::Sqlite => migration.sqlite_only,
                    Backend::Postgres => migration.postgres_only,
                };
                let script = format!("{}\n{}", render(migration.portable, backend), extra);
                sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                    .bind(migration.version)
                    .bind(migration.name)
                    .bind(govpulse_core::time::now_ms())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::info!(version = migration.version, name = migration.name, "applied migration");
            }
        });
        Ok(())
    }
}
