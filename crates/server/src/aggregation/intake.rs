//! Intake endpoints (AGG-2), file import, and consultation codes (AGG-1).

use super::checked::Inputs;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiBytes, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use govpulse_core::aggregation::consult_code;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::{IntakeReport, Kind};
use govpulse_core::region::district_of;
use govpulse_core::time::{now_ms, to_rfc3339};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RejectedLine {
    /// 1-based line (or spreadsheet row) number.
    pub line: usize,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntakeReportView {
    pub accepted: u64,
    /// Records that superseded the stored record of their key (higher `revision`, other content).
    pub corrected: u64,
    pub duplicates: u64,
    pub rejected: Vec<RejectedLine>,
}

impl From<IntakeReport> for IntakeReportView {
    fn from(report: IntakeReport) -> Self {
        Self {
            accepted: report.accepted,
            corrected: report.corrected,
            duplicates: report.duplicates,
            rejected: report
                .rejected
                .into_iter()
                .map(|r| RejectedLine {
                    line: r.line,
                    code: r.code,
                    message: r.message,
                })
                .collect(),
        }
    }
}

pub fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-ndjson") || v.starts_with("application/jsonl")
        })
}

/// Count one intake request of `caller` (per token or user); over
/// `intake_rate_per_minute`, 429 `intake.rate_limited` with `Retry-After`.
fn rate_limit(state: &AppState, caller: &Caller) -> ApiResult<()> {
    state
        .intake_limiter
        .check(caller.username.clone())
        .map_err(|wait| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "intake.rate_limited",
                "数据接入请求过于频繁，请稍后再试",
            )
            .with_details(serde_json::json!({
                "retry_after_secs": wait,
                "limit_per_minute": state.config.intake_rate_per_minute,
            }))
        })
}

/// Run the checked records `inputs` from `source` through the intake
/// pipeline; the batch's audit row (`intake.<kind>` with its counts) is
/// written in the batch's own transaction, so an acknowledged batch always has it.
pub async fn run_audited(
    state: &AppState,
    caller: &Caller,
    source: &str,
    inputs: Inputs,
) -> ApiResult<Json<IntakeReportView>> {
    let kind = inputs.kind();
    let mut pipeline = state.pipeline();
    pipeline.audit = Some(caller.audit(
        &format!("intake.{}", kind.as_str()),
        "source",
        source,
        serde_json::json!({}),
    ));
    let report = pipeline.run_checked(source, inputs, now_ms()).await?;
    // The batch marked its subjects due: evaluate them now, not at the next tick.
    if report.accepted + report.corrected > 0 {
        state.monitor.wake();
    }
    Ok(Json(report.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceQuery {
    /// Source system code whose collection rules apply.
    pub source: Option<String>,
}

/// The source name and collection rules of a request.
async fn resolve_source(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    requested: &Option<String>,
) -> ApiResult<(String, CollectionRules)> {
    let named = non_empty(requested);
    let code = named.clone().unwrap_or_else(|| caller.display_name.clone());
    match state.store.get_source(&code).await? {
        Some(source) => {
            let kinds: Vec<String> = serde_json::from_str(&source.kinds).unwrap_or_default();
            if !source.enabled || !kinds.iter().any(|k| k == kind.as_str()) {
                return Err(ApiError::invalid_field(
                    "source",
                    format!("数据来源 {code} 未启用或不接收 {}", kind.as_str()),
                ));
            }
            let rules = serde_json::from_str(&source.rules).map_err(ApiError::internal)?;
            Ok((code, rules))
        }
        None if named.is_some() => Err(ApiError::invalid_field(
            "source",
            format!("数据来源 {code} 不存在"),
        )),
        None => Ok((code, CollectionRules::default())),
    }
}

fn kind_of(text: &str) -> ApiResult<Kind> {
    Kind::parse(text)
        .filter(|k| *k != Kind::Items)
        .ok_or_else(ApiError::not_found)
}

/// Receive consultations, cases, case events or evaluations.
#[utoipa::path(post, path = "/intake/{kind}", tag = "aggregation", params(
        ("kind" = String, Path, description = "consultations | cases | case-events | evaluations"), SourceQuery),
    request_body(content = Vec<Object>, description = "JSON array, or NDJSON with Content-Type application/x-ndjson"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody),
        (status = 429, description = "`intake.rate_limited`, with `Retry-After`", body = crate::error::ErrorBody)))]
pub async fn intake(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<SourceQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Json<IntakeReportView>> {
    let kind = kind_of(&kind)?;
    caller.require(&state, "intake:write").await?;
    rate_limit(&state, &caller)?;
    // The rules are known before the body is read, so each record is checked
    // (and its JSON object dropped) as soon as its line has arrived.
    let (source, rules) = resolve_source(&state, &caller, kind, &query.source).await?;
    let mut inputs = Inputs::new(kind);
    super::body::read_records(body, is_ndjson(&headers), |record| {
        inputs.push(record, &rules, now_ms())
    })
    .await?;
    run_audited(&state, &caller, &source, inputs).await
}

/// Import a CSV or XLSX file of any kind (first row = column names).
#[utoipa::path(post, path = "/import/{kind}", tag = "aggregation", params(
        ("kind" = String, Path, description = "items | consultations | cases | case-events | evaluations"), SourceQuery),
    request_body(content = Vec<u8>, description = "CSV (text/csv) or XLSX file"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 429, description = "`intake.rate_limited`, with `Retry-After`", body = crate::error::ErrorBody)))]
pub async fn import_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<SourceQuery>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<IntakeReportView>> {
    let kind = Kind::parse(&kind).ok_or_else(ApiError::not_found)?;
    if kind == Kind::Items && !caller.can("intake:write") {
        caller.require(&state, "item:write").await?;
    } else {
        caller.require(&state, "intake:write").await?;
    }
    rate_limit(&state, &caller)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = super::files::FileFormat::detect(content_type, name).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            "仅支持 CSV 或 XLSX 文件",
        )
    })?;
    let records = super::files::parse_file(&body, format)
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "import.unreadable", m))?;
    let (source, rules) = resolve_source(&state, &caller, kind, &query.source).await?;
    let inputs = Inputs::of(kind, records, &rules, now_ms());
    run_audited(&state, &caller, &source, inputs).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// online | window | hotline | wechat | app | other
    #[schema(pattern = "^(online|window|hotline|wechat|app|other)$")]
    pub channel: String,
    /// District (or finer) region code of the consultation.
    pub region_code: String,
    /// The channel's own id for this request; the same id always gets the same code.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub request_id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeView {
    pub code: String,
    /// False when the code had been issued before for this request id.
    pub created: bool,
}

/// Issue a unique consultation code (see docs/consultation-codes.md).
#[utoipa::path(post, path = "/consultations/codes", tag = "aggregation", request_body = CodeRequest,
    responses((status = 200, body = CodeView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn issue_code(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Json<CodeView>> {
    caller.require(&state, "intake:write").await?;
    if consult_code::channel_letter(&req.channel).is_none() {
        return Err(ApiError::invalid_field(
            "channel",
            "渠道须为 online、window、hotline、wechat、app 或 other",
        ));
    }
    let request_id = req.request_id.trim();
    if request_id.is_empty() || req.request_id.chars().count() > 128 {
        return Err(ApiError::invalid_field(
            "request_id",
            "请求编号须为 1–128 个字符",
        ));
    }
    state
        .store
        .get_region(&req.region_code)
        .await?
        .ok_or_else(|| ApiError::invalid_field("region_code", "区划不存在"))?;
    let district = district_of(&req.region_code).to_string();
    let now = now_ms();
    let date = to_rfc3339(now);
    let yymmdd = format!("{}{}{}", &date[2..4], &date[5..7], &date[8..10]);
    let (code, created) = state
        .store
        .issue_consultation_code(
            &req.channel,
            request_id,
            &district,
            &date[..10],
            now,
            |serial| consult_code::compose(&district, &yymmdd, &req.channel, serial),
        )
        .await?;
    Ok(Json(CodeView { code, created }))
}
