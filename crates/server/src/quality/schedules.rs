//! Scheduled quality runs (QC-2): a cron expression per schedule; a sweep
//! every 30 seconds starts the runs whose minute has come, as their owner's,
//! over the `days` days before the run's day (the same sweep refreshes the
//! code lists whose cron has come). The trend across a caller's
//! finished runs shows how the failing share moves.

use super::runner;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::monitoring::calendar::local_date;
use govpulse_core::quality::schedule::Cron;
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, parse_bound, to_rfc3339};
use govpulse_store::exports::{scope_from_json, scope_to_json};
use govpulse_store::quality::DONE;
use govpulse_store::quality_schedules::{NewSchedule, ScheduleRow};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const SWEEP_SECS: u64 = 30;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_schedule, list_schedules))
        .routes(routes!(delete_schedule))
        .routes(routes!(trend))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// `minute hour day month weekday` (Asia/Shanghai), e.g. `0 2 * * *`.
    pub cron: String,
    /// Each run checks the cases submitted in the `days` days before its day (1–366).
    pub days: i64,
    pub region: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    pub id: i64,
    pub cron: String,
    pub days: i64,
    pub region: Option<String>,
    pub last_run_at: Option<String>,
    pub created_at: String,
}

impl From<ScheduleRow> for ScheduleView {
    fn from(row: ScheduleRow) -> Self {
        Self {
            id: row.id,
            cron: row.cron,
            days: row.days,
            region: row.region,
            last_run_at: row.last_run_at.map(to_rfc3339),
            created_at: to_rfc3339(row.created_at),
        }
    }
}

/// Schedule runs in the caller's scope (results visible to the caller only).
#[utoipa::path(post, path = "/quality/schedules", tag = "quality", request_body = ScheduleRequest,
    responses((status = 201, body = ScheduleView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn create_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ScheduleRequest>,
) -> ApiResult<(StatusCode, Json<ScheduleView>)> {
    caller.require(&state, "data:govern").await?;
    let cron = req.cron.split_whitespace().collect::<Vec<_>>().join(" ");
    if Cron::parse(&cron).is_none() {
        return Err(ApiError::invalid_field(
            "cron",
            "须为 5 段 cron 表达式：分 时 日 月 周（如 0 2 * * *）",
        ));
    }
    if !(1..=366).contains(&req.days) {
        return Err(ApiError::invalid_field("days", "检查天数须为 1–366"));
    }
    let region = non_empty(&req.region);
    super::period("2000-01-01", "2000-01-02", &region)?;
    let scope = scope_to_json(&caller.org_scope());
    let audit = caller.audit(
        "quality.schedule.create",
        "quality_schedule",
        "",
        serde_json::json!({ "cron": cron, "days": req.days, "region": region }),
    );
    let new = NewSchedule {
        owner: &caller.username,
        cron: &cron,
        days: req.days,
        region: region.as_deref(),
        scope: &scope,
    };
    let id = state
        .store
        .create_quality_schedule(&new, now_ms(), &audit)
        .await?;
    let row = own_schedules(&state, &caller)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

async fn own_schedules(state: &AppState, caller: &Caller) -> ApiResult<Vec<ScheduleRow>> {
    Ok(state
        .store
        .quality_schedules(Some(&caller.username))
        .await?)
}

/// The caller's schedules.
#[utoipa::path(get, path = "/quality/schedules", tag = "quality",
    responses((status = 200, body = Vec<ScheduleView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_schedules(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ScheduleView>>> {
    caller.require(&state, "data:govern").await?;
    let rows = own_schedules(&state, &caller).await?;
    Ok(Json(rows.into_iter().map(ScheduleView::from).collect()))
}

/// Delete a schedule of the caller's (anyone else's: 404); its runs stay.
#[utoipa::path(delete, path = "/quality/schedules/{id}", tag = "quality",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "data:govern").await?;
    let audit = caller.audit(
        "quality.schedule.delete",
        "quality_schedule",
        &id.to_string(),
        serde_json::json!({}),
    );
    state
        .store
        .delete_quality_schedule(&caller.username, id, &audit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub run_id: i64,
    pub created_at: String,
    pub from: String,
    pub to: String,
    pub cases_checked: i64,
    /// Failures found (a case failing two checks counts twice).
    pub failures: u64,
    /// Failures per 100 cases checked.
    pub per_hundred: f64,
}

/// The caller's finished runs (the latest 20), oldest first: how the
/// failures move across runs.
#[utoipa::path(get, path = "/quality/trend", tag = "quality",
    responses((status = 200, body = Vec<TrendPoint>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TrendPoint>>> {
    caller.require(&state, "data:govern").await?;
    let mut rows = state.store.quality_runs_of(&caller.username, 20).await?;
    rows.retain(|r| r.state == DONE);
    rows.reverse();
    Ok(Json(
        rows.into_iter()
            .map(|r| {
                let counts: std::collections::BTreeMap<String, u64> =
                    serde_json::from_str(&r.failures).unwrap_or_default();
                let failures: u64 = counts.values().sum();
                TrendPoint {
                    run_id: r.id,
                    created_at: to_rfc3339(r.created_at),
                    from: to_rfc3339(r.period_from),
                    to: to_rfc3339(r.period_to),
                    cases_checked: r.cases_checked,
                    failures,
                    per_hundred: if r.cases_checked > 0 {
                        (failures as f64 * 10_000.0 / r.cases_checked as f64).round() / 100.0
                    } else {
                        0.0
                    },
                }
            })
            .collect(),
    ))
}

/// Start the runs of every schedule whose cron matches the minute of `now`
/// (once per minute whatever the sweeps); returns the runs started.
pub async fn run_due(state: &AppState, now: i64) -> anyhow::Result<Vec<i64>> {
    let minute = now - now.rem_euclid(MINUTE_MS);
    let today = parse_bound(&local_date(now).to_string()).unwrap_or(minute);
    let mut started = Vec::new();
    for schedule in state.store.quality_schedules(None).await? {
        let due = Cron::parse(&schedule.cron).is_some_and(|c| c.matches(now));
        if !due
            || !state
                .store
                .claim_quality_schedule(schedule.id, minute)
                .await?
        {
            continue;
        }
        let period = (today - schedule.days * DAY_MS, today);
        let audit = crate::seed::system_record(
            "quality.run",
            serde_json::json!({ "schedule": schedule.id, "owner": schedule.owner,
                                "from": to_rfc3339(period.0), "to": to_rfc3339(period.1) }),
        );
        let id = state
            .store
            .create_quality_run(
                &schedule.owner,
                period,
                schedule.region.as_deref(),
                &schedule.scope,
                &audit,
            )
            .await?;
        let job = runner::Job {
            id,
            scope: scope_from_json(&schedule.scope)?,
            region_range: schedule.region.as_deref().map(subtree_range),
            period,
        };
        let background = state.clone();
        tokio::spawn(async move { runner::run_now(&background, job).await });
        started.push(id);
    }
    Ok(started)
}

/// Sweep the schedules every 30 seconds until the server drains; the same
/// sweep refreshes the code lists whose cron has come.
pub fn start(state: &AppState) {
    crate::sweep::every(
        state,
        SWEEP_SECS,
        "quality schedule sweep",
        |state, now| async move {
            // One failing does not hold the other back.
            let runs = run_due(&state, now).await.map(|_| ());
            let lists = super::code_list_refresh::refresh_due(&state, now).await;
            runs.and(lists.map(|_| ()))
        },
    );
}
