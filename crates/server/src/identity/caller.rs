//! Who is calling: a user with a session cookie, or a system with an API token.
//! Every protected handler takes a [`Caller`]; building one enforces
//! authentication, idle timeout, CSRF and the forced password change.

use crate::error::{ApiError, ApiResult};
use crate::identity::secrets::{same_secret, sha256_hex};
use crate::identity::session_cache::ResolvedSession;
use crate::overload::refusals::Refused;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use govpulse_core::audit::Outcome;
use govpulse_core::identity::{token_scope_permissions, Scope, ScopeKind};
use govpulse_core::time::now_ms;
use govpulse_store::audit::AuditRecord;
use govpulse_store::identity::UserRow;
use govpulse_store::org::OrgScope;
use std::collections::BTreeSet;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "gp_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Paths usable while a password change is pending.
const ALLOWED_BEFORE_PASSWORD_CHANGE: &[&str] =
    &["/api/v1/me", "/api/v1/auth/password", "/api/v1/auth/logout"];

/// Refresh a session's last-seen time at most this often (a write per request
/// would make every read a write).
const TOUCH_INTERVAL_MS: i64 = 30_000;
/// Header a client sets on requests that are not user activity (polls).
pub const BACKGROUND_HEADER: &str = "x-background";

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id_hash: String,
    pub csrf_token: String,
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: BTreeSet<String>,
    pub scope: Scope,
    pub session: Option<SessionInfo>,
    pub ip: String,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub region_name: Option<String>,
    pub department_name: Option<String>,
}

/// The client's address as seen by this server.
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Extractor for the client's address.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

/// Value of cookie `name` in the request, if any.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The data scope stored on a user row.
pub fn scope_of(user: &UserRow) -> Scope {
    let kind = ScopeKind::parse(&user.scope_kind).unwrap_or(ScopeKind::Department);
    Scope {
        kind,
        region_code: user.region_code.clone(),
        department_code: user.department_code.clone(),
    }
}

impl Caller {
    /// Refuse with 403 `auth.forbidden` (and audit the refusal) unless the
    /// caller holds `permission`.
    pub async fn require(&self, state: &AppState, permission: &str) -> ApiResult<()> {
        if self.permissions.contains(permission) {
            return Ok(());
        }
        let record = self
            .audit(
                "auth.permission",
                "permission",
                permission,
                serde_json::json!({}),
            )
            .with_result(
                Outcome::Denied,
                serde_json::json!({ "permission": permission }),
            );
        state.store.audit(&record).await?;
        Err(ApiError::forbidden(permission))
    }

    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// The organisation filter matching this caller's data scope.
    pub fn org_scope(&self) -> OrgScope {
        OrgScope {
            region_range: self.scope.region_range(),
            department: match self.scope.kind {
                ScopeKind::Department => self.scope.department_code.clone(),
                _ => None,
            },
        }
    }

    /// An audit record of a successful action by this caller.
    pub fn audit(
        &self,
        action: &str,
        object_type: &str,
        object_id: &str,
        details: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor: self.username.clone(),
            ip: self.ip.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            result: Outcome::Success,
            details,
        }
    }

    async fn from_token(
        state: &AppState,
        parts: &Parts,
        token: &str,
        ip: String,
    ) -> ApiResult<Self> {
        let Some(row) = state.store.use_token(&sha256_hex(token), now_ms()).await? else {
            let refused = Refused {
                action: "auth.invalid_token",
                kind: "token",
            };
            let path = original_path(parts);
            state.overload.refusals.record(
                &state.store,
                refused,
                &ip,
                &path,
                "unknown or revoked token",
            );
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.invalid_token",
                "接口令牌无效或已吊销",
            ));
        };
        let permissions = token_scope_permissions(&row.scope)
            .unwrap_or_default()
            .iter()
            .map(|p| p.to_string())
            .collect();
        Ok(Self {
            user_id: None,
            username: format!("token:{}", row.name),
            display_name: row.name,
            roles: Vec::new(),
            permissions,
            // Systems feed the whole city; their records carry their own regions.
            scope: Scope {
                kind: ScopeKind::City,
                region_code: String::new(),
                department_code: None,
            },
            session: None,
            ip,
            must_change_password: false,
            totp_enabled: false,
            region_name: None,
            department_name: None,
        })
    }

    async fn from_session(
        state: &AppState,
        parts: &Parts,
        cookie_value: &str,
        ip: String,
    ) -> ApiResult<Self> {
        let id_hash = sha256_hex(cookie_value);
        let generation = state.store.write_generation();
        let resolved = match state.sessions.get(&id_hash, generation) {
            Some(resolved) => resolved,
            None => {
                let resolved = match Self::resolve_session(state, &id_hash).await {
                    Ok(resolved) => resolved,
                    Err(refused) => {
                        if refused.status == StatusCode::UNAUTHORIZED {
                            // A forged cookie, or one of a session that ended.
                            let kind = Refused {
                                action: "auth.invalid_session",
                                kind: "session",
                            };
                            let path = original_path(parts);
                            state.overload.refusals.record(
                                &state.store,
                                kind,
                                &ip,
                                &path,
                                "unknown session or disabled account",
                            );
                        }
                        return Err(refused);
                    }
                };
                state.sessions.put(&id_hash, generation, resolved.clone());
                resolved
            }
        };
        let policy = state.policy().await?;
        let now = now_ms();
        if now - resolved.last_seen_at > policy.idle_timeout_minutes * 60_000 {
            state.sessions.forget(&id_hash);
            state.store.delete_session(&id_hash).await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.session_expired",
                "会话已超时，请重新登录",
            ));
        }
        let caller = Self {
            ip,
            ..resolved.caller
        };
        if let Some(session) = &caller.session {
            if is_unsafe(&parts.method) {
                if let Err(refused) = check_csrf(parts, &session.csrf_token) {
                    let path = original_path(parts);
                    audit_refusal(state, &caller.username, &caller.ip, "auth.csrf", &path).await?;
                    return Err(refused);
                }
            }
        }
        // Background polls (the inbox badge) are not user activity: they must
        // not keep an idle session alive (SEC session timeout).
        let background = parts.headers.contains_key(BACKGROUND_HEADER);
        if !background && now - resolved.last_seen_at > TOUCH_INTERVAL_MS {
            state.store.touch_session(&id_hash, now).await?;
        }
        Ok(caller)
    }

    /// Read session `id_hash`, its (enabled) user and grants from the store.
    async fn resolve_session(state: &AppState, id_hash: &str) -> ApiResult<ResolvedSession> {
        let session = state
            .store
            .get_session(id_hash)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let user = state
            .store
            .find_user_by_id(session.user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(ApiError::unauthenticated)?;
        let (roles, permissions) = state.store.user_grants(user.id).await?;
        let caller = Self {
            user_id: Some(user.id),
            scope: scope_of(&user),
            username: user.username,
            display_name: user.display_name,
            roles,
            permissions,
            session: Some(SessionInfo {
                id_hash: id_hash.to_string(),
                csrf_token: session.csrf_token,
            }),
            ip: String::new(),
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
            region_name: user.region_name,
            department_name: user.department_name,
        };
        Ok(ResolvedSession {
            caller,
            last_seen_at: session.last_seen_at,
        })
    }
}

/// The path the client asked for (nested routers see a shortened URI; the
/// original one names the endpoint).
fn original_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|uri| uri.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

/// Audit a request refused before its handler ran (SEC-3: refusals too).
async fn audit_refusal(
    state: &AppState,
    actor: &str,
    ip: &str,
    action: &str,
    path: &str,
) -> ApiResult<()> {
    let record = AuditRecord {
        actor: actor.to_string(),
        ip: ip.to_string(),
        action: action.to_string(),
        object_type: "endpoint".to_string(),
        object_id: path.to_string(),
        result: Outcome::Denied,
        details: serde_json::json!({ "path": path }),
    };
    state.store.audit(&record).await?;
    Ok(())
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cookie-authenticated writes need the session's CSRF token in a header and
/// must not come from another site (SameSite=Strict is the first line).
fn check_csrf(parts: &Parts, expected: &str) -> ApiResult<()> {
    let refuse = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.csrf",
            "请求来源校验失败，请刷新页面后重试",
        )
    };
    let header_value = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refuse)?;
    if !same_secret(header_value, expected) {
        return Err(refuse());
    }
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        if site == "cross-site" {
            return Err(refuse());
        }
    }
    if let (Some(origin), Some(host)) = (
        parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        if origin_host != host {
            return Err(refuse());
        }
    }
    Ok(())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let ip = client_ip(parts);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .map(String::from);
        let caller = if let Some(token) = bearer {
            Self::from_token(state, parts, &token, ip).await?
        } else if let Some(value) = cookie(parts, SESSION_COOKIE) {
            Self::from_session(state, parts, &value, ip).await?
        } else {
            return Err(ApiError::unauthenticated());
        };
        let path = original_path(parts);
        if caller.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str()) {
            let action = "auth.password_change_required";
            audit_refusal(state, &caller.username, &caller.ip, action, &path).await?;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.password_change_required",
                "首次登录或密码已重置，请先修改密码",
            ));
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}
