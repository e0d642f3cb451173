//! Situational guidance (issue 15): situation trees with versions (the
//! newest is a draft until published; answering reads the published one),
//! the answers log behind the statistics, the dishonest-entity list
//! ([`credit`]) and tolerance acceptances ([`tolerance`]). What a tree means
//! is decided in `govpulse_core::guidance`; this module stores it. Every
//! change appends its audit row in the same transaction.

pub mod credit;
pub mod tolerance;

use crate::audit::{escape_like, AuditRecord};
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TreeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub latest_version: i64,
    pub published_version: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

impl TreeRow {
    /// `draft` (never published), `published`, or `changed` (a draft newer than the published version).
    pub fn status(&self) -> &'static str {
        match self.published_version {
            None => "draft",
            Some(v) if v == self.latest_version => "published",
            Some(_) => "changed",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TreeVersionRow {
    pub tree_code: String,
    pub version: i64,
    pub name: String,
    pub body: String,
    pub state: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
}

const TREE_SELECT: &str =
    "SELECT t.code, t.name, t.kind, t.latest_version, t.published_version, t.created_by,
    t.created_at, t.updated_at, t.published_at FROM guidance_trees t WHERE 1 = 1";

pub static TREE_LIST: ListSpec<TreeRow> = ListSpec {
    fields: &[
        SortField {
            name: "updated_at",
            column: "t.updated_at",
            key: |r| Key::Int(r.updated_at),
        },
        SortField {
            name: "code",
            column: "t.code",
            key: |r| Key::Text(r.code.clone()),
        },
        SortField {
            name: "name",
            column: "t.name",
            key: |r| Key::Text(r.name.clone()),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "code",
        column: "t.code",
        key: |r| Key::Text(r.code.clone()),
    },
};

#[derive(Debug, Clone, Default)]
pub struct TreeFilter {
    /// Code or name contains.
    pub q: Option<String>,
    /// draft | published | changed
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Only trees with a published version (the public index).
    pub answerable: bool,
}

fn push_tree_filter(sql: &mut Sql, filter: &TreeFilter) {
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        sql.push(" AND (t.code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR t.name LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
    sql.and_eq("t.kind", &filter.kind);
    if filter.answerable {
        sql.push(" AND t.published_version IS NOT NULL");
    }
    match filter.status.as_deref() {
        Some("draft") => {
            sql.push(" AND t.published_version IS NULL");
        }
        Some("published") => {
            sql.push(" AND t.published_version = t.latest_version");
        }
        Some("changed") => {
            sql.push(" AND t.published_version < t.latest_version");
        }
        _ => {}
    }
}

/// The content of a draft save.
#[derive(Debug, Clone)]
pub struct TreeDraft<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    /// `core::guidance::TreeBody` as JSON.
    pub body: &'a str,
    pub actor: &'a str,
    pub now_ms: i64,
}

/// A material of a published tree that may be missing at acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TolerableMaterial {
    pub item_code: String,
    pub material_code: String,
    pub material_name: String,
}

/// Answers of one tree along one path.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PathCount {
    pub tree_code: String,
    pub path: String,
    pub answers: i64,
}

impl Store {
    /// Create a tree with its first (draft) version; `false` when the code is taken.
    pub async fn create_guidance_tree(
        &self,
        draft: &TreeDraft<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<bool> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let inserted = sqlx::query(
                "INSERT INTO guidance_trees (code, name, kind, latest_version, published_version, created_by, created_at,
                    updated_at, published_at) VALUES ($1, $2, $3, 1, NULL, $4, $5, $5, NULL)
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(draft.code)
            .bind(draft.name)
            .bind(draft.kind)
            .bind(draft.actor)
            .bind(draft.now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                false
            } else {
                sqlx::query(
                    "INSERT INTO guidance_tree_versions (tree_code, version, name, body, state, created_by, created_at, updated_at)
                     VALUES ($1, 1, $2, $3, 'draft', $4, $5, $5)",
                )
                .bind(draft.code)
                .bind(draft.name)
                .bind(draft.body)
                .bind(draft.actor)
                .bind(draft.now_ms)
                .execute(&mut *tx)
                .await?;
                append_audit!(pool, tx, audit);
                tx.commit().await?;
                true
            }
        }))
    }

    /// Save the draft of an existing tree: the newest version when it is a
    /// draft, else a new version after the published one. Returns the
    /// version saved (`None`: no such tree).
    pub async fn save_guidance_draft(
        &self,
        draft: &TreeDraft<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT v.version, v.state FROM guidance_trees t
                 JOIN guidance_tree_versions v ON v.tree_code = t.code AND v.version = t.latest_version
                 WHERE t.code = $1",
            )
            .bind(draft.code)
            .fetch_optional(&mut *tx)
            .await?;
            match latest {
                None => {
                    tx.rollback().await?;
                    None
                }
                Some((version, state)) => {
                    let version = if state == "draft" {
                        sqlx::query("UPDATE guidance_tree_versions SET name = $3, body = $4, updated_at = $5
                                     WHERE tree_code = $1 AND version = $2")
                            .bind(draft.code)
                            .bind(version)
                            .bind(draft.name)
                            .bind(draft.body)
                            .bind(draft.now_ms)
                            .execute(&mut *tx)
                            .await?;
                        version
                    } else {
                        sqlx::query(
                            "INSERT INTO guidance_tree_versions (tree_code, version, name, body, state, created_by, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, 'draft', $5, $6, $6)",
                        )
                        .bind(draft.code)
                        .bind(version + 1)
                        .bind(draft.name)
                        .bind(draft.body)
                        .bind(draft.actor)
                        .bind(draft.now_ms)
                        .execute(&mut *tx)
                        .await?;
                        version + 1
                    };
                    sqlx::query("UPDATE guidance_trees SET name = $2, kind = $3, latest_version = $4, updated_at = $5 WHERE code = $1")
                        .bind(draft.code)
                        .bind(draft.name)
                        .bind(draft.kind)
                        .bind(version)
                        .bind(draft.now_ms)
                        .execute(&mut *tx)
                        .await?;
                    let mut record = audit.clone();
                    record.details = serde_json::json!({ "version": version, "details": audit.details });
                    append_audit!(pool, tx, &record);
                    tx.commit().await?;
                    Some(version)
                }
            }
        }))
    }

    /// Publish `version` of a tree if it is still its newest draft (`false`
    /// otherwise): the previous published version is superseded and the
    /// tree's tolerable materials are replaced.
    pub async fn publish_guidance_tree(
        &self,
        code: &str,
        version: i64,
        tolerable: &[TolerableMaterial],
        actor: &str,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<bool> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let changed = sqlx::query(
                "UPDATE guidance_tree_versions SET state = 'published', published_by = $3, published_at = $4
                 WHERE tree_code = $1 AND version = $2 AND state = 'draft'
                   AND version = (SELECT latest_version FROM guidance_trees WHERE code = $1)",
            )
            .bind(code)
            .bind(version)
            .bind(actor)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                false
            } else {
                sqlx::query("UPDATE guidance_tree_versions SET state = 'superseded'
                             WHERE tree_code = $1 AND state = 'published' AND version <> $2")
                    .bind(code)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE guidance_trees SET published_version = $2, published_at = $3, updated_at = $3 WHERE code = $1")
                    .bind(code)
                    .bind(version)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM guidance_tolerable WHERE tree_code = $1")
                    .bind(code)
                    .execute(&mut *tx)
                    .await?;
                for m in tolerable {
                    sqlx::query("INSERT INTO guidance_tolerable (item_code, material_code, tree_code, material_name)
                                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                        .bind(&m.item_code)
                        .bind(&m.material_code)
                        .bind(code)
                        .bind(&m.material_name)
                        .execute(&mut *tx)
                        .await?;
                }
                append_audit!(pool, tx, audit);
                tx.commit().await?;
                true
            }
        }))
    }

    pub async fn list_guidance_trees(
        &self,
        filter: &TreeFilter,
        request: &ListRequest<TreeRow>,
    ) -> StoreResult<ListPage<TreeRow>> {
        list_of!(
            self,
            TreeRow,
            TREE_SELECT,
            "FROM guidance_trees t WHERE 1 = 1",
            |sql: &mut Sql| push_tree_filter(sql, filter),
            request
        )
    }

    pub async fn guidance_tree(&self, code: &str) -> StoreResult<Option<TreeRow>> {
        let mut sql = Sql::new(TREE_SELECT);
        sql.push(" AND t.code = ").bind_text(code);
        Ok(fetch_dynamic!(self, TreeRow, &sql)?.into_iter().next())
    }

    /// Every version of a tree, newest first.
    pub async fn guidance_tree_versions(&self, code: &str) -> StoreResult<Vec<TreeVersionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, TreeVersionRow>(
                "SELECT tree_code, version, name, body, state, created_by, created_at, updated_at, published_by, published_at
                 FROM guidance_tree_versions WHERE tree_code = $1 ORDER BY version DESC",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The published version of a tree, if any.
    pub async fn published_guidance_tree(&self, code: &str) -> StoreResult<Option<TreeVersionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, TreeVersionRow>(
                "SELECT v.tree_code, v.version, v.name, v.body, v.state, v.created_by, v.created_at, v.updated_at,
                    v.published_by, v.published_at
                 FROM guidance_trees t JOIN guidance_tree_versions v ON v.tree_code = t.code AND v.version = t.published_version
                 WHERE t.code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Log one public answer (statistics; anonymous, nothing personal).
    pub async fn record_guidance_answer(
        &self,
        tree_code: &str,
        version: i64,
        path: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("INSERT INTO guidance_answers (tree_code, version, path, answered_at) VALUES ($1, $2, $3, $4)")
                .bind(tree_code)
                .bind(version)
                .bind(path)
                .bind(now_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Answers per tree and path, most answered first (at most `limit` rows).
    pub async fn guidance_answer_counts(&self, limit: i64) -> StoreResult<Vec<PathCount>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, PathCount>(
                "SELECT tree_code, path, COUNT(*) AS answers FROM guidance_answers
                 GROUP BY tree_code, path ORDER BY answers DESC, tree_code, path LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
