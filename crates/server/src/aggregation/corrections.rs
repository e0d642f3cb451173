//! Corrections (issue 14 item 4): the superseded versions of a case's records
//! for its detail page, and operators marking a record erroneous.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::time::to_rfc3339;
use govpulse_store::aggregation::{HistoryRow, RecordKind};
use serde::{Deserialize, Serialize};

/// Longest reason an operator may give.
const MAX_REASON_CHARS: usize = 500;

/// One superseded version of a record of the case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RecordHistoryView)]
pub struct HistoryView {
    /// cases | case-events | consultations | evaluations
    pub kind: String,
    /// The record's key (a case event: `<case_code>#<seq>`).
    pub record_key: String,
    /// Revision of the superseded content.
    pub revision: i64,
    /// The superseded fields.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub source: String,
    pub received_at: String,
    pub superseded_at: String,
    /// Revision of the record that replaced it.
    pub superseded_by: i64,
}

impl From<HistoryRow> for HistoryView {
    fn from(r: HistoryRow) -> Self {
        Self {
            kind: r.kind,
            record_key: r.record_key,
            revision: r.revision,
            content: serde_json::from_str(&r.content).unwrap_or(serde_json::Value::Null),
            source: r.source,
            received_at: to_rfc3339(r.received_at),
            superseded_at: to_rfc3339(r.superseded_at),
            superseded_by: r.superseded_by,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErroneousRequest {
    /// Why the record is wrong (1–500 characters).
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErroneousView {
    pub kind: String,
    pub key: String,
    /// Null once the mark is taken back.
    pub erroneous_reason: Option<String>,
}

fn markable(kind: &str) -> ApiResult<RecordKind> {
    RecordKind::parse(kind)
        .filter(|k| *k != RecordKind::CaseEvents)
        .ok_or_else(ApiError::not_found)
}

async fn mark(
    state: &AppState,
    caller: &Caller,
    kind: RecordKind,
    key: &str,
    reason: Option<String>,
) -> ApiResult<Json<ErroneousView>> {
    let action = if reason.is_some() {
        "record.mark_erroneous"
    } else {
        "record.unmark_erroneous"
    };
    let audit = caller.audit(
        action,
        kind.as_str(),
        key,
        serde_json::json!({ "reason": reason }),
    );
    let found = state
        .store
        .mark_erroneous(kind, &caller.org_scope(), key, reason.as_deref(), &audit)
        .await?;
    if !found {
        return Err(ApiError::not_found());
    }
    state.monitor.wake();
    Ok(Json(ErroneousView {
        kind: kind.as_str().to_string(),
        key: key.to_string(),
        erroneous_reason: reason,
    }))
}

/// Mark a case, consultation or evaluation erroneous: it stays visible with
/// the reason but leaves the dashboard figures and monitoring (audited).
#[utoipa::path(put, path = "/records/{kind}/{key}/erroneous", tag = "aggregation",
    params(("kind" = String, Path, description = "cases | consultations | evaluations"),
        ("key" = String, Path, description = "case_code, consultation code or evaluation_id")),
    request_body = ErroneousRequest,
    responses((status = 200, body = ErroneousView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn mark_erroneous(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, key)): Path<(String, String)>,
    ApiJson(req): ApiJson<ErroneousRequest>,
) -> ApiResult<Json<ErroneousView>> {
    let kind = markable(&kind)?;
    caller.require(&state, "data:govern").await?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid_field(
            "reason",
            format!("须填写原因（1–{MAX_REASON_CHARS} 个字符）"),
        ));
    }
    mark(&state, &caller, kind, &key, Some(reason.to_string())).await
}

/// Take an erroneous mark back: the record counts in the figures again (audited).
#[utoipa::path(delete, path = "/records/{kind}/{key}/erroneous", tag = "aggregation",
    params(("kind" = String, Path, description = "cases | consultations | evaluations"),
        ("key" = String, Path, description = "case_code, consultation code or evaluation_id")),
    responses((status = 200, body = ErroneousView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn unmark_erroneous(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, key)): Path<(String, String)>,
) -> ApiResult<Json<ErroneousView>> {
    let kind = markable(&kind)?;
    caller.require(&state, "data:govern").await?;
    mark(&state, &caller, kind, &key, None).await
}
