//! Collection rules per source system and the reconciliation report (AGG-3).

use crate::error::{ApiError, ApiResult};
use crate::export::{csv_download, xlsx_download};
use crate::exports::Format;
use crate::extract::{non_empty, required_text, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::Kind;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::aggregation::{
    ReconciliationFilter, ReconciliationRow, SourceRow, RECONCILIATION_LIST,
};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceView {
    /// 2–64 letters, digits, `-`, `_` or `.`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{2,64}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub name: String,
    /// Record kinds this source sends.
    pub kinds: Vec<String>,
    /// Source field → standard field.
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
    /// Standard fields this source must send.
    #[serde(default)]
    pub required: Vec<String>,
    /// Standard field → (source value → standard value).
    #[serde(default)]
    pub dictionaries: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Set by the server; ignored when sent.
    #[serde(default)]
    #[schema(read_only)]
    pub updated_at: Option<String>,
}

fn enabled() -> bool {
    true
}

impl From<SourceRow> for SourceView {
    fn from(row: SourceRow) -> Self {
        let rules: CollectionRules = serde_json::from_str(&row.rules).unwrap_or_default();
        Self {
            code: row.code,
            name: row.name,
            kinds: serde_json::from_str(&row.kinds).unwrap_or_default(),
            field_map: rules.field_map,
            required: rules.required,
            dictionaries: rules.dictionaries,
            enabled: row.enabled,
            updated_at: Some(to_rfc3339(row.updated_at)),
        }
    }
}

impl SourceView {
    fn to_row(&self) -> ApiResult<SourceRow> {
        let valid_code = (2..=64).contains(&self.code.len())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_code {
            return Err(ApiError::invalid_field(
                "code",
                "来源编码须为 2–64 位字母、数字或 - _ .",
            ));
        }
        required_text("name", &self.name, 64, "来源名称须为 1–64 个字符")?;
        if self.kinds.is_empty() || self.kinds.iter().any(|k| Kind::parse(k).is_none()) {
            return Err(ApiError::invalid_field(
                "kinds",
                "请选择数据类型：items、consultations、cases、case-events、evaluations",
            ));
        }
        let rules = CollectionRules {
            field_map: self.field_map.clone(),
            required: self.required.clone(),
            dictionaries: self.dictionaries.clone(),
        };
        Ok(SourceRow {
            code: self.code.clone(),
            name: self.name.trim().to_string(),
            kinds: serde_json::to_string(&self.kinds).map_err(ApiError::internal)?,
            rules: serde_json::to_string(&rules).map_err(ApiError::internal)?,
            enabled: self.enabled,
            updated_at: now_ms(),
        })
    }
}

#[utoipa::path(get, path = "/sources", tag = "aggregation", responses((status = 200, body = [SourceView])))]
pub async fn list_sources(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SourceView>>> {
    if !caller.can("source:write") {
        caller.require(&state, "data:read").await?;
    }
    Ok(Json(
        state
            .store
            .list_sources()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/sources", tag = "aggregation", request_body = SourceView,
    responses((status = 201, body = SourceView), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_source(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(source): ApiJson<SourceView>,
) -> ApiResult<(StatusCode, Json<SourceView>)> {
    caller.require(&state, "source:write").await?;
    let row = source.to_row()?;
    let audit = caller.audit(
        "source.create",
        "source",
        &row.code,
        serde_json::json!({ "kinds": source.kinds, "rules": row.rules }),
    );
    state
        .store
        .save_source(&row, true, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::conflict("source.exists", "来源编码已存在"),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(put, path = "/sources/{code}", tag = "aggregation", request_body = SourceView,
    responses((status = 200, body = SourceView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_source(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(mut source): ApiJson<SourceView>,
) -> ApiResult<Json<SourceView>> {
    caller.require(&state, "source:write").await?;
    source.code = code;
    let row = source.to_row()?;
    let audit = caller.audit(
        "source.update",
        "source",
        &row.code,
        serde_json::json!({ "kinds": source.kinds, "rules": row.rules }),
    );
    state.store.save_source(&row, false, &audit).await?;
    Ok(Json(row.into()))
}

#[utoipa::path(delete, path = "/sources/{code}", tag = "aggregation", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_source(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "source:write").await?;
    let audit = caller.audit("source.delete", "source", &code, serde_json::json!({}));
    state.store.delete_source(&code, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    pub source: Option<String>,
    pub kind: Option<String>,
    /// Export format: `xlsx` (default) or `csv`.
    #[param(pattern = "^(xlsx|csv)?$")]
    pub format: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `day` or `-day` (default).
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReconciliationView {
    pub day: String,
    pub source: String,
    pub kind: String,
    pub received: i64,
    pub accepted: i64,
    /// Records that superseded a stored one (a higher `revision`).
    pub corrected: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub rejected_by_code: BTreeMap<String, u64>,
    /// What the source's manifest declared it sent that day (null: no manifest).
    pub declared: Option<i64>,
    /// Declared but never received (a batch lost on the way); null without a manifest.
    pub missing: Option<i64>,
}

impl From<ReconciliationRow> for ReconciliationView {
    fn from(r: ReconciliationRow) -> Self {
        Self {
            rejected_by_code: serde_json::from_str(&r.rejected_by_code).unwrap_or_default(),
            day: r.day,
            source: r.source,
            kind: r.kind,
            received: r.received,
            accepted: r.accepted,
            corrected: r.corrected,
            duplicates: r.duplicates,
            rejected: r.rejected,
            declared: r.declared,
            missing: r.declared.map(|d| (d - r.received).max(0)),
        }
    }
}

impl ReconciliationQuery {
    fn filter(&self) -> ApiResult<ReconciliationFilter> {
        let day = |field: &str, value: &Option<String>| -> ApiResult<Option<String>> {
            match non_empty(value) {
                Some(text) if chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err() => {
                    Err(ApiError::invalid_field(field, "日期格式须为 YYYY-MM-DD"))
                }
                other => Ok(other),
            }
        };
        // The list and its export share these parameters: both check them all.
        Format::parse(self.format.as_deref())?;
        Ok(ReconciliationFilter {
            from_day: day("from", &self.from)?,
            to_day: day("to", &self.to)?,
            source: non_empty(&self.source),
            kind: non_empty(&self.kind),
        })
    }
}

#[utoipa::path(get, path = "/reconciliation", tag = "aggregation", params(ReconciliationQuery),
    responses((status = 200, body = crate::list::ListResponse<ReconciliationView>)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReconciliationQuery>,
) -> ApiResult<Json<crate::list::ListResponse<ReconciliationView>>> {
    caller.require(&state, "data:read").await?;
    let request = crate::list_params!(q).request(&RECONCILIATION_LIST)?;
    let page = state
        .store
        .list_reconciliation(&q.filter()?, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

#[utoipa::path(get, path = "/reconciliation/export", tag = "aggregation", params(ReconciliationQuery),
    responses((status = 200, description = "XLSX or CSV file")))]
pub async fn export_reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReconciliationQuery>,
) -> ApiResult<Response> {
    caller.require(&state, "data:read").await?;
    // Paging does not apply to the file, but is checked like the list's.
    crate::list_params!(q).request(&RECONCILIATION_LIST)?;
    let rows: Vec<ReconciliationView> = state
        .store
        .reconciliation(&q.filter()?)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let headers = [
        "日期",
        "来源",
        "数据类型",
        "申报",
        "缺失",
        "接收",
        "接受",
        "更正",
        "重复",
        "拒绝",
        "拒绝原因",
    ];
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            let reasons = r
                .rejected_by_code
                .iter()
                .map(|(code, n)| format!("{code}: {n}"))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                r.day,
                r.source,
                r.kind,
                r.declared.map(|d| d.to_string()).unwrap_or_default(),
                r.missing.map(|d| d.to_string()).unwrap_or_default(),
                r.received.to_string(),
                r.accepted.to_string(),
                r.corrected.to_string(),
                r.duplicates.to_string(),
                r.rejected.to_string(),
                reasons,
            ]
        })
        .collect();
    state
        .store
        .audit(&caller.audit(
            "reconciliation.export",
            "intake_stats",
            "",
            serde_json::json!({ "rows": cells.len() }),
        ))
        .await?;
    match Format::parse(q.format.as_deref())? {
        Format::Csv => Ok(csv_download("reconciliation.csv", &headers, cells)),
        Format::Xlsx => xlsx_download("reconciliation.xlsx", "对账统计", &headers, cells).await,
    }
}
