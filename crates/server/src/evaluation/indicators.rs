//! The indicator library (IND-1): list with fuzzy or exact search, create,
//! read with version history, update (a new version), and an indicator's
//! values per unit for a period.

use super::{definition_of, unit_level, READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list_params;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::indicators::{Calculation, Direction, IndicatorDef, IndicatorState};
use govpulse_core::evaluation::period::Period;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::evaluation::{IndicatorFilter, IndicatorRow, INDICATOR_LIST};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    pub code: String,
    pub name: String,
    /// 1, 2 or 3.
    pub level: u8,
    pub parent_code: Option<String>,
    /// draft | enabled | disabled
    pub state: String,
    /// higher | lower (which is better)
    pub direction: String,
    pub unit: String,
    pub description: String,
    pub data_source: String,
    #[schema(value_type = govpulse_core::evaluation::indicators::Calculation)]
    pub calculation: serde_json::Value,
    pub version: i64,
    pub builtin: bool,
    pub updated_at: String,
    pub updated_by: String,
}

impl IndicatorView {
    fn of(row: &IndicatorRow) -> ApiResult<Self> {
        let def = definition_of(row)?;
        Ok(Self {
            code: def.code,
            name: def.name,
            level: def.level,
            parent_code: def.parent_code,
            state: def.state.as_str().to_string(),
            direction: match def.direction {
                Direction::Higher => "higher",
                Direction::Lower => "lower",
            }
            .to_string(),
            unit: def.unit,
            description: def.description,
            data_source: def.data_source,
            calculation: serde_json::to_value(&def.calculation).unwrap_or_default(),
            version: row.version,
            builtin: row.builtin,
            updated_at: to_rfc3339(row.updated_at),
            updated_by: row.updated_by.clone(),
        })
    }
}

/// A stored row for a definition.
pub fn row_of(def: &IndicatorDef, builtin: bool, by: &str, at: i64) -> ApiResult<IndicatorRow> {
    Ok(IndicatorRow {
        code: def.code.clone(),
        name: def.name.trim().to_string(),
        level: i32::from(def.level),
        parent_code: def.parent_code.clone(),
        state: def.state.as_str().to_string(),
        builtin,
        version: 0,
        definition: serde_json::to_string(def).map_err(ApiError::internal)?,
        updated_at: at,
        updated_by: by.to_string(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Code or name: contains (default) or equals (`exact=true`).
    pub q: Option<String>,
    pub exact: Option<bool>,
    #[param(minimum = 1, maximum = 3)]
    pub level: Option<i64>,
    /// draft | enabled | disabled
    pub state: Option<String>,
    /// Children of this indicator.
    pub parent: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `code` (default), `updated_at`, `level`; `-field` descending.
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// The indicator library, paged (the list mechanism).
#[utoipa::path(get, path = "/indicators", tag = "evaluation", params(IndicatorQuery),
    responses((status = 200, body = crate::list::ListResponse<IndicatorView>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_indicators(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<crate::list::ListResponse<IndicatorView>>> {
    caller.require(&state, READ).await?;
    let request = list_params!(q).request(&INDICATOR_LIST)?;
    if q.level.is_some_and(|level| !(1..=3).contains(&level)) {
        return Err(ApiError::invalid_field("level", "指标层级须为 1、2 或 3"));
    }
    let filter = IndicatorFilter {
        q: non_empty(&q.q),
        exact: q.exact.unwrap_or(false),
        level: q.level,
        state: non_empty(&q.state),
        parent: non_empty(&q.parent),
    };
    let page = state.store.list_indicators(&filter, &request).await?;
    Ok(Json(crate::list::ListResponse::try_from_page(
        page,
        IndicatorView::of,
    )?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRequest {
    /// Only on create (the path names it on update).
    pub code: Option<String>,
    pub name: String,
    #[schema(minimum = 1, maximum = 3)]
    pub level: u8,
    pub parent_code: Option<String>,
    /// draft (default on create) | enabled | disabled
    pub state: Option<String>,
    /// higher | lower
    pub direction: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub data_source: String,
    #[schema(value_type = govpulse_core::evaluation::indicators::Calculation)]
    pub calculation: serde_json::Value,
    /// On update: the version this edit started from (409 when another edit came first).
    pub version: Option<i64>,
}

async fn definition_from(
    state: &AppState,
    code: &str,
    req: &IndicatorRequest,
    current: Option<&IndicatorState>,
) -> ApiResult<IndicatorDef> {
    let state_value = match (&req.state, current) {
        (Some(s), _) => serde_json::from_value(serde_json::Value::String(s.clone()))
            .map_err(|_| ApiError::invalid_field("state", "状态须为 draft、enabled 或 disabled"))?,
        (None, Some(current)) => *current,
        (None, None) => IndicatorState::Draft,
    };
    let direction = serde_json::from_value(serde_json::Value::String(req.direction.clone()))
        .map_err(|_| ApiError::invalid_field("direction", "方向须为 higher 或 lower"))?;
    let calculation: Calculation = serde_json::from_value(req.calculation.clone())
        .map_err(|e| ApiError::invalid_field("calculation", format!("计算方式无效：{e}")))?;
    let def = IndicatorDef {
        code: code.to_string(),
        name: req.name.trim().to_string(),
        level: req.level,
        parent_code: non_empty(&req.parent_code),
        state: state_value,
        direction,
        unit: req.unit.trim().to_string(),
        description: req.description.trim().to_string(),
        data_source: req.data_source.trim().to_string(),
        calculation,
    };
    let parent_level = match &def.parent_code {
        Some(parent) => state
            .store
            .indicator(parent)
            .await?
            .and_then(|p| u8::try_from(p.level).ok()),
        None => None,
    };
    def.validate(parent_level)
        .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
    Ok(def)
}

/// Add an indicator (version 1).
#[utoipa::path(post, path = "/indicators", tag = "evaluation", request_body = IndicatorRequest,
    responses((status = 201, body = IndicatorView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_indicator(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<IndicatorRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<IndicatorView>)> {
    caller.require(&state, WRITE).await?;
    let code =
        non_empty(&req.code).ok_or_else(|| ApiError::invalid_field("code", "请填写指标编码"))?;
    let def = definition_from(&state, &code, &req, None).await?;
    let row = row_of(&def, false, &caller.username, now_ms())?;
    let audit = caller.audit(
        "indicator.create",
        "indicator",
        &code,
        serde_json::json!({ "name": def.name }),
    );
    state
        .store
        .save_indicator(&row, None, &audit)
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.exists", "该指标编码已存在"))?;
    let stored = state
        .store
        .indicator(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(IndicatorView::of(&stored)?),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorVersionView {
    pub version: i64,
    #[schema(value_type = govpulse_core::evaluation::indicators::IndicatorDef)]
    pub definition: serde_json::Value,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorDetail {
    #[serde(flatten)]
    pub indicator: IndicatorView,
    /// Every version, newest first.
    pub versions: Vec<IndicatorVersionView>,
}

/// One indicator with its version history.
#[utoipa::path(get, path = "/indicators/{code}", tag = "evaluation", params(("code" = String, Path)),
    responses((status = 200, body = IndicatorDetail), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<IndicatorDetail>> {
    caller.require(&state, READ).await?;
    let row = state
        .store
        .indicator(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let versions = state
        .store
        .indicator_versions(&code)
        .await?
        .into_iter()
        .map(|v| IndicatorVersionView {
            version: v.version,
            definition: serde_json::from_str(&v.definition).unwrap_or_default(),
            created_at: to_rfc3339(v.created_at),
            created_by: v.created_by,
        })
        .collect();
    Ok(Json(IndicatorDetail {
        indicator: IndicatorView::of(&row)?,
        versions,
    }))
}

/// Change an indicator: a new version, the old ones kept.
#[utoipa::path(put, path = "/indicators/{code}", tag = "evaluation", params(("code" = String, Path)), request_body = IndicatorRequest,
    responses((status = 200, body = IndicatorView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn put_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<IndicatorRequest>,
) -> ApiResult<Json<IndicatorView>> {
    caller.require(&state, WRITE).await?;
    let current = state
        .store
        .indicator(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if req.code.as_deref().is_some_and(|c| c != code) {
        return Err(ApiError::invalid_field("code", "指标编码不可修改"));
    }
    let current_def = definition_of(&current)?;
    let def = definition_from(&state, &code, &req, Some(&current_def.state)).await?;
    let read_version = req.version.unwrap_or(current.version);
    let row = row_of(&def, current.builtin, &caller.username, now_ms())?;
    let audit = caller.audit(
        "indicator.update",
        "indicator",
        &code,
        serde_json::json!({ "from_version": read_version, "state": def.state.as_str() }),
    );
    state
        .store
        .save_indicator(&row, Some(read_version), &audit)
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.stale", "指标已被他人修改，请刷新后重试"))?;
    let stored = state
        .store
        .indicator(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(IndicatorView::of(&stored)?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// YYYY-MM | YYYY-Qn | YYYY | YYYY-MM-DD..YYYY-MM-DD
    #[param(
        pattern = "^20[0-9]{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$|^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])\\.\\.20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"
    )]
    pub period: String,
    /// district (default) | city_department | district_department
    #[param(pattern = "^(district|city_department|district_department)$")]
    pub unit_level: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValueView {
    pub unit_code: String,
    pub unit_name: String,
    /// numerator / denominator × scale; null when the denominator is 0.
    pub value: Option<f64>,
    pub numerator: f64,
    /// null for a plain count.
    pub denominator: Option<f64>,
}

/// A period from a query parameter.
pub fn period_of(field: &str, text: &str) -> ApiResult<Period> {
    text.parse()
        .map_err(|e: govpulse_core::evaluation::period::PeriodError| {
            ApiError::invalid_field(field, e.0)
        })
}

/// A level-3 indicator's value for every unit of a level in a period,
/// computed with SQL aggregates over the facts.
#[utoipa::path(get, path = "/indicators/{code}/values", tag = "evaluation", params(("code" = String, Path), ValuesQuery),
    responses((status = 200, body = Vec<ValueView>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`evaluation.not_leaf`: a level-1 or level-2 indicator has no values of its own", body = crate::error::ErrorBody)))]
pub async fn indicator_values(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<ValuesQuery>,
) -> ApiResult<Json<Vec<ValueView>>> {
    caller.require(&state, READ).await?;
    let period = period_of("period", &q.period)?;
    let level = unit_level("unit_level", q.unit_level.as_deref().unwrap_or("district"))?;
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
    let (start, end) = period.bounds_ms();
    let units = state.store.unit_facts(level, start, end).await?;
    Ok(Json(
        units
            .into_iter()
            .map(|u| {
                let m = ratio.measure(&u.facts);
                ValueView {
                    unit_code: u.unit_code,
                    unit_name: u.unit_name,
                    value: m.value,
                    numerator: m.numerator,
                    denominator: m.denominator,
                }
            })
            .collect(),
    ))
}
