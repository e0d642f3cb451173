//! Organisation master data: importing a city's regions and departments,
//! renaming, merging and deleting regions, and each region's history.

use crate::audit::AuditRecord;
use crate::db::{expect_found, Store, StoreError, StoreResult};
use crate::org::RegionRow;
use serde::Serialize;

/// A region with its management fields.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RegionDetailRow {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
    /// JSON object of free attributes (population, address, contact …).
    pub attributes: String,
    /// The region this one was merged into (its successor).
    pub merged_into: Option<String>,
}

/// One change of a region.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RegionHistoryRow {
    pub action: String,
    pub before_value: String,
    pub after_value: String,
    pub actor: String,
    pub at: i64,
}

/// A region to import (attributes as a JSON object).
#[derive(Debug, Clone)]
pub struct RegionImport {
    pub region: RegionRow,
    pub attributes: String,
}

/// A department to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentImport {
    pub code: String,
    pub name: String,
    /// `city` or `district`.
    pub level: String,
    pub region_code: String,
}

/// Tables whose rows name a region, each with the column holding it; a
/// region any of them references cannot be deleted. Fact tables are probed
/// through their district index (`district_code` = the code's first six digits).
const REFERENCES: &[(&str, &str)] = &[
    ("regions", "SELECT COUNT(*) FROM regions WHERE parent_code = $1 OR merged_into = $1"),
    ("departments", "SELECT COUNT(*) FROM departments WHERE region_code = $1"),
    ("users", "SELECT COUNT(*) FROM users WHERE region_code = $1"),
    ("items", "SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE region_code = $1 LIMIT 1) x"),
    ("cases", "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE district_code = $2 AND region_code = $1 LIMIT 1) x"),
    ("consultations", "SELECT COUNT(*) FROM (SELECT 1 FROM consultations WHERE district_code = $2 AND region_code = $1 LIMIT 1) x"),
    ("evaluations", "SELECT COUNT(*) FROM (SELECT 1 FROM evaluations WHERE district_code = $2 AND region_code = $1 LIMIT 1) x"),
    ("warnings", "SELECT COUNT(*) FROM (SELECT 1 FROM warnings WHERE district_code = $2 AND region_code = $1 LIMIT 1) x"),
    ("work_orders", "SELECT COUNT(*) FROM (SELECT 1 FROM work_orders WHERE district_code = $2 AND region_code = $1 LIMIT 1) x"),
];

impl Store {
    /// Insert or update a city's regions (parents before children) and
    /// departments in one audited transaction. Returns (regions, departments).
    pub async fn import_organisation(
        &self,
        regions: &[RegionImport],
        departments: &[DepartmentImport],
        audit: &AuditRecord,
    ) -> StoreResult<(usize, usize)> {
        let now = govpulse_core::time::now_ms();
        audited_write!(self, audit, tx => {
            for r in regions {
                sqlx::query(
                    "INSERT INTO regions (code, name, level, parent_code, attributes) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                        parent_code = excluded.parent_code, attributes = excluded.attributes",
                )
                .bind(&r.region.code)
                .bind(&r.region.name)
                .bind(r.region.level)
                .bind(&r.region.parent_code)
                .bind(&r.attributes)
                .execute(&mut *tx)
                .await?;
            }
            for d in departments {
                sqlx::query(
                    "INSERT INTO departments (code, name, level, region_code, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                        region_code = excluded.region_code",
                )
                .bind(&d.code)
                .bind(&d.name)
                .bind(&d.level)
                .bind(&d.region_code)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok((regions.len(), departments.len()))
    }

    /// The top of the region tree (the lowest level, then the lowest code).
    pub async fn root_region(&self) -> StoreResult<Option<RegionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RegionRow>(
                "SELECT code, name, level, parent_code, merged_into FROM regions WHERE merged_into IS NULL
                 ORDER BY level, code LIMIT 1",
            )
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn get_region_detail(&self, code: &str) -> StoreResult<Option<RegionDetailRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RegionDetailRow>(
                "SELECT code, name, level, parent_code, attributes, merged_into FROM regions WHERE code = $1",
            )
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Rename a region and/or replace its attributes; each change goes to its history.
    pub async fn update_region(
        &self,
        before: &RegionDetailRow,
        name: &str,
        attributes: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let now = govpulse_core::time::now_ms();
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("UPDATE regions SET name = $2, attributes = $3 WHERE code = $1")
                .bind(&before.code)
                .bind(name)
                .bind(attributes)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
            for (action, old, new) in [
                ("rename", before.name.as_str(), name),
                ("attributes", before.attributes.as_str(), attributes),
            ] {
                if old != new {
                    sqlx::query(
                        "INSERT INTO region_history (code, action, before_value, after_value, actor, at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&before.code)
                    .bind(action)
                    .bind(old)
                    .bind(new)
                    .bind(&audit.actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// Merge region `code` into `into`: its departments and users move to
    /// `into`, the region itself stays (old records keep its code and name)
    /// marked with its successor. A region with live sub-regions is refused
    /// (`Conflict("regions")`): their codes carry its prefix.
    pub async fn merge_region(
        &self,
        code: &str,
        into: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let now = govpulse_core::time::now_ms();
        audited_write!(self, audit, tx => {
            let children: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM regions WHERE parent_code = $1 AND merged_into IS NULL",
            )
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
            if children > 0 {
                return Err(StoreError::Conflict("regions".into()));
            }
            expect_found(sqlx::query("UPDATE regions SET merged_into = $2 WHERE code = $1 AND merged_into IS NULL")
                .bind(code)
                .bind(into)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
            for moved in [
                "UPDATE departments SET region_code = $2 WHERE region_code = $1",
                "UPDATE users SET region_code = $2 WHERE region_code = $1",
            ] {
                sqlx::query(moved)
                    .bind(code)
                    .bind(into)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO region_history (code, action, before_value, after_value, actor, at)
                 VALUES ($1, 'merge', $1, $2, $3, $4)",
            )
            .bind(code)
            .bind(into)
            .bind(&audit.actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// What references region `code` (table names; empty when nothing does).
    pub async fn region_references(&self, code: &str) -> StoreResult<Vec<&'static str>> {
        let district = govpulse_core::region::district_of(code);
        let mut found = Vec::new();
        for (table, query) in REFERENCES {
            let count: i64 = on_read!(self, pool => {
                let probe = sqlx::query_scalar(*query).bind(code);
                // Only the fact tables' probes take the district.
                if query.contains("$2") { probe.bind(district) } else { probe }
                    .fetch_one(pool)
                    .await?
            });
            if count > 0 {
                found.push(*table);
            }
        }
        Ok(found)
    }

    /// Delete a region nothing references (`Conflict(tables)` otherwise).
    pub async fn delete_region(&self, code: &str, audit: &AuditRecord) -> StoreResult<()> {
        let references = self.region_references(code).await?;
        if !references.is_empty() {
            return Err(StoreError::Conflict(references.join(",")));
        }
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("DELETE FROM regions WHERE code = $1")
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
        });
        Ok(())
    }

    /// A region's changes, oldest first.
    pub async fn region_history(&self, code: &str) -> StoreResult<Vec<RegionHistoryRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, RegionHistoryRow>(
                "SELECT action, before_value, after_value, actor, at FROM region_history
                 WHERE code = $1 ORDER BY id",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }
}
