//! API tokens for systems (system admin).

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::identity::secrets::{random_token, sha256_hex};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::identity::{token_scope_permissions, TOKEN_SCOPES};
use govpulse_core::time::to_rfc3339;
use govpulse_store::audit::AuditRecord;
use govpulse_store::tokens::TokenRow;
use govpulse_store::{Store, StoreResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for TokenView {
    fn from(row: TokenRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            scope: row.scope,
            created_by: row.created_by,
            created_at: to_rfc3339(row.created_at),
            last_used_at: row.last_used_at.map(to_rfc3339),
            revoked_at: row.revoked_at.map(to_rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub name: String,
    /// e.g. `intake`.
    #[schema(pattern = "^(intake|application)$")]
    pub scope: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewTokenView {
    pub id: i64,
    pub name: String,
    pub scope: String,
    /// Shown once; only its hash is stored.
    pub token: String,
}

/// Issue a token (shared by the API and `govpulse token create`).
pub async fn issue_token(
    store: &Store,
    name: &str,
    scope: &str,
    audit: &AuditRecord,
) -> StoreResult<(i64, String)> {
    let token = format!("gpt_{}", random_token(32));
    let id = store
        .create_token(name, scope, &sha256_hex(&token), &audit.actor, audit)
        .await?;
    Ok((id, token))
}

/// Validate a token request's name and scope: the refused field and why.
pub fn check_token_request(name: &str, scope: &str) -> Result<(), (&'static str, String)> {
    if name.trim().is_empty() || name.chars().count() > 64 {
        return Err(("name", "令牌名称须为 1–64 个字符".to_string()));
    }
    if token_scope_permissions(scope).is_none() {
        let known: Vec<_> = TOKEN_SCOPES.iter().map(|(s, _)| *s).collect();
        return Err(("scope", format!("令牌范围须为 {}", known.join("、"))));
    }
    Ok(())
}

#[utoipa::path(get, path = "/tokens", tag = "identity", responses((status = 200, body = [TokenView])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenView>>> {
    caller.require(&state, "token:manage").await?;
    Ok(Json(
        state
            .store
            .list_tokens()
            .await?
            .into_iter()
            .map(TokenView::from)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/tokens", tag = "identity", request_body = NewTokenRequest,
    responses((status = 201, body = NewTokenView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> ApiResult<(StatusCode, Json<NewTokenView>)> {
    caller.require(&state, "token:manage").await?;
    check_token_request(&req.name, &req.scope)
        .map_err(|(field, message)| ApiError::invalid_field(field, message))?;
    let audit = caller.audit(
        "token.create",
        "api_token",
        "",
        serde_json::json!({ "name": req.name, "scope": req.scope }),
    );
    let (id, token) = issue_token(&state.store, req.name.trim(), &req.scope, &audit).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenView {
            id,
            name: req.name.trim().to_string(),
            scope: req.scope,
            token,
        }),
    ))
}

#[utoipa::path(delete, path = "/tokens/{id}", tag = "identity",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "token:manage").await?;
    let audit = caller.audit(
        "token.revoke",
        "api_token",
        &id.to_string(),
        serde_json::json!({}),
    );
    state.store.revoke_token(id, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
