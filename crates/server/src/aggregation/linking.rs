//! Applicant timelines and consultation ↔ application statistics (AGG-5).

use super::time_window;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::time::to_rfc3339;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ApplicantTimelineEntry)]
pub struct TimelineEntry {
    /// `consultation` or `case`.
    pub kind: String,
    pub code: String,
    pub at: String,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    /// Case status; for a consultation, the case it is linked to.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    pub applicant_masked: Option<String>,
    pub items: Vec<TimelineEntry>,
}

#[utoipa::path(get, path = "/applicants/{applicant_key}/timeline", tag = "aggregation",
    responses((status = 200, body = Timeline), (status = 404, body = crate::error::ErrorBody)))]
pub async fn applicant_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Timeline>> {
    caller.require(&state, "data:read").await?;
    let rows = state
        .store
        .applicant_timeline(&caller.org_scope(), &key)
        .await?;
    let masked = rows.iter().find_map(|r| r.applicant_masked.clone());
    if rows.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Json(Timeline {
        applicant_masked: masked,
        items: rows
            .into_iter()
            .map(|r| TimelineEntry {
                kind: r.kind,
                code: r.code,
                at: to_rfc3339(r.at),
                item_code: r.item_code,
                item_name: r.item_name,
                status: r.status,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkingQuery {
    /// region (district) | department | item
    #[param(pattern = "^(region|department|item)?$")]
    pub group: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkingView {
    pub key: String,
    pub name: Option<String>,
    pub consultations: i64,
    /// Consultations no application followed.
    pub consulted_not_applied: i64,
    pub applications: i64,
    /// Applications with no consultation before them.
    pub applied_without_consulting: i64,
    /// Average consultations before an application that had any.
    pub consultations_per_application: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkingStats {
    pub items: Vec<LinkingView>,
}

#[utoipa::path(get, path = "/linking/stats", tag = "aggregation", params(LinkingQuery), responses((status = 200, body = LinkingStats)))]
pub async fn linking_stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LinkingQuery>,
) -> ApiResult<Json<LinkingStats>> {
    caller.require(&state, "data:read").await?;
    let group = non_empty(&q.group).unwrap_or_else(|| "region".to_string());
    if !["region", "department", "item"].contains(&group.as_str()) {
        return Err(ApiError::invalid_field(
            "group",
            "分组须为 region、department 或 item",
        ));
    }
    let (from_ms, to_ms) = time_window(&q.from, &q.to)?;
    let rows = state
        .store
        .linking_stats(&caller.org_scope(), &group, from_ms, to_ms)
        .await?;
    Ok(Json(LinkingStats {
        items: rows
            .into_iter()
            .map(|r| LinkingView {
                consultations_per_application: if r.consulted_applications > 0 {
                    (r.consultations_before_applying as f64 / r.consulted_applications as f64
                        * 100.0)
                        .round()
                        / 100.0
                } else {
                    0.0
                },
                key: r.key,
                name: r.name,
                consultations: r.consultations,
                consulted_not_applied: r.consulted_not_applied,
                applications: r.applications,
                applied_without_consulting: r.applied_without_consulting,
            })
            .collect(),
    }))
}
