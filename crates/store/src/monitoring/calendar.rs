//! Calendar years edited or imported by administrators (MON-1); a stored year
//! replaces the bundled one. A year deadlines are about to run into with no
//! holiday data raises a [`CALENDAR_MISSING_RULE`] warning (subject
//! `k:<year>`) that closes when the year gets its data.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};
use crate::monitoring::standalone::{
    active_standalone_warnings, close_standalone_warnings, raise_standalone_warning,
    StandaloneWarning, OVERDUE_COLOUR, OVERDUE_LEVEL, OVERDUE_LEVEL_NAME,
};
use serde::Serialize;

/// The rule code of the warning about a year without holiday data.
pub const CALENDAR_MISSING_RULE: &str = "calendar_missing";

/// A year without holiday data to warn about.
#[derive(Debug, Clone)]
pub struct MissingYear {
    pub year: i32,
    pub title: String,
    pub body: String,
}

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

    /// Bring the [`CALENDAR_MISSING_RULE`] warnings in step with `missing`:
    /// raise one (red, a city-wide matter of `region`) for each year without
    /// an active warning, close those of years no longer missing (a false
    /// positive stays dismissed). Returns `(raised, closed)`.
    pub async fn sync_calendar_warnings(
        &self,
        missing: &[MissingYear],
        region: &str,
        now_ms: i64,
    ) -> StoreResult<(u64, u64)> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let active = active_standalone_warnings!(tx, CALENDAR_MISSING_RULE);
            let (mut raised, mut closed) = (0, 0);
            for (subject, _, status) in &active {
                let still = missing.iter().any(|m| calendar_subject(m.year) == *subject);
                if !still && status != "false_positive" {
                    close_standalone_warnings!(tx, subject, "节假日数据已补充", now_ms, "system");
                    closed += 1;
                }
            }
            for year in missing {
                let subject = calendar_subject(year.year);
                if active.iter().any(|(s, ..)| *s == subject) {
                    continue;
                }
                let reference = format!("{} 年工作日历", year.year);
                let warning = StandaloneWarning {
                    rule: CALENDAR_MISSING_RULE,
                    subject: &subject,
                    reference: &reference,
                    stage: "calendar",
                    district: region,
                    region,
                    department: "",
                    item: "",
                    level: OVERDUE_LEVEL,
                    level_rank: 1,
                    level_name: OVERDUE_LEVEL_NAME,
                    colour: OVERDUE_COLOUR,
                    handling_hours: 24 * 7,
                    action: "raised",
                    title: year.title.clone(),
                    body: year.body.clone(),
                };
                raise_standalone_warning!(pool, tx, &users, &warning, now_ms);
                raised += 1;
            }
            tx.commit().await?;
            (raised, closed)
        }))
    }
}

/// The subject key of a calendar year's warning.
fn calendar_subject(year: i32) -> String {
    format!("k:{year}")
}
