//! Organisation: regions and departments (SEC-2 data scope follows these trees).

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, required_text, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::region::{subtree_range, RegionLevel};
use govpulse_store::org::{DepartmentFilter, DepartmentRow, RegionRow};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The top of the region tree (the city), which city-wide warnings (a silent
/// feed, a calendar year without data) belong to; `None` before any region exists.
pub(crate) async fn city_region(state: &AppState) -> ApiResult<Option<String>> {
    let regions = state
        .store
        .list_regions(&govpulse_store::org::OrgScope::default())
        .await?;
    Ok(regions
        .into_iter()
        .min_by_key(|r| (r.level, r.code.clone()))
        .map(|r| r.code))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
        .merge(crate::regions::routes())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    /// 1 市, 2 区, 3 街道/乡镇, 4 社区/村.
    pub level: i32,
    pub parent_code: Option<String>,
    /// Set when the region was merged into another: its code still resolves
    /// in old records, new records use the successor.
    pub merged_into: Option<String>,
}

impl From<RegionRow> for RegionView {
    fn from(row: RegionRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            level: row.level,
            parent_code: row.parent_code,
            merged_into: row.merged_into,
        }
    }
}

/// Regions inside the caller's scope, parents first.
#[utoipa::path(get, path = "/regions", tag = "org", responses((status = 200, body = [RegionView])))]
pub async fn list_regions(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<RegionView>>> {
    caller.require(&state, "org:read").await?;
    let mut scope = caller.org_scope();
    // A department's users see the region their department belongs to.
    if scope.department.is_some() {
        scope.department = None;
        scope.region_range = Some(subtree_range(&caller.scope.region_code));
    }
    let rows = state.store.list_regions(&scope).await?;
    Ok(Json(rows.into_iter().map(RegionView::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub code: String,
    pub name: String,
    /// `city` or `district`.
    pub level: String,
    pub region_code: String,
    pub region_name: String,
    pub user_count: i64,
}

impl From<DepartmentRow> for DepartmentView {
    fn from(row: DepartmentRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            level: row.level,
            region_code: row.region_code,
            region_name: row.region_name,
            user_count: row.user_count,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    pub q: Option<String>,
    /// Region code: departments in its subtree.
    pub region: Option<String>,
    /// `city` or `district`.
    pub level: Option<String>,
    /// Page number, 1-based.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Page size, at most 500.
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

#[utoipa::path(get, path = "/departments", tag = "org", params(DepartmentQuery),
    responses((status = 200, body = crate::list::ListResponse<DepartmentView>)))]
pub async fn list_departments(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DepartmentQuery>,
) -> ApiResult<Json<crate::list::ListResponse<DepartmentView>>> {
    caller.require(&state, "org:read").await?;
    let filter = DepartmentFilter {
        q: non_empty(&query.q),
        region_range: non_empty(&query.region).map(|r| subtree_range(&r)),
        level: non_empty(&query.level),
    };
    let request = crate::list_params!(query).request(&govpulse_store::org::DEPARTMENT_LIST)?;
    let page = state
        .store
        .list_departments(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

#[utoipa::path(get, path = "/departments/{code}", tag = "org",
    responses((status = 200, body = DepartmentView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_department(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<DepartmentView>> {
    caller.require(&state, "org:read").await?;
    Ok(Json(
        scoped_department(&state, &caller, &code).await?.into(),
    ))
}

async fn scoped_department(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> ApiResult<DepartmentRow> {
    state
        .store
        .get_department(&caller.org_scope(), code)
        .await?
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentRequest {
    /// Only on create (and required there): 2–32 letters, digits or `-`.
    #[schema(pattern = "^[A-Za-z0-9-]{2,32}$")]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub name: String,
    pub region_code: String,
}

/// Check name and region; returns the department level implied by the region.
async fn check_department(
    state: &AppState,
    caller: &Caller,
    req: &DepartmentRequest,
) -> ApiResult<String> {
    required_text("name", &req.name, 64, "部门名称须为 1–64 个字符")?;
    let outside = || ApiError::invalid_field("region_code", "区划不存在或不在您的数据范围内");
    let region = state
        .store
        .get_region(&req.region_code)
        .await?
        .ok_or_else(outside)?;
    if !caller.scope.allows(&region.code, None) {
        return Err(outside());
    }
    Ok(match RegionLevel::of_code(&region.code) {
        Some(RegionLevel::City) => "city",
        _ => "district",
    }
    .to_string())
}

#[utoipa::path(post, path = "/departments", tag = "org", request_body = DepartmentRequest,
    responses((status = 201, body = DepartmentView), (status = 400, body = crate::error::ErrorBody),
        (status = 409, description = "`department.exists`", body = crate::error::ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<DepartmentRequest>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    caller.require(&state, "org:write").await?;
    let code = req.code.clone().unwrap_or_default();
    let valid = (2..=32).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid {
        return Err(ApiError::invalid_field(
            "code",
            "部门编码须为 2–32 位字母、数字或连字符",
        ));
    }
    let level = check_department(&state, &caller, &req).await?;
    let audit = caller.audit(
        "department.create",
        "department",
        &code,
        serde_json::json!({ "name": req.name, "region_code": req.region_code }),
    );
    state
        .store
        .create_department(&code, req.name.trim(), &level, &req.region_code, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::conflict("department.exists", "部门编码已存在")
                .with_details(serde_json::json!({ "fields": { "code": "部门编码已存在" } })),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(scoped_department(&state, &caller, &code).await?.into()),
    ))
}

#[utoipa::path(put, path = "/departments/{code}", tag = "org", request_body = DepartmentRequest,
    responses((status = 200, body = DepartmentView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_department(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<DepartmentRequest>,
) -> ApiResult<Json<DepartmentView>> {
    caller.require(&state, "org:write").await?;
    let before = scoped_department(&state, &caller, &code).await?;
    let level = check_department(&state, &caller, &req).await?;
    let audit = caller.audit(
        "department.update",
        "department",
        &code,
        serde_json::json!({ "before": { "name": before.name, "region_code": before.region_code },
                            "after": { "name": req.name, "region_code": req.region_code } }),
    );
    state
        .store
        .update_department(&code, req.name.trim(), &level, &req.region_code, &audit)
        .await?;
    Ok(Json(
        scoped_department(&state, &caller, &code).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/departments/{code}", tag = "org",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`department.in_use`", body = crate::error::ErrorBody)))]
pub async fn delete_department(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "org:write").await?;
    let before = scoped_department(&state, &caller, &code).await?;
    let audit = caller.audit(
        "department.delete",
        "department",
        &code,
        serde_json::json!({ "name": before.name }),
    );
    state
        .store
        .delete_department(&code, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ApiError::conflict("department.in_use", "部门下仍有用户，不能删除")
            }
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
