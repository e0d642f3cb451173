//! The item catalogue API (事项目录).

use super::checked::Inputs;
use super::intake::{run_audited, IntakeReportView};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::Kind;
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::aggregation::{ItemFilter, ItemRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub item_code: String,
    pub basic_code: String,
    pub name: String,
    pub item_type_code: String,
    pub department_code: String,
    pub department_name: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    pub legal_limit: Option<i32>,
    pub promised_limit: Option<i32>,
    /// `working` or `natural` days.
    pub limit_unit: String,
    /// 1 即办件, 2 承诺件.
    pub case_type_code: i32,
    pub version: i32,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

impl From<ItemRow> for ItemView {
    fn from(row: ItemRow) -> Self {
        Self::from(&row)
    }
}

impl From<&ItemRow> for ItemView {
    fn from(row: &ItemRow) -> Self {
        Self {
            item_code: row.item_code.clone(),
            basic_code: row.basic_code.clone(),
            name: row.name.clone(),
            item_type_code: row.item_type_code.clone(),
            department_code: row.department_code.clone(),
            department_name: row.department_name.clone(),
            region_code: row.region_code.clone(),
            region_name: row.region_name.clone(),
            legal_limit: row.legal_limit,
            promised_limit: row.promised_limit,
            limit_unit: row.limit_unit.clone(),
            case_type_code: row.case_type_code,
            version: row.version,
            valid_from: to_rfc3339(row.valid_from),
            valid_to: row.valid_to.map(to_rfc3339),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemVersionView {
    pub version: i32,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub created_at: String,
    pub name: String,
    pub promised_limit: Option<i32>,
    pub legal_limit: Option<i32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub item: ItemView,
    pub exercise_level: Option<String>,
    pub handling_modes: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub materials: serde_json::Value,
    #[schema(value_type = Object)]
    pub elements: serde_json::Value,
    pub versions: Vec<ItemVersionView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    pub q: Option<String>,
    pub department: Option<String>,
    pub region: Option<String>,
    /// 事项类型代码 (GB/T 39046 A.1).
    pub item_type: Option<String>,
    /// 1 即办件, 2 承诺件.
    pub case_type: Option<i64>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

#[utoipa::path(get, path = "/items", tag = "aggregation", params(ItemQuery), responses((status = 200, body = crate::list::ListResponse<ItemView>)))]
pub async fn list_items(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> ApiResult<Json<crate::list::ListResponse<ItemView>>> {
    caller.require(&state, "item:read").await?;
    let filter = ItemFilter {
        q: non_empty(&query.q),
        department: non_empty(&query.department),
        region_range: non_empty(&query.region).map(|r| subtree_range(&r)),
        item_type: non_empty(&query.item_type),
        case_type: query.case_type,
    };
    let request = crate::list_params!(query).request(&govpulse_store::aggregation::ITEM_LIST)?;
    let page = state
        .store
        .list_items(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

#[utoipa::path(get, path = "/items/{item_code}", tag = "aggregation",
    responses((status = 200, body = ItemDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item_code): Path<String>,
) -> ApiResult<Json<ItemDetail>> {
    caller.require(&state, "item:read").await?;
    let versions = state
        .store
        .item_versions(&caller.org_scope(), &item_code)
        .await?;
    let current = versions.first().ok_or_else(ApiError::not_found)?;
    let parse = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    Ok(Json(ItemDetail {
        item: ItemView::from(current),
        exercise_level: current.exercise_level.clone(),
        handling_modes: serde_json::from_str(&current.handling_modes).unwrap_or_default(),
        materials: parse(&current.materials),
        elements: parse(&current.elements),
        versions: versions
            .iter()
            .map(|v| ItemVersionView {
                version: v.version,
                valid_from: to_rfc3339(v.valid_from),
                valid_to: v.valid_to.map(to_rfc3339),
                created_at: to_rfc3339(v.created_at),
                name: v.name.clone(),
                promised_limit: v.promised_limit,
                legal_limit: v.legal_limit,
            })
            .collect(),
    }))
}

/// Receive item records (JSON array or NDJSON) from the item management system.
#[utoipa::path(post, path = "/items", tag = "aggregation", request_body(content = Vec<Object>, description = "item records"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn post_items(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Json<IntakeReportView>> {
    if !caller.can("intake:write") {
        caller.require(&state, "item:write").await?;
    }
    let ndjson = super::intake::is_ndjson(&headers);
    let (rules, mut inputs) = (CollectionRules::default(), Inputs::new(Kind::Items));
    super::body::read_records(body, ndjson, |record| inputs.push(record, &rules, now_ms())).await?;
    run_audited(&state, &caller, &caller.username, inputs).await
}
