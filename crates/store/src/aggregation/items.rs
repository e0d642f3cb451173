//! The item catalogue (事项): immutable versions, the current one flagged.

use super::{Batch, LineOutcome};
use crate::audit::escape_like;
use crate::db::{PoolOps, Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::org::OrgScope;

/// One item version ready to store (JSON columns already serialised).
#[derive(Debug, Clone)]
pub struct NewItem {
    pub item_code: String,
    pub basic_code: String,
    pub name: String,
    pub item_type_code: String,
    pub exercise_level: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub region_code: String,
    pub legal_limit: Option<i64>,
    pub promised_limit: Option<i64>,
    pub limit_unit: String,
    pub case_type_code: i64,
    pub handling_modes: String,
    pub materials: String,
    pub elements: String,
    pub content_hash: String,
    pub valid_from: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub item_code: String,
    pub version: i32,
    pub basic_code: String,
    pub name: String,
    pub item_type_code: String,
    pub exercise_level: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    pub legal_limit: Option<i32>,
    pub promised_limit: Option<i32>,
    pub limit_unit: String,
    pub case_type_code: i32,
    pub handling_modes: String,
    pub materials: String,
    pub elements: String,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
    pub created_at: i64,
}

/// The fields of a version that matter when pinning a case to it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemVersionRow {
    pub item_code: String,
    pub version: i32,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
    pub department_code: String,
    pub region_code: String,
    pub case_type_code: i32,
    pub promised_limit: Option<i32>,
    pub legal_limit: Option<i32>,
    pub limit_unit: String,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub q: Option<String>,
    pub department: Option<String>,
    pub region_range: Option<(String, String)>,
    pub item_type: Option<String>,
    pub case_type: Option<i64>,
}

const ITEM_SELECT: &str =
    "SELECT i.item_code, i.version, i.basic_code, i.name, i.item_type_code, i.exercise_level,
        i.department_code, COALESCE(d.name, i.department_name) AS department_name, i.region_code,
        r.name AS region_name, i.legal_limit, i.promised_limit, i.limit_unit, i.case_type_code,
        i.handling_modes, i.materials, i.elements, i.valid_from, i.valid_to, i.created_at
     FROM items i
     LEFT JOIN departments d ON d.code = i.department_code
     LEFT JOIN regions r ON r.code = i.region_code
     WHERE 1 = 1";

/// Item catalogue sorts.
pub static ITEM_LIST: ListSpec<ItemRow> = ListSpec {
    fields: &[
        SortField {
            name: "item_code",
            column: "i.item_code",
            key: |r| Key::Text(r.item_code.clone()),
        },
        SortField {
            name: "name",
            column: "i.name",
            key: |r| Key::Text(r.name.clone()),
        },
    ],
    default_descending: false,
    tie: SortField {
        name: "item_code",
        column: "i.item_code",
        key: |r| Key::Text(r.item_code.clone()),
    },
};

fn push_item_filters(sql: &mut Sql, scope: &OrgScope, filter: &ItemFilter) {
    sql.push(" AND i.is_current = TRUE");
    scope.push_scope(sql, "i.region_code", "i.department_code");
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        sql.push(" AND (i.name LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR i.item_code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
    sql.and_eq("i.department_code", &filter.department);
    sql.and_in_range("i.region_code", &filter.region_range);
    sql.and_eq("i.item_type_code", &filter.item_type);
    if let Some(case_type) = filter.case_type {
        sql.push(" AND i.case_type_code = ").bind_int(case_type);
    }
}

impl Store {
    /// Store item versions: a new item gets version 1, a changed one a new
    /// version in force from its `valid_from` (closing the previous one), an
    /// unchanged one is a duplicate.
    pub async fn ingest_items(
        &self,
        batch: &Batch<NewItem>,
    ) -> StoreResult<Vec<(usize, LineOutcome)>> {
        let outcomes = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut outcomes = Vec::with_capacity(batch.rows.len());
            for (line, item) in &batch.rows {
                let current: Option<(i32, String, i64)> = sqlx::query_as(
                    "SELECT version, content_hash, valid_from FROM items WHERE item_code = $1 AND is_current = TRUE",
                )
                .bind(&item.item_code)
                .fetch_optional(&mut *tx)
                .await?;
                let version = match current {
                    Some((_, hash, _)) if hash == item.content_hash => {
                        outcomes.push((*line, LineOutcome::Duplicate));
                        continue;
                    }
                    Some((_, _, from)) if item.valid_from < from => {
                        outcomes.push((*line, LineOutcome::rejected(
                            "record.conflict",
                            "valid_from lies before the version currently in force",
                        )));
                        continue;
                    }
                    Some((version, _, _)) => {
                        sqlx::query("UPDATE items SET is_current = FALSE, valid_to = $2 WHERE item_code = $1 AND version = $3")
                            .bind(&item.item_code)
                            .bind(item.valid_from)
                            .bind(version)
                            .execute(&mut *tx)
                            .await?;
                        version + 1
                    }
                    None => 1,
                };
                sqlx::query(
                    "INSERT INTO items (item_code, version, is_current, basic_code, name, item_type_code, exercise_level,
                        department_code, department_name, region_code, legal_limit, promised_limit, limit_unit,
                        case_type_code, handling_modes, materials, elements, content_hash, valid_from, valid_to, created_at)
                     VALUES ($1, $2, TRUE, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, NULL, $19)",
                )
                .bind(&item.item_code)
                .bind(version)
                .bind(&item.basic_code)
                .bind(&item.name)
                .bind(&item.item_type_code)
                .bind(&item.exercise_level)
                .bind(&item.department_code)
                .bind(&item.department_name)
                .bind(&item.region_code)
                .bind(item.legal_limit)
                .bind(item.promised_limit)
                .bind(&item.limit_unit)
                .bind(item.case_type_code)
                .bind(&item.handling_modes)
                .bind(&item.materials)
                .bind(&item.elements)
                .bind(&item.content_hash)
                .bind(item.valid_from)
                .bind(batch.received_at)
                .execute(&mut *tx)
                .await?;
                outcomes.push((*line, LineOutcome::Accepted));
            }
            super::record_intake_stats!(pool, tx, batch, &outcomes);
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }

    pub async fn list_items(
        &self,
        scope: &OrgScope,
        filter: &ItemFilter,
        request: &ListRequest<ItemRow>,
    ) -> StoreResult<ListPage<ItemRow>> {
        list_of!(
            self,
            ItemRow,
            ITEM_SELECT,
            "FROM items i WHERE 1 = 1",
            |sql: &mut Sql| push_item_filters(sql, scope, filter),
            request
        )
    }

    /// Every version of an item (newest first) if its current version is in scope.
    pub async fn item_versions(
        &self,
        scope: &OrgScope,
        item_code: &str,
    ) -> StoreResult<Vec<ItemRow>> {
        let mut current = Sql::new("SELECT COUNT(*) FROM items i WHERE 1 = 1");
        push_item_filters(&mut current, scope, &ItemFilter::default());
        current.push(" AND i.item_code = ").bind_text(item_code);
        if count_dynamic!(self, &current)? == 0 {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(ITEM_SELECT);
        sql.push(" AND i.item_code = ")
            .bind_text(item_code)
            .push(" ORDER BY i.version DESC");
        Ok(fetch_dynamic!(self, ItemRow, &sql)?)
    }

    /// All versions of the given items (for pinning cases to the version in force).
    pub async fn versions_of_items(&self, codes: &[&str]) -> StoreResult<Vec<ItemVersionRow>> {
        let mut rows = Vec::new();
        for chunk in codes.chunks(super::ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "SELECT item_code, version, valid_from, valid_to, department_code, region_code, case_type_code,
                    promised_limit, legal_limit, limit_unit FROM items WHERE item_code IN ",
            );
            sql.push_list(chunk.iter().copied());
            rows.extend(fetch_dynamic!(self, ItemVersionRow, &sql)?);
        }
        Ok(rows)
    }

    pub async fn count_items(&self) -> StoreResult<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM items WHERE is_current = TRUE").fetch_one(pool).await?
        }))
    }

    /// End the validity of an item's current version at `at` (the item was
    /// suspended or cancelled); returns that version, `None` for an unknown item.
    pub async fn end_item_validity(&self, item_code: &str, at: i64) -> StoreResult<Option<i32>> {
        Ok(on_write!(self, pool => {
            sqlx::query_scalar::<_, i32>(
                "UPDATE items SET valid_to = $2 WHERE item_code = $1 AND is_current = TRUE RETURNING version",
            )
            .bind(item_code)
            .bind(at)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The current version number of an item.
    pub async fn current_item_version(&self, item_code: &str) -> StoreResult<Option<i32>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i32>("SELECT version FROM items WHERE item_code = $1 AND is_current = TRUE")
                .bind(item_code)
                .fetch_optional(pool)
                .await?
        }))
    }
}
