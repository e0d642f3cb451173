//! The scheme library (赋分规则, SCORE-1/2): shared, versioned scoring
//! schemes built from the rule templates.

use super::{indicator_infos, DefinitionVersion, READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::indicators::IndicatorState;
use govpulse_core::evaluation::scoring::{IndicatorInfo, Scheme};
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::evaluation::SchemeRow;
use govpulse_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    pub code: String,
    pub name: String,
    /// district | city_department | district_department
    pub unit_level: String,
    pub version: i64,
    /// `{unit_level, items: [{indicator, weight, rule: {template, …}}], adjustments: [{name, when, points}]}`
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub updated_at: String,
    pub updated_by: String,
}

impl From<SchemeRow> for SchemeView {
    fn from(row: SchemeRow) -> Self {
        Self {
            definition: serde_json::from_str(&row.definition).unwrap_or_default(),
            code: row.code,
            name: row.name,
            unit_level: row.unit_level,
            version: row.version,
            updated_at: to_rfc3339(row.updated_at),
            updated_by: row.updated_by,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeRequest {
    /// Only on create.
    pub code: Option<String>,
    pub name: String,
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// On update: the version this edit started from.
    pub version: Option<i64>,
}

/// The enabled level-3 indicators a scheme may score.
fn scoreable(
    defs: &BTreeMap<String, govpulse_core::evaluation::indicators::IndicatorDef>,
    infos: &BTreeMap<String, IndicatorInfo>,
) -> BTreeMap<String, IndicatorInfo> {
    infos
        .iter()
        .filter(|(code, info)| {
            info.level == 3
                && defs
                    .get(*code)
                    .is_some_and(|d| d.state == IndicatorState::Enabled)
        })
        .map(|(c, i)| (c.clone(), i.clone()))
        .collect()
}

/// A validated scheme from a request.
async fn scheme_of(store: &Store, req: &SchemeRequest) -> ApiResult<Scheme> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(ApiError::invalid_field("name", "名称须为 1–50 个字符"));
    }
    let scheme: Scheme = serde_json::from_value(req.definition.clone())
        .map_err(|e| ApiError::invalid_field("definition", format!("方案定义无效：{e}")))?;
    let (defs, infos) = indicator_infos(store).await?;
    scheme
        .validate(&scoreable(&defs, &infos))
        .map_err(|e| ApiError::invalid_field(&format!("definition.{}", e.field), e.message))?;
    Ok(scheme)
}

fn row_of(code: &str, name: &str, scheme: &Scheme, by: &str) -> ApiResult<SchemeRow> {
    Ok(SchemeRow {
        code: code.to_string(),
        name: name.trim().to_string(),
        unit_level: scheme.unit_level.as_str().to_string(),
        version: 0,
        definition: serde_json::to_string(scheme).map_err(ApiError::internal)?,
        updated_at: now_ms(),
        updated_by: by.to_string(),
    })
}

async fn stored(store: &Store, code: &str) -> ApiResult<SchemeRow> {
    store
        .schemes()
        .await?
        .into_iter()
        .find(|s| s.code == code)
        .ok_or_else(ApiError::not_found)
}

/// The shared scheme library.
#[utoipa::path(get, path = "/scoring-schemes", tag = "evaluation",
    responses((status = 200, body = Vec<SchemeView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_schemes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SchemeView>>> {
    caller.require(&state, READ).await?;
    Ok(Json(
        state
            .store
            .schemes()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Add a scheme to the library (version 1).
#[utoipa::path(post, path = "/scoring-schemes", tag = "evaluation", request_body = SchemeRequest,
    responses((status = 201, body = SchemeView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_scheme(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SchemeRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<SchemeView>)> {
    caller.require(&state, WRITE).await?;
    let code = crate::extract::non_empty(&req.code)
        .ok_or_else(|| ApiError::invalid_field("code", "请填写方案编码"))?;
    if !govpulse_core::evaluation::indicators::valid_code(&code) {
        return Err(ApiError::invalid_field(
            "code",
            "编码须为 1–40 位小写字母、数字或下划线，以字母开头",
        ));
    }
    let scheme = scheme_of(&state.store, &req).await?;
    let row = row_of(&code, &req.name, &scheme, &caller.username)?;
    let audit = caller.audit(
        "scoring_scheme.create",
        "scoring_scheme",
        &code,
        serde_json::json!({ "name": row.name }),
    );
    state
        .store
        .save_scheme(&row, None, &audit)
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.exists", "该方案编码已存在"))?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(stored(&state.store, &code).await?.into()),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemeDetail {
    #[serde(flatten)]
    pub scheme: SchemeView,
    pub versions: Vec<DefinitionVersion>,
}

/// One scheme with every version.
#[utoipa::path(get, path = "/scoring-schemes/{code}", tag = "evaluation", params(("code" = String, Path)),
    responses((status = 200, body = SchemeDetail), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_scheme(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<SchemeDetail>> {
    caller.require(&state, READ).await?;
    let scheme = stored(&state.store, &code).await?.into();
    let versions = state
        .store
        .scheme_versions(&code)
        .await?
        .into_iter()
        .map(DefinitionVersion::from)
        .collect();
    Ok(Json(SchemeDetail { scheme, versions }))
}

/// Change a scheme: a new version, the old ones kept (runs name the version they used).
#[utoipa::path(put, path = "/scoring-schemes/{code}", tag = "evaluation", params(("code" = String, Path)), request_body = SchemeRequest,
    responses((status = 200, body = SchemeView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn put_scheme(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<SchemeRequest>,
) -> ApiResult<Json<SchemeView>> {
    caller.require(&state, WRITE).await?;
    let current = stored(&state.store, &code).await?;
    let scheme = scheme_of(&state.store, &req).await?;
    let row = row_of(&code, &req.name, &scheme, &caller.username)?;
    let read_version = req.version.unwrap_or(current.version);
    let audit = caller.audit(
        "scoring_scheme.update",
        "scoring_scheme",
        &code,
        serde_json::json!({ "from_version": read_version }),
    );
    state
        .store
        .save_scheme(&row, Some(read_version), &audit)
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.stale", "方案已被他人修改，请刷新后重试"))?;
    Ok(Json(stored(&state.store, &code).await?.into()))
}

/// Code of the scheme every installation starts with.
pub const STANDARD_SCHEME: &str = "district_standard";

/// The standard district scheme: every template on the built-in indicators.
pub fn standard_scheme() -> serde_json::Value {
    serde_json::json!({
        "unit_level": "district",
        "items": [
            {"indicator": "on_time_rate", "weight": 30,
             "rule": {"template": "proportional", "full": 100, "target": 100, "points_per_unit": 2}},
            {"indicator": "overdue_cases", "weight": 10,
             "rule": {"template": "ranking", "first": 100, "step": 3, "floor": 60}},
            {"indicator": "handling_time_ratio", "weight": 10,
             "rule": {"template": "tiered", "tiers": [
                 {"max": 50, "score": 100}, {"min": 50, "max": 80, "score": 90},
                 {"min": 80, "max": 100, "score": 75}, {"min": 100, "score": 50}]}},
            {"indicator": "warnings_per_1000", "weight": 10,
             "rule": {"template": "relative", "against": "average", "full": 100}},
            {"indicator": "good_review_rate", "weight": 15,
             "rule": {"template": "relative", "against": "best", "full": 100}},
            {"indicator": "bad_review_rate", "weight": 10,
             "rule": {"template": "formula", "expression": "最大(0, 100 - 值 * 5)"}},
            {"indicator": "online_share", "weight": 10,
             "rule": {"template": "relative", "against": "best", "full": 100}},
            {"indicator": "rejection_rate", "weight": 5,
             "rule": {"template": "proportional", "full": 100, "target": 0, "points_per_unit": 5}}
        ],
        "adjustments": [
            {"name": "按时办结率全市领先", "when": "on_time_rate >= 98", "points": 2},
            {"name": "差评率偏高", "when": "bad_review_rate > 5", "points": -2}
        ]
    })
}

/// Create the standard scheme when the library has no scheme of that code.
pub async fn seed_standard_scheme(store: &Store) -> anyhow::Result<()> {
    if store
        .schemes()
        .await?
        .iter()
        .any(|s| s.code == STANDARD_SCHEME)
    {
        return Ok(());
    }
    let req = SchemeRequest {
        code: Some(STANDARD_SCHEME.to_string()),
        name: "区级标准赋分方案".to_string(),
        definition: standard_scheme(),
        version: None,
    };
    let scheme = scheme_of(store, &req)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let row = row_of(STANDARD_SCHEME, &req.name, &scheme, "system")
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let audit = crate::seed::system_record(
        "scoring_scheme.create",
        serde_json::json!({ "code": STANDARD_SCHEME }),
    );
    store.save_scheme(&row, None, &audit).await?;
    Ok(())
}
