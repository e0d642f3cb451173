//! Warning rules with immutable versions (MON-2). The definition is stored as
//! the JSON the editor sends; the server compiles it.

use crate::audit::AuditRecord;
use crate::db::{conflict_on_unique, expect_found, Store, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RuleRow {
    pub code: String,
    pub builtin: bool,
    pub version: i64,
    pub definition: String,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RuleVersionRow {
    pub version: i64,
    pub definition: String,
    pub created_at: i64,
    pub created_by: String,
}

/// What a new version says about itself (denormalised for lists).
pub struct RuleHead<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub stage: &'a str,
    pub rule_type: &'a str,
    pub enabled: bool,
    pub definition: &'a str,
}

macro_rules! insert_version {
    ($tx:expr, $head:expr, $version:expr, $actor:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO warning_rule_versions (code, version, definition, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($head.code)
        .bind($version)
        .bind($head.definition)
        .bind($now)
        .bind($actor)
        .execute(&mut *$tx)
        .await?
    };
}

impl Store {
    /// Every live (not deleted) rule, in code order.
    pub async fn warning_rules(&self) -> StoreResult<Vec<RuleRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RuleRow>(
                "SELECT code, builtin, version, definition, updated_at, updated_by FROM warning_rules
                 WHERE deleted = FALSE ORDER BY builtin DESC, code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn warning_rule(&self, code: &str) -> StoreResult<Option<RuleRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RuleRow>(
                "SELECT code, builtin, version, definition, updated_at, updated_by FROM warning_rules
                 WHERE code = $1 AND deleted = FALSE",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn warning_rule_versions(&self, code: &str) -> StoreResult<Vec<RuleVersionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RuleVersionRow>(
                "SELECT version, definition, created_at, created_by FROM warning_rule_versions
                 WHERE code = $1 ORDER BY version DESC",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Create a rule (version 1). A deleted rule's code stays taken: its
    /// warnings and versions are kept for the record.
    pub async fn create_warning_rule(
        &self,
        head: &RuleHead<'_>,
        builtin: bool,
        actor: &str,
        now_ms: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query(
                "INSERT INTO warning_rules (code, name, stage, rule_type, enabled, builtin, version, definition,
                    updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)",
            )
            .bind(head.code)
            .bind(head.name)
            .bind(head.stage)
            .bind(head.rule_type)
            .bind(head.enabled)
            .bind(builtin)
            .bind(head.definition)
            .bind(now_ms)
            .bind(actor)
            .execute(&mut *tx)
            .await
            .map_err(conflict_on_unique("rule"))?;
            insert_version!(tx, head, 1_i64, actor, now_ms);
        });
        Ok(())
    }

    /// Store a new version; returns its number.
    pub async fn update_warning_rule(
        &self,
        head: &RuleHead<'_>,
        actor: &str,
        now_ms: i64,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        Ok(audited_write!(self, audit, tx => {
            let version: Option<i64> = sqlx::query_scalar(
                "UPDATE warning_rules SET name = $1, stage = $2, rule_type = $3, enabled = $4, definition = $5,
                    version = version + 1, updated_at = $6, updated_by = $7
                 WHERE code = $8 AND deleted = FALSE RETURNING version",
            )
            .bind(head.name)
            .bind(head.stage)
            .bind(head.rule_type)
            .bind(head.enabled)
            .bind(head.definition)
            .bind(now_ms)
            .bind(actor)
            .bind(head.code)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(version) = version else {
                return Err(crate::StoreError::NotFound);
            };
            insert_version!(tx, head, version, actor, now_ms);
            version
        }))
    }

    /// Delete a rule (kept as deleted) and close its open warnings.
    pub async fn delete_warning_rule(
        &self,
        code: &str,
        now_ms: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            let n = sqlx::query("UPDATE warning_rules SET deleted = TRUE, enabled = FALSE, updated_at = $1 WHERE code = $2 AND deleted = FALSE")
                .bind(now_ms)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            expect_found(n)?;
            sqlx::query(
                "INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                 SELECT id, $1, 'closed', level, 'closed', 'system', '规则已删除' FROM warnings
                 WHERE rule_code = $2 AND status NOT IN ('closed', 'false_positive')",
            )
            .bind(now_ms)
            .bind(code)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE warnings SET status = 'closed', closed_at = $1, updated_at = $1, close_reason = '规则已删除'
                 WHERE rule_code = $2 AND status NOT IN ('closed', 'false_positive')",
            )
            .bind(now_ms)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
