//! Background exports of large lists (DASH-4): cases, consultations,
//! warnings and the work-order workbench written to XLSX or CSV by a job runner, with progress and a
//! download link. A job runs with its creator's data scope at creation and
//! only its creator sees or downloads it.

pub mod runner;
mod source;
mod writer;

pub use runner::start;
pub use source::{Format, ListQuery, Owner, Source};

use crate::error::{ApiError, ApiResult};
use crate::export::{attachment, XLSX_TYPE};
use crate::extract::{ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use govpulse_core::audit::Outcome;
use govpulse_core::time::to_rfc3339;
use govpulse_store::audit::AuditRecord;
use govpulse_store::exports::{scope_to_json, ExportJobRow, NewExportJob, DONE};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_exports, create_export))
        .routes(routes!(get_export))
        .routes(routes!(download_export))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// cases | consultations | warnings | work_orders
    #[schema(pattern = "^(cases|consultations|warnings|work_orders)$")]
    pub source: String,
    /// xlsx (default) | csv
    #[schema(pattern = "^(xlsx|csv)?$")]
    pub format: Option<String>,
    /// The list's own query parameters, e.g. `{"region": "110105", "from": "2026-11-01"}`.
    #[schema(value_type = Option<Object>)]
    pub filters: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportJobView {
    pub id: i64,
    #[schema(pattern = "^(cases|consultations|warnings|work_orders)$")]
    pub source: String,
    #[schema(pattern = "^(xlsx|csv)$")]
    pub format: String,
    #[schema(pattern = "^(queued|running|done|failed)$")]
    pub status: String,
    /// Rows written so far.
    pub rows: i64,
    /// Rows the filters matched when the job started (0 while queued).
    pub total: i64,
    /// 0–1; 1 once done.
    pub progress: f64,
    /// The filters the job was created with.
    #[schema(value_type = Object)]
    pub filters: Value,
    /// Name of the file to download (once done).
    pub file_name: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Why the job failed.
    pub error: Option<String>,
}

impl From<ExportJobRow> for ExportJobView {
    fn from(job: ExportJobRow) -> Self {
        let progress = if job.status == DONE {
            1.0
        } else if job.rows_total > 0 {
            (job.rows_done as f64 / job.rows_total as f64).min(1.0)
        } else {
            0.0
        };
        Self {
            id: job.id,
            progress: (progress * 1000.0).round() / 1000.0,
            filters: serde_json::from_str(&job.filters).unwrap_or(Value::Null),
            source: job.source,
            format: job.format,
            status: job.status,
            rows: job.rows_done,
            total: job.rows_total,
            file_name: job.file_name,
            created_at: to_rfc3339(job.created_at),
            started_at: job.started_at.map(to_rfc3339),
            finished_at: job.finished_at.map(to_rfc3339),
            error: job.error,
        }
    }
}

/// Queue an export of a list with the list's own filters; the caller needs the
/// list's permission. Bad filters are refused exactly as the list refuses them.
#[utoipa::path(post, path = "/exports", tag = "exports", request_body = ExportRequest,
    responses((status = 202, body = ExportJobView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 429, description = "`export.quota`: the caller already has `export_jobs_per_user` jobs queued or running", body = crate::error::ErrorBody)))]
pub async fn create_export(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ExportRequest>,
) -> ApiResult<(StatusCode, Json<ExportJobView>)> {
    let source = Source::parse(&input.source)?;
    caller.require(&state, source.permission()).await?;
    let format = Format::parse(input.format.as_deref())?;
    let filters = source::normalise(input.filters.unwrap_or_default())?;
    ListQuery::parse(source, &filters, &Owner::of(&caller))?;
    let filters = Value::Object(filters);
    let audit = caller.audit(
        "export.create",
        "export_job",
        "",
        serde_json::json!({ "source": source.as_str(), "format": format.as_str(), "filters": filters }),
    );
    let filters = filters.to_string();
    let job = state
        .store
        .create_export_job(
            &NewExportJob {
                owner: &caller.username,
                source: source.as_str(),
                format: format.as_str(),
                filters: &filters,
                scope: &scope_to_json(&caller.org_scope()),
            },
            state.config.export_jobs_per_user,
            &audit,
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "export.quota",
                format!(
                    "您已有 {} 个导出任务在排队或进行中，请待其完成后再提交",
                    state.config.export_jobs_per_user
                ),
            )
        })?;
    runner::wake();
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Anyone who may read some list may have export jobs.
async fn require_exporter(state: &AppState, caller: &Caller) -> ApiResult<()> {
    if Source::ALL.iter().any(|s| caller.can(s.permission())) {
        return Ok(());
    }
    caller.require(state, Source::Cases.permission()).await
}

/// One job of the caller, still allowed by the permission of its list.
async fn own_job(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ExportJobRow> {
    require_exporter(state, caller).await?;
    let job = state
        .store
        .export_job_of(&caller.username, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let source = Source::parse(&job.source)?;
    caller.require(state, source.permission()).await?;
    Ok(job)
}

/// The caller's own jobs, newest first.
#[utoipa::path(get, path = "/exports", tag = "exports", params(crate::list::PageQuery),
    responses((status = 200, body = crate::list::ListResponse<ExportJobView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_exports(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<crate::list::PageQuery>,
) -> ApiResult<Json<crate::list::ListResponse<ExportJobView>>> {
    require_exporter(&state, &caller).await?;
    let request = crate::list_params!(q).request(&govpulse_store::exports::EXPORT_JOB_LIST)?;
    let jobs = state
        .store
        .export_jobs_of(&caller.username, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(jobs)))
}

#[utoipa::path(get, path = "/exports/{id}", tag = "exports",
    responses((status = 200, body = ExportJobView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ExportJobView>> {
    Ok(Json(own_job(&state, &caller, id).await?.into()))
}

/// The finished file (409 `export.not_ready` before the job is done). Audited
/// with its outcome: success once the whole file was sent; failure when the
/// file is gone or unreadable, or the transfer broke off.
#[utoipa::path(get, path = "/exports/{id}/download", tag = "exports",
    responses((status = 200, description = "XLSX or CSV file"), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn download_export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let job = own_job(&state, &caller, id).await?;
    let record = caller.audit(
        "export.download",
        "export_job",
        &id.to_string(),
        serde_json::json!({ "source": job.source, "format": job.format, "rows": job.rows_done }),
    );
    let failed = |reason: &str| {
        record.with_result(
            Outcome::Failure,
            serde_json::json!({ "source": job.source, "format": job.format, "reason": reason }),
        )
    };
    let (Some(name), Some(path)) = (job.file_name.as_deref(), job.file_path.as_deref()) else {
        state.store.audit(&failed("not_ready")).await?;
        return Err(ApiError::conflict(
            "export.not_ready",
            "导出尚未完成，请稍后再下载",
        ));
    };
    let opened = match tokio::fs::File::open(path).await {
        Ok(file) => file.metadata().await.map(|m| (file, m.len())),
        Err(err) => Err(err),
    };
    let (file, length) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            let missing = err.kind() == std::io::ErrorKind::NotFound;
            state
                .store
                .audit(&failed(if missing {
                    "file_missing"
                } else {
                    "file_unreadable"
                }))
                .await?;
            return Err(if missing {
                ApiError::not_found()
            } else {
                ApiError::internal(err)
            });
        }
    };
    let content_type = match Format::parse(Some(&job.format))? {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => XLSX_TYPE,
    };
    let mut outcome = DownloadAudit {
        store: state.store.clone(),
        success: Some(record.clone()),
        failure: failed("interrupted"),
    };
    if length == 0 {
        // nothing to send: the body may never be asked for
        outcome.succeeded().await;
    }
    let mut response = attachment(
        name,
        content_type,
        Body::from_stream(chunks(file, length, outcome)),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    Ok(response)
}

/// The audit record of a download, written when its outcome is known: the
/// success after the last chunk, the failure when the stream ends otherwise
/// (a read error, or the client went away).
struct DownloadAudit {
    store: govpulse_store::Store,
    success: Option<AuditRecord>,
    failure: AuditRecord,
}

impl DownloadAudit {
    async fn succeeded(&mut self) {
        if let Some(record) = self.success.take() {
            if let Err(err) = self.store.audit(&record).await {
                tracing::error!(error = %err, "cannot audit a download");
            }
        }
    }
}

impl Drop for DownloadAudit {
    fn drop(&mut self) {
        if self.success.is_none() {
            return;
        }
        let (store, record) = (self.store.clone(), self.failure.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = store.audit(&record).await {
                    tracing::error!(error = %err, "cannot audit a failed download");
                }
            });
        }
    }
}

/// A file as a stream of 64 KiB chunks (never whole in memory). The download
/// is audited as a success as its last byte goes out: with a Content-Length
/// the server stops asking for more once it has them all. Fused: the
/// compression layer polls its body once more after the end, and a bare
/// `unfold` panics when polled past its end (issue 11, High-4).
fn chunks(
    file: tokio::fs::File,
    length: u64,
    audit: DownloadAudit,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send {
    use futures_util::StreamExt as _;
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some((file, length, audit)), |state| async move {
        let (mut file, left, mut audit) = state?;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => {
                if left == 0 {
                    audit.succeeded().await;
                }
                None
            }
            Ok(n) => {
                buffer.truncate(n);
                let left = left.saturating_sub(n as u64);
                if left == 0 {
                    audit.succeeded().await;
                }
                Some((Ok(buffer), Some((file, left, audit))))
            }
            Err(err) => Some((Err(err), None)),
        }
    })
    .fuse()
}
