//! Full-process monitoring (监测预警, SPEC MON-1..8). So far: the working-day
//! calendar's deadline question.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::monitoring::clock::{deadline, Unit};
use govpulse_core::time::{parse_bound, to_rfc3339};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(calendar_deadline))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// Start instant (RFC 3339) or date (`YYYY-MM-DD`, midnight Asia/Shanghai).
    pub start: String,
    /// Budget in days (0–3650).
    pub days: u32,
    /// `working` (default) or `natural`.
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
    let answer = deadline(&state.calendar, start, q.days, unit, &[]);
    Ok(Json(DeadlineView {
        deadline: to_rfc3339(answer.deadline_ms),
        working_days: answer
            .counted_days
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect(),
    }))
}
