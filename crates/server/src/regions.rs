//! Region management (issue 14, item 7): a region's details and history,
//! rename and attributes, merge into another region (the old code stays and
//! resolves in old records), delete refused while anything references it.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::region::in_subtree;
use govpulse_store::org_admin::{RegionDetailRow, RegionHistoryRow};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_region, update_region, delete_region))
        .routes(routes!(merge_region))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionChange {
    /// `rename`, `attributes` or `merge`.
    pub action: String,
    pub before: String,
    pub after: String,
    pub actor: String,
    /// Epoch milliseconds.
    pub at: i64,
}

impl From<RegionHistoryRow> for RegionChange {
    fn from(row: RegionHistoryRow) -> Self {
        Self {
            action: row.action,
            before: row.before_value,
            after: row.after_value,
            actor: row.actor,
            at: row.at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionDetail {
    pub code: String,
    pub name: String,
    /// 1 市, 2 区县, 3 街道乡镇, 4 社区村.
    pub level: i32,
    pub parent_code: Option<String>,
    /// Free attributes (string values).
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// The region this one was merged into; old records keep this code.
    pub merged_into: Option<String>,
    /// What references the region (`regions`, `departments`, `users`,
    /// `items`, `cases`, …): a region with any cannot be deleted.
    pub references: Vec<String>,
    pub history: Vec<RegionChange>,
}

/// A region inside the caller's scope (department users: their region's subtree).
async fn scoped_region(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> ApiResult<RegionDetailRow> {
    if !in_subtree(&caller.scope.region_code, code) {
        return Err(ApiError::not_found());
    }
    state
        .store
        .get_region_detail(code)
        .await?
        .ok_or_else(ApiError::not_found)
}

async fn detail(state: &AppState, row: RegionDetailRow) -> ApiResult<RegionDetail> {
    let references = state.store.region_references(&row.code).await?;
    let history = state.store.region_history(&row.code).await?;
    Ok(RegionDetail {
        attributes: serde_json::from_str(&row.attributes).unwrap_or_default(),
        code: row.code,
        name: row.name,
        level: row.level,
        parent_code: row.parent_code,
        merged_into: row.merged_into,
        references: references.into_iter().map(String::from).collect(),
        history: history.into_iter().map(RegionChange::from).collect(),
    })
}

#[utoipa::path(get, path = "/regions/{code}", tag = "org",
    responses((status = 200, body = RegionDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_region(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<RegionDetail>> {
    caller.require(&state, "org:read").await?;
    let row = scoped_region(&state, &caller, &code).await?;
    Ok(Json(detail(&state, row).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionUpdate {
    pub name: String,
    /// Replaces every attribute; string values, at most 50 keys.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Map<String, Value>>,
}

#[utoipa::path(put, path = "/regions/{code}", tag = "org", request_body = RegionUpdate,
    responses((status = 200, body = RegionDetail), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_region(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<RegionUpdate>,
) -> ApiResult<Json<RegionDetail>> {
    caller.require(&state, "org:write").await?;
    let before = scoped_region(&state, &caller, &code).await?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid_field("name", "区划名称须为 1–64 个字符"));
    }
    let attributes = match req.attributes {
        Some(map) => {
            let valid = map.len() <= 50
                && map.iter().all(|(k, v)| {
                    !k.trim().is_empty()
                        && k.chars().count() <= 32
                        && v.as_str().is_some_and(|s| s.chars().count() <= 200)
                });
            if !valid {
                return Err(ApiError::invalid_field(
                    "attributes",
                    "属性至多 50 项，名称 1–32 个字符，值为不超过 200 个字符的文本",
                ));
            }
            Value::Object(map).to_string()
        }
        None => before.attributes.clone(),
    };
    let audit = caller.audit(
        "region.update",
        "region",
        &code,
        serde_json::json!({ "before": { "name": before.name, "attributes": before.attributes },
                            "after": { "name": name, "attributes": attributes } }),
    );
    state
        .store
        .update_region(&before, name, &attributes, &audit)
        .await?;
    let row = scoped_region(&state, &caller, &code).await?;
    Ok(Json(detail(&state, row).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionMerge {
    /// The region that takes over (same level, in the caller's scope).
    pub into: String,
}

#[utoipa::path(post, path = "/regions/{code}/merge", tag = "org", request_body = RegionMerge,
    responses((status = 200, body = RegionDetail), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`region.merged` already merged; `region.has_children` sub-regions first", body = crate::error::ErrorBody)))]
pub async fn merge_region(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<RegionMerge>,
) -> ApiResult<Json<RegionDetail>> {
    caller.require(&state, "org:write").await?;
    let region = scoped_region(&state, &caller, &code).await?;
    if region.merged_into.is_some() {
        return Err(ApiError::conflict("region.merged", "该区划已合并"));
    }
    let target = match scoped_region(&state, &caller, &req.into).await {
        Ok(target)
            if target.code != code
                && target.level == region.level
                && target.merged_into.is_none() =>
        {
            target
        }
        _ => {
            return Err(ApiError::invalid_field(
                "into",
                "须为数据范围内另一个同级、未合并的区划",
            ))
        }
    };
    let audit = caller.audit(
        "region.merge",
        "region",
        &code,
        serde_json::json!({ "name": region.name, "into": target.code, "into_name": target.name }),
    );
    state
        .store
        .merge_region(&code, &target.code, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::conflict(
                "region.has_children",
                "该区划仍有下级区划，请先合并或删除下级区划",
            ),
            other => other.into(),
        })?;
    let row = scoped_region(&state, &caller, &code).await?;
    Ok(Json(detail(&state, row).await?))
}

#[utoipa::path(delete, path = "/regions/{code}", tag = "org",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`region.in_use`: details.references names what refers to it", body = crate::error::ErrorBody)))]
pub async fn delete_region(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "org:write").await?;
    let region = scoped_region(&state, &caller, &code).await?;
    let audit = caller.audit(
        "region.delete",
        "region",
        &code,
        serde_json::json!({ "name": region.name }),
    );
    state
        .store
        .delete_region(&code, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(tables) => {
                ApiError::conflict("region.in_use", "该区划仍被引用，不能删除").with_details(
                    serde_json::json!({ "references": tables.split(',').collect::<Vec<_>>() }),
                )
            }
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
