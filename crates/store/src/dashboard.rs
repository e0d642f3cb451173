//! Dashboard storage (DASH-1..5): the change log that tells every server
//! process which (district, day) partitions to recompute, the grouped cells a
//! partition is made of, consultation questions for hot words, and the
//! caller's unread warning messages.

use crate::db::{Sql, Store, StoreResult};
use crate::org::OrgScope;
use futures_util::TryStreamExt;
use govpulse_core::dashboard::cube::{CaseCounts, CellCodes, Kind};

const DAY_MS: i64 = 86_400_000;
/// Local time is UTC+8: a local day starts 8 hours before the UTC day.
const OFFSET_MS: i64 = 8 * 3_600_000;

/// The local day number of an instant.
pub fn local_day(ms: i64) -> i64 {
    (ms + OFFSET_MS).div_euclid(DAY_MS)
}

/// The first instant of a local day.
pub fn day_start(day: i64) -> i64 {
    day * DAY_MS - OFFSET_MS
}

/// Log that the partitions of `(district, instant)` pairs changed, inside the
/// caller's transaction.
macro_rules! log_dashboard_changes {
    ($pool:expr, $tx:expr, $kind:expr, $changes:expr) => {{
        let mut partitions: Vec<(String, i64)> = $changes
            .into_iter()
            .map(|(district, at): (String, i64)| (district, $crate::dashboard::local_day(at)))
            .collect();
        partitions.sort_unstable();
        partitions.dedup();
        let now = govpulse_core::time::now_ms();
        let rows: Vec<Vec<$crate::db::Value>> = partitions
            .into_iter()
            .map(|(district, day)| {
                vec![
                    $crate::db::Value::Text($kind.to_string()),
                    $crate::db::Value::Text(district),
                    $crate::db::Value::Int(day),
                    $crate::db::Value::Int(now),
                ]
            })
            .collect();
        insert_rows!(
            $pool,
            $tx,
            "INSERT INTO dashboard_changes (kind, district_code, day, at)",
            rows
        );
    }};
}
pub(crate) use log_dashboard_changes;

/// A logged partition change.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub seq: i64,
    pub kind: String,
    pub district_code: String,
    pub day: i64,
}

/// Partitions to load: one district's days, or everything.
#[derive(Debug, Clone)]
pub struct CellRange {
    pub district: Option<String>,
    pub first_day: i64,
    pub last_day: i64,
}

impl CellRange {
    pub fn all() -> Self {
        Self {
            district: None,
            first_day: i64::MIN / (2 * DAY_MS),
            last_day: i64::MAX / (2 * DAY_MS),
        }
    }

    /// Whether the range is read through the memory-mapped readers: a build
    /// of every district (at start, or by a reader that fell behind) touches
    /// the whole database and is fastest mapped; one district's days, loaded
    /// or scanned for hot words after every intake batch, go through the scan
    /// connections so that the pages they read do not stay resident in the
    /// process once per reader.
    fn mapped(&self) -> bool {
        self.district.is_none()
    }

    fn push(&self, sql: &mut Sql, district_column: &str, time_column: &str) {
        sql.push(" WHERE 1 = 1");
        sql.and_eq(district_column, &self.district);
        sql.and_between(
            time_column,
            Some(day_start(self.first_day)),
            Some(day_start(self.last_day + 1)),
        );
    }
}

/// `(time + offset) / day` in SQL: integer division on both databases.
fn day_of(column: &str) -> String {
    format!("({column} + {OFFSET_MS}) / {DAY_MS}")
}

type CaseRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);
type ConsultationRow = (String, i64, String, String, String, String, i64);
type QuestionRow = (i64, String, String, String, i64, String);
/// Where a page of questions ends: `(asked_at, code)`.
pub type QuestionKey = (i64, String);
type WarningRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

fn codes(
    district: String,
    day: i64,
    region: String,
    department: String,
    item: String,
    applicant_type: String,
) -> CellCodes {
    CellCodes {
        district,
        day,
        region,
        department,
        item,
        applicant_type,
    }
}

/// Stream the rows of a dynamic query over `$range` to `each`.
macro_rules! stream_rows {
    ($store:expr, $range:expr, $row:ty, $sql:expr, $each:expr) => {{
        let sql: &Sql = $sql;
        on_scan!($store, $range.mapped(), pool => {
            let mut rows = bind_all!(
                sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe(sql.text_for(crate::db::PoolOps::kind(pool)))),
                &sql.args
            )
            .fetch(pool);
            while let Some(row) = rows.try_next().await? {
                $each(row);
            }
        });
    }};
}

impl Store {
    /// Changes logged after `seq`, oldest first, and the oldest sequence still
    /// logged (a reader that has fallen behind it must rebuild).
    pub async fn dashboard_changes(&self, after: i64) -> StoreResult<(Vec<Change>, Option<i64>)> {
        Ok(on_read!(self, pool => {
            let changes = sqlx::query_as::<_, Change>(
                "SELECT seq, kind, district_code, day FROM dashboard_changes WHERE seq > $1 ORDER BY seq",
            )
            .bind(after)
            .fetch_all(pool)
            .await?;
            let oldest = sqlx::query_scalar::<_, Option<i64>>("SELECT MIN(seq) FROM dashboard_changes")
                .fetch_one(pool)
                .await?;
            (changes, oldest)
        }))
    }

    /// How many changes are logged after `seq`, and the newest.
    pub async fn dashboard_log_window(&self, after: i64) -> StoreResult<(i64, Option<i64>)> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i64, Option<i64>)>(
                "SELECT COUNT(*), MAX(seq) FROM dashboard_changes WHERE seq > $1",
            )
            .bind(after)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Drop log entries older than `before_ms` (readers that far behind rebuild).
    pub async fn prune_dashboard_changes(&self, before_ms: i64) -> StoreResult<u64> {
        Ok(on_write!(self, pool => {
            sqlx::query("DELETE FROM dashboard_changes WHERE at < $1")
                .bind(before_ms)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Case cells of the range: counts per day, region, department, item and applicant type.
    pub async fn case_cells(
        &self,
        range: &CellRange,
        mut each: impl FnMut(CellCodes, CaseCounts),
    ) -> StoreResult<()> {
        let mut sql = Sql::new(&format!(
            "SELECT district_code, {} AS day, region_code, department_code, item_code, applicant_type, COUNT(*),
                SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'completed' AND NOT overdue THEN 1 ELSE 0 END),
                SUM(CASE WHEN overdue THEN 1 ELSE 0 END)
             FROM cases",
            day_of("submitted_at")
        ));
        range.push(&mut sql, "district_code", "submitted_at");
        // Records marked erroneous stay in the lists but leave the figures.
        sql.push(" AND erroneous_reason IS NULL");
        sql.push(
            " GROUP BY district_code, day, region_code, department_code, item_code, applicant_type",
        );
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        stream_rows!(self, range, CaseRow, &sql, |r: CaseRow| each(
            codes(r.0, r.1, r.2, r.3, r.4, r.5),
            CaseCounts {
                cases: count(r.6),
                accepted: count(r.7),
                completed: count(r.8),
                on_time: count(r.9),
                overdue: count(r.10),
            }
        ));
        Ok(())
    }

    /// Consultation cells of the range (no department or item = '').
    pub async fn consultation_cells(
        &self,
        range: &CellRange,
        mut each: impl FnMut(CellCodes, u64),
    ) -> StoreResult<()> {
        let mut sql = Sql::new(&format!(
            "SELECT district_code, {} AS day, region_code, COALESCE(department_code, '') AS department,
                COALESCE(item_code, '') AS item, applicant_type, COUNT(*)
             FROM consultations",
            day_of("asked_at")
        ));
        range.push(&mut sql, "district_code", "asked_at");
        // Records marked erroneous stay in the lists but leave the figures.
        sql.push(" AND erroneous_reason IS NULL");
        sql.push(" GROUP BY district_code, day, region_code, department, item, applicant_type");
        stream_rows!(self, range, ConsultationRow, &sql, |r: ConsultationRow| {
            each(
                codes(r.0, r.1, r.2, r.3, r.4, r.5),
                u64::try_from(r.6).unwrap_or(0),
            )
        });
        Ok(())
    }

    /// Warning cells of the range, by the day raised, with stage and current level.
    pub async fn warning_cells(
        &self,
        range: &CellRange,
        mut each: impl FnMut(CellCodes, &str, &str, u64),
    ) -> StoreResult<()> {
        let mut sql = Sql::new(&format!(
            "SELECT w.district_code, {} AS day, w.region_code, w.department_code, w.item_code,
                COALESCE(c.applicant_type, q.applicant_type, 'person') AS applicant, w.stage, w.level, COUNT(*)
             FROM warnings w
             LEFT JOIN cases c ON c.case_code = w.case_code
             LEFT JOIN consultations q ON q.code = w.case_code",
            day_of("w.raised_at")
        ));
        range.push(&mut sql, "w.district_code", "w.raised_at");
        sql.push(" GROUP BY w.district_code, day, w.region_code, w.department_code, w.item_code, applicant, w.stage, w.level");
        stream_rows!(self, range, WarningRow, &sql, |r: WarningRow| each(
            codes(r.0, r.1, r.2, r.3, r.4, r.5),
            &r.6,
            &r.7,
            u64::try_from(r.8).unwrap_or(0)
        ));
        Ok(())
    }

    /// One page of the consultation questions of one district's days, in
    /// `(asked_at, code)` order after the key `after` (`None`: from the
    /// first): (day, region, department, question) to `each`. Returns the key
    /// to continue after, `None` once the last page was read. Read in pages so
    /// that the questions of a large partition (one 64 MiB intake batch) are
    /// never all in memory at once.
    pub async fn consultation_questions(
        &self,
        range: &CellRange,
        after: Option<&QuestionKey>,
        limit: i64,
        mut each: impl FnMut(i64, String, String, String),
    ) -> StoreResult<Option<QuestionKey>> {
        let mut sql = Sql::new(&format!(
            "SELECT {} AS day, region_code, COALESCE(department_code, ''), question, asked_at, code
             FROM consultations",
            day_of("asked_at")
        ));
        range.push(&mut sql, "district_code", "asked_at");
        // Records marked erroneous stay in the lists but leave the figures.
        sql.push(" AND erroneous_reason IS NULL");
        if let Some((asked_at, code)) = after {
            sql.push(" AND (asked_at, code) > (")
                .bind_int(*asked_at)
                .push(", ")
                .bind_text(code)
                .push(")");
        }
        sql.push(" ORDER BY asked_at, code LIMIT ").bind_int(limit);
        let (mut rows, mut last) = (0, None);
        stream_rows!(self, range, QuestionRow, &sql, |r: QuestionRow| {
            rows += 1;
            last = Some((r.4, r.5));
            each(r.0, r.1, r.2, r.3);
        });
        Ok(if rows < limit { None } else { last })
    }

    /// The user's unread warning messages per stage, for warnings raised in
    /// `[from_ms, to_ms)` that the filters and scope admit.
    pub async fn unread_by_stage(
        &self,
        user_id: i64,
        scope: &OrgScope,
        filter: &UnreadFilter,
    ) -> StoreResult<Vec<(String, i64)>> {
        // Messages carry their warning's filter columns (migration 0007): one
        // range of the partial index `(user_id, raised_at, stage)`, no join.
        let mut sql = Sql::new(
            "SELECT m.stage, COUNT(*) FROM messages m WHERE m.read_at IS NULL AND m.user_id = ",
        );
        sql.bind_int(user_id);
        sql.and_between("m.raised_at", Some(filter.from_ms), Some(filter.to_ms));
        scope.push_fact_scope(&mut sql, "m");
        crate::org::push_fact_region(&mut sql, "m", &filter.region_range);
        sql.and_eq("m.department_code", &filter.department)
            .and_eq("m.item_code", &filter.item)
            .and_eq("m.stage", &filter.stage)
            .and_eq("m.applicant_type", &filter.applicant_type);
        sql.push(" GROUP BY m.stage");
        Ok(fetch_dynamic!(self, (String, i64), &sql)?)
    }
}

/// The dashboard filters as they apply to warning messages.
#[derive(Debug, Clone, Default)]
pub struct UnreadFilter {
    pub from_ms: i64,
    pub to_ms: i64,
    pub region_range: Option<(String, String)>,
    pub department: Option<String>,
    pub item: Option<String>,
    pub stage: Option<String>,
    pub applicant_type: Option<String>,
}

/// Days between two changed days still recomputed as one range.
const MERGE_GAP_DAYS: i64 = 7;

/// The partitions a change log names, per kind and district, as runs of days
/// (close days merged into one range, one query each).
pub fn ranges_of(changes: &[Change]) -> Vec<(Kind, CellRange)> {
    let mut days: std::collections::BTreeMap<(Kind, String), Vec<i64>> = Default::default();
    for change in changes {
        if let Some(kind) = Kind::parse(&change.kind) {
            days.entry((kind, change.district_code.clone()))
                .or_default()
                .push(change.day);
        }
    }
    let mut ranges = Vec::new();
    for ((kind, district), mut list) in days {
        list.sort_unstable();
        list.dedup();
        let mut run: Option<(i64, i64)> = None;
        for day in list {
            run = match run {
                Some((first, last)) if day - last <= MERGE_GAP_DAYS => Some((first, day)),
                Some((first_day, last_day)) => {
                    ranges.push((
                        kind,
                        CellRange {
                            district: Some(district.clone()),
                            first_day,
                            last_day,
                        },
                    ));
                    Some((day, day))
                }
                None => Some((day, day)),
            };
        }
        if let Some((first_day, last_day)) = run {
            ranges.push((
                kind,
                CellRange {
                    district: Some(district),
                    first_day,
                    last_day,
                },
            ));
        }
    }
    ranges
}

/// What a code names.
#[derive(Debug, Clone, Copy)]
pub enum Named {
    Region,
    Department,
    Item,
    /// An item's department name.
    ItemDepartment,
}

impl Store {
    /// Names of the given codes (unknown codes are left out).
    pub async fn names_of(
        &self,
        named: Named,
        codes: &[&str],
    ) -> StoreResult<std::collections::HashMap<String, String>> {
        let select = match named {
            Named::Region => "SELECT code, name FROM regions WHERE code IN ",
            Named::Department => "SELECT code, name FROM departments WHERE code IN ",
            Named::Item => "SELECT item_code, name FROM items WHERE is_current AND item_code IN ",
            Named::ItemDepartment => {
                "SELECT i.item_code, COALESCE(i.department_name, d.name, i.department_code) FROM items i
                 LEFT JOIN departments d ON d.code = i.department_code WHERE i.is_current AND i.item_code IN "
            }
        };
        let mut names = std::collections::HashMap::new();
        for chunk in codes.chunks(crate::db::ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(select);
            sql.push_list(chunk.iter().copied());
            names.extend(fetch_dynamic!(self, (String, String), &sql)?);
        }
        Ok(names)
    }
}
