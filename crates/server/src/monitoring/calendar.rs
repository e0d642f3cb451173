//! The working-day calendar (MON-1): the bare deadline question, years
//! edited or imported by administrators (a stored year replaces the bundled
//! one; open cases are re-evaluated on every change), and the warning about a
//! year deadlines run into that has no holiday data.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use govpulse_core::monitoring::calendar::{local_date, years_without_data, WorkCalendar};
use govpulse_core::monitoring::clock::{deadline, Unit};
use govpulse_core::time::{now_ms, parse_bound, to_rfc3339};
use govpulse_store::monitoring::{CalendarYearRow, MissingYear};
use govpulse_store::Store;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calendar_deadline))
        .routes(routes!(list_years))
        .routes(routes!(get_year, put_year))
        .routes(routes!(import_year))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// Start instant (RFC 3339) or date (`YYYY-MM-DD`, midnight Asia/Shanghai).
    pub start: String,
    /// Budget in days (0–3650).
    #[param(maximum = 3650)]
    pub days: u32,
    /// `working` (default) or `natural`.
    #[param(pattern = "^(working|natural)?$")]
    pub unit: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// 23:59:59 of the last day, `+08:00`.
    pub deadline: String,
    /// The days counted as day 1 … N (`YYYY-MM-DD`).
    pub working_days: Vec<String>,
}

/// The bare calendar question: when does a budget of `days` from `start` end?
#[utoipa::path(get, path = "/calendar/deadline", tag = "monitoring", params(DeadlineQuery),
    responses((status = 200, body = DeadlineView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn calendar_deadline(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineView>> {
    let start = parse_bound(&q.start)
        .ok_or_else(|| ApiError::invalid_field("start", "时间格式须为 RFC 3339 或 YYYY-MM-DD"))?;
    if q.days > 3650 {
        return Err(ApiError::invalid_field("days", "时限须在 0–3650 天之间"));
    }
    let unit = match q.unit.as_deref() {
        None | Some("") => Unit::Working,
        Some(text) => Unit::parse(text)
            .ok_or_else(|| ApiError::invalid_field("unit", "单位须为 working 或 natural"))?,
    };
    let answer = deadline(&state.monitor.calendar(), start, q.days, unit, &[]);
    Ok(Json(DeadlineView {
        deadline: to_rfc3339(answer.deadline_ms),
        working_days: answer
            .counted_days
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect(),
    }))
}

/// One exception to the Monday–Friday rule (holiday-cn shape).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
    /// `true`: a holiday; `false`: an adjusted working weekend (调休).
    #[serde(alias = "isOffDay")]
    pub is_off_day: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    /// `bundled`, `edited` or `imported`.
    pub source: String,
    pub days: Vec<CalendarDay>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarYearSummary {
    pub year: i32,
    pub source: String,
    pub holidays: usize,
    pub workdays: usize,
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearInput {
    pub days: Vec<CalendarDay>,
}

/// A holiday-cn year file.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HolidayCnFile {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub days: Vec<CalendarDay>,
}

const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

fn bundled_days(year: i32) -> Vec<CalendarDay> {
    WorkCalendar::bundled_year(year)
        .into_iter()
        .map(|(date, name, is_off_day)| CalendarDay {
            date,
            name,
            is_off_day,
        })
        .collect()
}

/// The calendar in force: bundled years with stored years replacing theirs.
pub async fn effective_calendar(store: &Store) -> anyhow::Result<WorkCalendar> {
    let mut calendar = WorkCalendar::bundled();
    for row in store.calendar_years().await? {
        let days: Vec<CalendarDay> = serde_json::from_str(&row.days)?;
        calendar.replace_year(
            row.year,
            days.iter()
                .filter_map(|d| Some((parse_date(&d.date)?, !d.is_off_day))),
        );
    }
    Ok(calendar)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn check_year(year: i32) -> ApiResult<()> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(ApiError::invalid_field(
            "year",
            format!("年份须在 {FIRST_YEAR}–{LAST_YEAR} 之间"),
        ));
    }
    Ok(())
}

fn check_days(year: i32, days: &[CalendarDay]) -> ApiResult<()> {
    check_year(year)?;
    if days.len() > 366 {
        return Err(ApiError::invalid_field("days", "一年最多 366 天"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, day) in days.iter().enumerate() {
        let Some(date) = parse_date(&day.date).filter(|d| d.year() == year) else {
            return Err(ApiError::invalid_field(
                &format!("days[{i}].date"),
                format!("{} 不是 {year} 年的日期", day.date),
            ));
        };
        if !seen.insert(date) {
            return Err(ApiError::invalid_field(
                &format!("days[{i}].date"),
                format!("{} 重复", day.date),
            ));
        }
        if day.name.trim().is_empty() || day.name.chars().count() > 30 {
            return Err(ApiError::invalid_field(
                &format!("days[{i}].name"),
                "名称须为 1–30 个字符",
            ));
        }
    }
    Ok(())
}

async fn year_view(state: &AppState, year: i32) -> ApiResult<CalendarYear> {
    let stored = state
        .store
        .calendar_years()
        .await?
        .into_iter()
        .find(|r| r.year == year);
    Ok(match stored {
        Some(row) => CalendarYear {
            year,
            source: row.source,
            days: serde_json::from_str(&row.days).map_err(ApiError::internal)?,
        },
        None => CalendarYear {
            year,
            source: "bundled".into(),
            days: bundled_days(year),
        },
    })
}

/// Store a year, swap the calendar in and re-evaluate every open case.
async fn save_year(
    state: &AppState,
    caller: &Caller,
    year: i32,
    source: &str,
    mut days: Vec<CalendarDay>,
) -> ApiResult<CalendarYear> {
    caller.require(state, "calendar:write").await?;
    check_days(year, &days)?;
    days.sort_by(|a, b| a.date.cmp(&b.date));
    let json = serde_json::to_string(&days).map_err(ApiError::internal)?;
    let audit = caller.audit(
        "calendar.save",
        "calendar_year",
        &year.to_string(),
        serde_json::json!({"source": source, "days": days.len()}),
    );
    let row = CalendarYearRow {
        year,
        source: source.into(),
        days: json,
        updated_at: now_ms(),
        updated_by: caller.username.clone(),
    };
    state.store.save_calendar_year(&row, &audit).await?;
    state.monitor.set_calendar(
        effective_calendar(&state.store)
            .await
            .map_err(ApiError::internal)?,
    );
    state.store.mark_open_subjects_due().await?;
    state.monitor.wake();
    sweep_missing_years(state, now_ms()).await?;
    year_view(state, year).await
}

/// Raise a red `calendar_missing` warning for this year, or next year within
/// 60 days, while it has no holiday data (its deadlines would count Monday–
/// Friday only, through 春节), and close it once the year has data. City-wide:
/// the city's warning readers are told. Returns `(raised, closed)`.
pub async fn sweep_missing_years(state: &AppState, now: i64) -> ApiResult<(u64, u64)> {
    let Some(city) = crate::org::city_region(state).await? else {
        return Ok((0, 0));
    };
    let missing: Vec<MissingYear> = years_without_data(&state.monitor.calendar(), local_date(now))
        .into_iter()
        .map(|(year, days_left)| MissingYear {
            year,
            title: format!("【红灯】{year} 年节假日数据缺失"),
            body: if days_left > 0 {
                format!("距 {year} 年 1 月 1 日还有 {days_left} 天，工作日历尚无该年的法定节假日与调休数据：跨入该年的办件时限将按周一至周五上班计算，不计春节等假期。请在 系统管理 › 工作日历 导入或录入。")
            } else {
                format!("工作日历尚无 {year} 年的法定节假日与调休数据：办件时限正按周一至周五上班计算，不计春节等假期。请在 系统管理 › 工作日历 导入或录入。")
            },
        })
        .collect();
    Ok(state
        .store
        .sync_calendar_warnings(&missing, &city, now)
        .await?)
}

/// Check the calendar's years at start and every hour. Stops when the server drains.
pub fn start(state: &AppState) {
    crate::spawn_periodic(
        state,
        std::time::Duration::from_secs(3600),
        |state| async move {
            if let Err(err) = sweep_missing_years(&state, now_ms()).await {
                tracing::warn!(error = ?err, "calendar data check failed");
            }
        },
    );
}

#[utoipa::path(get, path = "/calendar/years", tag = "monitoring", responses((status = 200, body = [CalendarYearSummary])))]
pub async fn list_years(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CalendarYearSummary>>> {
    caller.require(&state, "org:read").await?;
    let stored = state.store.calendar_years().await?;
    let mut years: Vec<CalendarYearSummary> = (WorkCalendar::BUNDLED_FIRST
        ..=WorkCalendar::BUNDLED_LAST)
        .chain(stored.iter().map(|r| r.year))
        .collect::<std::collections::BTreeSet<i32>>()
        .into_iter()
        .map(|year| {
            let row = stored.iter().find(|r| r.year == year);
            let days: Vec<CalendarDay> = row
                .and_then(|r| serde_json::from_str(&r.days).ok())
                .unwrap_or_else(|| bundled_days(year));
            CalendarYearSummary {
                year,
                source: row.map_or("bundled".into(), |r| r.source.clone()),
                holidays: days.iter().filter(|d| d.is_off_day).count(),
                workdays: days.iter().filter(|d| !d.is_off_day).count(),
                updated_at: row.map(|r| to_rfc3339(r.updated_at)),
            }
        })
        .collect();
    years.reverse();
    Ok(Json(years))
}

#[utoipa::path(get, path = "/calendar/years/{year}", tag = "monitoring",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = CalendarYear)))]
pub async fn get_year(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
) -> ApiResult<Json<CalendarYear>> {
    caller.require(&state, "org:read").await?;
    check_year(year)?;
    Ok(Json(year_view(&state, year).await?))
}

#[utoipa::path(put, path = "/calendar/years/{year}", tag = "monitoring", request_body = CalendarYearInput,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = CalendarYear), (status = 400, body = crate::error::ErrorBody)))]
pub async fn put_year(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
    ApiJson(input): ApiJson<CalendarYearInput>,
) -> ApiResult<Json<CalendarYear>> {
    Ok(Json(
        save_year(&state, &caller, year, "edited", input.days).await?,
    ))
}

#[utoipa::path(post, path = "/calendar/import", tag = "monitoring", request_body = HolidayCnFile,
    responses((status = 200, body = CalendarYear), (status = 400, body = crate::error::ErrorBody)))]
pub async fn import_year(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(file): ApiJson<HolidayCnFile>,
) -> ApiResult<Json<CalendarYear>> {
    // holiday-cn files may carry the previous year's last days (元旦 blocks).
    let prefix = format!("{}-", file.year);
    let days = file
        .days
        .into_iter()
        .filter(|d| d.date.starts_with(&prefix))
        .collect();
    Ok(Json(
        save_year(&state, &caller, file.year, "imported", days).await?,
    ))
}
