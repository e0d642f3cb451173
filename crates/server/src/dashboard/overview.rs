//! `GET /dashboard/overview`: every figure of the dashboard for the filters,
//! from one pass over the cube, with names attached and the caller's unread
//! warning messages counted.

use super::{day_label, DashboardQuery, Resolved, MAX_DAYS};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::dashboard::cube::{CaseCounts, STAGES};
use govpulse_core::dashboard::query::{GroupRow, Overview};
use govpulse_store::dashboard::Named;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Rows of the department ranking and the item list.
const TOP_DEPARTMENTS: usize = 20;
const TOP_ITEMS: usize = 10;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseFigures {
    pub total: u64,
    pub accepted: u64,
    pub completed: u64,
    pub on_time: u64,
    pub overdue: u64,
    /// on_time ÷ completed
    pub on_time_rate: f64,
}

fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl From<CaseCounts> for CaseFigures {
    fn from(c: CaseCounts) -> Self {
        Self {
            total: c.cases,
            accepted: c.accepted,
            completed: c.completed,
            on_time: c.on_time,
            overdue: c.overdue,
            on_time_rate: rate(c.on_time, c.completed),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsultationFigures {
    pub total: u64,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct StageFigures {
    pub total: u64,
    pub red: u64,
    pub yellow: u64,
    pub unread: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningFigures {
    pub total: u64,
    pub by_stage: BTreeMap<String, StageFigures>,
    /// Per level key; `red` and `yellow` always present.
    pub by_level: BTreeMap<String, u64>,
    pub unread: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionFigures {
    pub region_code: String,
    pub name: String,
    pub cases: u64,
    pub completed: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub consultations: u64,
    pub warnings: u64,
    pub red: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentFigures {
    pub department_code: String,
    pub name: String,
    pub cases: u64,
    pub completed: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub on_time_rate: f64,
    pub warnings: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemFigures {
    pub item_code: String,
    pub name: String,
    pub department_name: String,
    pub cases: u64,
    pub consultations: u64,
    pub warnings: u64,
    pub red: u64,
    pub overdue: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Funnel {
    pub consultations: u64,
    pub applications: u64,
    pub accepted: u64,
    pub completed: u64,
    pub on_time: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrendFigures {
    /// `YYYY-MM-DD`, or `YYYY-MM` when `granularity` is `month`.
    pub date: String,
    pub cases: u64,
    pub completed: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub consultations: u64,
    pub warnings: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverviewView {
    pub from: String,
    pub to: String,
    /// `day` or `month`
    #[schema(pattern = "^(day|month)$")]
    pub granularity: String,
    pub cases: CaseFigures,
    pub consultations: ConsultationFigures,
    pub warnings: WarningFigures,
    pub by_region: Vec<RegionFigures>,
    pub by_department: Vec<DepartmentFigures>,
    pub top_items: Vec<ItemFigures>,
    pub funnel: Funnel,
    pub trend: Vec<TrendFigures>,
}

/// The cube's answer for the resolved filters, plus unread counts per stage.
pub async fn compute(
    state: &AppState,
    caller: &Caller,
    resolved: &Resolved,
) -> ApiResult<(Overview, HashMap<String, u64>)> {
    let overview = {
        let fresh = state.dashboard.fresh(&state.store).await?;
        fresh.cube.overview(&resolved.filter)
    };
    let mut unread = HashMap::new();
    if let (true, Some(user)) = (resolved.filter.warnings, caller.user_id) {
        for (stage, n) in state
            .store
            .unread_by_stage(user, &caller.org_scope(), &resolved.unread)
            .await?
        {
            unread.insert(stage, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok((overview, unread))
}

/// Names of the codes in `rows`.
pub async fn names(
    state: &AppState,
    named: Named,
    rows: &[GroupRow],
) -> ApiResult<HashMap<String, String>> {
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    Ok(state.store.names_of(named, &codes).await?)
}

/// Region rows, with the focus region's visible children that have no figures.
pub async fn region_rows(
    state: &AppState,
    caller: &Caller,
    resolved: &Resolved,
    rows: &[GroupRow],
) -> ApiResult<Vec<RegionFigures>> {
    let mut names = names(state, Named::Region, rows).await?;
    let mut out: Vec<RegionFigures> = rows
        .iter()
        .map(|r| RegionFigures {
            region_code: r.code.clone(),
            name: names.remove(&r.code).unwrap_or_else(|| r.code.clone()),
            cases: r.cases.cases,
            completed: r.cases.completed,
            on_time: r.cases.on_time,
            overdue: r.cases.overdue,
            consultations: r.consultations,
            warnings: r.warnings,
            red: r.red,
        })
        .collect();
    if let Some(focus) = &resolved.focus_region {
        let visible = state.store.list_regions(&caller.org_scope()).await?;
        for child in visible
            .iter()
            .filter(|r| r.parent_code.as_deref() == Some(focus.as_str()))
        {
            if resolved.filter.admits_region(&child.code)
                && !out.iter().any(|r| r.region_code == child.code)
            {
                out.push(RegionFigures {
                    region_code: child.code.clone(),
                    name: child.name.clone(),
                    cases: 0,
                    completed: 0,
                    on_time: 0,
                    overdue: 0,
                    consultations: 0,
                    warnings: 0,
                    red: 0,
                });
            }
        }
    }
    Ok(out)
}

pub async fn department_rows(
    state: &AppState,
    rows: &[GroupRow],
) -> ApiResult<Vec<DepartmentFigures>> {
    let mut names = names(state, Named::Department, rows).await?;
    Ok(rows
        .iter()
        .filter(|r| r.cases.cases > 0 || r.warnings > 0)
        .map(|r| DepartmentFigures {
            department_code: r.code.clone(),
            name: names.remove(&r.code).unwrap_or_else(|| r.code.clone()),
            cases: r.cases.cases,
            completed: r.cases.completed,
            on_time: r.cases.on_time,
            overdue: r.cases.overdue,
            on_time_rate: rate(r.cases.on_time, r.cases.completed),
            warnings: r.warnings,
        })
        .collect())
}

pub async fn item_rows(state: &AppState, rows: &[GroupRow]) -> ApiResult<Vec<ItemFigures>> {
    let items = names(state, Named::Item, rows).await?;
    let departments = names(state, Named::ItemDepartment, rows).await?;
    Ok(rows
        .iter()
        .map(|r| ItemFigures {
            item_code: r.code.clone(),
            name: items
                .get(&r.code)
                .cloned()
                .unwrap_or_else(|| r.code.clone()),
            department_name: departments.get(&r.code).cloned().unwrap_or_default(),
            cases: r.cases.cases,
            consultations: r.consultations,
            warnings: r.warnings,
            red: r.red,
            overdue: r.cases.overdue,
        })
        .collect())
}

/// Warning figures per stage (all five) with the caller's unread counts.
pub fn stage_figures(
    overview: &Overview,
    unread: &HashMap<String, u64>,
) -> BTreeMap<String, StageFigures> {
    STAGES
        .iter()
        .map(|stage| {
            let levels = overview
                .by_stage
                .iter()
                .find(|(s, _)| s == stage)
                .map(|(_, l)| l.clone())
                .unwrap_or_default();
            let figures = StageFigures {
                total: levels.values().sum(),
                red: levels.get("red").copied().unwrap_or(0),
                yellow: levels.get("yellow").copied().unwrap_or(0),
                unread: unread.get(*stage).copied().unwrap_or(0),
            };
            (stage.to_string(), figures)
        })
        .collect()
}

#[utoipa::path(get, path = "/dashboard/overview", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, body = OverviewView)))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<OverviewView>> {
    caller.require(&state, "data:read").await?;
    let resolved = q.resolve(&caller, MAX_DAYS)?;
    let (overview, unread) = compute(&state, &caller, &resolved).await?;
    let mut by_level = overview.by_level.clone();
    for level in ["red", "yellow"] {
        by_level.entry(level.to_string()).or_insert(0);
    }
    let top_departments: Vec<GroupRow> = overview
        .by_department
        .iter()
        .take(TOP_DEPARTMENTS)
        .cloned()
        .collect();
    let top_items: Vec<GroupRow> = overview.by_item.iter().take(TOP_ITEMS).cloned().collect();
    let view = OverviewView {
        from: day_label(resolved.first_day),
        to: day_label(resolved.last_day),
        granularity: if overview.monthly { "month" } else { "day" }.to_string(),
        cases: overview.cases.into(),
        consultations: ConsultationFigures {
            total: overview.consultations,
        },
        warnings: WarningFigures {
            total: overview.warnings,
            by_stage: stage_figures(&overview, &unread),
            by_level,
            unread: unread.values().sum(),
        },
        by_region: region_rows(&state, &caller, &resolved, &overview.by_region).await?,
        by_department: department_rows(&state, &top_departments).await?,
        top_items: item_rows(&state, &top_items).await?,
        funnel: Funnel {
            consultations: overview.consultations,
            applications: overview.cases.cases,
            accepted: overview.cases.accepted,
            completed: overview.cases.completed,
            on_time: overview.cases.on_time,
        },
        trend: overview
            .trend
            .iter()
            .map(|t| TrendFigures {
                date: t.date.clone(),
                cases: t.cases.cases,
                completed: t.cases.completed,
                on_time: t.cases.on_time,
                overdue: t.cases.overdue,
                consultations: t.consultations,
                warnings: t.warnings,
            })
            .collect(),
    };
    Ok(Json(view))
}
