//! Source systems with their collection rules, and the reconciliation counts.

use crate::audit::AuditRecord;
use crate::db::{conflict_on_unique, expect_found, Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    pub code: String,
    pub name: String,
    /// JSON array of kinds.
    pub kinds: String,
    /// JSON `CollectionRules`.
    pub rules: String,
    pub enabled: bool,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReconciliationRow {
    pub day: String,
    pub source: String,
    pub kind: String,
    pub received: i64,
    pub accepted: i64,
    /// Records that superseded a stored one (a higher revision).
    pub corrected: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub rejected_by_code: String,
    /// What the source's manifest declared it sent (None: no manifest).
    pub declared: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ReconciliationFilter {
    /// Inclusive `YYYY-MM-DD` bounds.
    pub from_day: Option<String>,
    pub to_day: Option<String>,
    pub source: Option<String>,
    pub kind: Option<String>,
}

/// Reconciliation sorts: by day, ties broken by (day, source, kind), the key.
pub static RECONCILIATION_LIST: ListSpec<ReconciliationRow> = ListSpec {
    fields: &[SortField {
        name: "day",
        column: "day",
        key: |r| Key::Text(r.day.clone()),
    }],
    default_descending: true,
    tie: SortField {
        name: "key",
        column: "(day || '|' || source || '|' || kind)",
        key: |r| Key::Text(format!("{}|{}|{}", r.day, r.source, r.kind)),
    },
};

const RECONCILIATION_SELECT: &str =
    "SELECT day, source, kind, received, accepted, corrected, duplicates, rejected, rejected_by_code, declared
    FROM intake_stats WHERE 1 = 1";

impl ReconciliationFilter {
    fn push(&self, sql: &mut Sql) {
        if let Some(from) = &self.from_day {
            sql.push(" AND day >= ").bind_text(from);
        }
        if let Some(to) = &self.to_day {
            sql.push(" AND day <= ").bind_text(to);
        }
        if let Some(source) = &self.source {
            sql.push(" AND source = ").bind_text(source);
        }
        if let Some(kind) = &self.kind {
            sql.push(" AND kind = ").bind_text(kind);
        }
    }
}

impl Store {
    pub async fn list_sources(&self) -> StoreResult<Vec<SourceRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, SourceRow>("SELECT code, name, kinds, rules, enabled, updated_at FROM sources ORDER BY code")
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn get_source(&self, code: &str) -> StoreResult<Option<SourceRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, SourceRow>("SELECT code, name, kinds, rules, enabled, updated_at FROM sources WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Create (`create = true`, `Conflict` if it exists) or replace a source.
    pub async fn save_source(
        &self,
        source: &SourceRow,
        create: bool,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let statement = if create {
            "INSERT INTO sources (code, name, kinds, rules, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE sources SET name = $2, kinds = $3, rules = $4, enabled = $5, updated_at = $6 WHERE code = $1"
        };
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query(statement)
                .bind(&source.code)
                .bind(&source.name)
                .bind(&source.kinds)
                .bind(&source.rules)
                .bind(source.enabled)
                .bind(source.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(conflict_on_unique("source"))?
                .rows_affected())?;
        });
        Ok(())
    }

    pub async fn delete_source(&self, code: &str, audit: &AuditRecord) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("DELETE FROM sources WHERE code = $1").bind(code).execute(&mut *tx).await?.rows_affected())?;
        });
        Ok(())
    }

    pub async fn reconciliation(
        &self,
        filter: &ReconciliationFilter,
    ) -> StoreResult<Vec<ReconciliationRow>> {
        let mut sql = Sql::new(RECONCILIATION_SELECT);
        filter.push(&mut sql);
        sql.push(" ORDER BY day DESC, source, kind LIMIT 5000");
        Ok(fetch_dynamic!(self, ReconciliationRow, &sql)?)
    }

    /// A page of the reconciliation counts.
    pub async fn list_reconciliation(
        &self,
        filter: &ReconciliationFilter,
        request: &ListRequest<ReconciliationRow>,
    ) -> StoreResult<ListPage<ReconciliationRow>> {
        list_of!(
            self,
            ReconciliationRow,
            RECONCILIATION_SELECT,
            "FROM intake_stats WHERE 1 = 1",
            |sql: &mut Sql| filter.push(sql),
            request
        )
    }
}
