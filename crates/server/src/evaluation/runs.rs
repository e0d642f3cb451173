//! Evaluation runs (SCORE-2/3, EVAL-1): score every unit of the scheme's
//! level for a period — a test run for any historical period, or an official
//! run that may be published — then read results, a unit's trace, its
//! problem cases, and compare two runs unit by unit.

use super::indicators::period_of;
use super::{indicator_infos, sees_unit, unit_level, READ, RUN};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::measures::Ratio;
use govpulse_core::evaluation::period::Period;
use govpulse_core::evaluation::scoring::{
    self, Scheme, TraceStep, UnitInput, UnitLevel, UnitResult,
};
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::evaluation::{
    NewRun, RunFilter, RunRow, RunSummaryRow, UnitFactsRow, RUN_LIST,
};
use govpulse_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EvaluationRunRequest)]
pub struct RunRequest {
    /// Scheme code (its current version is used and recorded).
    pub scheme: String,
    /// YYYY-MM | YYYY-Qn | YYYY | YYYY-MM-DD..YYYY-MM-DD
    pub period: String,
    /// test (never published) | official
    pub mode: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunCreated {
    pub run_id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = EvaluationRunView)]
pub struct RunView {
    pub run_id: i64,
    pub scheme: String,
    pub scheme_version: i64,
    pub period: String,
    pub unit_level: String,
    pub mode: String,
    pub created_at: String,
    pub created_by: String,
    /// The archive of a published run.
    pub archive_id: Option<i64>,
}

/// Each unit's region, as a run stores it for scope checks.
pub type UnitRegions = BTreeMap<String, String>;

/// Each unit's value of every indicator in `ratios`, from its facts.
pub fn unit_inputs(facts: &[UnitFactsRow], ratios: &BTreeMap<String, Ratio>) -> Vec<UnitInput> {
    facts
        .iter()
        .map(|u| UnitInput {
            unit_code: u.unit_code.clone(),
            unit_name: u.unit_name.clone(),
            values: ratios
                .iter()
                .map(|(code, r)| (code.clone(), r.measure(&u.facts)))
                .collect(),
        })
        .collect()
}

/// Score a scheme (its current version) over a period and store the run.
pub async fn execute(
    store: &Store,
    scheme_code: &str,
    period: Period,
    official: bool,
    audit: &govpulse_store::audit::AuditRecord,
    by: &str,
) -> ApiResult<i64> {
    let row = store
        .schemes()
        .await?
        .into_iter()
        .find(|s| s.code == scheme_code)
        .ok_or_else(|| ApiError::invalid_field("scheme", "赋分方案不存在"))?;
    let scheme: Scheme = serde_json::from_str(&row.definition).map_err(ApiError::internal)?;
    let (defs, infos) = indicator_infos(store).await?;
    let mut ratios = BTreeMap::new();
    for item in &scheme.items {
        let def = defs
            .get(&item.indicator)
            .filter(|d| d.state == govpulse_core::evaluation::indicators::IndicatorState::Enabled);
        let ratio = def.and_then(|d| d.ratio()).ok_or_else(|| {
            ApiError::conflict(
                "evaluation.indicator_unavailable",
                format!("方案中的指标 {} 未启用或不是三级指标", item.indicator),
            )
        })?;
        ratios.insert(item.indicator.clone(), ratio.clone());
    }
    let (start, end) = period.bounds_ms();
    let facts = store.unit_facts(scheme.unit_level, start, end).await?;
    let regions: UnitRegions = facts
        .iter()
        .map(|u| (u.unit_code.clone(), u.region_code.clone()))
        .collect();
    let inputs = unit_inputs(&facts, &ratios);
    let results = scoring::score(&scheme, &infos, &inputs);
    let run = NewRun {
        scheme_code: row.code.clone(),
        scheme_version: row.version,
        period: period.to_string(),
        unit_level: scheme.unit_level.as_str().to_string(),
        mode: if official { "official" } else { "test" }.to_string(),
        data_version: store.data_version().await?,
        results: serde_json::to_string(&results).map_err(ApiError::internal)?,
        units: serde_json::to_string(&regions).map_err(ApiError::internal)?,
        created_at: now_ms(),
        created_by: by.to_string(),
    };
    Ok(store.insert_run(&run, audit).await?)
}

/// Score a period with a scheme (a test run or an official one).
#[utoipa::path(post, path = "/evaluation/runs", tag = "evaluation", request_body = RunRequest,
    responses((status = 201, body = RunCreated), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RunRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<RunCreated>)> {
    caller.require(&state, RUN).await?;
    let period = period_of("period", &req.period)?;
    let official = match req.mode.as_str() {
        "official" => true,
        "test" => false,
        _ => return Err(ApiError::invalid_field("mode", "模式须为 test 或 official")),
    };
    let audit = caller.audit(
        "evaluation.run",
        "evaluation_run",
        "",
        serde_json::json!({ "scheme": req.scheme, "period": period.to_string(), "mode": req.mode }),
    );
    let run_id = execute(
        &state.store,
        &req.scheme,
        period,
        official,
        &audit,
        &caller.username,
    )
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(RunCreated { run_id })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunListQuery {
    /// test | official
    pub mode: Option<String>,
    /// Exactly this period text (`2026-Q1`).
    pub period: Option<String>,
    /// Scheme code.
    pub scheme: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `created_at` (default, newest first) or `period`; `-field` descending.
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// The runs, paged (the list mechanism), newest first.
#[utoipa::path(get, path = "/evaluation/runs", tag = "evaluation", params(RunListQuery),
    responses((status = 200, body = crate::list::ListResponse<RunView>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RunListQuery>,
) -> ApiResult<Json<crate::list::ListResponse<RunView>>> {
    caller.require(&state, READ).await?;
    let request = crate::list_params!(q).request(&RUN_LIST)?;
    let filter = RunFilter {
        mode: non_empty(&q.mode),
        period: non_empty(&q.period),
        scheme: non_empty(&q.scheme),
    };
    let page = state.store.list_runs(&filter, &request).await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

impl From<RunSummaryRow> for RunView {
    fn from(r: RunSummaryRow) -> Self {
        Self {
            run_id: r.id,
            scheme: r.scheme_code,
            scheme_version: r.scheme_version,
            period: r.period,
            unit_level: r.unit_level,
            mode: r.mode,
            created_at: to_rfc3339(r.created_at),
            created_by: r.created_by,
            archive_id: r.archive_id,
        }
    }
}

/// A stored run and its parsed results.
pub struct LoadedRun {
    pub row: RunRow,
    pub level: UnitLevel,
    /// The current results: the stored ones with accepted appeals applied.
    pub results: Vec<UnitResult>,
    pub regions: UnitRegions,
    /// 1 + the accepted appeals applied.
    pub version: usize,
}

pub async fn load(store: &Store, id: i64) -> ApiResult<LoadedRun> {
    let row = store.run(id).await?.ok_or_else(ApiError::not_found)?;
    let results = serde_json::from_str(&row.results).map_err(ApiError::internal)?;
    let regions = serde_json::from_str(&row.units).map_err(ApiError::internal)?;
    let level = unit_level("unit_level", &row.unit_level)?;
    let mut run = LoadedRun {
        row,
        level,
        results,
        regions,
        version: 1,
    };
    super::appeals::revise(store, &mut run).await?;
    Ok(run)
}

impl LoadedRun {
    /// A unit's result when the caller may see its details (else 404).
    fn visible(&self, caller: &Caller, unit_code: &str) -> ApiResult<&UnitResult> {
        let region = self
            .regions
            .get(unit_code)
            .ok_or_else(ApiError::not_found)?;
        if !sees_unit(caller, self.level, unit_code, region) {
            return Err(ApiError::not_found());
        }
        self.results
            .iter()
            .find(|r| r.unit_code == unit_code)
            .ok_or_else(ApiError::not_found)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorScoreView {
    pub code: String,
    pub name: String,
    /// 3 for a scored indicator, 2 and 1 for its groups.
    pub level: u8,
    /// Null for a group, or when the unit had no data.
    pub value: Option<f64>,
    pub score: f64,
    pub rank: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultView {
    pub unit_code: String,
    pub unit_name: String,
    pub score: f64,
    /// Ties share a rank.
    pub rank: u32,
    pub indicators: Vec<IndicatorScoreView>,
}

impl From<&UnitResult> for ResultView {
    fn from(r: &UnitResult) -> Self {
        Self {
            unit_code: r.unit_code.clone(),
            unit_name: r.unit_name.clone(),
            score: r.score,
            rank: r.rank,
            indicators: r
                .indicators
                .iter()
                .map(|s| IndicatorScoreView {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    level: s.level,
                    value: s.value,
                    score: s.score,
                    rank: s.rank,
                })
                .collect(),
        }
    }
}

/// Every unit's composite and indicator scores and ranks, best first.
#[utoipa::path(get, path = "/evaluation/runs/{id}/results", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ResultView>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn run_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ResultView>>> {
    caller.require(&state, READ).await?;
    let run = load(&state.store, id).await?;
    Ok(Json(run.results.iter().map(ResultView::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceStepView {
    pub step: String,
    pub detail: String,
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
    pub result: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceView {
    pub run_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub score: f64,
    pub rank: u32,
    /// 1, plus one for each accepted appeal the results were re-scored with.
    pub result_version: usize,
    /// Inputs, each rule and formula step with its values, the result.
    pub steps: Vec<TraceStepView>,
}

fn step_view(s: &TraceStep) -> TraceStepView {
    TraceStepView {
        step: s.step.clone(),
        detail: s.detail.clone(),
        values: serde_json::to_value(&s.values).unwrap_or_default(),
        result: s.result,
    }
}

/// How a unit's score was computed (404 for a unit outside the caller's scope).
#[utoipa::path(get, path = "/evaluation/runs/{id}/trace/{unit_code}", tag = "evaluation",
    params(("id" = i64, Path), ("unit_code" = String, Path)),
    responses((status = 200, body = TraceView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn run_trace(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, unit_code)): Path<(i64, String)>,
) -> ApiResult<Json<TraceView>> {
    caller.require(&state, READ).await?;
    let run = load(&state.store, id).await?;
    let r = run.visible(&caller, &unit_code)?;
    Ok(Json(TraceView {
        run_id: id,
        unit_code: r.unit_code.clone(),
        unit_name: r.unit_name.clone(),
        score: r.score,
        rank: r.rank,
        result_version: run.version,
        steps: r.trace.iter().map(step_view).collect(),
    }))
}

/// Most problem cases listed per unit.
pub const PROBLEM_LIMIT: i64 = 200;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    /// The indicator the case counts against.
    pub indicator: String,
    pub case_code: String,
    pub item_code: String,
    pub status: String,
    pub submitted_at: String,
    pub completed_at: Option<String>,
}

/// The unit's problem details: its overdue cases of the run's period, which
/// count against 按时办结率 and 超期办件数 (404 outside the caller's scope).
#[utoipa::path(get, path = "/evaluation/runs/{id}/problems/{unit_code}", tag = "evaluation",
    params(("id" = i64, Path), ("unit_code" = String, Path)),
    responses((status = 200, body = Vec<ProblemView>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn run_problems(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, unit_code)): Path<(i64, String)>,
) -> ApiResult<Json<Vec<ProblemView>>> {
    caller.require(&state, READ).await?;
    let run = load(&state.store, id).await?;
    run.visible(&caller, &unit_code)?;
    Ok(Json(problems(&state.store, &run, &unit_code).await?))
}

/// A unit's problem cases for a run.
pub async fn problems(
    store: &Store,
    run: &LoadedRun,
    unit_code: &str,
) -> ApiResult<Vec<ProblemView>> {
    let period = period_of("period", &run.row.period)?;
    let (start, end) = period.bounds_ms();
    Ok(store
        .overdue_cases(run.level, unit_code, start, end, PROBLEM_LIMIT)
        .await?
        .into_iter()
        .map(|c| ProblemView {
            indicator: "overdue_cases".to_string(),
            case_code: c.case_code,
            item_code: c.item_code,
            status: c.status,
            submitted_at: to_rfc3339(c.submitted_at),
            completed_at: c.completed_at.map(to_rfc3339),
        })
        .collect())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// First run id.
    pub a: i64,
    /// Second run id.
    pub b: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub score: f64,
    pub rank: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorChange {
    pub code: String,
    pub name: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompareRow {
    pub unit_code: String,
    pub unit_name: String,
    pub a: Option<Standing>,
    pub b: Option<Standing>,
    /// b − a (null when either is missing).
    pub score_change: Option<f64>,
    /// a's rank − b's rank: positive means the unit moved up under b.
    pub rank_change: Option<i64>,
    /// Indicator scores that differ between the runs.
    pub changed: Vec<IndicatorChange>,
}

/// Two runs side by side: each unit's score and rank under both and what changed.
#[utoipa::path(get, path = "/evaluation/compare", tag = "evaluation", params(CompareQuery),
    responses((status = 200, body = Vec<CompareRow>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn compare_runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<Json<Vec<CompareRow>>> {
    caller.require(&state, READ).await?;
    let a = load(&state.store, q.a).await?;
    let b = load(&state.store, q.b).await?;
    if a.level != b.level {
        return Err(ApiError::invalid_field(
            "b",
            "两次评价的单位层级不同，无法对比",
        ));
    }
    Ok(Json(compare(&a.results, &b.results)))
}

/// Unit-by-unit comparison of two result sets (units of either, in a's order then b's).
pub fn compare(a: &[UnitResult], b: &[UnitResult]) -> Vec<CompareRow> {
    let mut units: Vec<(&str, &str)> = a
        .iter()
        .map(|r| (r.unit_code.as_str(), r.unit_name.as_str()))
        .collect();
    for r in b {
        if !units.iter().any(|(c, _)| *c == r.unit_code) {
            units.push((&r.unit_code, &r.unit_name));
        }
    }
    units
        .into_iter()
        .map(|(code, name)| {
            let ra = a.iter().find(|r| r.unit_code == code);
            let rb = b.iter().find(|r| r.unit_code == code);
            let standing = |r: Option<&UnitResult>| {
                r.map(|r| Standing {
                    score: r.score,
                    rank: r.rank,
                })
            };
            let mut changed = Vec::new();
            let codes = ra.into_iter().chain(rb).flat_map(|r| {
                r.indicators
                    .iter()
                    .map(|s| (s.code.clone(), s.name.clone()))
            });
            for (icode, iname) in codes {
                if changed.iter().any(|c: &IndicatorChange| c.code == icode) {
                    continue;
                }
                let score = |r: Option<&UnitResult>| {
                    r.and_then(|r| r.indicators.iter().find(|s| s.code == icode))
                        .map(|s| s.score)
                };
                let (sa, sb) = (score(ra), score(rb));
                if sa != sb {
                    changed.push(IndicatorChange {
                        code: icode,
                        name: iname,
                        a: sa,
                        b: sb,
                    });
                }
            }
            CompareRow {
                unit_code: code.to_string(),
                unit_name: name.to_string(),
                score_change: ra
                    .zip(rb)
                    .map(|(x, y)| govpulse_core::evaluation::measures::round2(y.score - x.score)),
                rank_change: ra
                    .zip(rb)
                    .map(|(x, y)| i64::from(x.rank) - i64::from(y.rank)),
                a: standing(ra),
                b: standing(rb),
                changed,
            }
        })
        .collect()
}
