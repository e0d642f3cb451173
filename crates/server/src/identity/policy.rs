//! The security policy (SEC-1), editable by the security admin.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::monitoring::destinations::{Allowlist, MAX_ENTRIES};
use govpulse_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

const POLICY_KEY: &str = "security_policy";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Minimum password length (10–64).
    #[schema(minimum = 10, maximum = 64)]
    pub password_min_length: usize,
    /// Failed logins before the account locks (3–10).
    #[schema(minimum = 3, maximum = 10)]
    pub lockout_threshold: i32,
    /// Minutes an account stays locked (5–1440).
    #[schema(minimum = 5, maximum = 1440)]
    pub lockout_minutes: i64,
    /// Idle minutes before a session ends (5–120).
    #[schema(minimum = 5, maximum = 120)]
    pub idle_timeout_minutes: i64,
    /// Where webhooks may go: host names, `*.suffix`, addresses and networks
    /// (see `core::monitoring::destinations`); empty, no webhook is sent.
    #[serde(default)]
    pub webhook_allowlist: Vec<String>,
}

impl SecurityPolicy {
    pub fn with_idle_timeout(idle_timeout_minutes: i64) -> Self {
        Self {
            password_min_length: 10,
            lockout_threshold: 5,
            lockout_minutes: 15,
            idle_timeout_minutes,
            webhook_allowlist: Vec::new(),
        }
    }

    /// The parsed webhook allowlist (entries were checked when saved).
    pub fn webhook_destinations(&self) -> Allowlist {
        Allowlist::parse(&self.webhook_allowlist).unwrap_or_default()
    }

    pub async fn load(store: &Store, default_idle_minutes: i64) -> Result<Self, StoreError> {
        let default = Self::with_idle_timeout(default_idle_minutes);
        Ok(match store.get_setting(POLICY_KEY).await? {
            Some(text) => serde_json::from_str(&text).unwrap_or(default),
            None => default,
        })
    }

    /// Bounds keep the policy within MLPS level 3 whatever an admin enters.
    fn validate(&self) -> ApiResult<()> {
        let checks: [(&str, bool, &str); 4] = [
            (
                "password_min_length",
                (10..=64).contains(&self.password_min_length),
                "密码最小长度须在 10–64 之间",
            ),
            (
                "lockout_threshold",
                (3..=10).contains(&self.lockout_threshold),
                "锁定阈值须在 3–10 次之间",
            ),
            (
                "lockout_minutes",
                (5..=1440).contains(&self.lockout_minutes),
                "锁定时长须在 5–1440 分钟之间",
            ),
            (
                "idle_timeout_minutes",
                (5..=120).contains(&self.idle_timeout_minutes),
                "会话超时须在 5–120 分钟之间",
            ),
        ];
        if let Some((field, _, message)) = checks.iter().find(|(_, ok, _)| !ok) {
            return Err(ApiError::invalid_field(field, *message));
        }
        Allowlist::parse(&self.webhook_allowlist)
            .map(|_| ())
            .map_err(|bad| {
                ApiError::invalid_field(
                    "webhook_allowlist",
                    format!(
                        "至多 {MAX_ENTRIES} 项，每项为域名、*.域名后缀、IP 地址或网段；无法识别：{}",
                        bad.join("、")
                    ),
                )
            })
    }
}

#[utoipa::path(get, path = "/security/policy", tag = "identity",
    responses((status = 200, body = SecurityPolicy)))]
pub async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<SecurityPolicy>> {
    caller.require(&state, "policy:read").await?;
    Ok(Json(state.policy().await?))
}

#[utoipa::path(put, path = "/security/policy", tag = "identity", request_body = SecurityPolicy,
    responses((status = 200, body = SecurityPolicy), (status = 400, body = crate::error::ErrorBody)))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(policy): ApiJson<SecurityPolicy>,
) -> ApiResult<Json<SecurityPolicy>> {
    caller.require(&state, "policy:write").await?;
    policy.validate()?;
    let text = serde_json::to_string(&policy).map_err(ApiError::internal)?;
    let audit = caller.audit(
        "policy.update",
        "security_policy",
        POLICY_KEY,
        serde_json::json!(policy),
    );
    state.store.put_setting(POLICY_KEY, &text, &audit).await?;
    state.policy_changed().await;
    Ok(Json(policy))
}
