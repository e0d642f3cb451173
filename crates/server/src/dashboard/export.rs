//! `GET /dashboard/export`: any dashboard table as XLSX or CSV, with the same
//! filters and scope as the overview (full lists, not just the top rows).

use super::hotwords::{ranked, resolve_for_hotwords};
use super::overview::{compute, department_rows, item_rows, region_rows, stage_figures};
use super::{DashboardQuery, MAX_DAYS};
use crate::error::{ApiError, ApiResult};
use crate::export::{csv_download, xlsx_download};
use crate::exports::Format;
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use govpulse_core::dashboard::hotwords::Ranking;
use govpulse_core::monitoring::rule::STAGES;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// xlsx (default) | csv
    #[param(pattern = "^(xlsx|csv)?$")]
    pub format: Option<String>,
    /// by_region | by_department | items | trend | hotwords | warnings_by_stage | warnings_by_level | warnings_by_item |
    /// satisfaction_by_district | satisfaction_by_department | satisfaction_trend
    #[param(
        required = true,
        pattern = "^(by_region|by_department|items|trend|hotwords|warnings_by_stage|warnings_by_level|warnings_by_item|satisfaction_by_district|satisfaction_by_department|satisfaction_trend)$"
    )]
    pub table: Option<String>,
}

/// A table: file stem, sheet title, headers, rows.
pub(super) struct Table {
    pub stem: &'static str,
    pub title: &'static str,
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

pub(super) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn stage_label(stage: &str) -> &str {
    STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .map_or(stage, |(_, name)| *name)
}

async fn table(
    state: &AppState,
    caller: &Caller,
    filters: &DashboardQuery,
    name: &str,
) -> ApiResult<Table> {
    if name == "hotwords" {
        let resolved = resolve_for_hotwords(filters, caller)?;
        let words = ranked(state, &resolved, Ranking::TfIdf, 200).await?;
        return Ok(Table {
            stem: "hotwords",
            title: "咨询热点",
            headers: &["热词", "权重", "出现次数"],
            rows: words
                .into_iter()
                .map(|w| vec![w.word, format!("{:.3}", w.weight), w.count.to_string()])
                .collect(),
        });
    }
    if let Some(table) = super::satisfaction::table(state, caller, filters, name).await? {
        return Ok(table);
    }
    let resolved = filters.resolve(caller, MAX_DAYS)?;
    let (overview, unread) = compute(state, caller, &resolved).await?;
    let table = match name {
        "by_region" => Table {
            stem: "by_region",
            title: "区划分布",
            headers: &["区划编码", "区划", "办件量", "办结", "按时办结", "超期", "咨询量", "预警", "红色预警"],
            rows: region_rows(state, caller, &resolved, &overview.by_region)
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        r.region_code, r.name, r.cases.to_string(), r.completed.to_string(), r.on_time.to_string(),
                        r.overdue.to_string(), r.consultations.to_string(), r.warnings.to_string(), r.red.to_string(),
                    ]
                })
                .collect(),
        },
        "by_department" => Table {
            stem: "by_department",
            title: "部门排名",
            headers: &["部门编码", "部门", "办件量", "办结", "按时办结", "超期", "按时办结率", "预警"],
            rows: department_rows(state, &overview.by_department)
                .await?
                .into_iter()
                .map(|d| {
                    vec![
                        d.department_code, d.name, d.cases.to_string(), d.completed.to_string(), d.on_time.to_string(),
                        d.overdue.to_string(), percent(d.on_time, d.completed), d.warnings.to_string(),
                    ]
                })
                .collect(),
        },
        "items" | "warnings_by_item" => {
            let by_warnings = name == "warnings_by_item";
            let mut rows = overview.by_item.clone();
            if by_warnings {
                rows.retain(|r| r.warnings > 0);
                rows.sort_by(|a, b| b.warnings.cmp(&a.warnings).then(a.code.cmp(&b.code)));
            }
            Table {
                stem: if by_warnings { "warnings_by_item" } else { "items" },
                title: if by_warnings { "预警按事项" } else { "事项排行" },
                headers: &["事项编码", "事项", "部门", "办件量", "咨询量", "预警", "红色预警", "超期"],
                rows: item_rows(state, &rows)
                    .await?
                    .into_iter()
                    .map(|i| {
                        vec![
                            i.item_code, i.name, i.department_name, i.cases.to_string(), i.consultations.to_string(),
                            i.warnings.to_string(), i.red.to_string(), i.overdue.to_string(),
                        ]
                    })
                    .collect(),
            }
        }
        "trend" => Table {
            stem: "trend",
            title: "趋势",
            headers: &["日期", "办件量", "办结", "按时办结", "超期", "按时办结率", "咨询量", "预警"],
            rows: overview
                .trend
                .iter()
                .map(|t| {
                    vec![
                        t.date.clone(), t.cases.cases.to_string(), t.cases.completed.to_string(),
                        t.cases.on_time.to_string(), t.cases.overdue.to_string(),
                        percent(t.cases.on_time, t.cases.completed), t.consultations.to_string(), t.warnings.to_string(),
                    ]
                })
                .collect(),
        },
        "warnings_by_stage" => Table {
            stem: "warnings_by_stage",
            title: "预警按环节",
            headers: &["环节", "预警总数", "红色", "黄色", "未读"],
            rows: stage_figures(&overview, &unread)
                .into_iter()
                .map(|(stage, f)| {
                    vec![
                        stage_label(&stage).to_string(), f.total.to_string(), f.red.to_string(),
                        f.yellow.to_string(), f.unread.to_string(),
                    ]
                })
                .collect(),
        },
        "warnings_by_level" => Table {
            stem: "warnings_by_level",
            title: "预警按级别",
            headers: &["级别", "预警数"],
            rows: overview
                .by_level
                .iter()
                .map(|(level, n)| vec![level.clone(), n.to_string()])
                .collect(),
        },
        _ => {
            return Err(ApiError::invalid_field(
                "table",
                "表须为 by_region、by_department、items、trend、hotwords、warnings_by_stage、warnings_by_level、warnings_by_item、satisfaction_by_district、satisfaction_by_department 或 satisfaction_trend",
            ))
        }
    };
    Ok(table)
}

#[utoipa::path(get, path = "/dashboard/export", tag = "dashboard", params(ExportQuery, DashboardQuery),
    responses((status = 200, description = "XLSX or CSV file")))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
    ApiQuery(filters): ApiQuery<DashboardQuery>,
) -> ApiResult<Response> {
    caller.require(&state, "data:read").await?;
    let format = Format::parse(q.format.as_deref())?;
    let name =
        non_empty(&q.table).ok_or_else(|| ApiError::invalid_field("table", "须指定要导出的表"))?;
    let table = table(&state, &caller, &filters, &name).await?;
    // A sensitive read (SEC-3): who took which figures out, with the filters.
    state
        .store
        .audit(&caller.audit(
            "dashboard.export",
            "dashboard",
            &name,
            serde_json::json!({ "rows": table.rows.len(), "filters": serde_json::to_value(&filters).unwrap_or_default() }),
        ))
        .await?;
    match format {
        Format::Csv => {
            let file = format!("dashboard_{}.csv", table.stem);
            Ok(csv_download(&file, table.headers, table.rows))
        }
        Format::Xlsx => {
            let file = format!("dashboard_{}.xlsx", table.stem);
            xlsx_download(&file, table.title, table.headers, table.rows).await
        }
    }
}
