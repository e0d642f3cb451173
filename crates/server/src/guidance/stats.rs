//! Guidance statistics: answers per tree and path, the materials most often
//! missing at tolerance acceptance, and how tolerance acceptances ended.

use super::READ;
use crate::error::ApiResult;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::time::now_ms;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PathStat {
    pub tree_code: String,
    pub tree_name: Option<String>,
    pub path: String,
    pub answers: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MissedStat {
    pub code: String,
    pub name: String,
    pub times: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToleranceSummary {
    pub total: i64,
    pub open: i64,
    /// Open and past due.
    pub open_overdue: i64,
    pub completed_on_time: i64,
    pub completed_late: i64,
    /// Completed on time ÷ completed (null before any completion).
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuidanceStats {
    /// Answers per tree and path, most answered first (top 100).
    pub paths: Vec<PathStat>,
    /// Materials most often missing at tolerance acceptance in the caller's scope (top 20).
    pub most_missed: Vec<MissedStat>,
    /// Tolerance acceptances in the caller's scope.
    pub tolerance: ToleranceSummary,
}

/// Guidance and tolerance statistics.
#[utoipa::path(get, path = "/guidance/stats", tag = "guidance",
    responses((status = 200, body = GuidanceStats), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn guidance_stats(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<GuidanceStats>> {
    caller.require(&state, READ).await?;
    let scope = caller.org_scope();
    let counts = state.store.guidance_answer_counts(100).await?;
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    for c in &counts {
        if !names.contains_key(&c.tree_code) {
            let name = state
                .store
                .guidance_tree(&c.tree_code)
                .await?
                .map(|t| t.name);
            names.insert(c.tree_code.clone(), name);
        }
    }
    let totals = state.store.tolerance_stats(&scope, now_ms()).await?;
    let completed = totals.completed_on_time + totals.completed_late;
    Ok(Json(GuidanceStats {
        paths: counts
            .into_iter()
            .map(|c| PathStat {
                tree_name: names.get(&c.tree_code).cloned().flatten(),
                tree_code: c.tree_code,
                path: c.path,
                answers: c.answers,
            })
            .collect(),
        most_missed: state
            .store
            .most_missed_materials(&scope, 20)
            .await?
            .into_iter()
            .map(|m| MissedStat {
                code: m.material_code,
                name: m.material_name,
                times: m.times,
            })
            .collect(),
        tolerance: ToleranceSummary {
            total: totals.total,
            open: totals.open,
            open_overdue: totals.open_overdue,
            completed_on_time: totals.completed_on_time,
            completed_late: totals.completed_late,
            on_time_rate: (completed > 0)
                .then(|| totals.completed_on_time as f64 / completed as f64),
        },
    }))
}
