//! Organisation: the region tree and departments.

use crate::audit::{escape_like, AuditRecord};
use crate::db::{conflict_on_unique, expect_found, Sql, Store, StoreError, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
    /// The region this one was merged into (its code stays in old records).
    #[sqlx(default)]
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub region_code: String,
    pub region_name: String,
    pub user_count: i64,
}

/// What a caller may see of the organisation (from its data scope).
#[derive(Debug, Clone, Default)]
pub struct OrgScope {
    /// Half-open range of visible region codes; `None` = no region limit.
    pub region_range: Option<(String, String)>,
    /// Only this department (department-scoped callers).
    pub department: Option<String>,
}

impl OrgScope {
    /// Restrict rows by region column and, for department scopes, department column.
    pub(crate) fn push_scope(&self, sql: &mut Sql, region_column: &str, department_column: &str) {
        self.push_region(sql, region_column);
        if let Some(dept) = &self.department {
            sql.push(&format!(" AND {department_column} = "))
                .bind_text(dept);
        }
    }

    /// Restrict a `column` holding region codes.
    pub(crate) fn push_region(&self, sql: &mut Sql, column: &str) {
        sql.and_in_range(column, &self.region_range);
    }

    /// Restrict the fact rows of table alias `t` (cases, consultations,
    /// evaluations, warnings: they carry `district_code`) to the scope, in the
    /// form their list indexes are built for (see [`push_fact_region`]).
    pub(crate) fn push_fact_scope(&self, sql: &mut Sql, t: &str) {
        push_fact_region(sql, t, &self.region_range);
        if let Some(dept) = &self.department {
            sql.push(&format!(" AND {t}.department_code = "))
                .bind_text(dept);
        }
    }
}

/// Restrict the fact rows of alias `t` to a region subtree given as a prefix
/// range `[prefix, prefix+1)`. A fact's `district_code` is its region's first
/// six digits, so:
/// - a district (six-digit prefix) is an equality on `district_code`: the
///   leading column of every list index, followed by the sort column, so a
///   district's page is one index range read whatever the statistics say;
/// - a street or community adds its region range to the district equality;
/// - a city or province compares a prefix of `district_code` through `substr`,
///   which no index serves: nearly every row matches, and a planner must not
///   trade the sort index for a range it would then have to sort.
pub(crate) fn push_fact_region(sql: &mut Sql, t: &str, range: &Option<(String, String)>) {
    let Some((prefix, _)) = range else {
        return;
    };
    match prefix.len() {
        6 => {
            sql.push(&format!(" AND {t}.district_code = "))
                .bind_text(prefix);
        }
        n if n > 6 => {
            sql.push(&format!(" AND {t}.district_code = "))
                .bind_text(prefix.get(..6).unwrap_or(prefix));
            sql.and_in_range(&format!("{t}.region_code"), range);
        }
        n => {
            sql.push(&format!(" AND substr({t}.district_code, 1, {n}) = "))
                .bind_text(prefix);
        }
    }
}

/// The district a fact list is read in (the narrower of the caller's scope and
/// the list's region filter, when either is a district or inside one), and
/// whether a region inside that district (a street) narrows it further: the
/// leading column of the list's district index, and a filter it does not serve.
pub(crate) fn fact_district(
    scope: &OrgScope,
    filter: &Option<(String, String)>,
) -> (Option<String>, bool) {
    let prefixes = [filter, &scope.region_range]
        .into_iter()
        .filter_map(|range| range.as_ref().map(|(prefix, _)| prefix.as_str()));
    let narrowest = prefixes.filter(|p| p.len() >= 6).max_by_key(|p| p.len());
    match narrowest {
        Some(prefix) => (prefix.get(..6).map(str::to_string), prefix.len() > 6),
        None => (None, false),
    }
}

/// The index prefixes a fact list of alias `t` may be read on, in order of
/// preference: its district, then its department (the filter's, else the
/// caller's); and whether a street narrows the district.
pub(crate) fn fact_prefixes(
    t: &str,
    scope: &OrgScope,
    region: &Option<(String, String)>,
    department: &Option<String>,
) -> (Vec<(String, Option<crate::db::Value>)>, bool) {
    let (district, street) = fact_district(scope, region);
    // A department-scoped caller's district adds nothing to its department.
    let district = district.filter(|_| scope.department.is_none() || region.is_some());
    let department = department.as_ref().or(scope.department.as_ref());
    let prefixes = vec![
        (
            format!("{t}.district_code"),
            district.map(crate::db::Value::Text),
        ),
        (
            format!("{t}.department_code"),
            department.cloned().map(crate::db::Value::Text),
        ),
    ];
    (prefixes, street)
}

#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    pub q: Option<String>,
    /// Subtree of this region (as a code range).
    pub region_range: Option<(String, String)>,
    pub level: Option<String>,
}

const DEPARTMENT_SELECT: &str =
    "SELECT d.code, d.name, d.level, d.region_code, r.name AS region_name,
        (SELECT COUNT(*) FROM users u WHERE u.department_code = d.code) AS user_count
     FROM departments d JOIN regions r ON r.code = d.region_code WHERE 1 = 1";

/// Department list sorts.
pub static DEPARTMENT_LIST: ListSpec<DepartmentRow> = ListSpec {
    fields: &[
        SortField {
            name: "code",
            column: "d.code",
            key: |r| Key::Text(r.code.clone()),
        },
        SortField {
            name: "name",
            column: "d.name",
            key: |r| Key::Text(r.name.clone()),
        },
    ],
    default_descending: false,
    tie: SortField {
        name: "code",
        column: "d.code",
        key: |r| Key::Text(r.code.clone()),
    },
};

fn push_department_scope(sql: &mut Sql, scope: &OrgScope) {
    scope.push_scope(sql, "d.region_code", "d.code");
}

impl Store {
    /// Insert or rename a region (used by the organisation seed).
    pub async fn upsert_region(&self, region: &RegionRow) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            )
            .bind(&region.code)
            .bind(&region.name)
            .bind(region.level)
            .bind(&region.parent_code)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Insert or rename a department (organisation seed; audited by the caller
    /// as one seeding action).
    pub async fn upsert_department(
        &self,
        code: &str,
        name: &str,
        level: &str,
        region_code: &str,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO departments (code, name, level, region_code, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            )
            .bind(code)
            .bind(name)
            .bind(level)
            .bind(region_code)
            .bind(govpulse_core::time::now_ms())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Regions visible in `scope`, ordered by code (parents before children).
    pub async fn list_regions(&self, scope: &OrgScope) -> StoreResult<Vec<RegionRow>> {
        let mut sql =
            Sql::new("SELECT code, name, level, parent_code, merged_into FROM regions WHERE 1 = 1");
        scope.push_region(&mut sql, "code");
        sql.push(" ORDER BY code");
        Ok(fetch_dynamic!(self, RegionRow, &sql)?)
    }

    pub async fn get_region(&self, code: &str) -> StoreResult<Option<RegionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RegionRow>("SELECT code, name, level, parent_code, merged_into FROM regions WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn list_departments(
        &self,
        scope: &OrgScope,
        filter: &DepartmentFilter,
        request: &ListRequest<DepartmentRow>,
    ) -> StoreResult<ListPage<DepartmentRow>> {
        let push_filters = |sql: &mut Sql| {
            push_department_scope(sql, scope);
            if let Some(q) = &filter.q {
                let pattern = format!("%{}%", escape_like(q));
                sql.push(" AND (d.name LIKE ")
                    .bind_text(&pattern)
                    .push(" ESCAPE '\\' OR d.code LIKE ")
                    .bind_text(&pattern)
                    .push(" ESCAPE '\\')");
            }
            sql.and_in_range("d.region_code", &filter.region_range)
                .and_eq("d.level", &filter.level);
        };
        list_of!(
            self,
            DepartmentRow,
            DEPARTMENT_SELECT,
            "FROM departments d JOIN regions r ON r.code = d.region_code WHERE 1 = 1",
            push_filters,
            request
        )
    }

    /// One department, if it exists and is inside `scope`.
    pub async fn get_department(
        &self,
        scope: &OrgScope,
        code: &str,
    ) -> StoreResult<Option<DepartmentRow>> {
        let mut sql = Sql::new(DEPARTMENT_SELECT);
        push_department_scope(&mut sql, scope);
        sql.push(" AND d.code = ").bind_text(code);
        Ok(fetch_dynamic!(self, DepartmentRow, &sql)?
            .into_iter()
            .next())
    }

    pub async fn create_department(
        &self,
        code: &str,
        name: &str,
        level: &str,
        region_code: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query(
                "INSERT INTO departments (code, name, level, region_code, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(code)
            .bind(name)
            .bind(level)
            .bind(region_code)
            .bind(govpulse_core::time::now_ms())
            .execute(&mut *tx)
            .await
            .map_err(conflict_on_unique("department"))?;
        });
        Ok(())
    }

    pub async fn update_department(
        &self,
        code: &str,
        name: &str,
        level: &str,
        region_code: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("UPDATE departments SET name = $2, level = $3, region_code = $4 WHERE code = $1")
                .bind(code)
                .bind(name)
                .bind(level)
                .bind(region_code)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
        });
        Ok(())
    }

    /// Delete a department that no user belongs to.
    pub async fn delete_department(&self, code: &str, audit: &AuditRecord) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE department_code = $1")
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
            if users > 0 {
                return Err(StoreError::Conflict("department users".into()));
            }
            expect_found(sqlx::query("DELETE FROM departments WHERE code = $1")
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
        });
        Ok(())
    }
}
