//! `GET /dashboard/satisfaction`: satisfaction and 差评 figures (issue 12) —
//! evaluations (好差评) with the dashboard's filters and scope, their
//! satisfaction and 差评 rates per district and responsible department and
//! over the period — and their tables for `GET /dashboard/export`.

use super::export::{percent, Table};
use super::{day_label, DashboardQuery, MAX_DAYS};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::workorders::BAD_REVIEW_SATISFACTION;
use axum::extract::State;
use axum::Json;
use govpulse_store::workorders::{SatisfactionBy, SatisfactionFilter, SatisfactionRow};
use serde::Serialize;

/// Periods longer than this are shown per month.
const DAILY_UP_TO: i64 = 92;

/// Evaluations of one district or department.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionGroup {
    pub code: String,
    pub name: String,
    pub total: u64,
    /// Rated 不满意 or 非常不满意.
    pub bad: u64,
    /// (total − bad) ÷ total
    pub satisfaction_rate: f64,
    /// bad ÷ total
    pub bad_rate: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionPoint {
    /// `YYYY-MM-DD`, or `YYYY-MM` for periods over 92 days.
    pub date: String,
    pub total: u64,
    pub bad: u64,
    pub bad_rate: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionView {
    pub from: String,
    pub to: String,
    pub total: u64,
    pub bad: u64,
    pub satisfaction_rate: f64,
    pub bad_rate: f64,
    pub by_district: Vec<SatisfactionGroup>,
    /// Most 差评 first.
    pub by_department: Vec<SatisfactionGroup>,
    pub trend: Vec<SatisfactionPoint>,
}

fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn group(row: SatisfactionRow) -> SatisfactionGroup {
    let (total, bad) = (count(row.total), count(row.bad));
    SatisfactionGroup {
        name: row.name.unwrap_or_else(|| {
            if row.key.is_empty() {
                "未关联部门".to_string()
            } else {
                row.key.clone()
            }
        }),
        code: row.key,
        total,
        bad,
        satisfaction_rate: rate(total - bad.min(total), total),
        bad_rate: rate(bad, total),
    }
}

/// Every day (or month) of the period, with the days' counts.
fn trend(first_day: i64, last_day: i64, days: &[SatisfactionRow]) -> Vec<SatisfactionPoint> {
    let monthly = last_day - first_day + 1 > DAILY_UP_TO;
    let mut points: Vec<SatisfactionPoint> = Vec::new();
    for day in first_day..=last_day {
        let mut date = day_label(day);
        if monthly {
            date.truncate(7);
        }
        let (total, bad) = days
            .iter()
            .find(|r| r.key.parse::<i64>().ok() == Some(day))
            .map_or((0, 0), |r| (count(r.total), count(r.bad)));
        match points.last_mut() {
            Some(last) if last.date == date => {
                last.total += total;
                last.bad += bad;
            }
            _ => points.push(SatisfactionPoint {
                date,
                total,
                bad,
                bad_rate: 0.0,
            }),
        }
    }
    for point in &mut points {
        point.bad_rate = rate(point.bad, point.total);
    }
    points
}

/// The figures for `q` in the caller's scope.
pub async fn figures(
    state: &AppState,
    caller: &Caller,
    q: &DashboardQuery,
) -> ApiResult<SatisfactionView> {
    let resolved = q.resolve(caller, MAX_DAYS)?;
    let unread = &resolved.unread;
    let filter = SatisfactionFilter {
        region_range: unread.region_range.clone(),
        department: unread.department.clone(),
        item: unread.item.clone(),
        applicant_type: unread.applicant_type.clone(),
        from_ms: unread.from_ms,
        to_ms: unread.to_ms,
        bad: (
            *BAD_REVIEW_SATISFACTION.start(),
            *BAD_REVIEW_SATISFACTION.end(),
        ),
    };
    let scope = caller.org_scope();
    let stats = |by| state.store.satisfaction_stats(&scope, &filter, by);
    let by_district: Vec<SatisfactionGroup> = stats(SatisfactionBy::District)
        .await?
        .into_iter()
        .map(group)
        .collect();
    let mut by_department: Vec<SatisfactionGroup> = stats(SatisfactionBy::Department)
        .await?
        .into_iter()
        .map(group)
        .collect();
    by_department.sort_by(|a, b| {
        b.bad
            .cmp(&a.bad)
            .then(b.total.cmp(&a.total))
            .then(a.code.cmp(&b.code))
    });
    let days = stats(SatisfactionBy::Day).await?;
    let total: u64 = by_district.iter().map(|g| g.total).sum();
    let bad: u64 = by_district.iter().map(|g| g.bad).sum();
    Ok(SatisfactionView {
        from: day_label(resolved.first_day),
        to: day_label(resolved.last_day),
        total,
        bad,
        satisfaction_rate: rate(total - bad.min(total), total),
        bad_rate: rate(bad, total),
        by_district,
        by_department,
        trend: trend(resolved.first_day, resolved.last_day, &days),
    })
}

/// Satisfaction and 差评 rates by district and department, and their trend,
/// for the dashboard's filters and the caller's scope.
#[utoipa::path(get, path = "/dashboard/satisfaction", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, body = SatisfactionView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn satisfaction(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<SatisfactionView>> {
    caller.require(&state, "data:read").await?;
    Ok(Json(figures(&state, &caller, &q).await?))
}

const GROUP_HEADERS: [&str; 6] = ["编码", "名称", "评价数", "差评数", "满意率", "差评率"];

fn group_rows(groups: Vec<SatisfactionGroup>) -> Vec<Vec<String>> {
    groups
        .into_iter()
        .map(|g| {
            vec![
                g.code,
                g.name,
                g.total.to_string(),
                g.bad.to_string(),
                percent(g.total - g.bad.min(g.total), g.total),
                percent(g.bad, g.total),
            ]
        })
        .collect()
}

/// The export table `name` if it is one of the satisfaction tables.
pub(super) async fn table(
    state: &AppState,
    caller: &Caller,
    filters: &DashboardQuery,
    name: &str,
) -> ApiResult<Option<Table>> {
    if !name.starts_with("satisfaction_") {
        return Ok(None);
    }
    let view = figures(state, caller, filters).await?;
    Ok(match name {
        "satisfaction_by_district" => Some(Table {
            stem: "satisfaction_by_district",
            title: "满意度按区划",
            headers: &GROUP_HEADERS,
            rows: group_rows(view.by_district),
        }),
        "satisfaction_by_department" => Some(Table {
            stem: "satisfaction_by_department",
            title: "满意度按部门",
            headers: &GROUP_HEADERS,
            rows: group_rows(view.by_department),
        }),
        "satisfaction_trend" => Some(Table {
            stem: "satisfaction_trend",
            title: "满意度趋势",
            headers: &["日期", "评价数", "差评数", "差评率"],
            rows: view
                .trend
                .into_iter()
                .map(|p| {
                    vec![
                        p.date,
                        p.total.to_string(),
                        p.bad.to_string(),
                        percent(p.bad, p.total),
                    ]
                })
                .collect(),
        }),
        _ => None,
    })
}
