//! Appeals (APL-1/2) as work orders of type `appeal`: a unit disputes an
//! indicator's figures in an evaluation run with corrected counts and a
//! reason; the evaluator accepts or rejects it on the work-order workbench.
//! An accepted appeal is data the results are read through: a run's current
//! results are its stored inputs with every accepted correction applied,
//! re-scored with the run's scheme version — a new result version, while an
//! archive keeps the snapshot it was published with.

use super::runs::{load, LoadedRun};
use super::{indicator_infos, sees_unit, READ};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::workorders::{order_type, Opening};
use axum::extract::State;
use axum::Json;
use govpulse_core::evaluation::measures::Measured;
use govpulse_core::evaluation::scoring::{
    self, Scheme, TraceStep, UnitInput, UnitLevel, UnitResult,
};
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::time::now_ms;
use govpulse_core::workorders::types::APPEAL;
use govpulse_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    pub run_id: i64,
    pub unit_code: String,
    /// A scored (level-3) indicator of the run's scheme.
    pub indicator: String,
    /// The corrected numerator …
    pub numerator: f64,
    /// … and denominator (none for a plain count).
    pub denominator: Option<f64>,
    /// Why the figures are wrong (1–500 characters); evidence goes to the order's attachments.
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppealCreated {
    /// The work order (type `appeal`).
    pub code: String,
}

/// A correction an accepted appeal carries.
#[derive(Debug, Deserialize)]
struct Correction {
    unit_code: String,
    indicator: String,
    numerator: f64,
    denominator: Option<f64>,
}

/// File an appeal against a unit's figures in a run (the unit must be in the caller's scope).
#[utoipa::path(post, path = "/evaluation/appeals", tag = "evaluation", request_body = AppealRequest,
    responses((status = 201, body = AppealCreated), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn create_appeal(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<AppealRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<AppealCreated>)> {
    caller.require(&state, READ).await?;
    let run = load(&state.store, req.run_id).await?;
    let region = run
        .regions
        .get(&req.unit_code)
        .ok_or_else(ApiError::not_found)?;
    if !sees_unit(&caller, run.level, &req.unit_code, region) {
        return Err(ApiError::not_found());
    }
    let result = run
        .results
        .iter()
        .find(|r| r.unit_code == req.unit_code)
        .ok_or_else(ApiError::not_found)?;
    let scored = result
        .indicators
        .iter()
        .find(|s| s.level == 3 && s.code == req.indicator)
        .ok_or_else(|| ApiError::invalid_field("indicator", "须为本次评价方案中的三级指标"))?;
    let counts_ok = req.numerator.is_finite()
        && req.numerator >= 0.0
        && req.denominator.is_none_or(|d| d.is_finite() && d > 0.0);
    if !counts_ok {
        return Err(ApiError::invalid_field(
            "numerator",
            "分子须为非负数，分母须为正数",
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid_field(
            "reason",
            "申诉理由须为 1–500 个字符",
        ));
    }
    let original = inputs_of(result).remove(&req.indicator);
    let mut data = Map::new();
    data.insert("run_id".into(), json!(req.run_id));
    data.insert("period".into(), json!(run.row.period));
    data.insert("unit_code".into(), json!(req.unit_code));
    data.insert("indicator".into(), json!(req.indicator));
    data.insert("numerator".into(), json!(req.numerator));
    data.insert("denominator".into(), json!(req.denominator));
    data.insert("original".into(), json!(original));
    let now = now_ms();
    let calendar = crate::monitoring::calendar::effective_calendar(&state.store)
        .await
        .unwrap_or_else(|_| WorkCalendar::bundled());
    let opening = Opening {
        order_type: order_type(APPEAL)?,
        code_prefix: "SS",
        title: format!(
            "申诉：{} {} {}",
            result.unit_name, run.row.period, scored.name
        ),
        subject: ("evaluation_run", req.run_id.to_string()),
        source_key: format!(
            "appeal:{}:{}:{}:{now}",
            req.run_id, req.unit_code, req.indicator
        ),
        region_code: region.clone(),
        department_code: match run.level {
            UnitLevel::District => String::new(),
            _ => req.unit_code.clone(),
        },
        data,
        created_by: (&caller.username, &caller.display_name),
        comment: Some(reason.to_string()),
    };
    let audit = caller.audit(
        "appeal.create",
        "evaluation_run",
        &req.run_id.to_string(),
        json!({ "unit_code": req.unit_code, "indicator": req.indicator }),
    );
    let code = state
        .store
        .create_work_orders(&[opening.into_new(&calendar, now)], &audit, now)
        .await?
        .into_iter()
        .flatten()
        .next()
        .ok_or_else(|| ApiError::internal("appeal order not created"))?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(AppealCreated { code }),
    ))
}

/// A unit's inputs as its trace's first step recorded them.
fn inputs_of(result: &UnitResult) -> BTreeMap<String, Measured> {
    result
        .trace
        .first()
        .map(|step| {
            step.values
                .iter()
                .filter_map(|(code, v)| {
                    serde_json::from_value(v.clone())
                        .ok()
                        .map(|m| (code.clone(), m))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The run's results with its accepted appeals applied (unchanged without any).
pub async fn revise(store: &Store, run: &mut LoadedRun) -> ApiResult<()> {
    let corrections: Vec<Correction> = store
        .accepted_appeals(run.row.id)
        .await?
        .iter()
        .filter_map(|data| serde_json::from_str(data).ok())
        .collect();
    run.version = 1 + corrections.len();
    if corrections.is_empty() {
        return Ok(());
    }
    let scheme_text = store
        .scheme_versions(&run.row.scheme_code)
        .await?
        .into_iter()
        .find(|v| v.version == run.row.scheme_version)
        .ok_or_else(|| ApiError::internal("the run's scheme version is missing"))?
        .definition;
    let scheme: Scheme = serde_json::from_str(&scheme_text).map_err(ApiError::internal)?;
    let (defs, infos) = indicator_infos(store).await?;
    let mut inputs: Vec<UnitInput> = run
        .results
        .iter()
        .map(|r| UnitInput {
            unit_code: r.unit_code.clone(),
            unit_name: r.unit_name.clone(),
            values: inputs_of(r),
        })
        .collect();
    let mut notes: Vec<(String, TraceStep)> = Vec::new();
    for c in &corrections {
        let (Some(input), Some(ratio)) = (
            inputs.iter_mut().find(|u| u.unit_code == c.unit_code),
            defs.get(&c.indicator).and_then(|d| d.ratio()),
        ) else {
            continue;
        };
        let corrected = ratio.of(c.numerator, c.denominator);
        let before = input.values.insert(c.indicator.clone(), corrected);
        let mut values = BTreeMap::new();
        values.insert("更正前".to_string(), json!(before));
        values.insert("更正后".to_string(), json!(corrected));
        notes.push((
            c.unit_code.clone(),
            TraceStep {
                step: format!("申诉更正：{}", c.indicator),
                detail: "申诉成立，按更正后的分子 / 分母重新计算".to_string(),
                values,
                result: corrected.value,
            },
        ));
    }
    let mut results = scoring::score(&scheme, &infos, &inputs);
    for (unit, note) in notes {
        if let Some(r) = results.iter_mut().find(|r| r.unit_code == unit) {
            r.trace.insert(1, note);
        }
    }
    run.results = results;
    Ok(())
}
