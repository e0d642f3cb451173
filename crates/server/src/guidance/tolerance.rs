//! Tolerance acceptance (容缺受理, GUIDE-3): a case in the caller's scope is
//! accepted with materials missing — only materials a published tree marks
//! tolerable for the case's item, never for an applicant on the
//! dishonest-entity list — against a commitment rendered from the template,
//! due in working days on the MON-1 calendar. Overdue acceptances raise
//! `tolerance_overdue` warnings (see `super::start`).

use super::credit::verdict;
use super::{ACCEPT, READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, required_text, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list::ListResponse;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::audit::Outcome;
use govpulse_core::guidance::tolerance::{
    check_request, due_at, render, unknown_placeholders, RequestError, DEFAULT_TEMPLATE,
    PLACEHOLDERS,
};
use govpulse_core::time::{now_ms, parse_rfc3339, to_rfc3339};
use govpulse_store::aggregation::CaseRow;
use govpulse_store::guidance::tolerance::{
    NewTolerance, ToleranceFilter, ToleranceRow, TOLERANCE_LIST,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

const TEMPLATE_KEY: &str = "tolerance.commitment_template";

async fn template(store: &govpulse_store::Store) -> ApiResult<String> {
    Ok(store
        .get_setting(TEMPLATE_KEY)
        .await?
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string()))
}

async fn case_in_scope(state: &AppState, caller: &Caller, code: &str) -> ApiResult<CaseRow> {
    state
        .store
        .get_case(&caller.org_scope(), code)
        .await?
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MissingMaterial {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToleranceView {
    pub id: i64,
    pub case_code: String,
    pub item_code: String,
    pub region_code: String,
    pub department_code: String,
    pub applicant_name: String,
    /// Masked identity number.
    pub applicant: String,
    pub missing: Vec<MissingMaterial>,
    /// The commitment as rendered from the template (printable).
    pub commitment: String,
    pub commitment_signed_at: String,
    pub deadline_days: i32,
    pub due_at: String,
    /// open | completed
    pub status: String,
    pub overdue: bool,
    pub completed_at: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

impl From<ToleranceRow> for ToleranceView {
    fn from(row: ToleranceRow) -> Self {
        let missing = serde_json::from_str::<Vec<Value>>(&row.missing)
            .unwrap_or_default()
            .into_iter()
            .map(|m| MissingMaterial {
                code: m["code"].as_str().unwrap_or_default().to_string(),
                name: m["name"].as_str().unwrap_or_default().to_string(),
            })
            .collect();
        let overdue = row.status == "open" && now_ms() > row.due_at
            || row.completed_at.is_some_and(|at| at > row.due_at);
        Self {
            id: row.id,
            case_code: row.case_code,
            item_code: row.item_code,
            region_code: row.region_code,
            department_code: row.department_code,
            applicant_name: row.applicant_name,
            applicant: row.applicant_masked,
            missing,
            commitment: row.commitment,
            commitment_signed_at: to_rfc3339(row.commitment_signed_at),
            deadline_days: row.deadline_days,
            due_at: to_rfc3339(row.due_at),
            status: row.status,
            overdue,
            completed_at: row.completed_at.map(to_rfc3339),
            created_by: row.created_by,
            created_at: to_rfc3339(row.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ToleranceRequest {
    pub case_code: String,
    /// Codes of the missing materials (tolerable for the case's item).
    #[schema(min_items = 1)]
    pub missing: Vec<String>,
    /// When the applicant signed the commitment (RFC 3339).
    #[schema(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub commitment_signed_at: String,
    /// Working days to hand the materials in (1–60).
    #[schema(minimum = 1, maximum = 60)]
    pub deadline_days: i64,
}

/// Accept a case with missing materials. Refusals, in this order: 404 (case
/// outside the scope), 400 `request.invalid` (bad fields), 409
/// `tolerance.refused_credit` (the applicant is on the dishonest-entity
/// list), 400 `tolerance.not_tolerable` (a material the item does not allow
/// to be missing), 409 `tolerance.exists` (the case has an open acceptance).
#[utoipa::path(post, path = "/tolerance", tag = "guidance", request_body = ToleranceRequest,
    responses((status = 201, body = ToleranceView),
        (status = 400, description = "`request.invalid`, `tolerance.not_tolerable`", body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`tolerance.refused_credit`, `tolerance.exists`", body = crate::error::ErrorBody)))]
pub async fn create_tolerance(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ToleranceRequest>,
) -> ApiResult<(StatusCode, Json<ToleranceView>)> {
    caller.require(&state, ACCEPT).await?;
    let case = case_in_scope(&state, &caller, request.case_code.trim()).await?;
    let now = now_ms();
    let signed_at = parse_rfc3339(&request.commitment_signed_at)
        .filter(|at| *at <= now + 5 * 60_000)
        .ok_or_else(|| {
            ApiError::invalid_field("commitment_signed_at", "须为不晚于当前时间的 RFC 3339 时间")
        })?;
    let days = u32::try_from(request.deadline_days).unwrap_or(0);
    let audit = caller.audit(
        "tolerance.create",
        "case",
        &case.case_code,
        serde_json::json!({ "missing": request.missing, "deadline_days": request.deadline_days }),
    );
    let credit = verdict(&state, &case.applicant_key, case.applicant_masked.clone()).await?;
    if !credit.allowed {
        let reason = credit.reason.unwrap_or_default();
        state
            .store
            .audit(&audit.with_result(
                Outcome::Denied,
                serde_json::json!({ "reason": "credit", "missing": request.missing }),
            ))
            .await?;
        return Err(ApiError::conflict(
            "tolerance.refused_credit",
            format!("不予容缺受理：{reason}"),
        )
        .with_details(serde_json::json!({ "reason": reason })));
    }
    let new = acceptance(
        &state.store,
        &state.monitor.calendar(),
        &case,
        &request.missing,
        (signed_at, days),
        &caller.username,
    )
    .await?;
    let id = state
        .store
        .create_tolerance(&new, &audit, now)
        .await?
        .ok_or_else(|| ApiError::conflict("tolerance.exists", "该办件已有未完成的容缺受理"))?;
    let row = state
        .store
        .tolerance(&caller.org_scope(), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The acceptance of `case` with `missing_codes` missing, signed at
/// `signed.0` with `signed.1` working days to hand them in: 400 when a
/// material is not tolerable for the case's item or the deadline is out of
/// bounds. (The credit check comes first, at the caller.)
pub async fn acceptance(
    store: &govpulse_store::Store,
    calendar: &govpulse_core::monitoring::calendar::WorkCalendar,
    case: &CaseRow,
    missing_codes: &[String],
    signed: (i64, u32),
    created_by: &str,
) -> ApiResult<NewTolerance> {
    let (signed_at, days) = signed;
    let tolerable = store.tolerable_materials(&case.item_code).await?;
    let tolerable_codes: Vec<String> = tolerable.iter().map(|m| m.material_code.clone()).collect();
    let mut missing: Vec<String> = Vec::new();
    for code in missing_codes {
        if !missing.contains(code) {
            missing.push(code.clone());
        }
    }
    check_request(&missing, &tolerable_codes, days).map_err(|e| match e {
        RequestError::NothingMissing => {
            ApiError::invalid_field("missing", "请至少选择一项容缺材料")
        }
        RequestError::Deadline => {
            ApiError::invalid_field("deadline_days", "补齐期限须为 1–60 个工作日")
        }
        RequestError::NotTolerable(codes) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "tolerance.not_tolerable",
            format!("以下材料不允许容缺：{}", codes.join("、")),
        )
        .with_details(serde_json::json!({ "materials": codes, "tolerable": tolerable_codes })),
    })?;
    let missing: Vec<(String, String)> = missing
        .into_iter()
        .map(|code| {
            let name = tolerable
                .iter()
                .find(|m| m.material_code == code)
                .map_or_else(|| code.clone(), |m| m.material_name.clone());
            (code, name)
        })
        .collect();
    let due = due_at(calendar, signed_at, days);
    let values: BTreeMap<&str, String> = [
        ("applicant_name", case.applicant_name.clone()),
        ("applicant_id", case.applicant_masked.clone()),
        (
            "item_name",
            case.item_name
                .clone()
                .unwrap_or_else(|| case.item_code.clone()),
        ),
        ("case_code", case.case_code.clone()),
        (
            "materials",
            missing
                .iter()
                .enumerate()
                .map(|(i, (_, name))| format!("{}. {name}", i + 1))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("deadline_days", days.to_string()),
        ("deadline", to_rfc3339(due)[..10].to_string()),
        ("signed_at", to_rfc3339(signed_at)[..16].replace('T', " ")),
    ]
    .into_iter()
    .collect();
    Ok(NewTolerance {
        case_code: case.case_code.clone(),
        district_code: govpulse_core::region::district_of(&case.region_code).to_string(),
        region_code: case.region_code.clone(),
        department_code: case.department_code.clone(),
        item_code: case.item_code.clone(),
        applicant_name: case.applicant_name.clone(),
        applicant_masked: case.applicant_masked.clone(),
        missing,
        commitment: render(&template(store).await?, &values),
        commitment_signed_at: signed_at,
        deadline_days: i64::from(days),
        due_at: due,
        created_by: created_by.to_string(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ToleranceQuery {
    /// open | completed
    #[param(pattern = "^(open|completed)?$")]
    pub status: Option<String>,
    pub case_code: Option<String>,
    /// true: open and past due.
    pub overdue: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field`: created_at (default, newest first), due_at.
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// Tolerance acceptances in the caller's scope.
#[utoipa::path(get, path = "/tolerance", tag = "guidance", params(ToleranceQuery),
    responses((status = 200, body = ListResponse<ToleranceView>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_tolerance(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ToleranceQuery>,
) -> ApiResult<Json<ListResponse<ToleranceView>>> {
    caller.require(&state, READ).await?;
    let status = non_empty(&q.status);
    if status
        .as_deref()
        .is_some_and(|s| s != "open" && s != "completed")
    {
        return Err(ApiError::invalid_field(
            "status",
            "状态须为 open 或 completed",
        ));
    }
    let filter = ToleranceFilter {
        status,
        case_code: non_empty(&q.case_code),
        overdue: q.overdue.unwrap_or(false),
        now_ms: now_ms(),
    };
    let request = crate::list_params!(q).request(&TOLERANCE_LIST)?;
    let page = state
        .store
        .list_tolerance(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(ListResponse::from_page(page)))
}

/// One acceptance with its commitment (404 outside the caller's scope).
#[utoipa::path(get, path = "/tolerance/{id}", tag = "guidance", params(("id" = i64, Path)),
    responses((status = 200, body = ToleranceView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_tolerance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ToleranceView>> {
    caller.require(&state, READ).await?;
    let row = state
        .store
        .tolerance(&caller.org_scope(), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(row.into()))
}

/// The missing materials were handed in: close the acceptance (and its overdue warning).
#[utoipa::path(post, path = "/tolerance/{id}/complete", tag = "guidance", params(("id" = i64, Path)),
    responses((status = 200, body = ToleranceView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`tolerance.not_open`", body = crate::error::ErrorBody)))]
pub async fn complete_tolerance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ToleranceView>> {
    caller.require(&state, ACCEPT).await?;
    let scope = caller.org_scope();
    let row = state
        .store
        .tolerance(&scope, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let audit = caller.audit(
        "tolerance.complete",
        "case",
        &row.case_code,
        serde_json::json!({ "id": id }),
    );
    if !state
        .store
        .complete_tolerance(id, &caller.username, &audit, now_ms())
        .await?
    {
        return Err(ApiError::conflict("tolerance.not_open", "该容缺受理已完成"));
    }
    let row = state
        .store
        .tolerance(&scope, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(row.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preparation {
    pub case_code: String,
    pub item_code: String,
    pub item_name: Option<String>,
    pub applicant_name: String,
    pub applicant: String,
    /// `{allowed, reason?, applicant, listings}` — the credit check.
    #[schema(value_type = Object)]
    pub credit: Value,
    /// Materials published trees allow to be missing for the case's item.
    pub tolerable: Vec<MissingMaterial>,
    /// Open acceptance of the case, if any.
    pub open_tolerance: Option<i64>,
}

/// What the acceptance form needs for a case: the credit check and the tolerable materials (audited like a credit check).
#[utoipa::path(get, path = "/tolerance/prepare/{case_code}", tag = "guidance", params(("case_code" = String, Path)),
    responses((status = 200, body = Preparation), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn prepare_tolerance(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_code): Path<String>,
) -> ApiResult<Json<Preparation>> {
    caller.require(&state, ACCEPT).await?;
    let case = case_in_scope(&state, &caller, case_code.trim()).await?;
    let credit = verdict(&state, &case.applicant_key, case.applicant_masked.clone()).await?;
    state
        .store
        .audit(&caller.audit(
            "credit.check",
            "applicant",
            &case.applicant_masked,
            serde_json::json!({ "allowed": credit.allowed, "case_code": case.case_code }),
        ))
        .await?;
    let tolerable = state.store.tolerable_materials(&case.item_code).await?;
    let open = state
        .store
        .list_tolerance(
            &caller.org_scope(),
            &ToleranceFilter {
                status: Some("open".into()),
                case_code: Some(case.case_code.clone()),
                ..ToleranceFilter::default()
            },
            &crate::list::ListParams {
                page: None,
                size: Some(1),
                sort: &None,
                after: &None,
            }
            .request(&TOLERANCE_LIST)?,
        )
        .await?;
    Ok(Json(Preparation {
        credit: serde_json::to_value(&credit).map_err(ApiError::internal)?,
        tolerable: tolerable
            .into_iter()
            .map(|m| MissingMaterial {
                code: m.material_code,
                name: m.material_name,
            })
            .collect(),
        open_tolerance: open.items.first().map(|t| t.id),
        case_code: case.case_code,
        item_code: case.item_code,
        item_name: case.item_name,
        applicant_name: case.applicant_name,
        applicant: case.applicant_masked,
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TemplateBody {
    /// The commitment text with `{placeholder}`s.
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub template: String,
    /// The placeholders a template may use (in answers).
    #[serde(default)]
    pub placeholders: Vec<String>,
}

/// The commitment template (容缺受理承诺书).
#[utoipa::path(get, path = "/tolerance/template", tag = "guidance",
    responses((status = 200, body = TemplateBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<TemplateBody>> {
    caller.require(&state, READ).await?;
    Ok(Json(TemplateBody {
        template: template(&state.store).await?,
        placeholders: PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
    }))
}

/// Replace the commitment template (only known placeholders; at most 5,000 characters).
#[utoipa::path(put, path = "/tolerance/template", tag = "guidance", request_body = TemplateBody,
    responses((status = 200, body = TemplateBody), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn put_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Json<TemplateBody>> {
    caller.require(&state, WRITE).await?;
    let text = required_text("template", &body.template, 5_000, "模板须为 1–5000 字")?;
    let unknown = unknown_placeholders(text);
    if !unknown.is_empty() {
        return Err(ApiError::invalid_field(
            "template",
            format!("未知占位符：{}", unknown.join("、")),
        ));
    }
    let audit = caller.audit(
        "tolerance.template.update",
        "setting",
        TEMPLATE_KEY,
        serde_json::json!({ "chars": text.chars().count() }),
    );
    state.store.put_setting(TEMPLATE_KEY, text, &audit).await?;
    get_template(State(state), caller).await
}
