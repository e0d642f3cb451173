//! Refreshing a code list from its source URL (QC-1): on demand, or when the
//! list's cron fires (checked by the quality schedule sweep, not a scheduler
//! of its own). The request goes out like a webhook: only to a destination
//! the security admin's allowlist admits, checked on the addresses the host
//! resolves to right before connecting (loopback and private addresses only
//! when listed), no redirects. The answer is read like an uploaded file; a
//! new version is stored only when the entries changed. Every refresh's
//! outcome is kept beside the list.

use super::code_lists::{
    builtin_entries, editable, entries_text, list_of, parse_csv, view, CodeListView, WRITE,
};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::monitoring::webhooks::{destination, pinned_client};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::quality::schedule::Cron;
use govpulse_core::time::now_ms;
use govpulse_store::audit::AuditRecord;
use govpulse_store::code_lists::NewCodeListVersion;

/// Largest answer read from a source (1,000 entries fit many times over).
const MAX_BYTES: usize = 1 << 20;
const MINUTE_MS: i64 = 60_000;

/// Why a refresh failed.
enum Failure {
    /// The destination is refused by the allowlist.
    Refused(String),
    /// The source could not be read or its file is wrong.
    Source(String),
}

impl Failure {
    fn message(&self) -> &str {
        match self {
            Self::Refused(m) | Self::Source(m) => m,
        }
    }
}

/// Read the source's answer (at most [`MAX_BYTES`]).
async fn fetch(state: &AppState, url: &str) -> Result<Vec<u8>, Failure> {
    let (host, address) = destination(state, url)
        .await
        .map_err(|refusal| Failure::Refused(format!("来源地址被拒绝：{refusal}")))?;
    let unreadable = |what: &str| Failure::Source(format!("来源地址无法读取：{what}"));
    let client = pinned_client(&host, address).map_err(|_| unreadable("请求失败"))?;
    let mut response = client.get(url).send().await.map_err(|err| {
        unreadable(if err.is_timeout() {
            "请求超时"
        } else {
            "连接失败"
        })
    })?;
    if !response.status().is_success() {
        return Err(unreadable(&format!("HTTP {}", response.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| unreadable("读取中断"))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(unreadable("文件超过 1 MiB"));
        }
    }
    Ok(body)
}

/// Refresh `code` from `url` as `audit`'s actor and record the outcome:
/// the new version, None when the entries did not change.
async fn refresh(
    state: &AppState,
    code: &str,
    url: &str,
    audit: AuditRecord,
) -> ApiResult<Result<Option<i64>, Failure>> {
    let list = list_of(code)?;
    let outcome = match fetch(state, url).await {
        Ok(body) => parse_csv(&body).map_err(|m| Failure::Source(format!("来源文件有误：{m}"))),
        Err(failure) => Err(failure),
    };
    let now = now_ms();
    let outcome = match outcome {
        Ok(entries) => {
            let audit = AuditRecord {
                details: serde_json::json!({ "entries": entries.len(), "source": url }),
                ..audit.on_object("code_list", code)
            };
            let new = NewCodeListVersion {
                code,
                entries: &entries_text(&entries),
                source: url,
                unless_same_as_builtin: Some(&entries_text(&builtin_entries(list))),
            };
            let version = state.store.add_code_list_version(&new, &audit).await?;
            let (label, message) = match version {
                Some(v) => ("ok", format!("已更新为第 {v} 版（{} 项）", entries.len())),
                None => ("unchanged", "内容未变化，未生成新版本".to_string()),
            };
            state
                .store
                .record_code_list_refresh(code, now, label, Some(&message))
                .await?;
            Ok(version)
        }
        Err(failure) => {
            state
                .store
                .record_code_list_refresh(code, now, "error", Some(failure.message()))
                .await?;
            Err(failure)
        }
    };
    Ok(outcome)
}

/// Refresh a list from its source URL now: a new version only when the
/// entries changed; the outcome is kept beside the list either way.
#[utoipa::path(post, path = "/quality/code-lists/{code}/refresh", tag = "quality", params(("code" = String, Path)),
    responses((status = 200, body = CodeListView, description = "refreshed (see `last_refresh`: ok or unchanged)"),
        (status = 400, body = crate::error::ErrorBody, description = "`field.invalid` on `source_url`: the allowlist refuses it"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "`quality.code_list_fixed` or `quality.no_source`"),
        (status = 502, body = crate::error::ErrorBody, description = "`quality.refresh_failed`: the source could not be read or its file is wrong")))]
pub async fn refresh_code_list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<CodeListView>> {
    caller.require(&state, WRITE).await?;
    let list = editable(&code)?;
    let url = state
        .store
        .code_list_sources()
        .await?
        .into_iter()
        .find(|s| s.code == list.code)
        .and_then(|s| s.source_url)
        .ok_or_else(|| ApiError::conflict("quality.no_source", "该代码表未设置来源地址"))?;
    let audit = caller.audit(
        "quality.code_list.refresh",
        "code_list",
        list.code,
        serde_json::json!({}),
    );
    match refresh(&state, list.code, &url, audit).await? {
        Ok(_) => Ok(Json(view(&state.store, list).await?)),
        Err(Failure::Refused(message)) => Err(ApiError::invalid_field("source_url", message)),
        Err(Failure::Source(message)) => Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "quality.refresh_failed",
            message,
        )),
    }
}

/// Refresh every list whose cron matches the minute of `now` (once per
/// minute whatever the sweeps); returns the lists refreshed (whatever the
/// outcome, which each records).
pub async fn refresh_due(state: &AppState, now: i64) -> anyhow::Result<Vec<String>> {
    let minute = now - now.rem_euclid(MINUTE_MS);
    let mut refreshed = Vec::new();
    for source in state.store.code_list_sources().await? {
        let (Some(url), Some(schedule)) = (&source.source_url, &source.schedule) else {
            continue;
        };
        let due = Cron::parse(schedule).is_some_and(|c| c.matches(now));
        if !due
            || editable(&source.code).is_err()
            || !state
                .store
                .claim_code_list_refresh(&source.code, minute)
                .await?
        {
            continue;
        }
        let audit = crate::seed::system_record("quality.code_list.refresh", serde_json::json!({}));
        if let Err(err) = refresh(state, &source.code, url, audit).await {
            tracing::warn!(list = %source.code, error = ?err, "code list refresh failed");
        }
        refreshed.push(source.code);
    }
    Ok(refreshed)
}
