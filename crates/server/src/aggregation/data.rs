//! Reading aggregated data: consultations, cases, evaluations, applicant
//! timelines and consultation ↔ application statistics (AGG-4, AGG-5).

use super::time_window;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiQuery, Paging};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::monitoring::condition::{Field, CASE_STATUSES};
use govpulse_core::region::subtree_range;
use govpulse_core::time::to_rfc3339;
use govpulse_store::aggregation::{
    CaseFilter, CaseRow, ConsultationFilter, ConsultationRow, EvaluationFilter, EvaluationRow,
    EventRow,
};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsultationView {
    pub code: String,
    pub channel: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub asked_at: String,
    pub applicant_type: String,
    pub applicant_masked: Option<String>,
    /// Opaque applicant key for the timeline.
    pub applicant_key: Option<String>,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub question: String,
    pub answer: Option<String>,
    pub linked_case_code: Option<String>,
}

impl From<ConsultationRow> for ConsultationView {
    fn from(r: ConsultationRow) -> Self {
        Self {
            code: r.code,
            channel: r.channel,
            region_code: r.region_code,
            region_name: r.region_name,
            asked_at: to_rfc3339(r.asked_at),
            applicant_type: r.applicant_type,
            applicant_masked: r.applicant_masked,
            applicant_key: r.applicant_key,
            item_code: r.item_code,
            item_name: r.item_name,
            question: r.question,
            answer: r.answer,
            linked_case_code: r.linked_case_code,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsultationList {
    pub total: i64,
    pub items: Vec<ConsultationView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ConsultationQuery {
    pub q: Option<String>,
    pub channel: Option<String>,
    pub region: Option<String>,
    pub item: Option<String>,
    pub linked: Option<bool>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

impl ConsultationQuery {
    /// The store filter these parameters ask for (the list and background exports).
    pub fn filter(&self) -> ApiResult<ConsultationFilter> {
        let (from_ms, to_ms) = time_window(&self.from, &self.to)?;
        Ok(ConsultationFilter {
            q: non_empty(&self.q),
            channel: non_empty(&self.channel),
            region_range: non_empty(&self.region).map(|r| subtree_range(&r)),
            item: non_empty(&self.item),
            linked: self.linked,
            from_ms,
            to_ms,
        })
    }
}

/// Column titles of a consultation export.
pub const CONSULTATION_EXPORT_HEADERS: [&str; 11] = [
    "咨询编码",
    "渠道",
    "区划",
    "咨询时间",
    "申请人类型",
    "证件号码（脱敏）",
    "事项编码",
    "事项名称",
    "咨询内容",
    "答复内容",
    "关联办件",
];

/// One consultation as export cells (in [`CONSULTATION_EXPORT_HEADERS`] order).
pub fn consultation_export_cells(r: ConsultationRow) -> Vec<String> {
    vec![
        r.code,
        option_label(&CHANNELS, &r.channel),
        r.region_name.unwrap_or(r.region_code),
        to_rfc3339(r.asked_at),
        option_label(&APPLICANT_TYPES, &r.applicant_type),
        r.applicant_masked.unwrap_or_default(),
        r.item_code.unwrap_or_default(),
        r.item_name.unwrap_or_default(),
        r.question,
        r.answer.unwrap_or_default(),
        r.linked_case_code.unwrap_or_default(),
    ]
}

/// Chinese labels of channels and applicant types, as the rule editor shows them.
static CHANNELS: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| Field::Channel.info().options);
static APPLICANT_TYPES: LazyLock<Vec<(&str, &str)>> =
    LazyLock::new(|| Field::ApplicantType.info().options);

/// The label of `code` among `options`; the code itself when unknown.
fn option_label(options: &[(&str, &str)], code: &str) -> String {
    options
        .iter()
        .find(|(key, _)| *key == code)
        .map_or(code, |(_, label)| label)
        .to_string()
}

#[utoipa::path(get, path = "/consultations", tag = "aggregation", params(ConsultationQuery), responses((status = 200, body = ConsultationList)))]
pub async fn list_consultations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ConsultationQuery>,
) -> ApiResult<Json<ConsultationList>> {
    caller.require(&state, "data:read").await?;
    let filter = q.filter()?;
    let (offset, limit) = Paging::new(q.page, q.size).window();
    let page = state
        .store
        .list_consultations(&caller.org_scope(), &filter, offset, limit)
        .await?;
    Ok(Json(ConsultationList {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case_code: String,
    pub item_code: String,
    pub item_name: Option<String>,
    pub item_version: i32,
    pub applicant_type: String,
    pub applicant_name: String,
    pub applicant_masked: String,
    pub applicant_key: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub channel: String,
    pub submitted_at: String,
    /// submitted, accepted, suspended, decided, completed, rejected, withdrawn
    pub status: String,
    pub accepted_at: Option<String>,
    pub completed_at: Option<String>,
    /// Consultations linked to this case.
    pub consultations: i32,
    pub handling_mode: Option<String>,
    pub remark: Option<String>,
}

impl From<CaseRow> for CaseView {
    fn from(r: CaseRow) -> Self {
        Self {
            case_code: r.case_code,
            item_code: r.item_code,
            item_name: r.item_name,
            item_version: r.item_version,
            applicant_type: r.applicant_type,
            applicant_name: r.applicant_name,
            applicant_masked: r.applicant_masked,
            applicant_key: r.applicant_key,
            region_code: r.region_code,
            region_name: r.region_name,
            department_code: r.department_code,
            department_name: r.department_name,
            channel: r.channel,
            submitted_at: to_rfc3339(r.submitted_at),
            status: r.status,
            accepted_at: r.accepted_at.map(to_rfc3339),
            completed_at: r.completed_at.map(to_rfc3339),
            consultations: r.consultations,
            handling_mode: r.handling_mode,
            remark: r.remark,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub total: i64,
    pub items: Vec<CaseView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CaseQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub item: Option<String>,
    pub status: Option<String>,
    /// person | org
    pub applicant_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

impl CaseQuery {
    /// The store filter these parameters ask for (the list and background exports).
    pub fn filter(&self) -> ApiResult<CaseFilter> {
        let (from_ms, to_ms) = time_window(&self.from, &self.to)?;
        Ok(CaseFilter {
            q: non_empty(&self.q),
            region_range: non_empty(&self.region).map(|r| subtree_range(&r)),
            department: non_empty(&self.department),
            item: non_empty(&self.item),
            status: non_empty(&self.status),
            applicant_type: non_empty(&self.applicant_type),
            from_ms,
            to_ms,
        })
    }
}

/// Column titles of a case export.
pub const CASE_EXPORT_HEADERS: [&str; 17] = [
    "办件编号",
    "事项编码",
    "事项名称",
    "事项版本",
    "申请人类型",
    "申请人",
    "证件号码（脱敏）",
    "区划",
    "实施部门",
    "渠道",
    "申请时间",
    "状态",
    "受理时间",
    "办结时间",
    "咨询次数",
    "办理方式",
    "备注",
];

/// One case as export cells (in [`CASE_EXPORT_HEADERS`] order).
pub fn case_export_cells(r: CaseRow) -> Vec<String> {
    vec![
        r.case_code,
        r.item_code,
        r.item_name.unwrap_or_default(),
        r.item_version.to_string(),
        option_label(&APPLICANT_TYPES, &r.applicant_type),
        r.applicant_name,
        r.applicant_masked,
        r.region_name.unwrap_or(r.region_code),
        r.department_name.unwrap_or(r.department_code),
        option_label(&CHANNELS, &r.channel),
        to_rfc3339(r.submitted_at),
        option_label(CASE_STATUSES, &r.status),
        r.accepted_at.map(to_rfc3339).unwrap_or_default(),
        r.completed_at.map(to_rfc3339).unwrap_or_default(),
        r.consultations.to_string(),
        r.handling_mode.unwrap_or_default(),
        r.remark.unwrap_or_default(),
    ]
}

#[utoipa::path(get, path = "/cases", tag = "aggregation", params(CaseQuery), responses((status = 200, body = CaseList)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<Json<CaseList>> {
    caller.require(&state, "data:read").await?;
    let filter = q.filter()?;
    let (offset, limit) = Paging::new(q.page, q.size).window();
    let page = state
        .store
        .list_cases(&caller.org_scope(), &filter, offset, limit)
        .await?;
    Ok(Json(CaseList {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub kind: String,
    pub at: String,
    pub special_kind: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    pub out_of_order: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub evaluation_id: String,
    pub case_code: Option<String>,
    pub channel: String,
    pub rated_at: String,
    /// GB/T 39046 A.8: 1 非常满意 … 5 非常不满意.
    pub satisfaction: i32,
    pub comment: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
}

impl From<EvaluationRow> for EvaluationView {
    fn from(r: EvaluationRow) -> Self {
        Self {
            evaluation_id: r.evaluation_id,
            case_code: r.case_code,
            channel: r.channel,
            rated_at: to_rfc3339(r.rated_at),
            satisfaction: r.satisfaction,
            comment: r.comment,
            region_code: r.region_code,
            region_name: r.region_name,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// acceptance, approval, special_procedure or immediate.
    pub stage: String,
    pub budget: u32,
    /// working or natural.
    pub unit: String,
    pub started_at: String,
    pub deadline: String,
    pub used_share: f64,
    pub remaining: i64,
    pub suspended_days: i64,
    /// running, suspended, completed, completed_late or overdue.
    pub status: String,
    pub ended_at: Option<String>,
    /// Pauses of this clock (补齐补正, 特别程序); `end` null while open.
    pub suspensions: Vec<SuspensionView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuspensionView {
    pub start: String,
    pub end: Option<String>,
}

/// The case's stage clocks now (MON-1).
fn clocks_of(state: &AppState, case: &CaseRow, events: &[EventRow]) -> Vec<ClockView> {
    use govpulse_core::monitoring::clock::Unit;
    use govpulse_core::monitoring::stages::{case_clocks, CaseTiming, StageEvent};
    let stage_events: Vec<StageEvent> = events
        .iter()
        .map(|e| StageEvent {
            kind: &e.kind,
            at_ms: e.at,
        })
        .collect();
    let timing = CaseTiming {
        submitted_at: case.submitted_at,
        case_type_code: case.case_type_code.unwrap_or(2),
        promised_limit: case.promised_limit,
        legal_limit: case.legal_limit,
        unit: case
            .limit_unit
            .as_deref()
            .and_then(Unit::parse)
            .unwrap_or(Unit::Working),
        events: &stage_events,
    };
    case_clocks(
        &state.monitor.calendar(),
        &timing,
        govpulse_core::time::now_ms(),
    )
    .into_iter()
    .map(|c| ClockView {
        stage: c.stage.to_string(),
        budget: c.budget,
        unit: match c.unit {
            Unit::Working => "working",
            Unit::Natural => "natural",
        }
        .to_string(),
        started_at: to_rfc3339(c.started_at),
        deadline: to_rfc3339(c.deadline),
        used_share: (c.used_share * 1000.0).round() / 1000.0,
        remaining: c.remaining,
        suspended_days: c.suspended_days,
        status: c.status.to_string(),
        ended_at: c.ended_at.map(to_rfc3339),
        suspensions: c
            .suspensions
            .iter()
            .map(|s| SuspensionView {
                start: to_rfc3339(s.start_ms),
                end: s.end_ms.map(to_rfc3339),
            })
            .collect(),
    })
    .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseView,
    /// Stage clocks (working-day calendar, suspensions) at the time of the request.
    pub clocks: Vec<ClockView>,
    /// Warnings on this case (every rule, any status).
    pub warnings: Vec<crate::monitoring::warnings::WarningView>,
    pub events: Vec<EventView>,
    pub consultations: Vec<ConsultationView>,
    pub evaluations: Vec<EvaluationView>,
}

#[utoipa::path(get, path = "/cases/{case_code}", tag = "aggregation",
    responses((status = 200, body = CaseDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_code): Path<String>,
) -> ApiResult<Json<CaseDetail>> {
    caller.require(&state, "data:read").await?;
    let case = state
        .store
        .get_case(&caller.org_scope(), &case_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let events = state.store.case_events(&case_code).await?;
    let consultations = state.store.consultations_of_case(&case_code).await?;
    let evaluation_filter = EvaluationFilter {
        case_code: Some(case_code.clone()),
        ..Default::default()
    };
    let evaluations = state
        .store
        .list_evaluations(&caller.org_scope(), &evaluation_filter, 0, 100)
        .await?;
    let clocks = clocks_of(&state, &case, &events);
    let warning_filter = govpulse_store::monitoring::WarningFilter {
        case_code: Some(case_code.clone()),
        ..Default::default()
    };
    let warnings = if caller.can("warning:read") {
        state
            .store
            .list_warnings(&caller.org_scope(), &warning_filter, 0, 100)
            .await?
            .items
    } else {
        Vec::new()
    };
    Ok(Json(CaseDetail {
        case: case.into(),
        clocks,
        warnings: warnings.into_iter().map(Into::into).collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                kind: e.kind,
                at: to_rfc3339(e.at),
                special_kind: e.special_kind,
                operator: e.operator,
                note: e.note,
                out_of_order: e.out_of_order,
            })
            .collect(),
        consultations: consultations.into_iter().map(Into::into).collect(),
        evaluations: evaluations.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealView {
    pub applicant_id: String,
}

/// Reveal a case applicant's full identity number (permission `identity:reveal`; audited).
#[utoipa::path(post, path = "/cases/{case_code}/reveal", tag = "aggregation",
    responses((status = 200, body = RevealView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn reveal_applicant(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_code): Path<String>,
) -> ApiResult<Json<RevealView>> {
    caller.require(&state, "identity:reveal").await?;
    let sealed = state
        .store
        .case_applicant_secret(&caller.org_scope(), &case_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let applicant_id = state
        .vault
        .decrypt(&sealed)
        .ok_or_else(|| ApiError::internal("identity number cannot be decrypted with this key"))?;
    state
        .store
        .audit(&caller.audit("identity.reveal", "case", &case_code, serde_json::json!({})))
        .await?;
    Ok(Json(RevealView { applicant_id }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationList {
    pub total: i64,
    pub items: Vec<EvaluationView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EvaluationQuery {
    pub region: Option<String>,
    pub satisfaction: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

#[utoipa::path(get, path = "/evaluations", tag = "aggregation", params(EvaluationQuery), responses((status = 200, body = EvaluationList)))]
pub async fn list_evaluations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> ApiResult<Json<EvaluationList>> {
    caller.require(&state, "data:read").await?;
    let (from_ms, to_ms) = time_window(&q.from, &q.to)?;
    let filter = EvaluationFilter {
        region_range: non_empty(&q.region).map(|r| subtree_range(&r)),
        satisfaction: q.satisfaction,
        case_code: None,
        from_ms,
        to_ms,
    };
    let (offset, limit) = Paging::new(q.page, q.size).window();
    let page = state
        .store
        .list_evaluations(&caller.org_scope(), &filter, offset, limit)
        .await?;
    Ok(Json(EvaluationList {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// `consultation` or `case`.
    pub kind: String,
    pub code: String,
    pub at: String,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    /// Case status; for a consultation, the case it is linked to.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    pub applicant_masked: Option<String>,
    pub items: Vec<TimelineEntry>,
}

#[utoipa::path(get, path = "/applicants/{applicant_key}/timeline", tag = "aggregation",
    responses((status = 200, body = Timeline), (status = 404, body = crate::error::ErrorBody)))]
pub async fn applicant_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Timeline>> {
    caller.require(&state, "data:read").await?;
    let rows = state
        .store
        .applicant_timeline(&caller.org_scope(), &key)
        .await?;
    let masked = rows.iter().find_map(|r| r.applicant_masked.clone());
    if rows.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Json(Timeline {
        applicant_masked: masked,
        items: rows
            .into_iter()
            .map(|r| TimelineEntry {
                kind: r.kind,
                code: r.code,
                at: to_rfc3339(r.at),
                item_code: r.item_code,
                item_name: r.item_name,
                status: r.status,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LinkingQuery {
    /// region (district) | department | item
    pub group: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkingView {
    pub key: String,
    pub name: Option<String>,
    pub consultations: i64,
    /// Consultations no application followed.
    pub consulted_not_applied: i64,
    pub applications: i64,
    /// Applications with no consultation before them.
    pub applied_without_consulting: i64,
    /// Average consultations before an application that had any.
    pub consultations_per_application: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkingStats {
    pub items: Vec<LinkingView>,
}

#[utoipa::path(get, path = "/linking/stats", tag = "aggregation", params(LinkingQuery), responses((status = 200, body = LinkingStats)))]
pub async fn linking_stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LinkingQuery>,
) -> ApiResult<Json<LinkingStats>> {
    caller.require(&state, "data:read").await?;
    let group = non_empty(&q.group).unwrap_or_else(|| "region".to_string());
    if !["region", "department", "item"].contains(&group.as_str()) {
        return Err(ApiError::invalid_field(
            "group",
            "分组须为 region、department 或 item",
        ));
    }
    let (from_ms, to_ms) = time_window(&q.from, &q.to)?;
    let rows = state
        .store
        .linking_stats(&caller.org_scope(), &group, from_ms, to_ms)
        .await?;
    Ok(Json(LinkingStats {
        items: rows
            .into_iter()
            .map(|r| LinkingView {
                consultations_per_application: if r.consulted_applications > 0 {
                    (r.consultations_before_applying as f64 / r.consulted_applications as f64
                        * 100.0)
                        .round()
                        / 100.0
                } else {
                    0.0
                },
                key: r.key,
                name: r.name,
                consultations: r.consultations,
                consulted_not_applied: r.consulted_not_applied,
                applications: r.applications,
                applied_without_consulting: r.applied_without_consulting,
            })
            .collect(),
    }))
}
