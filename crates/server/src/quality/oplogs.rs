//! Operation logs (操作日志核验, QC-3): business systems send who did what to
//! which case and when; a check compares a random sample of a period's cases
//! with their logs and lists the anomalous cases; a case's full log chain is
//! read beside its timeline.

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::quality::oplog::{compare, known_action, OPLOG_CHECKS};
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, parse_rfc3339, to_rfc3339};
use govpulse_store::oplogs::{
    AnomalyRow, NewOplogCheck, OperationRow, OplogCheckRow, ANOMALY_LIST,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most operations one request may carry.
const MAX_OPERATIONS: usize = 1000;
/// Largest sample a check may draw.
const MAX_SAMPLE: i64 = 2000;
/// Sample size when none is given.
const DEFAULT_SAMPLE: i64 = 200;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_operations))
        .routes(routes!(start_check, list_checks))
        .routes(routes!(get_check))
        .routes(routes!(list_anomalies))
        .routes(routes!(case_operations))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationInput {
    /// The business system that logged it.
    pub source: String,
    pub case_code: String,
    /// A stage kind (`accepted`, `decided`, `completed` …) or `assigned`,
    /// `transferred`, `signed`, `viewed`, `printed`; anything else is kept
    /// and reported by checks as an unknown step.
    pub action: String,
    /// Who did it (account or name in the business system).
    pub operator: String,
    /// RFC 3339.
    pub at: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum OperationBody {
    One(OperationInput),
    Many(Vec<OperationInput>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OperationRejection {
    /// 1-based position in the request.
    pub line: usize,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OperationAnswer {
    pub accepted: u64,
    /// Entries already stored (same case, time, action, operator and source).
    pub duplicates: u64,
    pub rejected: Vec<OperationRejection>,
}

fn operation(input: OperationInput) -> Result<OperationRow, String> {
    let text = |value: &str, name: &str, max: usize| {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > max {
            Err(format!("{name} 须为 1–{max} 个字符"))
        } else {
            Ok(value.to_string())
        }
    };
    let note = match input.note.as_deref().map(str::trim) {
        Some(n) if n.chars().count() > 500 => return Err("note 不超过 500 个字符".into()),
        Some(n) if !n.is_empty() => Some(n.to_string()),
        _ => None,
    };
    Ok(OperationRow {
        source: text(&input.source, "source", 64)?,
        case_code: text(&input.case_code, "case_code", 64)?,
        action: text(&input.action, "action", 32)?,
        operator: text(&input.operator, "operator", 64)?,
        at: parse_rfc3339(input.at.trim()).ok_or("at 须为 RFC 3339 时间")?,
        note,
    })
}

/// Take a business system's operation log entries (one or an array of up to
/// 1,000); a wrong entry is rejected alone.
#[utoipa::path(post, path = "/intake/operation-logs", tag = "quality",
    request_body(content = OperationBody, description = "one operation or an array of up to 1,000"),
    responses((status = 200, body = OperationAnswer), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn post_operations(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<OperationBody>,
) -> ApiResult<Json<OperationAnswer>> {
    caller.require(&state, "intake:write").await?;
    let inputs = match body {
        OperationBody::One(one) => vec![one],
        OperationBody::Many(many) => many,
    };
    if inputs.is_empty() || inputs.len() > MAX_OPERATIONS {
        return Err(ApiError::invalid_field(
            "operations",
            format!("每次须提交 1–{MAX_OPERATIONS} 条操作日志"),
        ));
    }
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        match operation(input) {
            Ok(row) => rows.push(row),
            Err(message) => rejected.push(OperationRejection {
                line: i + 1,
                code: "field.invalid".into(),
                message,
            }),
        }
    }
    let mut accepted = 0;
    if !rows.is_empty() {
        let audit = caller.audit(
            "intake.operation_logs",
            "source",
            &rows[0].source,
            serde_json::json!({ "operations": rows.len() }),
        );
        accepted = state
            .store
            .record_operations(&rows, now_ms(), &audit)
            .await?;
    }
    Ok(Json(OperationAnswer {
        accepted,
        duplicates: rows.len() as u64 - accepted,
        rejected,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Period of the cases' submission (YYYY-MM-DD or RFC 3339).
    #[schema(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub from: String,
    #[schema(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub to: String,
    /// A region subtree inside the caller's scope.
    pub region: Option<String>,
    /// Cases to sample (1–2,000; default 200).
    #[schema(minimum = 1, maximum = 2000)]
    pub sample: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnomalyCount {
    pub code: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = OplogCheckView)]
pub struct CheckView {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub region: Option<String>,
    pub sample_size: i64,
    /// Sampled cases (those of the period with an operation log, at most `sample_size`).
    pub cases_checked: i64,
    /// Cases with at least one anomaly.
    pub anomalous: i64,
    /// Anomalous cases per code, in the library's order.
    pub counts: Vec<AnomalyCount>,
    pub created_at: String,
}

impl From<OplogCheckRow> for CheckView {
    fn from(row: OplogCheckRow) -> Self {
        let counts: BTreeMap<String, u64> = serde_json::from_str(&row.counts).unwrap_or_default();
        Self {
            id: row.id,
            from: to_rfc3339(row.period_from),
            to: to_rfc3339(row.period_to),
            region: row.region,
            sample_size: row.sample_size,
            cases_checked: row.cases_checked,
            anomalous: row.anomalous,
            counts: OPLOG_CHECKS
                .iter()
                .filter_map(|(code, name)| {
                    counts.get(*code).map(|n| AnomalyCount {
                        code: code.to_string(),
                        name: name.to_string(),
                        count: *n,
                    })
                })
                .collect(),
            created_at: to_rfc3339(row.created_at),
        }
    }
}

/// Compare a random sample of the period's cases (in the caller's scope,
/// with an operation log) with their logs; answers the finished check.
#[utoipa::path(post, path = "/quality/oplog-checks", tag = "quality", request_body = CheckRequest,
    responses((status = 201, body = CheckView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn start_check(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CheckRequest>,
) -> ApiResult<(StatusCode, Json<CheckView>)> {
    caller.require(&state, "data:govern").await?;
    let (from, to) = super::period(&req.from, &req.to, &req.region)?;
    let sample = req.sample.unwrap_or(DEFAULT_SAMPLE);
    if !(1..=MAX_SAMPLE).contains(&sample) {
        return Err(ApiError::invalid_field(
            "sample",
            format!("抽样数须为 1–{MAX_SAMPLE}"),
        ));
    }
    let region = non_empty(&req.region);
    let range = region.as_deref().map(subtree_range);
    let store = &state.store;
    let cases = store
        .sample_logged_cases(&caller.org_scope(), &range, (from, to), sample)
        .await?;
    let codes: Vec<&str> = cases.iter().map(|c| c.case_code.as_str()).collect();
    let mut events: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for (case, kind, at, _) in store.events_of_cases(&codes).await? {
        events.entry(case).or_default().push((kind, at));
    }
    let mut logs: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for op in store.operations_of_cases(&codes).await? {
        logs.entry(op.case_code)
            .or_default()
            .push((op.action, op.at));
    }
    let mut anomalies = Vec::new();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for case in &cases {
        let case_events = borrowed(events.get(&case.case_code));
        let case_log = borrowed(logs.get(&case.case_code));
        for found in compare(&case_events, &case_log) {
            *counts.entry(found.code).or_default() += 1;
            anomalies.push(AnomalyRow {
                case_code: case.case_code.clone(),
                code: found.code.to_string(),
                district_code: case.district_code.clone(),
                region_code: case.region_code.clone(),
                submitted_at: case.submitted_at,
                reason: found.reason,
            });
        }
    }
    let counts_json = serde_json::to_string(&counts).unwrap_or_default();
    let audit = caller.audit(
        "quality.oplog_check",
        "oplog_check",
        "",
        serde_json::json!({ "from": to_rfc3339(from), "to": to_rfc3339(to), "region": region,
                            "sample": sample, "checked": cases.len(), "counts": counts }),
    );
    let check = NewOplogCheck {
        owner: &caller.username,
        period: (from, to),
        region: region.as_deref(),
        sample_size: sample,
        cases_checked: cases.len() as i64,
        counts: &counts_json,
        anomalies: &anomalies,
    };
    let id = store.create_oplog_check(&check, now_ms(), &audit).await?;
    let row = own_check(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// `(action, at)` pairs borrowed from owned ones (none: empty).
fn borrowed(list: Option<&Vec<(String, i64)>>) -> Vec<(&str, i64)> {
    list.map(|v| v.iter().map(|(a, at)| (a.as_str(), *at)).collect())
        .unwrap_or_default()
}

async fn own_check(state: &AppState, caller: &Caller, id: i64) -> ApiResult<OplogCheckRow> {
    caller.require(state, "data:govern").await?;
    state
        .store
        .oplog_check(&caller.username, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The caller's 20 latest checks, newest first.
#[utoipa::path(get, path = "/quality/oplog-checks", tag = "quality",
    responses((status = 200, body = Vec<CheckView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_checks(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CheckView>>> {
    caller.require(&state, "data:govern").await?;
    let rows = state.store.oplog_checks_of(&caller.username, 20).await?;
    Ok(Json(rows.into_iter().map(CheckView::from).collect()))
}

/// A check of the caller's (anyone else's: 404).
#[utoipa::path(get, path = "/quality/oplog-checks/{id}", tag = "quality",
    responses((status = 200, body = CheckView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CheckView>> {
    Ok(Json(own_check(&state, &caller, id).await?.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnomalyView {
    pub case_code: String,
    pub code: String,
    pub region_code: String,
    pub submitted_at: String,
    pub reason: String,
}

impl From<AnomalyRow> for AnomalyView {
    fn from(r: AnomalyRow) -> Self {
        Self {
            case_code: r.case_code,
            code: r.code,
            region_code: r.region_code,
            submitted_at: to_rfc3339(r.submitted_at),
            reason: r.reason,
        }
    }
}

/// The anomalous cases of a check with the reason (optionally of one code).
#[utoipa::path(get, path = "/quality/oplog-checks/{id}/anomalies", tag = "quality",
    params(super::FailureQuery),
    responses((status = 200, body = crate::list::ListResponse<AnomalyView>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_anomalies(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<super::FailureQuery>,
) -> ApiResult<Json<crate::list::ListResponse<AnomalyView>>> {
    own_check(&state, &caller, id).await?;
    let request = crate::list_params!(q).request(&ANOMALY_LIST)?;
    let page = state
        .store
        .list_oplog_anomalies(id, &non_empty(&q.code), &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OperationView {
    pub source: String,
    pub action: String,
    /// Whether the action is a known step.
    pub known: bool,
    pub operator: String,
    pub at: String,
    pub note: Option<String>,
}

/// A case's full operation log, oldest first (404 when the case is outside
/// the caller's scope).
#[utoipa::path(get, path = "/cases/{case_code}/operation-logs", tag = "quality",
    responses((status = 200, body = Vec<OperationView>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn case_operations(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_code): Path<String>,
) -> ApiResult<Json<Vec<OperationView>>> {
    caller.require(&state, "data:read").await?;
    state
        .store
        .get_case(&caller.org_scope(), &case_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rows = state.store.operations_of(&case_code).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| OperationView {
                known: known_action(&r.action),
                source: r.source,
                action: r.action,
                operator: r.operator,
                at: to_rfc3339(r.at),
                note: r.note,
            })
            .collect(),
    ))
}
