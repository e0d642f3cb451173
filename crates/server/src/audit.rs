//! Audit-log API (SEC-3): list, export, verify — for the audit admin only.

use crate::error::{ApiError, ApiResult};
use crate::export::{attachment, csv_bytes, safe_row, xlsx_download};
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use govpulse_core::time::{parse_bound, to_rfc3339};
use govpulse_store::audit::{AuditFilter, AuditRow, Verification};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(export_audit))
        .routes(routes!(verify_audit))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Start (RFC 3339 or `YYYY-MM-DD`), inclusive.
    pub from: Option<String>,
    /// End (RFC 3339 or `YYYY-MM-DD`, a bare date includes that day).
    pub to: Option<String>,
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.`.
    pub action: Option<String>,
    /// `success`, `failure` or `denied`.
    pub result: Option<String>,
    pub object_type: Option<String>,
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
    /// Export format: `csv` (default) or `xlsx`.
    #[param(pattern = "^(xlsx|csv)?$")]
    pub format: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> ApiResult<AuditFilter> {
        let bound = |field: &str, value: &Option<String>| -> ApiResult<Option<i64>> {
            match non_empty(value) {
                None => Ok(None),
                Some(text) => parse_bound(&text).map(Some).ok_or_else(|| {
                    ApiError::invalid_field(field, "时间格式须为 YYYY-MM-DD 或 RFC 3339")
                }),
            }
        };
        let from_ms = bound("from", &self.from)?;
        let mut to_ms = bound("to", &self.to)?;
        // A bare end date means "through the end of that day".
        if let (Some(to), Some(text)) = (to_ms.as_mut(), non_empty(&self.to)) {
            if text.len() == 10 {
                *to += 86_400_000;
            }
        }
        Ok(AuditFilter {
            from_ms,
            to_ms,
            actor: non_empty(&self.actor),
            action: non_empty(&self.action),
            result: non_empty(&self.result),
            object_type: non_empty(&self.object_type),
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<AuditRow> for AuditView {
    fn from(row: AuditRow) -> Self {
        Self {
            seq: row.seq,
            at: to_rfc3339(row.at_ms),
            details: serde_json::from_str(&row.details)
                .unwrap_or(serde_json::Value::String(row.details)),
            actor: row.actor,
            ip: row.ip,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            result: row.result,
            hash: row.hash,
        }
    }
}

#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = crate::list::ListResponse<AuditView>)))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<crate::list::ListResponse<AuditView>>> {
    caller.require(&state, "audit:read").await?;
    let request = crate::list_params!(query).request(&govpulse_store::audit::AUDIT_LIST)?;
    let page = state.store.list_audit(&query.filter()?, &request).await?;
    // Reading the log is itself a sensitive read (SEC-3); recorded after the
    // page was read, so the page shows the log as it was asked for.
    let details = serde_json::json!({
        "actor": query.actor, "action": query.action, "result": query.result,
        "object_type": query.object_type, "from": query.from, "to": query.to,
    });
    state
        .store
        .audit(&caller.audit("audit.read", "audit_log", "", details))
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

const EXPORT_HEADERS: [&str; 10] = [
    "序号",
    "时间",
    "操作人",
    "来源IP",
    "操作",
    "对象类型",
    "对象",
    "结果",
    "详情",
    "哈希",
];

fn export_cells(row: &AuditRow) -> Vec<String> {
    vec![
        row.seq.to_string(),
        to_rfc3339(row.at_ms),
        row.actor.clone(),
        row.ip.clone(),
        row.action.clone(),
        row.object_type.clone(),
        row.object_id.clone(),
        row.result.clone(),
        row.details.clone(),
        row.hash.clone(),
    ]
}

/// Export the filtered log as CSV (streamed) or XLSX. The export itself is audited.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "CSV or XLSX file")))]
pub async fn export_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    caller.require(&state, "audit:export").await?;
    let filter = query.filter()?;
    let format = non_empty(&query.format).unwrap_or_else(|| "csv".to_string());
    if format != "csv" && format != "xlsx" {
        return Err(ApiError::invalid_field(
            "format",
            "导出格式须为 csv 或 xlsx",
        ));
    }
    state
        .store
        .audit(&caller.audit(
            "audit.export",
            "audit_log",
            "",
            serde_json::json!({ "format": format, "filter": format!("{filter:?}") }),
        ))
        .await?;
    if format == "xlsx" {
        return export_xlsx(&state, &filter).await;
    }
    Ok(export_csv(state, filter))
}

/// Stream CSV chunk by chunk, so memory stays flat whatever the log's size.
fn export_csv(state: AppState, filter: AuditFilter) -> Response {
    const CHUNK: i64 = 5_000;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    tokio::spawn(async move {
        // UTF-8 BOM so spreadsheet programs read Chinese correctly.
        let mut first = vec![0xEF, 0xBB, 0xBF];
        first.extend(csv_bytes(&[EXPORT_HEADERS.map(String::from)]));
        if sender.send(Ok(first)).await.is_err() {
            return;
        }
        let mut after = 0;
        loop {
            let rows = match state.store.audit_chunk(&filter, after, CHUNK).await {
                Ok(rows) => rows,
                Err(err) => {
                    let _ = sender.send(Err(std::io::Error::other(err))).await;
                    return;
                }
            };
            let cells: Vec<_> = rows.iter().map(|row| safe_row(export_cells(row))).collect();
            if sender.send(Ok(csv_bytes(&cells))).await.is_err() {
                return; // client went away
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == CHUNK => after = last.seq,
                _ => return,
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    attachment(
        "audit-log.csv",
        "text/csv; charset=utf-8",
        Body::from_stream(stream),
    )
}

async fn export_xlsx(state: &AppState, filter: &AuditFilter) -> ApiResult<Response> {
    let mut rows = Vec::new();
    state
        .store
        .scan_audit(filter, |row| {
            rows.push(export_cells(row));
            rows.len() < 1_000_000
        })
        .await?;
    xlsx_download("audit-log.xlsx", "审计日志", &EXPORT_HEADERS, rows).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    pub ok: bool,
    pub checked: u64,
    pub first_broken: Option<BrokenEntry>,
}

/// The first entry whose hash does not prove, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BrokenEntry {
    pub seq: i64,
    pub reason: String,
}

impl From<Verification> for VerificationView {
    fn from(v: Verification) -> Self {
        Self {
            ok: v.ok,
            checked: v.checked,
            first_broken: v.first_broken.map(|b| BrokenEntry {
                seq: b.seq,
                reason: b.reason,
            }),
        }
    }
}

/// Re-hash the whole chain.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerificationView)))]
pub async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<VerificationView>> {
    caller.require(&state, "audit:read").await?;
    let verification = state.store.verify_audit().await?;
    state
        .store
        .audit(&caller.audit(
            "audit.verify",
            "audit_log",
            "",
            serde_json::json!({ "ok": verification.ok, "checked": verification.checked }),
        ))
        .await?;
    Ok(Json(verification.into()))
}
