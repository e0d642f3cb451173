//! User management (system admin).

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, required_text, ApiJson, ApiQuery};
use crate::identity::auth::check_password_policy;
use crate::identity::caller::{scope_of, Caller};
use crate::identity::duties::{enforce, require_account_admin, AccountChange};
use crate::identity::secrets::hash_password;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::identity::{valid_username, Scope, ScopeKind};
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::identity::{NewUser, UserFilter, UserUpdate, UserWithRoles};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeInput {
    /// `city`, `region` or `department`.
    #[schema(pattern = "^(city|region|department)$")]
    pub kind: String,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub scope: ScopeInput,
    pub region_name: Option<String>,
    pub department_name: Option<String>,
    /// `active`, `locked` or `disabled`.
    pub status: String,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

impl From<UserWithRoles> for UserView {
    fn from(UserWithRoles { user, roles }: UserWithRoles) -> Self {
        let now = now_ms();
        let locked = user.locked_until.filter(|t| *t > now);
        let status = if user.disabled {
            "disabled"
        } else if locked.is_some() {
            "locked"
        } else {
            "active"
        };
        Self {
            id: user.id,
            scope: ScopeInput {
                kind: user.scope_kind.clone(),
                region_code: Some(user.region_code.clone()),
                department_code: user.department_code.clone(),
            },
            username: user.username,
            display_name: user.display_name,
            roles,
            region_name: user.region_name,
            department_name: user.department_name,
            status: status.to_string(),
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
            locked_until: locked.map(to_rfc3339),
            last_login_at: user.last_login_at.map(to_rfc3339),
            created_at: to_rfc3339(user.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub role: Option<String>,
    /// `active`, `locked` or `disabled`.
    pub status: Option<String>,
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

#[utoipa::path(get, path = "/users", tag = "identity", params(UserQuery),
    responses((status = 200, body = crate::list::ListResponse<UserView>)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> ApiResult<Json<crate::list::ListResponse<UserView>>> {
    caller.require(&state, "user:read").await?;
    let filter = UserFilter {
        q: non_empty(&query.q),
        region_range: non_empty(&query.region).map(|r| subtree_range(&r)),
        department: non_empty(&query.department),
        role: non_empty(&query.role),
        status: non_empty(&query.status),
        now_ms: now_ms(),
    };
    let request = crate::list_params!(query).request(&govpulse_store::identity::USER_LIST)?;
    let page = state
        .store
        .list_users(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

#[utoipa::path(get, path = "/users/{id}", tag = "identity",
    responses((status = 200, body = UserView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<UserView>> {
    caller.require(&state, "user:read").await?;
    let user = scoped_user(&state, &caller, id).await?;
    Ok(Json(user.into()))
}

async fn scoped_user(state: &AppState, caller: &Caller, id: i64) -> ApiResult<UserWithRoles> {
    state
        .store
        .get_user(&caller.org_scope(), id)
        .await?
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 3–32 letters, digits, `_`, `.` or `-`, starting with a letter.
    #[schema(pattern = "^[A-Za-z][A-Za-z0-9_.-]{2,31}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub display_name: String,
    /// Checked against the security policy (length, character classes, not the username).
    pub password: String,
    #[schema(min_items = 1)]
    pub roles: Vec<String>,
    pub scope: ScopeInput,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub display_name: String,
    #[schema(min_items = 1)]
    pub roles: Vec<String>,
    pub scope: ScopeInput,
    #[serde(default)]
    pub disabled: bool,
}

fn check_display_name(name: &str) -> ApiResult<()> {
    required_text("display_name", name, 64, "姓名须为 1–64 个字符").map(|_| ())
}

/// Resolve and check a requested scope: it must exist and lie inside the caller's.
async fn resolve_scope(state: &AppState, caller: &Caller, input: &ScopeInput) -> ApiResult<Scope> {
    let kind = ScopeKind::parse(&input.kind).ok_or_else(|| {
        ApiError::invalid_field("scope", "数据范围类型须为 city、region 或 department")
    })?;
    let out_of_reach =
        || ApiError::invalid_field("scope", "区划或部门不存在，或不在您的数据范围内");
    let scope = match kind {
        ScopeKind::Department => {
            let code = input
                .department_code
                .as_deref()
                .ok_or_else(|| ApiError::invalid_field("scope", "请选择部门"))?;
            let dept = state
                .store
                .get_department(&caller.org_scope(), code)
                .await?
                .ok_or_else(out_of_reach)?;
            Scope::new(kind, None, Some((&dept.code, &dept.region_code)))
        }
        _ => {
            let code = input
                .region_code
                .as_deref()
                .ok_or_else(|| ApiError::invalid_field("scope", "请选择区划"))?;
            state
                .store
                .get_region(code)
                .await?
                .ok_or_else(out_of_reach)?;
            Scope::new(kind, Some(code), None)
        }
    }
    .map_err(|e| ApiError::invalid_field("scope", e.to_string()))?;
    if !caller.scope.covers(&scope) {
        return Err(out_of_reach());
    }
    Ok(scope)
}

/// Roles must exist, and together carry at most one admin duty (三员分立).
async fn check_roles(state: &AppState, roles: &[String]) -> ApiResult<()> {
    if roles.is_empty() {
        return Err(ApiError::invalid_field("roles", "请至少选择一个角色"));
    }
    let known = state.store.list_roles().await?;
    let mut duties = std::collections::BTreeSet::new();
    for code in roles {
        let role = known
            .iter()
            .find(|r| &r.code == code)
            .ok_or_else(|| ApiError::invalid_field("roles", format!("角色 {code} 不存在")))?;
        duties.extend(role.admin_duty.clone());
    }
    if duties.len() > 1 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "role.duty_conflict",
            "系统管理员、安全管理员、审计管理员职责须分离，同一账号只能承担其中一种",
        )
        .with_details(
            serde_json::json!({ "duties": duties, "fields": { "roles": "管理职责冲突" } }),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/users", tag = "identity", request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 400, body = crate::error::ErrorBody),
        (status = 409, description = "`user.exists`", body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    require_account_admin(&state, &caller).await?;
    if !valid_username(&req.username) {
        return Err(ApiError::invalid_field(
            "username",
            "用户名须为 3–32 位字母、数字、下划线、点或连字符，以字母开头",
        ));
    }
    check_display_name(&req.display_name)?;
    check_roles(&state, &req.roles).await?;
    let change = AccountChange {
        action: "user.create",
        object_id: "",
        username: &req.username,
        roles_before: &[],
        roles_after: &req.roles,
    };
    enforce(&state, &caller, true, &change).await?;
    let scope = resolve_scope(&state, &caller, &req.scope).await?;
    check_password_policy(&state, &req.password, &req.username)
        .await
        .map_err(|mut e| {
            e.body.details["fields"] = serde_json::json!({ "password": "密码强度不足" });
            e
        })?;
    let new = NewUser {
        username: req.username.clone(),
        display_name: req.display_name.trim().to_string(),
        password_hash: hash_password(req.password)
            .await
            .map_err(ApiError::internal)?,
        scope_kind: scope.kind.as_str().to_string(),
        region_code: scope.region_code.clone(),
        department_code: scope.department_code.clone(),
        must_change_password: true,
        roles: req.roles.clone(),
    };
    let audit = caller.audit(
        "user.create",
        "user",
        "",
        serde_json::json!({ "username": req.username, "roles": req.roles, "scope": scope }),
    );
    let id = state
        .store
        .create_user(&new, &audit)
        .await
        .map_err(|e| match e {
            govpulse_store::StoreError::Conflict(_) => {
                ApiError::conflict("user.exists", "用户名已存在")
                    .with_details(serde_json::json!({ "fields": { "username": "用户名已存在" } }))
            }
            other => other.into(),
        })?;
    let user = scoped_user(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[utoipa::path(put, path = "/users/{id}", tag = "identity", request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserView>> {
    require_account_admin(&state, &caller).await?;
    let existing = scoped_user(&state, &caller, id).await?;
    check_display_name(&req.display_name)?;
    check_roles(&state, &req.roles).await?;
    let object_id = id.to_string();
    let change = AccountChange {
        action: "user.update",
        object_id: &object_id,
        username: &existing.user.username,
        roles_before: &existing.roles,
        roles_after: &req.roles,
    };
    enforce(&state, &caller, true, &change).await?;
    let scope = resolve_scope(&state, &caller, &req.scope).await?;
    if caller.user_id == Some(id) && (req.disabled || req.roles != existing.roles) {
        return Err(ApiError::invalid_field(
            "roles",
            "不能停用自己或修改自己的角色",
        ));
    }
    let update = UserUpdate {
        display_name: req.display_name.trim().to_string(),
        scope_kind: scope.kind.as_str().to_string(),
        region_code: scope.region_code.clone(),
        department_code: scope.department_code.clone(),
        disabled: req.disabled,
        roles: req.roles.clone(),
    };
    let before = scope_of(&existing.user);
    let audit = caller.audit(
        "user.update",
        "user",
        &id.to_string(),
        serde_json::json!({
            "username": existing.user.username,
            "roles": { "before": existing.roles, "after": req.roles },
            "scope": { "before": before, "after": scope },
            "disabled": req.disabled,
        }),
    );
    state.store.update_user(id, &update, &audit).await?;
    Ok(Json(scoped_user(&state, &caller, id).await?.into()))
}

#[utoipa::path(delete, path = "/users/{id}", tag = "identity",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`user.self`: an administrator cannot delete their own account", body = crate::error::ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    require_account_admin(&state, &caller).await?;
    let existing = scoped_user(&state, &caller, id).await?;
    if caller.user_id == Some(id) {
        return Err(ApiError::conflict("user.self", "不能删除自己"));
    }
    enforce_unchanged_roles(&state, &caller, "user.delete", &existing).await?;
    let audit = caller.audit(
        "user.delete",
        "user",
        &id.to_string(),
        serde_json::json!({ "username": existing.user.username }),
    );
    state.store.delete_user(id, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlock an account locked by failed logins (system or security admin).
#[utoipa::path(post, path = "/users/{id}/unlock", tag = "identity",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn unlock_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if !caller.can("user:unlock") {
        caller.require(&state, "user:write").await?;
    }
    let existing = scoped_user(&state, &caller, id).await?;
    let audit = caller.audit(
        "user.unlock",
        "user",
        &id.to_string(),
        serde_json::json!({ "username": existing.user.username }),
    );
    state.store.unlock_user(id, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub password: String,
}

/// Set a new initial password; the user must change it at next login.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "identity", request_body = ResetPassword,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ResetPassword>,
) -> ApiResult<StatusCode> {
    require_account_admin(&state, &caller).await?;
    let existing = scoped_user(&state, &caller, id).await?;
    enforce_unchanged_roles(&state, &caller, "user.reset_password", &existing).await?;
    check_password_policy(&state, &req.password, &existing.user.username).await?;
    let hash = hash_password(req.password)
        .await
        .map_err(ApiError::internal)?;
    let audit = caller.audit(
        "user.reset_password",
        "user",
        &id.to_string(),
        serde_json::json!({ "username": existing.user.username }),
    );
    state
        .store
        .set_password(id, &hash, true, None, &audit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The duty check of an account change that keeps the roles (delete, reset).
async fn enforce_unchanged_roles(
    state: &AppState,
    caller: &Caller,
    action: &str,
    existing: &UserWithRoles,
) -> ApiResult<()> {
    let object_id = existing.user.id.to_string();
    let change = AccountChange {
        action,
        object_id: &object_id,
        username: &existing.user.username,
        roles_before: &existing.roles,
        roles_after: &existing.roles,
    };
    enforce(state, caller, true, &change).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    pub roles: Vec<String>,
}

/// Grant roles (授权): the security admin's duty; never to or from an
/// account holding the system admin duty (三员分立).
#[utoipa::path(put, path = "/users/{id}/roles", tag = "identity", request_body = RoleAssignment,
    responses((status = 200, body = UserView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, description = "`auth.forbidden` or `auth.duty_separation`", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn assign_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RoleAssignment>,
) -> ApiResult<Json<UserView>> {
    caller.require(&state, "role:write").await?;
    let existing = scoped_user(&state, &caller, id).await?;
    check_roles(&state, &req.roles).await?;
    if caller.user_id == Some(id) {
        return Err(ApiError::invalid_field("roles", "不能修改自己的角色"));
    }
    let object_id = id.to_string();
    let change = AccountChange {
        action: "user.assign_roles",
        object_id: &object_id,
        username: &existing.user.username,
        roles_before: &existing.roles,
        roles_after: &req.roles,
    };
    enforce(&state, &caller, false, &change).await?;
    let update = UserUpdate {
        display_name: existing.user.display_name.clone(),
        scope_kind: existing.user.scope_kind.clone(),
        region_code: existing.user.region_code.clone(),
        department_code: existing.user.department_code.clone(),
        disabled: existing.user.disabled,
        roles: req.roles.clone(),
    };
    let audit = caller.audit(
        "user.assign_roles",
        "user",
        &object_id,
        serde_json::json!({
            "username": existing.user.username,
            "roles": { "before": existing.roles, "after": req.roles },
        }),
    );
    state.store.update_user(id, &update, &audit).await?;
    Ok(Json(scoped_user(&state, &caller, id).await?.into()))
}
