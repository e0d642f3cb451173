//! The TOTP second factor (SEC-1, issue 11 Medium 6): enrolment needs the
//! password, secrets are sealed with the key file, and each code is accepted
//! once (the account's last accepted time step is taken atomically).

use super::auth::{check_own_password, own_user};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::time::now_ms;
use govpulse_store::identity::UserRow;
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Builder, Totp};

/// The TOTP generator of a stored hex secret.
fn totp_for(username: &str, secret_hex: &str) -> ApiResult<Totp> {
    let secret = hex::decode(secret_hex).map_err(ApiError::internal)?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some("govpulse"))
        .build()
        .map_err(ApiError::internal)
}

/// The time step a code matches for a stored (sealed) secret, if any.
fn totp_step(state: &AppState, username: &str, stored: &str, code: &str) -> Option<i64> {
    let secret_hex = unseal_totp_secret(state, stored)?;
    let now = u64::try_from(now_ms() / 1000).unwrap_or_default();
    totp_for(username, &secret_hex)
        .ok()?
        .check(code.trim(), now)
        .and_then(|step| i64::try_from(step).ok())
}

/// The hex secret of a stored one: sealed with the key file (AES-GCM), or a
/// plain hex secret enrolled before secrets were sealed.
fn unseal_totp_secret(state: &AppState, stored: &str) -> Option<String> {
    state.vault.decrypt(stored).or_else(|| {
        (stored.len() == 40 && stored.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| stored.to_string())
    })
}

/// A code is good once: it must match and its time step must be later than
/// every step this account had accepted (taken atomically).
pub(super) async fn totp_accepts(
    state: &AppState,
    user: &UserRow,
    stored: &str,
    code: &str,
) -> ApiResult<bool> {
    match totp_step(state, &user.username, stored, code) {
        Some(step) => Ok(state.store.claim_totp_step(user.id, step).await?),
        None => Ok(false),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    /// Base32 secret for manual entry.
    pub secret: String,
    pub otpauth_url: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpSetupRequest {
    /// The caller's password: a new secret replaces any enrolled factor.
    pub password: String,
}

/// Start enrolling a TOTP second factor (needs the password; replaces an
/// enrolled factor, which stays off until the new one is confirmed): returns
/// the secret to scan. The secret is stored sealed with the key file.
#[utoipa::path(post, path = "/auth/totp/setup", tag = "identity", request_body = TotpSetupRequest,
    responses((status = 200, body = TotpSetup),
        (status = 400, description = "`request.invalid`: no password", body = crate::error::ErrorBody),
        (status = 401, description = "`auth.invalid_credentials`: wrong password (counts toward the lockout)", body = crate::error::ErrorBody),
        (status = 423, description = "`auth.locked`", body = crate::error::ErrorBody)))]
pub async fn totp_setup(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<TotpSetupRequest>,
) -> ApiResult<Json<TotpSetup>> {
    let user = own_user(&state, &caller).await?;
    check_own_password(&state, &caller, &user, &req.password, "auth.totp_setup").await?;
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).map_err(ApiError::internal)?;
    let secret_hex = hex::encode(secret);
    let totp = totp_for(&user.username, &secret_hex)?;
    let audit = caller.audit(
        "auth.totp_setup",
        "user",
        &user.id.to_string(),
        serde_json::json!({}),
    );
    state
        .store
        .set_totp(
            user.id,
            Some(&state.vault.encrypt(&secret_hex)),
            false,
            &audit,
        )
        .await?;
    Ok(Json(TotpSetup {
        secret: totp.secret().to_base32(),
        otpauth_url: totp.to_url().map_err(ApiError::internal)?,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

/// Confirm enrolment with a current code; from then on login asks for one.
#[utoipa::path(post, path = "/auth/totp/enable", tag = "identity", request_body = TotpCode,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody)))]
pub async fn totp_enable(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    let user = own_user(&state, &caller).await?;
    let secret = user
        .totp_secret
        .clone()
        .ok_or_else(|| ApiError::invalid_field("code", "请先获取动态口令密钥"))?;
    if !totp_accepts(&state, &user, &secret, &req.code).await? {
        return Err(ApiError::invalid_field(
            "code",
            "动态口令不正确或已使用，请输入新的动态口令",
        ));
    }
    let audit = caller.audit(
        "auth.totp_enable",
        "user",
        &user.id.to_string(),
        serde_json::json!({}),
    );
    state
        .store
        .set_totp(user.id, Some(&secret), true, &audit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
}

/// Remove the second factor (needs the password).
#[utoipa::path(post, path = "/auth/totp/disable", tag = "identity", request_body = TotpDisable,
    responses((status = 204),
        (status = 401, description = "`auth.invalid_credentials`: wrong password (counts toward the lockout)", body = crate::error::ErrorBody),
        (status = 423, description = "`auth.locked`", body = crate::error::ErrorBody)))]
pub async fn totp_disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<TotpDisable>,
) -> ApiResult<StatusCode> {
    let user = own_user(&state, &caller).await?;
    check_own_password(&state, &caller, &user, &req.password, "auth.totp_disable").await?;
    let audit = caller.audit(
        "auth.totp_disable",
        "user",
        &user.id.to_string(),
        serde_json::json!({}),
    );
    state.store.set_totp(user.id, None, false, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
