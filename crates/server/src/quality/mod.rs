//! Case data quality (办件数据质检, QC-1/2): the check library, runs over a
//! period's cases as background jobs, their results by code and region, the
//! failing cases (one list mechanism) and an XLSX report; operation logs
//! against case data (QC-3) in [`oplogs`]; the code lists the checks read
//! (QC-1) in `code_lists` and [`code_list_refresh`].

pub mod code_list_refresh;
mod code_lists;
mod oplogs;
mod runner;
pub mod schedules;

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use govpulse_core::quality::{Severity, CHECKS};
use govpulse_core::region::subtree_range;
use govpulse_core::time::to_rfc3339;
use govpulse_store::exports::scope_to_json;
use govpulse_store::quality::{FailureRow, RunRow, FAILURE_LIST};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use runner::{run_now, Job};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checks))
        .routes(routes!(start_run, list_runs))
        .routes(routes!(get_run))
        .routes(routes!(list_failures))
        .routes(routes!(report))
        .merge(oplogs::routes())
        .merge(schedules::routes())
        .merge(code_lists::routes())
}

/// A check's period `[from, to)` (both required, `to` after `from`), and
/// its optional region must be a region code.
fn period(from: &str, to: &str, region: &Option<String>) -> ApiResult<(i64, i64)> {
    let (from, to) =
        crate::aggregation::time_window(&Some(from.to_string()), &Some(to.to_string()))?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::invalid_field("from", "须给出质检期间 from 与 to"));
    };
    if to <= from {
        return Err(ApiError::invalid_field("to", "结束须晚于开始"));
    }
    if let Some(r) = non_empty(region) {
        if govpulse_core::region::RegionLevel::of_code(&r).is_none() {
            return Err(ApiError::invalid_field(
                "region",
                "不是 6、9 或 12 位区划代码",
            ));
        }
    }
    Ok((from, to))
}

/// Fail the runs a stopped process left unfinished (their creators start them again).
pub async fn recover(state: &AppState) -> anyhow::Result<()> {
    state.store.fail_interrupted_quality_runs().await?;
    Ok(())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    /// `category.name`
    pub code: String,
    /// general | item | process
    pub category: String,
    pub name: String,
    /// error | warning
    pub severity: String,
    pub enabled: bool,
}

/// The check library (docs/api-quality.md lists each code).
#[utoipa::path(get, path = "/quality/checks", tag = "quality",
    responses((status = 200, body = Vec<CheckView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_checks(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CheckView>>> {
    caller.require(&state, "data:read").await?;
    Ok(Json(
        CHECKS
            .iter()
            .map(|c| CheckView {
                code: c.code.to_string(),
                category: c.category.to_string(),
                name: c.name.to_string(),
                severity: match c.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }
                .to_string(),
                enabled: true,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = QualityRunRequest)]
pub struct RunRequest {
    /// First day (`YYYY-MM-DD`) or instant (RFC 3339) of the submission period.
    #[schema(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub from: String,
    /// Last day (inclusive) or instant (exclusive).
    #[schema(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub to: String,
    /// Only cases in this region's subtree (within the caller's scope).
    pub region: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunStarted {
    pub run_id: i64,
}

/// Start a run over the cases submitted in the period, within the caller's
/// scope (frozen now); it runs in the background.
#[utoipa::path(post, path = "/quality/runs", tag = "quality", request_body = RunRequest,
    responses((status = 202, body = RunStarted), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn start_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RunRequest>,
) -> ApiResult<(StatusCode, Json<RunStarted>)> {
    caller.require(&state, "data:govern").await?;
    let (from, to) = period(&req.from, &req.to, &req.region)?;
    let region = non_empty(&req.region);
    let scope = caller.org_scope();
    let audit = caller.audit(
        "quality.run",
        "quality_run",
        "",
        serde_json::json!({ "from": to_rfc3339(from), "to": to_rfc3339(to), "region": region }),
    );
    let id = state
        .store
        .create_quality_run(
            &caller.username,
            (from, to),
            region.as_deref(),
            &scope_to_json(&scope),
            &audit,
        )
        .await?;
    let job = runner::Job {
        id,
        scope,
        region_range: region.as_deref().map(subtree_range),
        period: (from, to),
    };
    let background = state.clone();
    tokio::spawn(async move { runner::run_now(&background, job).await });
    Ok((StatusCode::ACCEPTED, Json(RunStarted { run_id: id })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeCount {
    pub code: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionCount {
    /// The district (six-digit code) of the failing cases.
    pub region_code: String,
    pub region_name: Option<String>,
    pub code: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = QualityRunView)]
pub struct RunView {
    pub id: i64,
    /// queued | running | done | failed
    pub state: String,
    pub from: String,
    pub to: String,
    pub region: Option<String>,
    pub cases_checked: i64,
    /// Failing cases per code, in the library's order (final once `done`).
    pub failures: Vec<CodeCount>,
    pub by_region: Vec<RegionCount>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

async fn run_view(state: &AppState, row: RunRow) -> ApiResult<RunView> {
    let counts: std::collections::BTreeMap<String, u64> =
        serde_json::from_str(&row.failures).unwrap_or_default();
    let failures = CHECKS
        .iter()
        .filter_map(|c| {
            counts.get(c.code).map(|n| CodeCount {
                code: c.code.to_string(),
                count: *n,
            })
        })
        .collect();
    let by_region: Vec<(String, String, u64)> =
        serde_json::from_str(&row.by_region).unwrap_or_default();
    let codes: Vec<&str> = by_region.iter().map(|r| r.0.as_str()).collect();
    let names = state
        .store
        .names_of(govpulse_store::dashboard::Named::Region, &codes)
        .await?;
    Ok(RunView {
        id: row.id,
        state: row.state,
        from: to_rfc3339(row.period_from),
        to: to_rfc3339(row.period_to),
        region: row.region,
        cases_checked: row.cases_checked,
        failures,
        by_region: by_region
            .into_iter()
            .map(|(region, code, count)| RegionCount {
                region_name: names.get(&region).cloned(),
                region_code: region,
                code,
                count,
            })
            .collect(),
        error: row.error,
        created_at: to_rfc3339(row.created_at),
        finished_at: row.finished_at.map(to_rfc3339),
    })
}

async fn own_run(state: &AppState, caller: &Caller, id: i64) -> ApiResult<RunRow> {
    caller.require(state, "data:govern").await?;
    state
        .store
        .quality_run(&caller.username, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A run of the caller's (anyone else's: 404).
#[utoipa::path(get, path = "/quality/runs/{id}", tag = "quality",
    responses((status = 200, body = RunView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RunView>> {
    let row = own_run(&state, &caller, id).await?;
    Ok(Json(run_view(&state, row).await?))
}

/// The caller's 20 latest runs, newest first.
#[utoipa::path(get, path = "/quality/runs", tag = "quality",
    responses((status = 200, body = Vec<RunView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<RunView>>> {
    caller.require(&state, "data:govern").await?;
    let mut views = Vec::new();
    for row in state.store.quality_runs_of(&caller.username, 20).await? {
        views.push(run_view(&state, row).await?);
    }
    Ok(Json(views))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FailureQuery {
    /// Only this error code.
    pub code: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FailureView {
    pub case_code: String,
    pub code: String,
    pub region_code: String,
    pub department_code: String,
    pub submitted_at: String,
    /// Why the case failed the check.
    pub reason: String,
}

impl From<FailureRow> for FailureView {
    fn from(r: FailureRow) -> Self {
        Self {
            case_code: r.case_code,
            code: r.code,
            region_code: r.region_code,
            department_code: r.department_code,
            submitted_at: to_rfc3339(r.submitted_at),
            reason: r.reason,
        }
    }
}

/// The failing cases of a run with the reason (optionally of one code).
#[utoipa::path(get, path = "/quality/runs/{id}/failures", tag = "quality", params(FailureQuery),
    responses((status = 200, body = crate::list::ListResponse<FailureView>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_failures(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<FailureQuery>,
) -> ApiResult<Json<crate::list::ListResponse<FailureView>>> {
    own_run(&state, &caller, id).await?;
    let request = crate::list_params!(q).request(&FAILURE_LIST)?;
    let page = state
        .store
        .list_quality_failures(id, &non_empty(&q.code), &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

/// Rows of the report's failure sheet (larger runs: page through `/failures`).
const REPORT_ROWS: i64 = 50_000;

/// The run's report: failures per code and region, and the failing cases (XLSX).
#[utoipa::path(get, path = "/quality/runs/{id}/report", tag = "quality",
    responses((status = 200, description = "XLSX file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let row = own_run(&state, &caller, id).await?;
    let view = run_view(&state, row).await?;
    let name_of = |code: &str| {
        CHECKS
            .iter()
            .find(|c| c.code == code)
            .map_or(code.to_string(), |c| c.name.to_string())
    };
    let mut rows: Vec<Vec<String>> = view
        .by_region
        .iter()
        .map(|r| {
            vec![
                r.region_name
                    .clone()
                    .unwrap_or_else(|| r.region_code.clone()),
                r.code.clone(),
                name_of(&r.code),
                r.count.to_string(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let failures = state
        .store
        .list_quality_failures(
            id,
            &None,
            &govpulse_store::list::ListRequest::first(&FAILURE_LIST, REPORT_ROWS),
        )
        .await?;
    rows.extend(failures.items.into_iter().map(|f| {
        vec![
            f.region_code,
            f.code.clone(),
            name_of(&f.code),
            "1".to_string(),
            f.case_code,
            f.reason,
        ]
    }));
    state
        .store
        .audit(&caller.audit(
            "quality.report",
            "quality_run",
            &id.to_string(),
            serde_json::json!({ "rows": rows.len() }),
        ))
        .await?;
    crate::export::xlsx_download(
        &format!("quality-run-{id}.xlsx"),
        "质检报告",
        &["区划", "错误代码", "错误说明", "数量", "办件编号", "原因"],
        rows,
    )
    .await
}
