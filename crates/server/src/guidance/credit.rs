//! The dishonest-entity list (失信名单) and the credit check (GUIDE-3).
//! Identity numbers are kept like applicants' (AGG-5): the vault's keyed
//! hash for matching, an encrypted copy, the masked form for display.

use super::{CREDIT, READ};
use crate::aggregation::files::{parse_file, FileFormat};
use crate::aggregation::intake::{is_ndjson, IntakeReportView};
use crate::aggregation::pipeline::parse_body;
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiBytes, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list::{ListResponse, PageQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use govpulse_core::aggregation::IntakeReport;
use govpulse_core::guidance::credit::{dishonest_record, identity_number};
use govpulse_core::idnumber::mask;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::guidance::credit::{DishonestRow, NewDishonest, DISHONEST_LIST};
use serde::{Deserialize, Serialize};

/// Receive dishonest-list entries (intake tokens): `{applicant_id, listed_at, reason, source}`,
/// as JSON, NDJSON or a file (CSV / XLSX with those column names).
#[utoipa::path(post, path = "/intake/dishonest-list", tag = "guidance",
    request_body(content = Vec<Object>, description = "JSON array, NDJSON (Content-Type application/x-ndjson), or a CSV \
        (text/csv) / XLSX file whose first row names the columns, of \
        {applicant_id (citizen ID number or unified social credit code), listed_at, reason, source}; one entry per (applicant, source)"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)))]
pub async fn intake_dishonest_list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<IntakeReportView>> {
    caller.require(&state, "intake:write").await?;
    let now = now_ms();
    let mut report = IntakeReport::default();
    let mut entries = Vec::new();
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let records = match FileFormat::detect(content_type, "") {
        Some(format) => parse_file(&body, format).map_err(|message| {
            ApiError::new(StatusCode::BAD_REQUEST, "import.unreadable", message)
        })?,
        None => parse_body(&body, is_ndjson(&headers))?,
    };
    for (line, record) in records {
        match record.and_then(|r| dishonest_record(&r, now)) {
            Ok(input) => entries.push(NewDishonest {
                applicant_key: state.vault.key(&input.applicant_id),
                applicant_enc: state.vault.encrypt(&input.applicant_id),
                applicant_masked: mask(&input.applicant_id),
                listed_at: input.listed_at,
                reason: input.reason,
                source: input.source,
            }),
            Err(rejection) => report.reject(line, rejection),
        }
    }
    let audit = caller.audit(
        "intake.dishonest_list",
        "source",
        &caller.display_name,
        serde_json::json!({ "rejected": report.rejected.len() }),
    );
    for created in state.store.record_dishonest(&entries, &audit, now).await? {
        if created {
            report.accepted += 1;
        } else {
            report.duplicates += 1;
        }
    }
    Ok(Json(report.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreditCheckRequest {
    /// A citizen ID number or unified social credit code.
    pub applicant_id: Option<String>,
    /// Or a case in the caller's scope: its applicant is checked.
    pub case_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing {
    pub source: String,
    pub listed_at: String,
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditCheckResponse {
    pub allowed: bool,
    /// Why not (when refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The masked number checked.
    pub applicant: String,
    pub listings: Vec<Listing>,
}

/// The verdict for an applicant's matching key.
pub async fn verdict(
    state: &AppState,
    applicant_key: &str,
    masked: String,
) -> ApiResult<CreditCheckResponse> {
    let listings = state.store.dishonest_listings(applicant_key).await?;
    let reason = listings.first().map(|l: &DishonestRow| {
        format!(
            "申请人列入失信名单（{}，{}）：{}",
            l.source,
            &to_rfc3339(l.listed_at)[..10],
            l.reason
        )
    });
    Ok(CreditCheckResponse {
        allowed: listings.is_empty(),
        reason,
        applicant: masked,
        listings: listings
            .into_iter()
            .map(|l| Listing {
                source: l.source,
                listed_at: to_rfc3339(l.listed_at),
                reason: l.reason,
            })
            .collect(),
    })
}

/// Is this applicant on the dishonest-entity list? `{allowed, reason?}`.
/// Each check is audited (a sensitive read) with the masked number.
#[utoipa::path(post, path = "/credit/check", tag = "guidance", request_body = CreditCheckRequest,
    responses((status = 200, body = CreditCheckResponse), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "the case is not in the caller's scope", body = crate::error::ErrorBody)))]
pub async fn credit_check(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreditCheckRequest>,
) -> ApiResult<Json<CreditCheckResponse>> {
    caller.require(&state, CREDIT).await?;
    let (key, masked) = match (
        non_empty(&request.applicant_id),
        non_empty(&request.case_code),
    ) {
        (Some(id), _) => {
            let id = identity_number(&id)
                .map_err(|e| ApiError::invalid_field("applicant_id", format!("证件号码{e}")))?;
            (state.vault.key(&id), mask(&id))
        }
        (None, Some(case_code)) => {
            let case = state
                .store
                .get_case(&caller.org_scope(), &case_code)
                .await?
                .ok_or_else(ApiError::not_found)?;
            (case.applicant_key, case.applicant_masked)
        }
        (None, None) => {
            return Err(ApiError::invalid_field(
                "applicant_id",
                "请提供证件号码 applicant_id 或办件编号 case_code",
            ))
        }
    };
    let response = verdict(&state, &key, masked).await?;
    state
        .store
        .audit(&caller.audit(
            "credit.check",
            "applicant",
            &response.applicant,
            serde_json::json!({ "allowed": response.allowed, "case_code": request.case_code }),
        ))
        .await?;
    Ok(Json(response))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DishonestItem {
    pub id: i64,
    /// Masked identity number.
    pub applicant: String,
    pub listed_at: String,
    pub reason: String,
    pub source: String,
    pub received_at: String,
}

impl From<DishonestRow> for DishonestItem {
    fn from(row: DishonestRow) -> Self {
        Self {
            id: row.id,
            applicant: row.applicant_masked,
            listed_at: to_rfc3339(row.listed_at),
            reason: row.reason,
            source: row.source,
            received_at: to_rfc3339(row.received_at),
        }
    }
}

/// The dishonest-entity list (masked numbers), newest first.
#[utoipa::path(get, path = "/credit/dishonest", tag = "guidance", params(PageQuery),
    responses((status = 200, body = ListResponse<DishonestItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_dishonest(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListResponse<DishonestItem>>> {
    caller.require(&state, READ).await?;
    let request = crate::list_params!(q).request(&DISHONEST_LIST)?;
    Ok(Json(ListResponse::from_page(
        state.store.list_dishonest(&request).await?,
    )))
}
