//! Single-indicator trend drill-down (EVAL-1): one unit's value of a level-3
//! indicator over consecutive months, quarters or years, beside the best and
//! the average of its level's units in each period.

use super::indicators::period_of;
use super::{definition_of, unit_level, READ};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::indicators::Direction;
use govpulse_core::evaluation::measures::round4;
use govpulse_core::evaluation::period::Period;
use serde::{Deserialize, Serialize};

/// Most periods one trend reads (each is one aggregate over the facts).
const MAX_POINTS: usize = 24;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// The unit's code.
    pub unit: String,
    /// district (default) | city_department | district_department
    #[param(pattern = "^(district|city_department|district_department)$")]
    pub unit_level: Option<String>,
    /// The last period: YYYY-MM (monthly trend), YYYY-Qn (quarterly) or YYYY (yearly).
    pub to: String,
    /// How many periods, ending with `to` (default 12, at most 24).
    #[param(minimum = 1, maximum = 24)]
    pub count: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = IndicatorTrendPoint)]
pub struct TrendPoint {
    pub period: String,
    /// The unit's value (null: no denominator in the period).
    pub value: Option<f64>,
    pub numerator: f64,
    pub denominator: Option<f64>,
    /// The best value among the level's units with a value.
    pub best: Option<f64>,
    /// Their average.
    pub average: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = IndicatorTrend)]
pub struct TrendView {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub unit_code: String,
    pub unit_name: String,
    /// Oldest first.
    pub points: Vec<TrendPoint>,
}

/// One unit's trend of a level-3 indicator, with its level's best and average.
#[utoipa::path(get, path = "/indicators/{code}/trend", tag = "evaluation", params(("code" = String, Path), TrendQuery),
    responses((status = 200, body = TrendView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`evaluation.not_leaf`: a level-1 or level-2 indicator has no values of its own", body = crate::error::ErrorBody)))]
pub async fn indicator_trend(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<Json<TrendView>> {
    caller.require(&state, READ).await?;
    let level = unit_level("unit_level", q.unit_level.as_deref().unwrap_or("district"))?;
    let last = period_of("to", &q.to)?;
    if matches!(last, Period::Range { .. }) {
        return Err(ApiError::invalid_field(
            "to",
            "趋势按月、季度或年：须为 YYYY-MM、YYYY-Qn 或 YYYY",
        ));
    }
    let count = q.count.unwrap_or(12);
    if !(1..=MAX_POINTS).contains(&count) {
        return Err(ApiError::invalid_field("count", "期数须为 1–24"));
    }
    let row = state
        .store
        .indicator(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let def = definition_of(&row)?;
    let ratio = def.ratio().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "evaluation.not_leaf",
            "一、二级指标没有取值，请查询其三级指标",
        )
    })?;
    let mut periods = vec![last];
    while periods.len() < count {
        let earlier = periods[periods.len() - 1].previous();
        periods.push(earlier);
    }
    periods.reverse();
    let mut unit_name = None;
    let mut points = Vec::with_capacity(periods.len());
    for period in periods {
        let (start, end) = period.bounds_ms();
        let units = state.store.unit_facts(level, start, end).await?;
        let measured: Vec<_> = units.iter().map(|u| (u, ratio.measure(&u.facts))).collect();
        let Some((unit, own)) = measured.iter().find(|(u, _)| u.unit_code == q.unit) else {
            return Err(ApiError::not_found());
        };
        unit_name.get_or_insert_with(|| unit.unit_name.clone());
        let values: Vec<f64> = measured.iter().filter_map(|(_, m)| m.value).collect();
        let best = match def.direction {
            Direction::Higher => values.iter().copied().reduce(f64::max),
            Direction::Lower => values.iter().copied().reduce(f64::min),
        };
        let average =
            (!values.is_empty()).then(|| round4(values.iter().sum::<f64>() / values.len() as f64));
        points.push(TrendPoint {
            period: period.to_string(),
            value: own.value,
            numerator: own.numerator,
            denominator: own.denominator,
            best,
            average,
        });
    }
    Ok(Json(TrendView {
        code: def.code,
        name: def.name,
        unit: def.unit,
        unit_code: q.unit,
        unit_name: unit_name.unwrap_or_default(),
        points,
    }))
}
