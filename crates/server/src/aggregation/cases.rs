//! Reading cases (AGG-4): the list, its filter and export cells, a case's
//! detail with its stage clocks, and revealing its applicant's identity.

use super::consultations::{option_label, ConsultationView, APPLICANT_TYPES, CHANNELS};
use super::evaluations::EvaluationView;
use super::time_window;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::monitoring::condition::CASE_STATUSES;
use govpulse_core::region::subtree_range;
use govpulse_core::time::to_rfc3339;
use govpulse_store::aggregation::{
    CaseFilter, CaseRow, EvaluationFilter, EventRow, EVALUATION_LIST,
};
use govpulse_store::list::ListRequest;
use govpulse_store::monitoring::WARNING_LIST;
use serde::{Deserialize, Serialize};

/// A case in the list: the record and how many consultations led to it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub record: CaseRecord,
    /// Consultations linked to this case.
    pub consultations: i32,
}

/// A case's own fields, shared by the list and the detail (which lists the
/// linked consultations themselves instead of counting them).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseRecord {
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
    pub handling_mode: Option<String>,
    pub remark: Option<String>,
    /// Whether any stage clock of the case ran past its deadline.
    pub overdue: bool,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Set when an operator marked the record erroneous: shown, but left out of figures.
    pub erroneous_reason: Option<String>,
}

impl From<CaseRow> for CaseView {
    fn from(r: CaseRow) -> Self {
        let consultations = r.consultations;
        Self {
            record: r.into(),
            consultations,
        }
    }
}

impl From<CaseRow> for CaseRecord {
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
            handling_mode: r.handling_mode,
            remark: r.remark,
            overdue: r.overdue,
            revision: r.revision,
            erroneous_reason: r.erroneous_reason,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub item: Option<String>,
    pub status: Option<String>,
    /// person | org
    pub applicant_type: Option<String>,
    /// true: only cases a stage clock of which ran past its deadline; false: none of them.
    pub overdue: Option<bool>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
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
            overdue: self.overdue,
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

#[utoipa::path(get, path = "/cases", tag = "aggregation", params(CaseQuery), responses((status = 200, body = crate::list::ListResponse<CaseView>)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<Json<crate::list::ListResponse<CaseView>>> {
    caller.require(&state, "data:read").await?;
    let filter = q.filter()?;
    let mut request = crate::list_params!(q).request(&govpulse_store::aggregation::CASE_LIST)?;
    let scope = caller.org_scope();
    request.known_total = super::totals::cases(&state, &scope, &filter).await?;
    let page = state.store.list_cases(&scope, &filter, &request).await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
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
    pub case: CaseRecord,
    /// Stage clocks (working-day calendar, suspensions) at the time of the request.
    pub clocks: Vec<ClockView>,
    /// Warnings on this case (every rule, any status).
    pub warnings: Vec<crate::monitoring::warnings::WarningView>,
    pub events: Vec<EventView>,
    pub consultations: Vec<ConsultationView>,
    pub evaluations: Vec<EvaluationView>,
    /// Content superseded by corrections from sources (the case, its events,
    /// consultations and evaluations), oldest first.
    pub history: Vec<super::corrections::HistoryView>,
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
        .list_evaluations(
            &caller.org_scope(),
            &evaluation_filter,
            &ListRequest::first(&EVALUATION_LIST, 100),
        )
        .await?;
    let clocks = clocks_of(&state, &case, &events);
    let history = state.store.case_history(&case_code).await?;
    let warning_filter = govpulse_store::monitoring::WarningFilter {
        case_code: Some(case_code.clone()),
        ..Default::default()
    };
    let warnings = if caller.can("warning:read") {
        state
            .store
            .list_warnings(
                &caller.org_scope(),
                &warning_filter,
                &ListRequest::first(&WARNING_LIST, 100),
            )
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
        history: history.into_iter().map(Into::into).collect(),
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
