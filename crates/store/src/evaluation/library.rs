//! The indicator and scheme libraries; every save is a new version (see
//! [`super::versioned`]).

use super::versioned::{Kind, VersionedSave};
use crate::audit::{escape_like, AuditRecord};
use crate::db::{Sql, Store, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
    pub state: String,
    pub builtin: bool,
    pub version: i64,
    pub definition: String,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SchemeRow {
    pub code: String,
    pub name: String,
    pub unit_level: String,
    pub version: i64,
    pub definition: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One stored version of an indicator or a scheme.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub name: String,
    pub definition: String,
    pub created_at: i64,
    pub created_by: String,
}

const INDICATORS: Kind = Kind {
    table: "indicators",
    versions: "indicator_versions",
    versions_keep_name: false,
    object: "indicator",
};

const SCHEMES: Kind = Kind {
    table: "scoring_schemes",
    versions: "scoring_scheme_versions",
    versions_keep_name: true,
    object: "scoring_scheme",
};

/// Indicator list sorts (indexes `(level, code)` and `(updated_at, code)`).
pub static INDICATOR_LIST: ListSpec<IndicatorRow> = ListSpec {
    fields: &[
        SortField {
            name: "code",
            column: "code",
            key: |r| Key::Text(r.code.clone()),
        },
        SortField {
            name: "updated_at",
            column: "updated_at",
            key: |r| Key::Int(r.updated_at),
        },
        SortField {
            name: "level",
            column: "level",
            key: |r| Key::Int(i64::from(r.level)),
        },
    ],
    default_descending: false,
    tie: SortField {
        name: "code",
        column: "code",
        key: |r| Key::Text(r.code.clone()),
    },
};

/// Indicator list filters: `q` matches code or name (fuzzy: contains; exact: equals).
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    pub q: Option<String>,
    pub exact: bool,
    pub level: Option<i64>,
    pub state: Option<String>,
    pub parent: Option<String>,
}

const INDICATOR_COLUMNS: &str =
    "SELECT code, name, level, parent_code, state, builtin, version, definition, updated_at, updated_by";

fn push_indicator_filter(sql: &mut Sql, filter: &IndicatorFilter) {
    sql.and_eq("state", &filter.state);
    sql.and_eq("parent_code", &filter.parent);
    if let Some(level) = filter.level {
        sql.push(" AND level = ").bind_int(level);
    }
    match (&filter.q, filter.exact) {
        (Some(q), true) => {
            sql.push(" AND (code = ")
                .bind_text(q)
                .push(" OR name = ")
                .bind_text(q)
                .push(")");
        }
        (Some(q), false) => {
            let pattern = format!("%{}%", escape_like(q));
            sql.push(" AND (code LIKE ")
                .bind_text(&pattern)
                .push(" ESCAPE '\\' OR name LIKE ")
                .bind_text(&pattern)
                .push(" ESCAPE '\\')");
        }
        (None, _) => {}
    }
}

impl Store {
    /// A page of indicators.
    pub async fn list_indicators(
        &self,
        filter: &IndicatorFilter,
        request: &ListRequest<IndicatorRow>,
    ) -> StoreResult<ListPage<IndicatorRow>> {
        let select = format!("{INDICATOR_COLUMNS} FROM indicators WHERE 1 = 1");
        list_of!(
            self,
            IndicatorRow,
            &select,
            "FROM indicators WHERE 1 = 1",
            |sql: &mut Sql| push_indicator_filter(sql, filter),
            request
        )
    }

    /// Every indicator (parents before children: by level, then code).
    pub async fn indicators(&self) -> StoreResult<Vec<IndicatorRow>> {
        let sql = Sql::new(&format!(
            "{INDICATOR_COLUMNS} FROM indicators ORDER BY level, code"
        ));
        Ok(fetch_dynamic!(self, IndicatorRow, &sql)?)
    }

    pub async fn indicator(&self, code: &str) -> StoreResult<Option<IndicatorRow>> {
        let mut sql = Sql::new(&format!(
            "{INDICATOR_COLUMNS} FROM indicators WHERE code = "
        ));
        sql.bind_text(code);
        Ok(fetch_dynamic!(self, IndicatorRow, &sql)?.into_iter().next())
    }

    /// Every version of an indicator, newest first.
    pub async fn indicator_versions(&self, code: &str) -> StoreResult<Vec<VersionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, VersionRow>(
                "SELECT v.version, i.name, v.definition, v.created_at, v.created_by
                 FROM indicator_versions v JOIN indicators i ON i.code = v.code
                 WHERE v.code = $1 ORDER BY v.version DESC",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Store a new version of an indicator: `read_version` None creates it
    /// (refused when it exists), Some(v) updates it only while it is still at
    /// v. Returns the new version, or None when refused.
    pub async fn save_indicator(
        &self,
        row: &IndicatorRow,
        read_version: Option<i64>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        let columns = vec![
            ("level", Value::Int(i64::from(row.level))),
            ("parent_code", Value::OptText(row.parent_code.clone())),
            ("state", Value::Text(row.state.clone())),
        ];
        // Whether it is built in never changes after creation.
        let on_create = vec![("builtin", Value::Bool(row.builtin))];
        let saved = saved_of!(row);
        let save = VersionedSave::new(&INDICATORS, &saved, columns, on_create);
        self.save_version(save, read_version, audit).await
    }

    /// Every scheme of the library, by code.
    pub async fn schemes(&self) -> StoreResult<Vec<SchemeRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, SchemeRow>(
                "SELECT code, name, unit_level, version, definition, updated_at, updated_by FROM scoring_schemes ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every version of a scheme, newest first.
    pub async fn scheme_versions(&self, code: &str) -> StoreResult<Vec<VersionRow>> {
        self.versions_of(&SCHEMES, code).await
    }

    /// Store a new version of a scheme (as [`Store::save_indicator`]).
    pub async fn save_scheme(
        &self,
        row: &SchemeRow,
        read_version: Option<i64>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        let columns = vec![("unit_level", Value::Text(row.unit_level.clone()))];
        let saved = saved_of!(row);
        let save = VersionedSave::new(&SCHEMES, &saved, columns, Vec::new());
        self.save_version(save, read_version, audit).await
    }
}
