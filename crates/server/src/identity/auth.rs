//! Login, logout, the current user and password change (SEC-1); the TOTP
//! second factor is in [`super::totp`].

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::{Caller, ClientIp, SESSION_COOKIE};
use crate::identity::secrets::{
    hash_password, random_token, sha256_hex, spend_verify_time, verify_password,
};
use crate::overload::refusals::Refused;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use govpulse_core::audit::Outcome;
use govpulse_core::identity::builtin_roles;
use govpulse_core::password;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::audit::AuditRecord;
use govpulse_store::identity::{LoginClaim, SessionRow, UserRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Six-digit code when the account has a second factor.
    pub totp_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub username: String,
    pub must_change_password: bool,
    /// Send back as `X-CSRF-Token` on every write.
    pub csrf_token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    #[schema(pattern = "^(city|region|department)$")]
    pub kind: String,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub role_names: Vec<String>,
    pub permissions: Vec<String>,
    pub scope: ScopeView,
    pub region_name: Option<String>,
    pub department_name: Option<String>,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub csrf_token: Option<String>,
}

fn login_failure(ip: &str, username: &str, reason: &str) -> AuditRecord {
    AuditRecord {
        actor: username.to_string(),
        ip: ip.to_string(),
        action: "auth.login".to_string(),
        object_type: "user".to_string(),
        object_id: username.to_string(),
        result: Outcome::Failure,
        details: serde_json::json!({ "reason": reason }),
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "auth.invalid_credentials",
        "用户名或密码错误",
    )
}

fn locked(until_ms: i64) -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        "auth.locked",
        format!(
            "登录失败次数过多，账号已锁定至 {}",
            to_rfc3339(until_ms).replace('T', " ")
        ),
    )
    .with_details(serde_json::json!({ "locked_until": to_rfc3339(until_ms) }))
}

fn session_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let cookie =
        format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Logins over the per-address rate limit, audited in windows.
const RATE_LIMITED: Refused = Refused {
    action: "auth.rate_limited",
    kind: "login",
};

/// Log in with username and password (and TOTP code when enabled).
#[utoipa::path(post, path = "/auth/login", tag = "identity", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
        (status = 401, description = "`auth.invalid_credentials` or `auth.totp_required`", body = crate::error::ErrorBody),
        (status = 423, description = "`auth.locked`", body = crate::error::ErrorBody),
        (status = 429, description = "`auth.rate_limited`", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let ip_addr = ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    if !state.login_limiter.allow(ip_addr) {
        state.overload.refusals.record(
            &state.store,
            RATE_LIMITED,
            &ip,
            "/api/v1/auth/login",
            "login rate limit",
        );
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.rate_limited",
            "登录尝试过于频繁，请稍后再试",
        ));
    }
    if req.username.len() > 64 || password::too_long(&req.password) {
        return Err(invalid_credentials());
    }
    let Some(user) = state.store.find_user_by_username(&req.username).await? else {
        spend_verify_time(req.password).await;
        state
            .store
            .audit(&login_failure(&ip, &req.username, "unknown user"))
            .await?;
        return Err(invalid_credentials());
    };
    let now = now_ms();
    let policy = state.policy().await?;
    let lock_until = now + policy.lockout_minutes * 60_000;
    // Counted before the (slow) hash check, so parallel guesses see each other.
    let claim = state
        .store
        .claim_login_attempt(user.id, policy.lockout_threshold, now, lock_until)
        .await?;
    if let LoginClaim::Locked(until) = claim {
        return Err(refuse_locked(&state, &ip, &user.username, until).await?);
    }
    let password_ok = verify_password(req.password, user.password_hash.clone()).await;
    let second_factor = match (&user.totp_secret, user.totp_enabled, &req.totp_code) {
        (Some(secret), true, Some(code)) if password_ok => {
            Some(super::totp::totp_accepts(&state, &user, secret, code).await?)
        }
        (Some(_), true, Some(_)) => Some(false),
        (Some(_), true, None) => None,
        _ => Some(true),
    };
    if user.disabled || !password_ok || second_factor == Some(false) {
        return Err(count_failure(&state, &user, &ip, now).await?);
    }
    if second_factor.is_none() {
        state.store.release_login_attempt(user.id).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.totp_required",
            "请输入动态口令",
        ));
    }
    // The lock may have started while this attempt was being checked: then
    // even the right password is refused, and the count stays.
    if let Some(until) = state.store.record_login_success(user.id, now).await? {
        return Err(refuse_locked(&state, &ip, &user.username, until).await?);
    }
    start_session(&state, &user, &ip, now).await
}

/// Audit a login refused because the account is locked; the answer to send.
async fn refuse_locked(
    state: &AppState,
    ip: &str,
    username: &str,
    until: i64,
) -> ApiResult<ApiError> {
    let record = login_failure(ip, username, "locked")
        .with_result(Outcome::Denied, serde_json::json!({"reason": "locked"}));
    state.store.audit(&record).await?;
    Ok(locked(until))
}

async fn count_failure(
    state: &AppState,
    user: &UserRow,
    ip: &str,
    now: i64,
) -> ApiResult<ApiError> {
    let record = login_failure(ip, &user.username, "bad credentials");
    count_failure_as(state, user.id, now, &record).await
}

/// Settle a claimed attempt as failed (audited as `record`): the answer, 423
/// once the failure started the lock.
async fn count_failure_as(
    state: &AppState,
    user_id: i64,
    now: i64,
    record: &AuditRecord,
) -> ApiResult<ApiError> {
    let policy = state.policy().await?;
    let lock_until = now + policy.lockout_minutes * 60_000;
    let outcome = state
        .store
        .record_failed_login(user_id, policy.lockout_threshold, lock_until, record)
        .await?;
    // No remaining-attempts count: an unknown username could not give one,
    // and a different answer would tell which usernames exist.
    Ok(match outcome.locked_until.filter(|until| *until > now) {
        Some(until) => locked(until),
        None => invalid_credentials(),
    })
}

async fn start_session(
    state: &AppState,
    user: &UserRow,
    ip: &str,
    now: i64,
) -> ApiResult<Response> {
    let token = random_token(32);
    let csrf_token = random_token(24);
    state
        .store
        .create_session(&SessionRow {
            id_hash: sha256_hex(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            ip: ip.to_string(),
            created_at: now,
            last_seen_at: now,
        })
        .await?;
    let mut record = login_failure(ip, &user.username, "");
    record.result = Outcome::Success;
    record.details = serde_json::json!({});
    state.store.audit(&record).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(state, &token, None));
    let body = LoginResponse {
        username: user.username.clone(),
        must_change_password: user.must_change_password,
        csrf_token,
    };
    Ok((headers, Json(body)).into_response())
}

/// End the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "identity", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if let Some(session) = &caller.session {
        state.store.delete_session(&session.id_hash).await?;
    }
    state
        .store
        .audit(&caller.audit(
            "auth.logout",
            "user",
            &caller.username,
            serde_json::json!({}),
        ))
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", Some(0)));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The signed-in user, roles, permissions and data scope.
#[utoipa::path(get, path = "/me", tag = "identity",
    responses((status = 200, body = MeView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<MeView> {
    let role_names = caller
        .roles
        .iter()
        .map(|code| {
            builtin_roles()
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.name.to_string())
                .unwrap_or_else(|| code.clone())
        })
        .collect();
    Json(MeView {
        username: caller.username,
        display_name: caller.display_name,
        roles: caller.roles,
        role_names,
        permissions: caller.permissions.into_iter().collect(),
        scope: ScopeView {
            kind: caller.scope.kind.as_str().to_string(),
            region_code: Some(caller.scope.region_code).filter(|c| !c.is_empty()),
            department_code: caller.scope.department_code,
        },
        region_name: caller.region_name,
        department_name: caller.department_name,
        must_change_password: caller.must_change_password,
        totp_enabled: caller.totp_enabled,
        csrf_token: caller.session.map(|s| s.csrf_token),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Refuse a password the policy does not allow, naming every flaw.
pub async fn check_password_policy(
    state: &AppState,
    password: &str,
    username: &str,
) -> ApiResult<()> {
    let policy = state.policy().await?;
    let flaws = password::check(password, username, policy.password_min_length);
    if flaws.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "auth.weak_password",
        format!(
            "密码不符合策略：至少 {} 位，包含大写字母、小写字母、数字、符号中的三类，且不得包含用户名",
            policy.password_min_length
        ),
    )
    .with_details(serde_json::json!({ "reasons": flaws, "fields": { "new_password": "密码强度不足" } })))
}

/// Change the caller's own password (clears a forced change).
#[utoipa::path(post, path = "/auth/password", tag = "identity", request_body = PasswordChange,
    responses((status = 204), (status = 400, description = "`auth.weak_password`", body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let user = own_user(&state, &caller).await?;
    check_own_password(
        &state,
        &caller,
        &user,
        &req.old_password,
        "auth.password_change",
    )
    .await
    .map_err(|e| {
        if e.status == StatusCode::UNAUTHORIZED {
            e.with_details(serde_json::json!({ "fields": { "old_password": "原密码错误" } }))
        } else {
            e
        }
    })?;
    check_password_policy(&state, &req.new_password, &user.username).await?;
    if req.new_password == req.old_password {
        return Err(ApiError::invalid_field(
            "new_password",
            "新密码不能与原密码相同",
        ));
    }
    let hash = hash_password(req.new_password)
        .await
        .map_err(ApiError::internal)?;
    let keep = caller.session.as_ref().map(|s| s.id_hash.as_str());
    let audit = caller.audit(
        "auth.password_change",
        "user",
        &user.id.to_string(),
        serde_json::json!({}),
    );
    state
        .store
        .set_password(user.id, &hash, false, keep, &audit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn own_user(state: &AppState, caller: &Caller) -> ApiResult<UserRow> {
    let id = caller
        .user_id
        .ok_or_else(|| ApiError::forbidden("user session"))?;
    state
        .store
        .find_user_by_id(id)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

/// A signed-in user's password, checked for a sensitive change (`action`):
/// each attempt counts toward the lockout exactly like a login, and every
/// failure is audited — a stolen session cannot guess the password freely.
pub(super) async fn check_own_password(
    state: &AppState,
    caller: &Caller,
    user: &UserRow,
    password: &str,
    action: &str,
) -> ApiResult<()> {
    let now = now_ms();
    let policy = state.policy().await?;
    let lock_until = now + policy.lockout_minutes * 60_000;
    let refusal = |reason: &str, outcome: Outcome| {
        caller
            .audit(action, "user", &user.id.to_string(), serde_json::json!({}))
            .with_result(outcome, serde_json::json!({ "reason": reason }))
    };
    let claim = state
        .store
        .claim_login_attempt(user.id, policy.lockout_threshold, now, lock_until)
        .await?;
    if let LoginClaim::Locked(until) = claim {
        state
            .store
            .audit(&refusal("locked", Outcome::Denied))
            .await?;
        return Err(locked(until));
    }
    let right = !password::too_long(password)
        && verify_password(password.to_string(), user.password_hash.clone()).await;
    if !right {
        let record = refusal("password wrong", Outcome::Failure);
        let error = count_failure_as(state, user.id, now, &record).await?;
        return Err(if error.status == StatusCode::UNAUTHORIZED {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.invalid_credentials",
                "密码错误",
            )
        } else {
            error
        });
    }
    state.store.release_login_attempt(user.id).await?;
    Ok(())
}
