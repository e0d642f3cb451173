//! Warnings over HTTP (MON-5/7): the scoped list (contract), detail with
//! history, handling actions one by one or in bulk, and exports.

use crate::aggregation::time_window;
use crate::error::{ApiError, ApiResult};
use crate::export::{csv_download, xlsx_download};
use crate::exports::Format;
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::monitoring::{
    Handling, HistoryRow, WarningAction, WarningFilter, WarningRow, WARNING_LIST,
};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningView {
    pub id: i64,
    pub case_code: String,
    pub rule_code: String,
    pub rule_name: String,
    pub stage: String,
    pub level: String,
    pub level_name: String,
    pub colour: String,
    /// open, acknowledged, handled, false_positive, closed
    pub status: String,
    pub raised_at: String,
    pub updated_at: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub item_code: String,
    pub item_name: Option<String>,
    pub handle_deadline: String,
    pub close_reason: Option<String>,
    pub note: Option<String>,
}

impl From<WarningRow> for WarningView {
    fn from(w: WarningRow) -> Self {
        Self {
            id: w.id,
            case_code: w.case_code,
            rule_code: w.rule_code,
            rule_name: w.rule_name,
            stage: w.stage,
            level: w.level,
            level_name: w.level_name,
            colour: w.colour,
            status: w.status,
            raised_at: to_rfc3339(w.raised_at),
            updated_at: to_rfc3339(w.updated_at),
            region_code: w.region_code,
            region_name: w.region_name,
            department_code: w.department_code,
            department_name: w.department_name,
            item_code: w.item_code,
            item_name: w.item_name,
            handle_deadline: to_rfc3339(w.handle_deadline),
            close_reason: w.close_reason,
            note: w.note,
        }
    }
}

#[derive(Debug, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    pub level: Option<String>,
    pub stage: Option<String>,
    /// Region subtree.
    pub region: Option<String>,
    pub department: Option<String>,
    pub item: Option<String>,
    #[param(pattern = "^(open|acknowledged|handled|false_positive|closed)?$")]
    pub status: Option<String>,
    /// Case code.
    pub case: Option<String>,
    pub rule: Option<String>,
    /// Raised from (date or RFC 3339).
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
    /// Exports only: xlsx (default) or csv.
    #[param(pattern = "^(xlsx|csv)?$")]
    pub format: Option<String>,
}

const STATUSES: &[&str] = &[
    "open",
    "acknowledged",
    "handled",
    "false_positive",
    "closed",
];

/// The store filter the list parameters ask for (the list, its export and background exports).
pub fn filter_of(q: &WarningQuery) -> ApiResult<WarningFilter> {
    // The list and its export share these parameters: both check them all.
    Format::parse(q.format.as_deref())?;
    let status = non_empty(&q.status);
    if status.as_deref().is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(ApiError::invalid_field(
            "status",
            "状态须为 open、acknowledged、handled、false_positive 或 closed",
        ));
    }
    let (from, to) = time_window(&q.from, &q.to)?;
    Ok(WarningFilter {
        level: non_empty(&q.level),
        stage: non_empty(&q.stage),
        region_range: non_empty(&q.region).map(|r| subtree_range(&r)),
        department: non_empty(&q.department),
        item: non_empty(&q.item),
        status,
        case_code: non_empty(&q.case),
        rule: non_empty(&q.rule),
        from,
        to,
    })
}

#[utoipa::path(get, path = "/warnings", tag = "monitoring", params(WarningQuery), responses((status = 200, body = crate::list::ListResponse<WarningView>)))]
pub async fn list_warnings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WarningQuery>,
) -> ApiResult<Json<crate::list::ListResponse<WarningView>>> {
    caller.require(&state, "warning:read").await?;
    let filter = filter_of(&q)?;
    let request = crate::list_params!(q).request(&govpulse_store::monitoring::WARNING_LIST)?;
    let page = state
        .store
        .list_warnings(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}

fn stage_label(stage: &str) -> &str {
    govpulse_core::monitoring::rule::STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .map_or(stage, |(_, name)| name)
}

fn status_label(status: &str) -> &str {
    match status {
        "open" => "待处置",
        "acknowledged" => "已确认",
        "handled" => "已处置",
        "false_positive" => "误报",
        "closed" => "已关闭",
        other => other,
    }
}

/// Most rows one export holds.
const EXPORT_LIMIT: i64 = 200_000;

/// Column titles of a warning export (the download and background exports).
pub const EXPORT_HEADERS: [&str; 13] = [
    "预警编号",
    "办件编号",
    "预警规则",
    "环节",
    "预警级别",
    "状态",
    "预警时间",
    "区划",
    "部门",
    "事项",
    "处置时限",
    "关闭原因",
    "处置说明",
];

/// One warning as export cells (in [`EXPORT_HEADERS`] order).
pub fn export_cells(w: WarningRow) -> Vec<String> {
    vec![
        w.id.to_string(),
        w.case_code,
        w.rule_name,
        stage_label(&w.stage).to_string(),
        w.level_name,
        status_label(&w.status).to_string(),
        to_rfc3339(w.raised_at),
        w.region_name.unwrap_or(w.region_code),
        w.department_name.unwrap_or(w.department_code),
        w.item_name.unwrap_or(w.item_code),
        to_rfc3339(w.handle_deadline),
        w.close_reason.unwrap_or_default(),
        w.note.unwrap_or_default(),
    ]
}

#[utoipa::path(get, path = "/warnings/export", tag = "monitoring", params(WarningQuery), responses((status = 200, description = "XLSX or CSV file")))]
pub async fn export_warnings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WarningQuery>,
) -> ApiResult<Response> {
    caller.require(&state, "warning:read").await?;
    let filter = filter_of(&q)?;
    // The file holds every row in the list's order, from the first.
    let mut request = crate::list_params!(q).request(&WARNING_LIST)?;
    request.after = None;
    request.offset = 0;
    request.limit = EXPORT_LIMIT;
    let page = state
        .store
        .list_warnings(&caller.org_scope(), &filter, &request)
        .await?;
    let rows: Vec<Vec<String>> = page.items.into_iter().map(export_cells).collect();
    // A sensitive read (SEC-3): who took which warnings out, with the filters.
    state
        .store
        .audit(&caller.audit(
            "warning.export",
            "warnings",
            "",
            serde_json::json!({ "rows": rows.len(), "filters": serde_json::to_value(&q).unwrap_or_default() }),
        ))
        .await?;
    match Format::parse(q.format.as_deref())? {
        Format::Csv => Ok(csv_download("warnings.csv", &EXPORT_HEADERS, rows)),
        Format::Xlsx => xlsx_download("warnings.xlsx", "预警信息", &EXPORT_HEADERS, rows).await,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WarningHistoryView)]
pub struct HistoryView {
    pub at: String,
    /// raised, escalated, lowered, reopened, closed, acknowledged, handled, false_positive
    pub action: String,
    pub level: String,
    pub status: String,
    pub actor: String,
    /// The actor's display name (null for `system` and for users since deleted).
    pub actor_name: Option<String>,
    pub note: Option<String>,
}

impl From<HistoryRow> for HistoryView {
    fn from(h: HistoryRow) -> Self {
        Self {
            at: to_rfc3339(h.at),
            action: h.action,
            level: h.level,
            status: h.status,
            actor: h.actor,
            actor_name: None,
            note: h.note,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningDetail {
    #[serde(flatten)]
    pub warning: WarningView,
    pub history: Vec<HistoryView>,
}

async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<WarningDetail> {
    let warning = state
        .store
        .get_warning(&caller.org_scope(), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut history: Vec<HistoryView> = state
        .store
        .warning_history(id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    // people by their names, not their usernames (a handful of actors per warning)
    let mut names: std::collections::BTreeMap<String, Option<String>> = Default::default();
    for entry in &mut history {
        if entry.actor.is_empty() || entry.actor == "system" {
            continue;
        }
        if !names.contains_key(&entry.actor) {
            let user = state.store.find_user_by_username(&entry.actor).await?;
            names.insert(entry.actor.clone(), user.map(|u| u.display_name));
        }
        entry.actor_name = names.get(&entry.actor).cloned().flatten();
    }
    Ok(WarningDetail {
        warning: warning.into(),
        history,
    })
}

#[utoipa::path(get, path = "/warnings/{id}", tag = "monitoring",
    responses((status = 200, body = WarningDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_warning(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WarningDetail>> {
    caller.require(&state, "warning:read").await?;
    let detail = detail(&state, &caller, id).await?;
    if let Some(user) = caller.user_id {
        state.store.mark_warning_read(user, id, now_ms()).await?;
    }
    Ok(Json(detail))
}

/// Marking a false positive: `reason` (or, as older clients send it, `note`)
/// is required, 1–500 characters.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    #[schema(max_length = 500)]
    pub note: Option<String>,
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// Handling a warning: what was done, 1–500 characters.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandleInput {
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub note: String,
}

fn checked_note(field: &str, text: Option<&str>, required: bool) -> ApiResult<Option<String>> {
    // The bound is on what was sent, as documented; blanks around it are dropped.
    let text_len = text.map_or(0, |t| t.chars().count());
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => Err(ApiError::invalid_field(field, "请填写说明（1–500 字）")),
        Some(_) if text_len > 500 => Err(ApiError::invalid_field(field, "说明不超过 500 字")),
        other => Ok(other.map(String::from)),
    }
}

fn handling<'a>(action: WarningAction, note: Option<&'a str>, actor: &'a str) -> Handling<'a> {
    Handling {
        action,
        note,
        actor,
        at_ms: now_ms(),
    }
}

async fn act(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: WarningAction,
    note: Option<String>,
) -> ApiResult<Json<WarningDetail>> {
    caller.require(state, "warning:handle").await?;
    let audit = caller.audit(
        &format!("warning.{}", action.status()),
        "warning",
        &id.to_string(),
        serde_json::Value::Null,
    );
    state
        .store
        .act_on_warning(
            &caller.org_scope(),
            id,
            handling(action, note.as_deref(), &caller.username),
            &audit,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ApiError::conflict("warning.closed", "预警已关闭或已标记误报，不能再处置")
            }
            other => other.into(),
        })?;
    Ok(Json(detail(state, caller, id).await?))
}

#[utoipa::path(post, path = "/warnings/{id}/acknowledge", tag = "monitoring",
    responses((status = 200, body = WarningDetail), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WarningDetail>> {
    act(&state, &caller, id, WarningAction::Acknowledge, None).await
}

#[utoipa::path(post, path = "/warnings/{id}/handle", tag = "monitoring", request_body = HandleInput,
    responses((status = 200, body = WarningDetail), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn handle(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HandleInput>,
) -> ApiResult<Json<WarningDetail>> {
    let note = checked_note("note", Some(&input.note), true)?;
    act(&state, &caller, id, WarningAction::Handle, note).await
}

#[utoipa::path(post, path = "/warnings/{id}/false-positive", tag = "monitoring", request_body = NoteInput,
    responses((status = 200, body = WarningDetail), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn false_positive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<Json<WarningDetail>> {
    // A `note` sent beside `reason` is not used, but must still be valid text.
    if input.reason.is_some() {
        checked_note("note", input.note.as_deref(), false)?;
    }
    let reason = checked_note(
        "reason",
        input.reason.as_deref().or(input.note.as_deref()),
        true,
    )?;
    act(&state, &caller, id, WarningAction::FalsePositive, reason).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
    /// acknowledge, handle, false_positive
    #[schema(pattern = "^(acknowledge|handle|false_positive)$")]
    pub action: String,
    /// Required (1–500 characters) unless the action is `acknowledge`.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub done: usize,
    pub skipped: usize,
}

#[utoipa::path(post, path = "/warnings/bulk", tag = "monitoring", request_body = BulkInput,
    responses((status = 200, body = BulkResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    caller.require(&state, "warning:handle").await?;
    let action = WarningAction::parse(&input.action).ok_or_else(|| {
        ApiError::invalid_field("action", "操作须为 acknowledge、handle 或 false_positive")
    })?;
    if input.ids.is_empty() || input.ids.len() > 500 {
        return Err(ApiError::invalid_field("ids", "请选择 1–500 条预警"));
    }
    let note = checked_note(
        "note",
        input.note.as_deref(),
        action != WarningAction::Acknowledge,
    )?;
    let audit = caller.audit(
        &format!("warning.bulk_{}", action.status()),
        "warning",
        "bulk",
        serde_json::Value::Null,
    );
    let done = state
        .store
        .act_on_warnings(
            &caller.org_scope(),
            &input.ids,
            handling(action, note.as_deref(), &caller.username),
            &audit,
        )
        .await?;
    Ok(Json(BulkResult {
        done: done.len(),
        skipped: input.ids.len() - done.len(),
    }))
}
