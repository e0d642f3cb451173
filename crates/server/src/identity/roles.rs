//! Roles and the permission catalogue (security admin).

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::identity::{duty_of_permissions, permission, AdminDuty, PERMISSIONS};

/// The API name of an admin duty.
pub fn duty_name(duty: AdminDuty) -> String {
    match duty {
        AdminDuty::System => "system",
        AdminDuty::Security => "security",
        AdminDuty::Audit => "audit",
    }
    .to_string()
}
use govpulse_store::identity::{RoleRow, RoleSeed};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub code: String,
    pub name: String,
    pub description: String,
    /// `system`, `security`, `audit` or null.
    pub admin_duty: Option<String>,
    pub builtin: bool,
    pub permissions: Vec<String>,
    pub user_count: i64,
}

impl From<RoleRow> for RoleView {
    fn from(row: RoleRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            description: row.description,
            admin_duty: row.admin_duty,
            builtin: row.builtin,
            permissions: row.permissions,
            user_count: row.user_count,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionView {
    pub code: String,
    pub name: String,
    pub module: String,
    /// `system`, `security`, `audit` or null.
    pub admin_duty: Option<String>,
}

/// Roles are readable by anyone who may read or assign them.
async fn require_role_reader(state: &AppState, caller: &Caller) -> ApiResult<()> {
    if caller.can("user:write") {
        return Ok(());
    }
    caller.require(state, "role:read").await
}

#[utoipa::path(get, path = "/roles", tag = "identity", responses((status = 200, body = [RoleView])))]
pub async fn list_roles(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<RoleView>>> {
    require_role_reader(&state, &caller).await?;
    Ok(Json(
        state
            .store
            .list_roles()
            .await?
            .into_iter()
            .map(RoleView::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/permissions", tag = "identity", responses((status = 200, body = [PermissionView])))]
pub async fn list_permissions(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PermissionView>>> {
    require_role_reader(&state, &caller).await?;
    Ok(Json(
        PERMISSIONS
            .iter()
            .map(|p| PermissionView {
                code: p.code.to_string(),
                name: p.name.to_string(),
                module: p.module.to_string(),
                admin_duty: p.admin_duty.map(duty_name),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// Only on create: `[a-z][a-z0-9_]{1,31}`.
    pub code: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<String>,
}

/// Validate a role definition; returns its admin duty.
fn check_role(req: &RoleRequest) -> ApiResult<Option<String>> {
    let name_len = req.name.trim().chars().count();
    if name_len == 0 || name_len > 32 {
        return Err(ApiError::invalid_field("name", "角色名称须为 1–32 个字符"));
    }
    if req.description.chars().count() > 200 {
        return Err(ApiError::invalid_field(
            "description",
            "描述不超过 200 个字符",
        ));
    }
    if let Some(unknown) = req.permissions.iter().find(|p| permission(p).is_none()) {
        return Err(ApiError::invalid_field(
            "permissions",
            format!("未知权限 {unknown}"),
        ));
    }
    let duties = duty_of_permissions(req.permissions.iter().map(String::as_str));
    if duties.len() > 1 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "role.duty_conflict",
            "一个角色不能同时包含系统管理、安全管理、审计管理中两类以上的权限",
        )
        .with_details(
            serde_json::json!({ "duties": duties, "fields": { "permissions": "管理职责冲突" } }),
        ));
    }
    Ok(duties.into_iter().next().map(duty_name))
}

/// The stored form of a custom role.
fn custom_role<'a>(code: &'a str, req: &'a RoleRequest, duty: Option<&'a str>) -> RoleSeed<'a> {
    RoleSeed {
        code,
        name: req.name.trim(),
        description: &req.description,
        builtin: false,
        admin_duty: duty,
        permissions: &req.permissions,
    }
}

fn valid_role_code(code: &str) -> bool {
    (2..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn role_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Conflict(what) if what == "builtin role" => {
            ApiError::conflict("role.builtin", "内置角色不可修改或删除")
        }
        StoreError::Conflict(what) if what == "role holders" => {
            ApiError::conflict("role.in_use", "仍有用户持有该角色，不能删除")
        }
        StoreError::Conflict(_) => ApiError::conflict("role.exists", "角色编码已存在")
            .with_details(serde_json::json!({ "fields": { "code": "角色编码已存在" } })),
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/roles", tag = "identity", request_body = RoleRequest,
    responses((status = 201, body = RoleView), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RoleRequest>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    caller.require(&state, "role:write").await?;
    let code = req.code.clone().unwrap_or_default();
    if !valid_role_code(&code) {
        return Err(ApiError::invalid_field(
            "code",
            "角色编码须为 2–32 位小写字母、数字或下划线，以字母开头",
        ));
    }
    let duty = check_role(&req)?;
    let seed = custom_role(&code, &req, duty.as_deref());
    let audit = caller.audit(
        "role.create",
        "role",
        &code,
        serde_json::json!({ "permissions": req.permissions }),
    );
    state
        .store
        .create_role(&seed, &audit)
        .await
        .map_err(role_error)?;
    Ok((StatusCode::CREATED, Json(find_role(&state, &code).await?)))
}

async fn find_role(state: &AppState, code: &str) -> ApiResult<RoleView> {
    state
        .store
        .list_roles()
        .await?
        .into_iter()
        .find(|r| r.code == code)
        .map(RoleView::from)
        .ok_or_else(ApiError::not_found)
}

#[utoipa::path(put, path = "/roles/{code}", tag = "identity", request_body = RoleRequest,
    responses((status = 200, body = RoleView), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> ApiResult<Json<RoleView>> {
    caller.require(&state, "role:write").await?;
    let duty = check_role(&req)?;
    let holders_duties = find_role(&state, &code).await?;
    if holders_duties.user_count > 0 && duty != holders_duties.admin_duty {
        return Err(ApiError::conflict(
            "role.in_use",
            "已分配的角色不能改变管理职责类型",
        ));
    }
    let seed = custom_role(&code, &req, duty.as_deref());
    let audit = caller.audit(
        "role.update",
        "role",
        &code,
        serde_json::json!({ "permissions": req.permissions }),
    );
    state
        .store
        .update_role(&seed, &audit)
        .await
        .map_err(role_error)?;
    Ok(Json(find_role(&state, &code).await?))
}

#[utoipa::path(delete, path = "/roles/{code}", tag = "identity",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn delete_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "role:write").await?;
    let audit = caller.audit("role.delete", "role", &code, serde_json::json!({}));
    state
        .store
        .delete_role(&code, &audit)
        .await
        .map_err(role_error)?;
    Ok(StatusCode::NO_CONTENT)
}
