//! Calendar years edited or imported by administrators (MON-1); a stored year
//! replaces the bundled one.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CalendarYearRow {
    pub year: i32,
    pub source: String,
    /// holiday-cn shaped JSON: `[{"date", "name", "isOffDay"}]`.
    pub days: String,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Store {
    pub async fn calendar_years(&self) -> StoreResult<Vec<CalendarYearRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, CalendarYearRow>(
                "SELECT year, source, days, updated_at, updated_by FROM calendar_years ORDER BY year",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn save_calendar_year(
        &self,
        row: &CalendarYearRow,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query(
                "INSERT INTO calendar_years (year, source, days, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (year) DO UPDATE SET source = excluded.source, days = excluded.days,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(row.year)
            .bind(&row.source)
            .bind(&row.days)
            .bind(row.updated_at)
            .bind(&row.updated_by)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
